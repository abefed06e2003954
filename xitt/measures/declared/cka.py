"""Linear CKA (Kornblith et al. 2019) between what an intermediate-trained encoder and an
encoder fine-tuned on the target (``samples`` examples for ``epochs``) make of the target's inputs."""

from __future__ import annotations

from xitt.measures.declare import ENCODER, INTERMEDIATE_MODELS, Measure, MeasureStep, target_data
from xitt.measures.kinds import similarity
from xitt.measures.params import PooledFineTuned


def compute(step: MeasureStep):
    from xitt.measures.cka import linear_cka
    from xitt.measures.features import labelled_features

    p = step.params
    targets = target_data(step)
    reference = []
    for spec, (task, examples) in zip(step.columns, targets):
        model, tokenizer = step.finetuned(spec, examples, p.lr, p.epochs, p.batch)
        reference.append(labelled_features(model.encoder, tokenizer, task, examples, p.pool)[0])
    return step.seed_averaged(
        lambda enc, tok, spec, j: linear_cka(labelled_features(enc, tok, targets[j][0], targets[j][1], p.pool)[0], reference[j]))


MEASURE = Measure("cka", PooledFineTuned, compute, similarity(0.0, 1.0), frozenset({ENCODER, INTERMEDIATE_MODELS}))
