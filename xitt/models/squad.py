"""Extractive QA scores: SQuAD exact match and token F1, with MLQA's per-language normalisation.

MLQA (Lewis et al. 2020) extends SQuAD's normalisation: strip every Unicode punctuation
character (not only ASCII), drop the language's articles, and split Chinese into single
characters (mixed segmentation) instead of on spaces. A gold answer list that is empty
means "no answer" (SQuAD 2.0): only an empty prediction scores, and it scores 1.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence

_ASCII_PUNCTUATION = frozenset(string.punctuation)


def is_punctuation(char: str) -> bool:
    """MLQA's set: every Unicode ``P*`` character, plus ASCII punctuation (which adds ``$+<=>^`|~``)."""
    return char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")


# MLQA's article lists; languages not named here have none removed.
ARTICLES: dict[str, tuple[str, ...]] = {
    "en": ("a", "an", "the"),
    "es": ("un", "una", "unos", "unas", "el", "la", "los", "las"),
    "de": ("ein", "eine", "einen", "einem", "eines", "einer", "der", "die", "das", "den", "dem", "des"),
    "vi": ("của", "là", "cái", "chiếc", "những"),
}
_ARABIC_ARTICLE = re.compile(r"\sال^|ال")  # MLQA's own pattern, kept as written
MIXED_SEGMENTATION = frozenset({"zh"})
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def _remove_articles(text: str, language: str) -> str:
    if language == "ar":
        return _ARABIC_ARTICLE.sub(" ", text)
    articles = ARTICLES.get(language)
    if not articles:
        return text
    return re.sub(r"\b(" + "|".join(map(re.escape, articles)) + r")\b", " ", text)


def _mixed_segmentation(text: str) -> list[str]:
    """Each CJK character and punctuation mark its own token; other runs split on spaces."""
    out, run = [], ""
    for char in text:
        if _CJK.search(char) or is_punctuation(char):
            out.extend(run.split())
            run = ""
            out.append(char)
        else:
            run += char
    out.extend(run.split())
    return out


def answer_tokens(text: str, language: str = "en") -> list[str]:
    """The normalised tokens of an answer: lower case, no punctuation, no articles."""
    text = "".join(c for c in text.lower() if not is_punctuation(c))
    text = _remove_articles(text, language)
    tokens = _mixed_segmentation(text) if language in MIXED_SEGMENTATION else text.split()
    return [t for t in tokens if t.strip()]


def normalize_answer(text: str, language: str = "en") -> str:
    return " ".join(answer_tokens(text, language))


def exact_match(prediction: str, gold: str, language: str = "en") -> float:
    return float(normalize_answer(prediction, language) == normalize_answer(gold, language))


def token_f1(prediction: str, gold: str, language: str = "en") -> float:
    """Bag-of-tokens F1; when either side is empty, 1 only if both are (SQuAD 2.0)."""
    predicted, wanted = answer_tokens(prediction, language), answer_tokens(gold, language)
    if not predicted or not wanted:
        return float(predicted == wanted)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def qa_scores(golds: Sequence[Sequence[str]], predictions: Sequence[str], language: str = "en") -> dict[str, float]:
    """Mean EM and F1 (0..1), each the best over an example's gold answers; ``[]`` = no answer."""
    if len(golds) != len(predictions):
        raise ValueError(f"{len(golds)} gold answer lists but {len(predictions)} predictions")
    em = f1 = 0.0
    for answers, prediction in zip(golds, predictions):
        answers = list(answers) or [""]
        em += max(exact_match(prediction, a, language) for a in answers)
        f1 += max(token_f1(prediction, a, language) for a in answers)
    n = max(1, len(golds))
    return {"exact_match": em / n, "f1": f1 / n}
