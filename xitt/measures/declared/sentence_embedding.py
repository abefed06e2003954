"""Sentence embedding (SEmb): the mean unit-length sentence vector of each task, from the
study's encoder or any local sentence encoder; cosine between tasks."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.errors import UserError
from xitt.measures.declare import ENCODER, Measure, MeasureStep, embedding_cosines
from xitt.measures.kinds import similarity
from xitt.measures.params import samples
from xitt.signature import Params, param

STUDY_ENCODER = "encoder"  # the study's own pretrained encoder, not a path


@dataclass(frozen=True)
class SentenceEmbedding(Params):
    model: str = param(STUDY_ENCODER, help="'encoder' (the study's pretrained encoder), or a local model folder or locally cached hub id of any encoder")
    pool: str = param("auto", choices=("auto", "mean", "cls"), help="sentence pooling; auto reads a sentence-transformers checkpoint's own")
    samples: int = samples()


def compute(step: MeasureStep):
    from xitt.measures.sentence_embedding import load_sentence_encoder, pooling_of, task_vector
    from xitt.models.embed import embed_texts

    p = step.params
    if p.model == STUDY_ENCODER:
        encoder, tokenizer = step.encoder()
        pool = "mean" if p.pool == "auto" else p.pool
    else:
        try:
            encoder, tokenizer, folder = load_sentence_encoder(p.model, step.device())
        except FileNotFoundError as error:
            raise UserError(f"similarity {step.step_id}: {error}", hint="give `model:` a folder with config.json and weights (e.g. a saved sentence-transformers model)") from None
        pool = pooling_of(folder, p.pool)
        step.info["sentence_encoder"] = str(folder)
    return embedding_cosines(step, lambda spec: task_vector(embed_texts(encoder, tokenizer, step.texts(spec, p.samples), pool=pool)))


def _inputs(p: SentenceEmbedding) -> frozenset[str]:
    """Another encoder is read from its own files, not from the study's."""
    return frozenset({ENCODER}) if p.model == STUDY_ENCODER else frozenset()


MEASURE = Measure("sentence_embedding", SentenceEmbedding, compute, similarity(-1.0, 1.0), _inputs)
