"""Score an encoder on a retrieval task (no head): Tatoeba's accuracy, BUCC's F1 with the
threshold tuned on dev, and LAReQA's and Mewsli-X's mAP@20.

Tatoeba and BUCC read mean-pooled hidden states of one layer, special tokens included, as
XTREME's ``evaluate_retrieval.py`` (``mean_pool_embedding``, ``pool_skip_special_token``
off), up to 512 tokens (``MAXL``); which layer: ``retrieval_layer``. The ranking tasks read
the last layer, mean-pooled (``layer=-1``): xitt trains no dual encoder (docs/tasks.md).
Examples are the retrieval schema's (``xitt/tasks/formats.py``): a query matches the
candidates whose ``id`` (or any of whose ``ids``) is the query's. How each task is searched
and scored: ``retrieval.py``, ``ranking.py`` and ``scorers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from transformers import PreTrainedTokenizerFast

from xitt.models.embed import embed_texts
from xitt.models.ranking import TOP_K, rank
from xitt.models.retrieval import bucc_candidates, bucc_predictions, cosine_matrix, id_pairs, tatoeba_accuracy
from xitt.models.scorers import SCORERS

MAX_LENGTH = 512  # run_tatoeba.sh and run_bucc2018.sh: MAXL=512


def retrieval_layer(layers: int, task: str = "tatoeba") -> int:
    """The hidden-state index (0 = embeddings, ``layers`` = last) XTREME pools for retrieval.

    ``evaluate_retrieval.py`` reads ``hidden_states[-num_layers:][specific_layer]``:

    - Tatoeba (``run_tatoeba.sh``): ``num_layers`` is the depth and ``specific_layer`` 7 for
      12 layers, 13 for XLM-R's 24: index 8 of 12, 14 of 24, i.e. ``layers // 2 + 2``;
    - BUCC (``run_bucc2018.sh``): ``specific_layer`` 7 and ``num_layers`` left at its default
      12 for every model: index ``layers - 4`` (8 of 12, 20 of 24).

    Depths XTREME never ran use the same formulas (BUCC's below 12 layers uses Tatoeba's),
    kept within 1..``layers``. ``task="world"``: the synthetic world's retrieval target, 7/12
    of the depth rounded (layer 1 of the world's 2), the rule its measured numbers
    (docs/world.md) were taken with.
    """
    if task == "world":
        index = round(layers * 7 / 12)
    elif task == "bucc" and layers >= 12:
        index = layers - 4
    elif task in ("tatoeba", "bucc"):
        index = layers // 2 + 2
    else:
        raise ValueError(f"no retrieval layer rule for task {task!r}")
    return max(1, min(layers, index))


def _vectors(encoder, tokenizer: PreTrainedTokenizerFast, texts: list[str], layer: int, max_length: int) -> np.ndarray:
    """(n, hidden) float32: the mean-pooled states of hidden layer ``layer``."""
    return embed_texts(encoder, tokenizer, texts, pool="mean", layer=layer, max_length=max_length)


def sides(rows: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    """The queries and the candidates among retrieval examples."""
    return [r for r in rows if r.get("side", "query") == "query"], [r for r in rows if r.get("side") == "candidate"]


def evaluate_retrieval(
    encoder,
    tokenizer: PreTrainedTokenizerFast,
    queries: Sequence[dict],
    candidates: Sequence[dict],
    layer: int | None = None,
    max_length: int = MAX_LENGTH,
    task: str = "tatoeba",
) -> dict[str, float]:
    """Each query (``{"id", "text"}``) must find the candidate with its id as cosine-nearest.

    Real Tatoeba's readers make the English sentences the queries (XTREME's direction).
    ``layer`` defaults to ``retrieval_layer(depth, task)``. Returns ``score`` = ``accuracy``
    over the queries whose id some candidate has."""
    layer = retrieval_layer(encoder.config.num_hidden_layers, task) if layer is None else layer
    source = _vectors(encoder, tokenizer, [q["text"] for q in queries], layer, max_length)
    target = _vectors(encoder, tokenizer, [c["text"] for c in candidates], layer, max_length)
    score = tatoeba_accuracy(source, [q["id"] for q in queries], target, [c["id"] for c in candidates])
    return {"score": score, "accuracy": score}


def _bucc_split(encoder, tokenizer: PreTrainedTokenizerFast, rows: Sequence[dict], layer: int,
                max_length: int) -> tuple[dict[tuple[str, str], float], set[tuple[str, str]]]:
    """One BUCC split: its mined candidates (source id, target id) -> margin, and its gold
    pairs. Ids are the release's (``line_id``, ``gold`` from ``tasks/bucc.py``); rows without
    them (the hub's aligned pairs) use their ``id``, gold where query and candidate share it."""
    queries, candidates = sides(rows)
    x = _vectors(encoder, tokenizer, [q["text"] for q in queries], layer, max_length)
    y = _vectors(encoder, tokenizer, [c["text"] for c in candidates], layer, max_length)
    source_ids = [q.get("line_id", q["id"]) for q in queries]
    target_ids = [c.get("line_id", c["id"]) for c in candidates]
    mined = bucc_candidates(x, [q["text"] for q in queries], source_ids, y, [c["text"] for c in candidates], target_ids)
    if any("gold" in q for q in queries):
        gold = {(q["line_id"], partner) for q in queries for partner in q.get("gold", [])}
    else:
        gold = {(source_ids[i], target_ids[j]) for i, j in id_pairs([q["id"] for q in queries], [c["id"] for c in candidates])[1]}
    return mined, gold


def evaluate_bucc(encoder, tokenizer: PreTrainedTokenizerFast, dev: Sequence[dict], test: Sequence[dict],
                  layer: int | None = None, max_length: int = MAX_LENGTH) -> dict[str, float]:
    """BUCC: the margin threshold tuned on ``dev``'s gold (``bucc_optimize``), the pairs of
    ``test`` mined at or above it, scored against ``test``'s gold. ``score`` = ``f1``, with
    ``precision``, ``recall`` and the dev-tuned ``threshold``."""
    layer = retrieval_layer(encoder.config.num_hidden_layers, "bucc") if layer is None else layer
    dev_candidates, dev_gold = _bucc_split(encoder, tokenizer, dev, layer, max_length)
    test_candidates, test_gold = _bucc_split(encoder, tokenizer, test, layer, max_length)
    predicted, threshold = bucc_predictions(dev_candidates, dev_gold, test_candidates)
    return {**SCORERS["bucc"](test_gold, predicted), "threshold": threshold}


def candidate_ids(candidate: dict) -> list[str]:
    """The query ids a candidate answers: its ``ids`` (a LAReQA sentence answering several
    questions) or its ``id``."""
    return list(candidate.get("ids") or [candidate["id"]])


def evaluate_ranking(encoder, tokenizer: PreTrainedTokenizerFast, queries: Sequence[dict], candidates: Sequence[dict],
                     layer: int = -1, max_length: int = 128, k: int = TOP_K, ties: str = "first") -> dict[str, float]:
    """mAP@k of ``queries`` against the pool ``candidates``; a candidate's text is read with
    its ``context`` when it has one. ``score`` is the mAP@k (the ``map@20`` scorer)."""
    source = _vectors(encoder, tokenizer, [q["text"] for q in queries], layer, max_length)
    target = _vectors(encoder, tokenizer, [c["text"] + c.get("context", "") for c in candidates], layer, max_length)
    where: dict[str, set[int]] = {}
    for j, candidate in enumerate(candidates):
        for identifier in candidate_ids(candidate):
            where.setdefault(identifier, set()).add(j)
    scores = cosine_matrix(source, target)  # XTREME-R's dual encoder L2-normalises: its dot product is the cosine
    ranked = rank(scores, k, ties).tolist() if len(queries) else []
    return SCORERS["map@20"]([where.get(q["id"], set()) for q in queries], ranked)
