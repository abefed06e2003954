"""LEEP (Nguyen et al. 2020) of a source head refitted on the intermediate task (a linear
probe on the intermediate-trained encoder's standardised features), on each target's labels."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.measures.declare import INTERMEDIATE_MODELS, Measure, MeasureStep, target_data
from xitt.measures.kinds import similarity
from xitt.measures.params import Probe
from xitt.signature import param


@dataclass(frozen=True)
class Leep(Probe):
    l2: float = param(1e-3, minimum=0.0, maximum=100.0, help="ridge penalty of the refitted source head")


def compute(step: MeasureStep):
    from xitt.measures.features import labelled_features
    from xitt.measures.transferability import fit_probe, leep, probe_probabilities

    p = step.params
    targets = target_data(step)
    cache: dict = {}

    def per_source(enc, tok, spec, j):
        # the probe depends only on (encoder, intermediate): fit it once per encoder
        key = (spec.label, id(enc))
        if key not in cache:  # the cache holds ``enc``, so its id cannot be reused meanwhile
            cache.clear()
            source = step.labelled(spec)
            f, y = labelled_features(enc, tok, source, step.examples(spec, p.samples), p.pool)
            mean, scale = f.mean(0), f.std(0) + 1e-8
            cache[key] = (fit_probe((f - mean) / scale, y, source.num_labels, p.l2), mean, scale, enc)
        weights, mean, scale, _ = cache[key]
        f, y = labelled_features(enc, tok, targets[j][0], targets[j][1], p.pool)
        return leep(probe_probabilities(weights, (f - mean) / scale), y)

    return step.seed_averaged(per_source)


MEASURE = Measure("leep", Leep, compute, similarity(None, 0.0), frozenset({INTERMEDIATE_MODELS}))
