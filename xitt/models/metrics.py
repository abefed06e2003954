"""Scores for classification and tagging: accuracy, and span-level F1 over BIO tags via seqeval.

seqeval's default (conlleval-compatible) mode is what XTREME reports for NER: a span starts
at ``B-X``, or at ``I-X`` not continuing an ``X`` span; it ends before ``O``, any ``B-``, or
a tag of another type.
"""

from __future__ import annotations

from collections.abc import Sequence

from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

Span = tuple[int, int, str]  # start, end (exclusive), type


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """The typed spans in one sentence's BIO tags, as seqeval finds them."""
    return [(start, end + 1, kind) for kind, start, end in get_entities(list(tags))]


def span_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 of exact typed spans over all sentences (0 when undefined)."""
    gold, predicted = [list(s) for s in gold], [list(s) for s in predicted]
    kwargs = {"zero_division": 0}
    return {
        "precision": float(precision_score(gold, predicted, **kwargs)),
        "recall": float(recall_score(gold, predicted, **kwargs)),
        "f1": float(f1_score(gold, predicted, **kwargs)),
    }


def accuracy(gold: Sequence, predicted: Sequence) -> float:
    """Share of equal pairs (0 for no items)."""
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if len(gold) else 0.0
