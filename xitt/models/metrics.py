"""Scores for classification and tagging: accuracy, and chunk-level F1 as seqeval computes it.

XTREME's ``evaluate.py`` scores both tagging tasks with seqeval's ``f1_score`` (default,
conlleval-compatible mode). NER (BIO tags): a span starts at ``B-X``, or at ``I-X`` not
continuing an ``X`` span; it ends before ``O``, any ``B-``, or a tag of another type;
``span_scores`` calls seqeval itself. UD-POS tags carry no prefix and XTREME hands them to
seqeval as they are: seqeval reads a tag's first letter as its chunk prefix, so adjacent
equal tags merge into one chunk, ``INTJ`` continues like an ``I-`` tag and ``SCONJ``/``SYM``
stand alone like ``S-`` tags. How it reads the type changed in seqeval 0.0.13 (September
2020): 0.0.12, current at XTREME's release, types a chunk by the whole tag (``PROPN``);
later versions by the tag without its first letter (``ROPN``), which gives ``CCONJ`` and
``SCONJ`` one type (``CONJ``) and ``X`` the type of ``O``. ``upos_chunk_scores`` is seqeval
0.0.12's ``get_entities`` and ``f1_score`` (MIT licence, chakki-works/seqeval v0.0.12):
the version XTREME's published UD-POS numbers and its own ``evaluate_test.py`` values
come from.
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
        warnings.filterwarnings("ignore", message=".*seems not to be NE tag", category=UserWarning)  # not BIO tags
        return {
            "precision": float(precision_score(gold, predicted, **kwargs)),
            "recall": float(recall_score(gold, predicted, **kwargs)),
            "f1": float(f1_score(gold, predicted, **kwargs)),
        }


def _chunks_0012(tags: Sequence[str]) -> list[Span]:
    """seqeval 0.0.12's ``get_entities`` on one flat sequence: (type, start, end inclusive)."""
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate([*tags, "O"]):
        tag, type_ = chunk[0], chunk.split("-")[-1]
        ended = (prev_tag in ("E", "S") or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
                 or (prev_tag not in ("O", ".") and prev_type != type_))
        started = (tag in ("B", "S") or (prev_tag, tag) in _STARTS
                   or (tag not in ("O", ".") and prev_type != type_))
        if ended:
            chunks.append((prev_type, begin, i - 1))
        if started:
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


_STARTS = frozenset({("E", "E"), ("E", "I"), ("S", "E"), ("S", "I"), ("O", "E"), ("O", "I")})


def upos_chunk_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """seqeval 0.0.12's micro precision, recall and F1 over all sentences (each sentence
    followed by ``O``, as seqeval joins them); 0 when undefined."""
    def chunks(sentences: Sequence[Sequence[str]]) -> set[Span]:
        return set(_chunks_0012([tag for sentence in sentences for tag in (*sentence, "O")]))

    true, found = chunks(gold), chunks(predicted)
    correct = len(true & found)
    precision = correct / len(found) if found else 0.0
    recall = correct / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


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
