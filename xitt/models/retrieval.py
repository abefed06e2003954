"""Sentence retrieval without a head, as XTREME searches, mines and ranks.

Inputs are sentence vectors (``embed.embed_texts``), compared by cosine similarity. Each
function follows the benchmark's code in google-research/xtreme ``third_party/``:

- Tatoeba (``evaluate_retrieval.py``, ``similarity_search``): the non-English sentences are
  indexed and every **English** sentence searches them for its nearest neighbour; it is
  right when that neighbour is its own line. ``retrieval_accuracy`` searches the other
  way round (any query side against any candidate side) for the synthetic world.
- BUCC (``utils_retrieve.py``, ``mine_bitext`` with LASER's defaults: ratio margin,
  ``retrieval='max'``, ``neighborhood=4``, ``threshold=0``):

      margin(x, y) = cos(x, y) / ((mean cos of x's k nearest targets + mean cos of y's k nearest sources) / 2)

  each source keeps the best-margin target among its k cosine-nearest targets, and each
  target likewise; the pooled pairs, best first, are kept one-to-one (a pair whose source
  or target is already taken is skipped) and only if their margin is > 0. Sentences are
  deduplicated by text before mining, and a text that occurs twice in a file maps to no
  id (``read_sent2id``), so it is never predicted. ``bucc_threshold`` is ``bucc_optimize``
  (the F1-best cut on the dev gold, halfway to the next candidate); ``bucc_extract`` keeps
  the candidates with margin ``>=`` the threshold.
- LAReQA and Mewsli-X rank instead: ``ranking.py``.

Similarities are computed in float64 with numpy (XTREME uses faiss in float32), so a
margin tie that float32 rounding makes or breaks can fall the other way. Full similarity
matrices: fine up to a few ten thousand sentences a side.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

Pair = tuple[int, int]  # source index, target index
IdPair = tuple[str, str]  # source id, target id
NEIGHBOURHOOD = 4  # LASER's and XTREME's k


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All cosine similarities (rows of ``a`` against rows of ``b``); zero vectors give 0."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a @ b.T).astype(np.float64)


def nearest(queries: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Per query row, the index of its cosine-nearest candidate row (the first on ties)."""
    return cosine_matrix(queries, candidates).argmax(axis=1)


def retrieval_accuracy(source: np.ndarray, target: np.ndarray, gold: Sequence[int]) -> float:
    """Share of source rows whose cosine-nearest target row is ``gold[row]``."""
    if len(source) == 0:
        return 0.0
    return float(np.mean(nearest(source, target) == np.asarray(gold)))


def tatoeba_predictions(english: np.ndarray, other: np.ndarray) -> np.ndarray:
    """XTREME's Tatoeba search: for each English row, the nearest row of the other language
    (``similarity_search(x=other, y=english)``); row i is right when it finds i."""
    return nearest(english, other)


def id_pairs(source_ids: Sequence[str], target_ids: Sequence[str]) -> tuple[list[int], list[Pair]]:
    """Rows of the source that have a translation, and the gold (source, target) index pairs."""
    where = {identifier: j for j, identifier in enumerate(target_ids)}
    gold = [(i, where[identifier]) for i, identifier in enumerate(source_ids) if identifier in where]
    return [i for i, _ in gold], gold


def tatoeba_accuracy(source: np.ndarray, source_ids: Sequence[str], target: np.ndarray, target_ids: Sequence[str]) -> float:
    """Retrieval scored by ids: over the source rows whose id the target side has, the share
    whose cosine-nearest target row carries the same id (targets without a partner stay
    in the search as distractors). Real Tatoeba passes English as the source side."""
    rows, gold = id_pairs(source_ids, target_ids)
    return retrieval_accuracy(source[rows], target, [j for _, j in gold])


# --- BUCC: margin mining ------------------------------------------------------------------


