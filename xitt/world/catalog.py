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

from xitt.signature import Param, Signature  # noqa: E402  (kept beside its only use)

WORLD_PARAMS: Signature = {
    "languages": Param(4, minimum=2, maximum=MAX_LANGUAGES, help="English plus synthetic languages"),
    "seed": Param(7, help="one seed fixes the whole world, byte for byte"),
    "train_size": Param(1000, minimum=10, maximum=1_000_000, help="training examples per task and language"),
    "eval_size": Param(300, minimum=10, maximum=100_000, help="dev and test examples per task and language"),
    "corpus_size": Param(20000, minimum=100, maximum=10_000_000, help="pretraining sentences"),
    "code_switch": Param(0.3, minimum=0.0, maximum=1.0, help="share of corpus sentences with code-switched words"),
    "function_switch": Param(True, help="code-switching also swaps function words (articles, 'someone', negation, question words, adpositions); false: content words only"),
    "parallel": Param(0.0, minimum=0.0, maximum=1.0, help="share of corpus lines that pair a sentence with its translation, as XLM's TLM data (0: none, as XLM-R)"),
    "anchors": Param(True, help="names and numbers written alike in every language (false: each language spells its own; an ablation)"),
    "structure": Param(True, help="scenes and selectional preferences (false: every slot drawn uniformly and independently; an ablation)"),
}
