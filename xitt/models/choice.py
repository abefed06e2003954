"""Multiple choice: each (premise [+ question], choice) pair is one row; a head gives each
row one score, and a softmax over an example's choices picks the answer (as XCOPA, HellaSwag).

Examples may have different numbers of choices: missing ones score -inf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from xitt.models.batching import CPU, Batching
from xitt.models.encode import Encoded, encode_texts


@dataclass(frozen=True)
class Choices:
    """Rows of all choices, and per example: its rows (-1 where it has fewer) and its label."""

    encoded: Encoded
    rows: np.ndarray  # (n, most choices)
    labels: np.ndarray  # (n,)

    @property
    def lengths(self) -> np.ndarray:
        """Per example, its longest row (what length grouping and padding care about)."""
        return np.where(self.rows >= 0, self.encoded.lengths[np.maximum(self.rows, 0)], 0).max(axis=1)

    def __len__(self) -> int:
        return len(self.rows)


def first_segment(example: dict) -> str:
    """The premise, then the question word when there is one (COPA's "cause"/"effect")."""
    question = example.get("question", "")
    return f"{example['premise']} {question}" if question else example["premise"]


def encode_choices(tokenizer, examples: Sequence[dict], max_length: int) -> Choices:
    counts = [len(e["choices"]) for e in examples]
    if min(counts, default=0) < 2:
        raise ValueError("every multiple-choice example needs at least two choices")
    firsts = [first_segment(e) for e, n in zip(examples, counts) for _ in range(n)]
    seconds = [c for e in examples for c in e["choices"]]
    encoded = encode_texts(tokenizer, firsts, max_length, pairs=seconds)
    rows = np.full((len(examples), max(counts)), -1, dtype=np.int64)
    start = 0
    for i, n in enumerate(counts):
        rows[i, :n] = np.arange(start, start + n)
        start += n
    labels = np.fromiter((e["label"] for e in examples), dtype=np.int64, count=len(examples))
    return Choices(encoded, rows, labels)


def choice_scores(model, data: Choices, examples: np.ndarray, device: torch.device, batching: Batching = CPU) -> torch.Tensor:
    """(len(examples), most choices) scores, -inf where an example has no such choice."""
    rows = data.rows[examples]
    present = rows >= 0
    batch = data.encoded.batch(rows[present], device, batching)
    scores = model(batch.ids, batch.mask).float().squeeze(-1)
    out = torch.full(rows.shape, float("-inf"), device=device)
    out[torch.from_numpy(present).to(device)] = scores
    return out
