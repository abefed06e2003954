"""Sentence retrieval without training, as XTREME scores Tatoeba and BUCC.

Sentences are mean-pooled hidden states of one layer (``embed.embed_texts``). Tatoeba:
each source sentence's nearest target by cosine must be its translation (accuracy).
BUCC: candidate pairs are mined with the ratio margin of Artetxe & Schwenk (2019),

    margin(x, y) = cos(x, y) / (mean cos of x's k nearest targets / 2 + mean cos of y's k nearest sources / 2),

keeping each sentence's best partner in both directions ("max" retrieval, as LASER's
``mine_bitext``); the pairs scoring above a threshold tuned for F1 on a dev split are
predicted. Full similarity matrices: fine up to a few ten thousand sentences a side.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

Pair = tuple[int, int]  # source index, target index


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All cosine similarities (rows of ``a`` against rows of ``b``); zero vectors give 0."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a @ b.T).astype(np.float64)


def knn_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    """Per row, the mean of its ``k`` largest similarities (fewer when there are fewer columns)."""
    k = max(1, min(k, similarity.shape[1]))
    return np.sort(np.partition(similarity, -k, axis=1)[:, -k:], axis=1).mean(axis=1)


def margin_matrix(source: np.ndarray, target: np.ndarray, k: int = 4) -> np.ndarray:
    """The ratio margin of every (source, target) pair."""
    similarity = cosine_matrix(source, target)
    forward, backward = knn_mean(similarity, k), knn_mean(similarity.T, k)
    return similarity / ((forward[:, None] + backward[None, :]) / 2)


def retrieval_accuracy(source: np.ndarray, target: np.ndarray, gold: Sequence[int]) -> float:
    """Tatoeba: share of source rows whose cosine-nearest target row is ``gold[row]``."""
    if len(source) == 0:
        return 0.0
    predicted = cosine_matrix(source, target).argmax(axis=1)
    return float(np.mean(predicted == np.asarray(gold)))


def mine_candidates(source: np.ndarray, target: np.ndarray, k: int = 4) -> dict[Pair, float]:
    """Each source's best target and each target's best source by margin, with their scores."""
    if len(source) == 0 or len(target) == 0:
        return {}
    margin = margin_matrix(source, target, k)
    candidates: dict[Pair, float] = {}
    for i, j in enumerate(margin.argmax(axis=1).tolist()):
        candidates[(i, j)] = float(margin[i, j])
    for j, i in enumerate(margin.argmax(axis=0).tolist()):
        candidates[(i, j)] = float(margin[i, j])
    return candidates


def pair_scores(gold: Collection[Pair], predicted: Collection[Pair]) -> dict[str, float]:
    """Precision, recall and F1 of predicted pairs against gold pairs (BUCC's measure)."""
    gold, predicted = set(gold), set(predicted)
    hits = len(gold & predicted)
    if hits == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall = hits / len(predicted), hits / len(gold)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def best_threshold(candidates: dict[Pair, float], gold: Collection[Pair]) -> float:
    """The score threshold that maximises F1 when pairs scoring above it are predicted.

    As XTREME's ``bucc_optimize``: walk the candidates from the best score down and put the
    threshold halfway between the last pair taken at the best F1 and the next one.
    """
    gold = set(gold)
    ranked = sorted(candidates.items(), key=lambda item: (-item[1], item[0]))
    best_f1, threshold, hits = 0.0, float("inf"), 0
    for taken, (pair, score) in enumerate(ranked, start=1):
        hits += pair in gold
        if hits == 0:
            continue
        precision, recall = hits / taken, hits / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            following = ranked[taken][1] if taken < len(ranked) else score - 1.0
            threshold = (score + following) / 2
    return threshold


def above(candidates: dict[Pair, float], threshold: float) -> set[Pair]:
    return {pair for pair, score in candidates.items() if score > threshold}


def id_pairs(source_ids: Sequence[str], target_ids: Sequence[str]) -> tuple[list[int], list[Pair]]:
    """Rows of the source that have a translation, and the gold (source, target) index pairs."""
    where = {identifier: j for j, identifier in enumerate(target_ids)}
    gold = [(i, where[identifier]) for i, identifier in enumerate(source_ids) if identifier in where]
    return [i for i, _ in gold], gold


def tatoeba_accuracy(source: np.ndarray, source_ids: Sequence[str], target: np.ndarray, target_ids: Sequence[str]) -> float:
    """Tatoeba scored by ids: over the source rows whose id the target side has, the share
    whose cosine-nearest target row carries the same id (targets without a partner stay
    in the search as distractors)."""
    rows, gold = id_pairs(source_ids, target_ids)
    return retrieval_accuracy(source[rows], target, [j for _, j in gold])


def bucc_f1(dev: tuple[np.ndarray, np.ndarray, Collection[Pair]], test: tuple[np.ndarray, np.ndarray, Collection[Pair]], k: int = 4) -> dict[str, float]:
    """BUCC: the margin threshold tuned for F1 on ``dev`` (source, target, gold pairs), then
    precision/recall/F1 of the pairs mined above it on ``test``."""
    threshold = best_threshold(mine_candidates(dev[0], dev[1], k), dev[2])
    return {**pair_scores(test[2], above(mine_candidates(test[0], test[1], k), threshold)), "threshold": threshold}
