"""Extractive QA scores: exact match and token F1 under the benchmarks' own normalisations.

Three normalisations, each a function from an answer to its tokens, and each copied from
the script XTREME scores with (google-research/xtreme, ``third_party/``):

- ``squad_tokens``: SQuAD v1.1's ``evaluate-v1.1.py`` (``evaluate_squad.py``): lower case,
  drop ASCII punctuation (``string.punctuation``), drop English ``a``/``an``/``the``, split on
  whitespace. XTREME applies it to XQuAD and TyDiQA-GoldP in **every** language.
- ``mlqa_tokens``: MLQA's ``mlqa_evaluation_v1.py`` (``evaluate_mlqa.py``): every Unicode
  ``P*`` character counts as punctuation, articles per language (en, es, de, vi, ar; none
  in hi, zh), Chinese split into characters (mixed segmentation); MLQA's 7 languages only.
- ``lenient_tokens``: MLQA's rules for any language (no articles where MLQA names none):
  the synthetic world's QA, not a benchmark's.

F1 when a side normalises to no tokens: SQuAD v1.1 and MLQA give 0 (no common token),
SQuAD 2.0 (``evaluate-v2.0.py``) gives 1 when both are empty. Scores are 0..1 (the scripts
print 0..100).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

Tokens = Callable[[str], list[str]]

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")


def squad_tokens(text: str) -> list[str]:
    """SQuAD v1.1's ``normalize_answer(text).split()``, in its order: lower, punctuation, articles, spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCTUATION)
    return _SQUAD_ARTICLES.sub(" ", text).split()


def is_punctuation(char: str) -> bool:
    """MLQA's set: every Unicode ``P*`` character, plus ASCII punctuation (which adds ``$+<=>^`|~``)."""
    return char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")


# MLQA's article lists (hi and zh: none); the regex is MLQA's own, ``\b`` and all.
ARTICLES: dict[str, tuple[str, ...]] = {
    "en": ("a", "an", "the"),
    "es": ("un", "una", "unos", "unas", "el", "la", "los", "las"),
    "de": ("ein", "eine", "einen", "einem", "eines", "einer", "der", "die", "das", "den", "dem", "des"),
    "vi": ("của", "là", "cái", "chiếc", "những"),
    "hi": (),
    "zh": (),
}
_ARABIC_ARTICLE = re.compile(r"\sال^|ال")  # MLQA's own pattern, kept as written
MIXED_SEGMENTATION = frozenset({"zh"})
MLQA_LANGUAGES = frozenset({*ARTICLES, "ar"})
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


def lenient_tokens(text: str, language: str = "en") -> list[str]:
    """MLQA's normalisation for any language code: lower case, no punctuation, the
    language's articles, Chinese per character; tokens that are only spaces dropped."""
    text = "".join(c for c in text.lower() if not is_punctuation(c))
    text = _remove_articles(text, language)
    tokens = _mixed_segmentation(text) if language in MIXED_SEGMENTATION else text.split()
    return [t for t in tokens if t.strip()]


def mlqa_tokens(text: str, language: str) -> list[str]:
    """MLQA's ``normalize_answer(text, lang).split()``; ValueError outside MLQA's languages,
    where MLQA's script raises too."""
    if language not in MLQA_LANGUAGES:
        raise ValueError(f"MLQA's normalisation knows {', '.join(sorted(MLQA_LANGUAGES))}, not {language!r}")
    return lenient_tokens(text, language)


def exact_match(prediction: str, gold: str, tokens: Tokens = squad_tokens) -> float:
    """1.0 when both answers normalise to the same token sequence."""
    return float(tokens(prediction) == tokens(gold))


def token_f1(prediction: str, gold: str, tokens: Tokens = squad_tokens, empty_matches_empty: bool = False) -> float:
    """Bag-of-tokens F1. With no common token it is 0, also when both sides are empty
    (SQuAD v1.1, MLQA), unless ``empty_matches_empty`` (SQuAD 2.0: 1 when both are empty)."""
    predicted, wanted = tokens(prediction), tokens(gold)
    if empty_matches_empty and (not predicted or not wanted):
        return float(predicted == wanted)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def qa_scores(golds: Sequence[Sequence[str]], predictions: Sequence[str], tokens: Tokens = squad_tokens,
              empty_matches_empty: bool = False, drop_empty_golds: bool = False) -> dict[str, float]:
    """Mean EM and F1 (0..1), each the best over an example's gold answers.

    An empty gold list scores as the one gold answer "" (SQuAD 2.0's unanswerable
    question; the v1 scripts have no such case and would fail). SQuAD 2.0 sets both flags:
    gold answers that normalise to nothing are dropped first (``drop_empty_golds``), and
    two empty answers have F1 1 (``empty_matches_empty``), as ``evaluate-v2.0.py`` does.
    """
    if len(golds) != len(predictions):
        raise ValueError(f"{len(golds)} gold answer lists but {len(predictions)} predictions")
    em = f1 = 0.0
    for answers, prediction in zip(golds, predictions):
        if drop_empty_golds:
            answers = [a for a in answers if tokens(a)]
        answers = list(answers) or [""]
        em += max(exact_match(prediction, a, tokens) for a in answers)
        f1 += max(token_f1(prediction, a, tokens, empty_matches_empty) for a in answers)
    n = max(1, len(golds))
    return {"exact_match": em / n, "f1": f1 / n}


def normalize_answer(text: str, language: str = "en") -> str:
    """The world's normalised answer (``lenient_tokens`` joined by spaces)."""
    return " ".join(lenient_tokens(text, language))
