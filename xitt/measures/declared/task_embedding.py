"""Task embedding (Vu et al. 2020, TaskEmb): fine-tune the pretrained encoder on ``samples``
examples per language of each task, then the Fisher diagonal on the same examples; cosine."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.measures.declare import ENCODER, Measure, MeasureStep, embedding_cosines
from xitt.measures.kinds import similarity
from xitt.measures.params import FineTuned, samples
from xitt.signature import param


@dataclass(frozen=True)
class TaskEmbedding(FineTuned):
    samples: int = samples()
    parameters: str = param("encoder", choices=("encoder", "last_layer", "outputs"), help="what the Fisher is taken over: encoder weights, the last layer's weights, or every layer's output states")


def compute(step: MeasureStep):
    from xitt.measures.task_embedding import fisher_diagonal

    p = step.params

    def vector(spec):
        examples = step.examples(spec, p.samples)
        model, tokenizer = step.finetuned(spec, examples, p.lr, p.epochs, p.batch)
        return fisher_diagonal(model, tokenizer, examples, p.parameters)

    return embedding_cosines(step, vector)


MEASURE = Measure("task_embedding", TaskEmbedding, compute, similarity(0.0, 1.0), frozenset({ENCODER}))  # Fisher diagonals are non-negative
