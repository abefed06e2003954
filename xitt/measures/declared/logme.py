"""LogME (You et al. 2021) of each intermediate-trained encoder's features on each target's labels."""

from __future__ import annotations

from xitt.measures.declare import INTERMEDIATE_MODELS, Measure, MeasureStep, score_target_features
from xitt.measures.kinds import similarity
from xitt.measures.params import Probe


def compute(step: MeasureStep):
    from xitt.measures.logme import logme

    return score_target_features(step, logme)


MEASURE = Measure("logme", Probe, compute, similarity(None, None), frozenset({INTERMEDIATE_MODELS}))  # log evidence per example
