"""H-score (Bao et al. 2019) of each intermediate-trained encoder's features on each target's labels."""

from __future__ import annotations

from xitt.measures.declare import INTERMEDIATE_MODELS, Measure, MeasureStep, score_target_features
from xitt.measures.kinds import similarity
from xitt.measures.params import Probe


def compute(step: MeasureStep):
    from xitt.measures.transferability import h_score

    return score_target_features(step, h_score)


MEASURE = Measure("h_score", Probe, compute, similarity(0.0, None), frozenset({INTERMEDIATE_MODELS}))
