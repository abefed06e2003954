"""Score an encoder on a retrieval task (no head): Tatoeba's accuracy, BUCC's F1 with the
threshold tuned on dev, and LAReQA's and Mewsli-X's mAP@20.

Sentences are mean-pooled states of a middle layer, as XTREME does (layer 7 of XLM-R
base's 12; upper layers specialise towards the pretraining objective and align
languages less well); the ranking tasks read the last layer (``layer=-1``).
Examples are the retrieval schema's (``xitt/tasks/formats.py``): a query matches the
candidates whose ``id`` (or any of whose ``ids``) is the query's.
"""

from __future__ import annotations

from collections.abc import Sequence

from transformers import PreTrainedTokenizerFast

from xitt.models.embed import embed_texts
from xitt.models.ranking import TOP_K, mean_average_precision
from xitt.models.retrieval import bucc_f1, cosine_matrix, id_pairs, tatoeba_accuracy


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


def _vectors(encoder, tokenizer: PreTrainedTokenizerFast, texts: list[str], layer: int, max_length: int):
    return embed_texts(encoder, tokenizer, texts, pool="mean", layer=layer, max_length=max_length)


def sides(rows: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    """The queries and the candidates among retrieval examples."""
    return [r for r in rows if r.get("side", "query") == "query"], [r for r in rows if r.get("side") == "candidate"]


def evaluate_bucc(encoder, tokenizer: PreTrainedTokenizerFast, dev: Sequence[dict], test: Sequence[dict],
                  layer: int | None = None, max_length: int = 128) -> dict[str, float]:
    """BUCC: mine pairs on ``test`` above the margin threshold that gives the best F1 on
    ``dev`` (both: queries in the language, English candidates, gold pairs sharing an id).
    ``score`` is the F1; ``threshold`` the dev-tuned margin."""
    layer = retrieval_layer(encoder.config.num_hidden_layers) if layer is None else layer

    def problem(rows: Sequence[dict]):
        queries, candidates = sides(rows)
        source = _vectors(encoder, tokenizer, [q["text"] for q in queries], layer, max_length)
        target = _vectors(encoder, tokenizer, [c["text"] for c in candidates], layer, max_length)
        return source, target, id_pairs([q["id"] for q in queries], [c["id"] for c in candidates])[1]

    result = bucc_f1(problem(dev), problem(test))
    return {"score": result["f1"], **result}


def candidate_ids(candidate: dict) -> list[str]:
    """The query ids a candidate answers: its ``ids`` (a LAReQA sentence answering several
    questions) or its ``id``."""
    return list(candidate.get("ids") or [candidate["id"]])


def evaluate_ranking(encoder, tokenizer: PreTrainedTokenizerFast, queries: Sequence[dict], candidates: Sequence[dict],
                     layer: int = -1, max_length: int = 128, k: int = TOP_K) -> dict[str, float]:
    """mAP@k of ``queries`` against the pool ``candidates``; a candidate's text is read with
    its ``context`` when it has one (XTREME-R encodes LAReQA's sentence followed by its
    paragraph). ``score`` is the mAP@k."""
    source = _vectors(encoder, tokenizer, [q["text"] for q in queries], layer, max_length)
    target = _vectors(encoder, tokenizer, [c["text"] + c.get("context", "") for c in candidates], layer, max_length)
    where: dict[str, set[int]] = {}
    for j, candidate in enumerate(candidates):
        for identifier in candidate_ids(candidate):
            where.setdefault(identifier, set()).add(j)
    scores = cosine_matrix(source, target)  # XTREME-R's dual encoder L2-normalises: its dot product is the cosine
    score = mean_average_precision(scores, [where.get(q["id"], set()) for q in queries], k)
    return {"score": score, f"map@{k}": score}
