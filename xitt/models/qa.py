"""Extractive QA: question + context windows (doc stride), span labels, n-best span decoding.

A context longer than the window is read as several overlapping windows ("features"),
``stride`` tokens shared between neighbours, as in BERT's SQuAD recipe. Offsets from the
fast tokenizer map each context token back to its characters, so an answer's character
span becomes (start token, end token) in every window that holds it whole; windows that
do not, and unanswerable questions, point at ``<s>`` (position 0), as in SQuAD 2.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.encode import Encoded, padded

MAX_QUESTION_SHARE = 0.5  # questions are cut to this share of the window
N_BEST = 20  # start and end candidates per window, as in the SQuAD reference code


@dataclass(frozen=True)
class QAFeatures:
    """Windows of n examples: ids and (start, end) labels, the example each window reads,
    and each token's character span in its context (-1 for non-context tokens)."""

    encoded: Encoded
    example: np.ndarray
    offsets: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return self.encoded.lengths

    def __len__(self) -> int:
        return len(self.encoded)


def _cut_questions(tokenizer: PreTrainedTokenizerFast, questions: list[str], most: int) -> list[str]:
    """Questions cut to ``most`` tokens at a character boundary (so the context always fits)."""
    out = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True)
    return [q if len(spans) <= most else q[: spans[most - 1][1]] for q, spans in zip(questions, out["offset_mapping"])]


def _token_span(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """The tokens covering characters [start, end) in one window, or (0, 0) if not all inside."""
    context = np.flatnonzero(offsets[:, 0] >= 0)
    if not len(context) or offsets[context[0], 0] > start or offsets[context[-1], 1] < end:
        return 0, 0
    first = context[offsets[context, 0] <= start][-1]
    last = context[offsets[context, 1] >= end][0]
    return int(first), int(last)


def encode_qa(tokenizer: PreTrainedTokenizerFast, examples: Sequence[dict], max_length: int, stride: int) -> QAFeatures:
    """Every example as one or more windows of at most ``max_length`` tokens."""
    questions = _cut_questions(tokenizer, [e["question"] for e in examples], max(1, int(max_length * MAX_QUESTION_SHARE) - 4))
    contexts = [e["context"] for e in examples]
    room = max_length - max(len(ids) for ids in tokenizer(questions)["input_ids"]) - 2
    out = tokenizer(
        questions, contexts, truncation="only_second", max_length=max_length, stride=max(0, min(stride, room // 2)),
        return_overflowing_tokens=True, return_offsets_mapping=True,
    )
    ids, lengths = padded(out["input_ids"], tokenizer.pad_token_id)
    offsets = np.full((*ids.shape, 2), -1, dtype=np.int64)
    labels = np.zeros((len(ids), 2), dtype=np.int64)
    example = np.asarray(out["overflow_to_sample_mapping"], dtype=np.int64)
    for f in range(len(ids)):
        for position, (sequence, span) in enumerate(zip(out.sequence_ids(f), out["offset_mapping"][f])):
            if sequence == 1:
                offsets[f, position] = span
        answers = examples[example[f]]["answers"]
        if answers["text"]:
            start = answers["answer_start"][0]
            labels[f] = _token_span(offsets[f], start, start + len(answers["text"][0]))
    return QAFeatures(Encoded(ids, lengths, tokenizer.pad_token_id, labels), example, offsets)


def span_loss(logits: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean of start and end cross-entropy over the real tokens of each window."""
    logits = logits.float().masked_fill(~mask.bool().unsqueeze(-1), torch.finfo(torch.float32).min)
    start = torch.nn.functional.cross_entropy(logits[..., 0], labels[:, 0])
    end = torch.nn.functional.cross_entropy(logits[..., 1], labels[:, 1])
    return (start + end) / 2


@dataclass(frozen=True)
class Span:
    score: float
    start: int  # characters in the context, end exclusive
    end: int


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, offsets: np.ndarray, max_answer_tokens: int) -> Span | None:
    """The highest-scoring valid span of one window: both ends in the context, end not
    before start, at most ``max_answer_tokens`` long; among the ``N_BEST`` best starts and ends."""
    context = offsets[:, 0] >= 0
    if not context.any():
        return None
    starts = np.where(context, start_logits, -np.inf)
    ends = np.where(context, end_logits, -np.inf)
    top_starts = np.argsort(-starts, kind="stable")[:N_BEST]
    top_ends = np.argsort(-ends, kind="stable")[:N_BEST]
    s, e = np.meshgrid(top_starts, top_ends, indexing="ij")
    valid = context[s] & context[e] & (e >= s) & (e - s + 1 <= max_answer_tokens)
    if not valid.any():
        return None
    scores = np.where(valid, starts[s] + ends[e], -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    first, last = int(s[i, j]), int(e[i, j])
    return Span(float(scores[i, j]), int(offsets[first, 0]), int(offsets[last, 1]))


def decode(
    features: QAFeatures, logits: list[np.ndarray], contexts: Sequence[str], max_answer_tokens: int, allow_empty: bool
) -> list[str]:
    """One answer per example: its best span over all its windows; with ``allow_empty``,
    "" when the no-answer score (``<s>`` as start and end, lowest over windows) beats it."""
    best: list[Span | None] = [None] * len(contexts)
    null = np.full(len(contexts), np.inf)
    for f, window in enumerate(logits):
        n = int(features.example[f])
        span = best_span(window[:, 0], window[:, 1], features.offsets[f, : len(window)], max_answer_tokens)
        if span is not None and (best[n] is None or span.score > best[n].score):
            best[n] = span
        null[n] = min(null[n], float(window[0, 0] + window[0, 1]))
    answers = []
    for n, span in enumerate(best):
        if span is None or (allow_empty and null[n] > span.score):
            answers.append("")
        else:
            answers.append(contexts[n][span.start : span.end])
    return answers
