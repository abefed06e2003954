"""Score an encoder on a retrieval task (no head, no training): Tatoeba-style accuracy.

Sentences are mean-pooled states of a middle layer, as XTREME does (layer 7 of XLM-R
base's 12; upper layers specialise towards the pretraining objective and align
languages less well).
"""

from __future__ import annotations

from collections.abc import Sequence

from transformers import PreTrainedTokenizerFast

from xitt.models.embed import embed_texts
from xitt.models.retrieval import tatoeba_accuracy


def retrieval_layer(layers: int) -> int:
    """The hidden-state index XTREME reads for retrieval: 7 of 12, scaled (0 = embeddings)."""
    return max(1, min(layers, round(layers * 7 / 12)))


def evaluate_retrieval(
    encoder,
    tokenizer: PreTrainedTokenizerFast,
    queries: Sequence[dict],
    candidates: Sequence[dict],
    layer: int | None = None,
    max_length: int = 128,
) -> dict[str, float]:
    """Each query (``{"id", "text"}``) must find the candidate with its id as cosine-nearest."""
    layer = retrieval_layer(encoder.config.num_hidden_layers) if layer is None else layer
    source = embed_texts(encoder, tokenizer, [q["text"] for q in queries], pool="mean", layer=layer, max_length=max_length)
    target = embed_texts(encoder, tokenizer, [c["text"] for c in candidates], pool="mean", layer=layer, max_length=max_length)
    score = tatoeba_accuracy(source, [q["id"] for q in queries], target, [c["id"] for c in candidates])
    return {"score": score, "accuracy": score}
