"""Scores: accuracy, and span-level F1 over BIO tags (what seqeval computes by default).

seqeval is not installed, so the span extractor is here; it follows conlleval's rules:
a span starts at ``B-X``, or at ``I-X`` not continuing an ``X`` span; it ends before ``O``,
any ``B-``, or a tag of another type. A tag without a ``B-``/``I-`` prefix (other than
``O``) counts as ``I-`` of its own type.
"""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[int, int, str]  # start, end (exclusive), type


def _split(tag: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    if tag[:2] in ("B-", "I-"):
        return tag[0], tag[2:]
    return "I", tag


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """The typed spans in one sentence's BIO tags."""
    spans: list[Span] = []
    start, kind = None, ""
    for i, tag in enumerate(tags):
        prefix, label = _split(tag)
        continues = prefix == "I" and start is not None and label == kind
        if start is not None and not continues:
            spans.append((start, i, kind))
            start = None
        if prefix != "O" and not continues:
            start, kind = i, label
    if start is not None:
        spans.append((start, len(tags), kind))
    return spans


def span_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 of exact typed spans over all sentences (0 when undefined)."""
    gold_spans = {(n, *s) for n, tags in enumerate(gold) for s in bio_spans(tags)}
    predicted_spans = {(n, *s) for n, tags in enumerate(predicted) for s in bio_spans(tags)}
    hits = len(gold_spans & predicted_spans)
    precision = hits / len(predicted_spans) if predicted_spans else 0.0
    recall = hits / len(gold_spans) if gold_spans else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def accuracy(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """Share of equal pairs (0 for no items)."""
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if len(gold) else 0.0
