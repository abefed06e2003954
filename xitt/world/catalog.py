"""What the built-in world offers, known without generating it: language codes and tasks.

The language checker uses this to resolve ``toy.{nli, pos} @ *`` before anything runs.
Synthetic languages take codes from ISO 639's private-use range (qaa-qtz), so they can
never be mistaken for real languages.
"""

from __future__ import annotations

from xitt.tasks.formats import Format, TaskInfo

MAX_LANGUAGES = 8
_CODES = ("en", "qaa", "qab", "qac", "qad", "qae", "qaf", "qag")


def language_codes(languages: int) -> list[str]:
    """The codes of a world with ``languages`` languages, English first."""
    if not 2 <= languages <= MAX_LANGUAGES:
        raise ValueError(f"the toy world has 2 to {MAX_LANGUAGES} languages, not {languages}")
    return list(_CODES[:languages])


TASKS: dict[str, TaskInfo] = {
    "nli": TaskInfo("nli", Format.PAIR_CLASSIFICATION, ("entailment", "neutral", "contradiction"), "accuracy"),
    "paraphrase": TaskInfo("paraphrase", Format.PAIR_CLASSIFICATION, ("different", "paraphrase"), "accuracy"),
    "sentiment": TaskInfo("sentiment", Format.CLASSIFICATION, ("negative", "positive"), "accuracy"),
    "pos": TaskInfo("pos", Format.TAGGING, ("DET", "ADJ", "NOUN", "PROPN", "VERB", "ADP", "NUM", "PUNCT", "PRON", "ADV", "PART"), "accuracy"),
    "ner": TaskInfo("ner", Format.TAGGING, ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"), "f1"),
    "qa": TaskInfo("qa", Format.QA, (), "f1"),
    "choice": TaskInfo("choice", Format.MULTIPLE_CHOICE, ("choice1", "choice2"), "accuracy"),
    "retrieval": TaskInfo("retrieval", Format.RETRIEVAL, (), "accuracy"),
}