def knn(similarity: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row its ``min(k, columns)`` most similar columns, best first (lower index first
    on ties): (similarities, indices), each (rows, k)."""
    k = max(1, min(k, similarity.shape[1]))
    index = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(similarity, index, axis=1), index


def knn_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    """Per row, the mean of its ``k`` largest similarities (fewer when there are fewer columns)."""
    return knn(similarity, k)[0].mean(axis=1)


def margin_matrix(source: np.ndarray, target: np.ndarray, k: int = NEIGHBOURHOOD) -> np.ndarray:
    """The ratio margin of every (source, target) pair."""
    similarity = cosine_matrix(source, target)
    forward, backward = knn_mean(similarity, k), knn_mean(similarity.T, k)
    return similarity / ((forward[:, None] + backward[None, :]) / 2)


def mine_pairs(source: np.ndarray, target: np.ndarray, k: int = NEIGHBOURHOOD) -> list[tuple[int, int, float]]:
    """LASER's ``mine_bitext`` (ratio margin, ``max`` retrieval, threshold 0): (source row,
    target row, margin) pairs, best first, one-to-one, margins > 0 only."""
    if len(source) == 0 or len(target) == 0:
        return []
    similarity = cosine_matrix(source, target)
    forward_sim, forward_index = knn(similarity, k)
    backward_sim, backward_index = knn(similarity.T, k)
    forward_mean, backward_mean = forward_sim.mean(axis=1), backward_sim.mean(axis=1)
    forward_scores = forward_sim / ((forward_mean[:, None] + backward_mean[forward_index]) / 2)
    backward_scores = backward_sim / ((backward_mean[:, None] + forward_mean[backward_index]) / 2)
    forward_best = forward_index[np.arange(len(source)), forward_scores.argmax(axis=1)]
    backward_best = backward_index[np.arange(len(target)), backward_scores.argmax(axis=1)]
    sources = np.concatenate([np.arange(len(source)), backward_best])
    targets = np.concatenate([forward_best, np.arange(len(target))])
    scores = np.concatenate([forward_scores.max(axis=1), backward_scores.max(axis=1)])
    taken_source: set[int] = set()
    taken_target: set[int] = set()
    pairs = []
    for i in np.argsort(-scores):  # numpy's default sort, as mine_bitext
        s, t = int(sources[i]), int(targets[i])
        if s in taken_source or t in taken_target:
            continue
        taken_source.add(s)
        taken_target.add(t)
        if scores[i] > 0:
            pairs.append((s, t, float(scores[i])))
    return pairs


def _unique_rows(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """Distinct texts in first-seen order, and for each the row whose vector stands for it
    (the last row with that text, as LASER's ``unique_embeddings``)."""
    last: dict[str, int] = {}
    for row, text in enumerate(texts):
        last[text] = row
    return list(last), list(last.values())


def _ids_of_unique_texts(texts: Sequence[str], ids: Sequence[str]) -> dict[str, str]:
    """``read_sent2id``: a stripped text's id, for texts that occur once in the file only."""
    seen: dict[str, str] = {}
    repeated = set()
    for text, identifier in zip(texts, ids):
        key = text.strip()
        if key in seen:
            repeated.add(key)
        else:
            seen[key] = identifier
    return {text: identifier for text, identifier in seen.items() if text not in repeated}


def bucc_candidates(source: np.ndarray, source_texts: Sequence[str], source_ids: Sequence[str],
                    target: np.ndarray, target_texts: Sequence[str], target_ids: Sequence[str],
                    k: int = NEIGHBOURHOOD) -> dict[IdPair, float]:
    """The mined candidate pairs of one BUCC split as (source id, target id) -> margin, in
    mining order (best first): ``mine_bitext`` then ``read_candidate2score``."""
    source_unique, source_rows = _unique_rows(source_texts)
    target_unique, target_rows = _unique_rows(target_texts)
    source_id = _ids_of_unique_texts(source_texts, source_ids)
    target_id = _ids_of_unique_texts(target_texts, target_ids)
    candidates: dict[IdPair, float] = {}
    for s, t, score in mine_pairs(source[source_rows], target[target_rows], k):
        src, trg = source_unique[s].strip(), target_unique[t].strip()
        if src in source_id and trg in target_id:
            pair = (source_id[src], target_id[trg])
            candidates[pair] = max(score, candidates.get(pair, score))
    return candidates


def bucc_threshold(candidates: dict[IdPair, float], gold: Collection[IdPair]) -> float:
    """``bucc_optimize``: walk the candidates by margin, best first (ties in mining order),
    and at each new best F1 put the threshold halfway between this margin and the next.

    0 when no candidate is right. Where the best F1 comes with the last candidate the
    benchmark's code fails (it reads past the list); here the threshold is then that
    candidate's margin, which extracts every candidate.
    """
    gold = set(gold)
    items = sorted(candidates.items(), key=lambda item: -item[1])
    threshold, best_f1, correct = 0.0, 0.0, 0
    for taken, (pair, score) in enumerate(items, start=1):
        correct += pair in gold
        if correct == 0:
            continue
        precision, recall = correct / taken, correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[taken][1]) / 2 if taken < len(items) else score
    return threshold


def bucc_extract(candidates: dict[IdPair, float], threshold: float) -> set[IdPair]:
    """``bucc_extract``: the candidate pairs whose margin is at least ``threshold``."""
    return {pair for pair, score in candidates.items() if score >= threshold}


def pair_scores(gold: Collection, predicted: Collection) -> dict[str, float]:
    """Precision, recall and F1 of predicted pairs against gold pairs (``evaluate.py bucc_f1``)."""
    gold, predicted = set(gold), set(predicted)
    hits = len(gold & predicted)
    if hits == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall = hits / len(predicted), hits / len(gold)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def bucc_predictions(dev: dict[IdPair, float], dev_gold: Collection[IdPair], test: dict[IdPair, float]) -> tuple[set[IdPair], float]:
    """The test pairs extracted at the threshold tuned on the dev candidates and gold, and
    that threshold."""
    threshold = bucc_threshold(dev, dev_gold)
    return bucc_extract(test, threshold), threshold
