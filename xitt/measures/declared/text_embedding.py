"""Text embedding (Vu et al. 2020, TextEmb): the mean of a task's pooled encoder states;
cosine between tasks."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.measures.declare import ENCODER, Measure, MeasureStep, embedding_cosines
from xitt.measures.kinds import similarity
from xitt.measures.params import samples
from xitt.signature import Params, param


@dataclass(frozen=True)
class TextEmbedding(Params):
    pool: str = param("mean", choices=("mean", "cls"), help="how token states become one vector")
    samples: int = samples()
    layer: int = param(-1, minimum=-64, maximum=64, help="hidden layer to read, -1 for the last")


def compute(step: MeasureStep):
    from xitt.measures.text_embedding import task_vector
    from xitt.models.embed import embed_texts

    p = step.params
    encoder, tokenizer = step.encoder()
    return embedding_cosines(step, lambda spec: task_vector(
        embed_texts(encoder, tokenizer, step.texts(spec, p.samples), pool=p.pool, layer=p.layer)))


MEASURE = Measure("text_embedding", TextEmbedding, compute, similarity(-1.0, 1.0), frozenset({ENCODER}))
