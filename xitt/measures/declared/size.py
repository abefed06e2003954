"""Dataset size and type-token ratio: the size effect the literature controls for."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.measures.declare import Measure, MeasureStep
from xitt.measures.declared.vocabulary import WHOLE
from xitt.signature import Params, param


@dataclass(frozen=True)
class Size(Params):
    measure: str = param("ratio", choices=("size", "ratio", "ttr"), help="intermediate size, size ratio, or type-token-ratio distance")


def compute(step: MeasureStep):
    import numpy as np

    from xitt.measures.size import ratio_matrix, size_matrix, ttr_distance, type_token_ratio
    from xitt.measures.vocabulary import word_counts

    p = step.params
    texts = [step.texts(s, WHOLE) for s in [*step.rows, *step.columns]]
    split = len(step.rows)
    if p.measure == "ttr":
        ratios = np.array([type_token_ratio(word_counts(t)) for t in texts])
        return ttr_distance(ratios[:split], ratios[split:])
    sizes = np.array([len(t) for t in texts])
    return (size_matrix if p.measure == "size" else ratio_matrix)(sizes[:split], sizes[split:])


def _kind(p: Size):
    from xitt.measures.size import KINDS

    return KINDS[p.measure]


MEASURE = Measure("size", Size, compute, _kind)
