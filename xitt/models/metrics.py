"""Scores for classification and tagging: accuracy, and span-level F1 via seqeval.

seqeval's default (conlleval-compatible) mode is what XTREME's ``evaluate.py`` reports for
both tagging tasks. NER: a span starts at ``B-X``, or at ``I-X`` not continuing an ``X``
span; it ends before ``O``, any ``B-``, or a tag of another type. UD-POS tags carry no
prefix, and XTREME hands them to seqeval as they are: seqeval reads a tag's first letter as
its chunk prefix and the rest as its type (``PROPN``: prefix ``P``, type ``ROPN``), so
adjacent equal tags merge into one chunk, ``INTJ`` continues like an ``I-`` tag and
``SCONJ``/``SYM`` stand alone like ``S-`` tags. ``span_scores`` reproduces that by calling
seqeval itself (pinned by the lock file; XTREME installs the current seqeval).
"""

from __future__ import annotations

import warnings
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
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*seems not to be NE tag", category=UserWarning)  # UPOS tags
        return {
            "precision": float(precision_score(gold, predicted, **kwargs)),
            "recall": float(recall_score(gold, predicted, **kwargs)),
            "f1": float(f1_score(gold, predicted, **kwargs)),
        }


def accuracy(gold: Sequence, predicted: Sequence) -> float:
    """Share of equal pairs (0 for no items)."""
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if len(gold) else 0.0


def token_accuracy(gold: Sequence[Sequence], predicted: Sequence[Sequence]) -> float:
    """Share of equal tags over every token of every sentence (0 for none); ValueError when
    a sentence's gold and predicted lengths differ."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predicted")
    for i, (g, p) in enumerate(zip(gold, predicted)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i} has {len(g)} gold tags but {len(p)} predicted")
    return accuracy([t for s in gold for t in s], [t for s in predicted for t in s])
