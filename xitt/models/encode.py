"""Examples → padded id matrices, tokenised once; a batch is then two numpy slices.

Tokenising up front in one Rust call and indexing arrays per step keeps Python out of the
training loop; each batch is cut to its own longest row (dynamic padding), or padded to
the width of its bucket where the device wants few shapes (``batching``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.batching import CPU, Batching
from xitt.tasks.formats import Format, TaskInfo

IGNORE = -100  # the label that cross-entropy skips: non-first subwords, specials, padding


@dataclass(frozen=True)
class Encoded:
    """Token ids of n inputs, right-padded to a common width, with optional labels.

    ``labels`` is (n,) for sequence tasks, (n, width) for tagging (``IGNORE`` except at
    each word's first subword), or None. ``words`` (tagging only) is (n, width): the word
    index at each word's first subword, -1 elsewhere.
    """

    ids: np.ndarray
    lengths: np.ndarray
    pad_id: int
    labels: np.ndarray | None = None
    words: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def batch(self, rows: np.ndarray, device: torch.device, batching: Batching = CPU) -> "Batch":
        """The rows ``rows`` as tensors on ``device``, padded to ``batching``'s width for their
        longest member (with no buckets: cut to it)."""
        width = batching.width(int(self.lengths[rows].max()))
        mask = np.arange(width)[None, :] < self.lengths[rows][:, None]
        labels = None
        if self.labels is not None:
            labels = cut(self.labels, rows, width, IGNORE) if self.labels.ndim == 2 else self.labels[rows]
            labels = as_tensor(labels, device)
        return Batch(as_tensor(cut(self.ids, rows, width, self.pad_id), device), as_tensor(mask.astype(np.int64), device), labels)


def cut(array: np.ndarray, rows: np.ndarray, width: int, fill: int) -> np.ndarray:
    """``array[rows, :width]``, padded on the right with ``fill`` where ``width`` is wider than ``array``."""
    out = array[rows, :width]
    if out.shape[1] < width:
        out = np.pad(out, ((0, 0), (0, width - out.shape[1])), constant_values=fill)
    return out


@dataclass(frozen=True)
class Batch:
    ids: torch.Tensor
    mask: torch.Tensor
    labels: torch.Tensor | None


def as_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """A numpy array on ``device`` (shared memory on the CPU, no copy)."""
    return torch.from_numpy(np.ascontiguousarray(array)).to(device, non_blocking=True)


def padded(rows: Sequence[Sequence[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    ids = np.full((len(rows), int(lengths.max(initial=1))), pad, dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
    return ids, lengths


def encode_texts(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str], max_length: int, pairs: Sequence[str] | None = None) -> Encoded:
    """Single sentences, or sentence pairs in XLM-R's ``<s> A </s></s> B </s>`` layout."""
    out = tokenizer(list(texts), list(pairs) if pairs is not None else None, truncation=True, max_length=max_length)
    ids, lengths = padded(out["input_ids"], tokenizer.pad_token_id)
    return Encoded(ids, lengths, tokenizer.pad_token_id)


def first_subwords(word_ids: Sequence[int | None]) -> list[tuple[int, int]]:
    """(position, word) of each word's first subword, from a fast tokenizer's ``word_ids()``."""
    found, previous = [], None
    for position, word in enumerate(word_ids):
        if word is not None and word != previous:
            found.append((position, word))
        previous = word
    return found


def first_subword_labels(word_ids: Sequence[int | None], tags: Sequence[int]) -> list[int]:
    """Each word's tag on its first subword; ``IGNORE`` on later subwords and specials."""
    labels = [IGNORE] * len(word_ids)
    for position, word in first_subwords(word_ids):
        labels[position] = tags[word]
    return labels


def encode_words(tokenizer: PreTrainedTokenizerFast, words: Sequence[Sequence[str]], tags: Sequence[Sequence[int]], max_length: int) -> Encoded:
    """Pre-split words with one tag each (words cut off by ``max_length`` get no label)."""
    out = tokenizer([list(w) for w in words], is_split_into_words=True, truncation=True, max_length=max_length)
    ids, lengths = padded(out["input_ids"], tokenizer.pad_token_id)
    labels = np.full(ids.shape, IGNORE, dtype=np.int64)
    word_index = np.full(ids.shape, -1, dtype=np.int64)
    for i, word_tags in enumerate(tags):
        if len(word_tags) != len(words[i]):
            raise ValueError(f"example {i} has {len(words[i])} words but {len(word_tags)} tags")
        for position, word in first_subwords(out.word_ids(i)):
            labels[i, position] = word_tags[word]
            word_index[i, position] = word
    return Encoded(ids, lengths, tokenizer.pad_token_id, labels, word_index)


def encode_examples(tokenizer: PreTrainedTokenizerFast, task: TaskInfo, examples: Sequence[dict], max_length: int) -> Encoded:
    """Examples of any supported format, with their labels."""
    if not examples:
        raise ValueError(f"no examples of task {task.name!r}")
    if task.format is Format.TAGGING:
        return encode_words(tokenizer, [e["tokens"] for e in examples], [e["tags"] for e in examples], max_length)
    if task.format is Format.CLASSIFICATION:
        encoded = encode_texts(tokenizer, [e["text"] for e in examples], max_length)
    elif task.format is Format.PAIR_CLASSIFICATION:
        encoded = encode_texts(tokenizer, [e["text_a"] for e in examples], max_length, pairs=[e["text_b"] for e in examples])
    else:
        raise ValueError(f"format {task.format.value!r} has no head yet")
    labels = np.fromiter((e["label"] for e in examples), dtype=np.int64, count=len(examples))
    return Encoded(encoded.ids, encoded.lengths, encoded.pad_id, labels)


def capacity(config) -> int:
    """The longest input an XLM-R-shaped encoder takes: positions start after the pad id."""
    return int(config.max_position_embeddings - config.pad_token_id - 1)
