"""Vocabulary overlap and divergences of word (or subword) distributions over each task's
whole training split (``xitt/measures/vocabulary.py`` has the math and each one's kind)."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.measures.declare import ENCODER, Measure, MeasureStep
from xitt.signature import Params, param

VOCABULARY_MEASURES = ("jensen_shannon", "jaccard", "langrank", "renyi", "cosine", "l1", "bhattacharyya")
WHOLE = 1_000_000_000  # examples per language: the whole training split (counting is cheap)


@dataclass(frozen=True)
class Vocabulary(Params):
    measure: str = param("jensen_shannon", choices=VOCABULARY_MEASURES, help="how the two tasks' words are compared")
    unit: str = param("words", choices=("words", "subwords"), help="whitespace words, or the model tokenizer's subwords")
    top_k: int = param(1000, minimum=10, maximum=1_000_000, help="most frequent types kept (jaccard)")
    alpha: float = param(0.99, minimum=0.01, maximum=100.0, help="order of the Rényi divergence (renyi; not 1)")
    smoothing: float = param(0.0, minimum=0.0, maximum=1.0, help="added to every count before divergences")


def compute(step: MeasureStep):
    from collections import Counter

    from xitt.measures.vocabulary import compare, count_matrices, word_counts

    p = step.params
    if p.unit == "subwords":
        from xitt.models.tokenizer import load_tokenizer

        tokenizer = load_tokenizer(step.tokenizer_file())

        def count(texts: list[str]) -> Counter:
            ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
            return Counter(str(i) for row in ids for i in row)
    else:
        count = word_counts
    counts = {s.label: count(step.texts(s, WHOLE)) for s in [*step.rows, *step.columns]}
    rows, columns = count_matrices([counts[s.label] for s in step.rows], [counts[s.label] for s in step.columns])
    return compare(p.measure, rows, columns, top_k=p.top_k, alpha=p.alpha, smoothing=p.smoothing)


def _kind(p: Vocabulary):
    from xitt.measures.vocabulary import KINDS

    return KINDS[p.measure]


def _inputs(p: Vocabulary) -> frozenset[str]:
    """Subwords need the study's tokenizer, which travels in the encoder artifact."""
    return frozenset({ENCODER}) if p.unit == "subwords" else frozenset()


MEASURE = Measure("vocabulary", Vocabulary, compute, _kind, _inputs)
