"""The benchmark's scorers, one per way a task is scored, named by the task registry.

Each scorer takes what XTREME's ``evaluate.py`` takes, a task's gold labels and a
model's predictions for one language, and returns its numbers (0..1, where the scripts
print 0..100) with ``score`` the benchmark's number for that language: XTREME averages
``score`` over a task's languages (``avg_metric``). Where the benchmark's choice is odd
(UD-POS), the conventional number is returned beside it under its own key, and the
scorer's ``conventional`` names it.

What each scorer is given, by the task's format:

- classification, multiple choice, Tatoeba: gold and predicted labels (or indices);
- tagging: gold and predicted tag names, one list per sentence;
- QA: per question the list of gold answer texts, and the predicted text;
- BUCC: gold and predicted (source id, target id) pairs (``retrieval.bucc_predictions``
  mines them);
- LAReQA, Mewsli-X: per query the set of relevant candidate ids, and the candidate ids
  it retrieved, best first (``ranking.rank``).

Nothing here reads files or models; ``xitt/models/evaluate.py`` and the ops call these.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial

from xitt.models.metrics import accuracy, span_scores, token_accuracy, upos_chunk_scores
from xitt.models.ranking import TOP_K, mean_of_rankings
from xitt.models.retrieval import pair_scores
from xitt.models.squad import mlqa_tokens, qa_scores, squad_tokens
from xitt.tasks.formats import Format

Result = dict[str, float]


@dataclass(frozen=True)
class Scorer:
    """One benchmark evaluation: what it computes, from which code, and its labels.

    ``compute(gold, predicted, language)`` returns the numbers, among them ``key``, the
    benchmark's score (``score_label``); calling the scorer adds it as ``score``.
    ``conventional`` is the key of a number reported beside it.
    """

    name: str
    formats: tuple[Format, ...]
    key: str
    score_label: str
    reproduces: str
    compute: Callable[[Sequence, Sequence, str], Result]
    conventional: str = ""
    conventional_label: str = ""

    def __call__(self, gold: Sequence, predicted: Sequence, language: str = "en") -> Result:
        result = self.compute(gold, predicted, language)
        return {"score": result[self.key], **result}


def _accuracy(gold: Sequence, predicted: Sequence, language: str) -> Result:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    return {"accuracy": accuracy([str(g) for g in gold], [str(p) for p in predicted])}


def _seqeval(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], language: str) -> Result:
    return {**span_scores(gold, predicted), "accuracy": token_accuracy(gold, predicted)}


def _upos(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], language: str) -> Result:
    return {**upos_chunk_scores(gold, predicted), "accuracy": token_accuracy(gold, predicted)}


def _token_accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], language: str) -> Result:
    return {"accuracy": token_accuracy(gold, predicted)}


def _qa(tokens_for: Callable[[str], Callable[[str], list[str]]], golds: Sequence[Sequence[str]],
        predictions: Sequence[str], language: str, squad_v2: bool = False) -> Result:
    result = qa_scores(golds, predictions, tokens_for(language), empty_matches_empty=squad_v2, drop_empty_golds=squad_v2)
    return {"em_f1": (result["exact_match"] + result["f1"]) / 2, **result}


def _pairs(gold: Collection[tuple[str, str]], predicted: Collection[tuple[str, str]], language: str) -> Result:
    return pair_scores(gold, predicted)


def _map_at_20(relevant: Sequence[Collection[str]], ranked: Sequence[Sequence[str]], language: str) -> Result:
    return {"map@20": mean_of_rankings(relevant, ranked, k=TOP_K)}


_QA_SCORE = "mean of exact match and F1 (XTREME's avg_metric for QA)"

SCORERS: dict[str, Scorer] = {s.name: s for s in (
    Scorer("accuracy", (Format.CLASSIFICATION, Format.PAIR_CLASSIFICATION, Format.MULTIPLE_CHOICE), "accuracy",
           "accuracy", "evaluate.py accuracy (XNLI, PAWS-X, XCOPA)", _accuracy),
    Scorer("seqeval", (Format.TAGGING,), "f1", "entity-level F1 (seqeval, default mode)",
           "evaluate.py f1: seqeval f1_score, precision_score, recall_score (PAN-X)", _seqeval),
    Scorer("upos_seqeval", (Format.TAGGING,), "f1", "seqeval F1 over the UPOS tag sequences (XTREME's UD-POS number)",
           "evaluate.py f1 applied to UPOS tags with seqeval 0.0.12, XTREME's at release: chunks of adjacent "
           "equal tags (UD-POS)", _upos,
           conventional="accuracy", conventional_label="token accuracy (the conventional POS number)"),
    Scorer("squad_v1", (Format.QA,), "em_f1", _QA_SCORE,
           "third_party/evaluate_squad.py: SQuAD v1.1 normalisation in every language (XQuAD, TyDiQA-GoldP)",
           partial(_qa, lambda language: squad_tokens)),
    Scorer("squad_v2", (Format.QA,), "em_f1", _QA_SCORE,
           "SQuAD 2.0's evaluate-v2.0.py exact match and F1 (SQuAD v2.0 as an intermediate task's dev score)",
           partial(_qa, lambda language: squad_tokens, squad_v2=True)),
    Scorer("mlqa", (Format.QA,), "em_f1", _QA_SCORE,
           "third_party/evaluate_mlqa.py: MLQA's per-language normalisation (MLQA)",
           partial(_qa, lambda language: partial(mlqa_tokens, language=language))),
    Scorer("token_accuracy", (Format.TAGGING,), "accuracy", "token accuracy",
           "jiant's tagging accuracy (CCG supertags as an intermediate task's dev score)", _token_accuracy),
    Scorer("tatoeba", (Format.RETRIEVAL,), "accuracy", "accuracy of the nearest sentence, searched as XTREME does",
           "evaluate.py accuracy over third_party/evaluate_retrieval.py similarity_search (Tatoeba)", _accuracy),
    Scorer("bucc", (Format.RETRIEVAL,), "f1", "F1 of the mined pairs, threshold tuned on the dev gold",
           "evaluate.py bucc_f1 over third_party/utils_retrieve.py mine_bitext, bucc_optimize, bucc_extract (BUCC)",
           _pairs),
    Scorer("map@20", (Format.RETRIEVAL,), "map@20", "mean average precision at 20",
           "third_party/utils_lareqa.py mean_avg_prec_at_k (LAReQA); utils_mewslix.py evaluate (Mewsli-X: "
           "MRR@20, equal to AP@20 with one gold entity)", _map_at_20),
)}


def get(name: str) -> Scorer:
    """The scorer called ``name``; ValueError naming the known ones."""
    try:
        return SCORERS[name]
    except KeyError:
        raise ValueError(f"unknown scorer {name!r}; known: {', '.join(SCORERS)}") from None
