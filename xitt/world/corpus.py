"""The pretraining corpus: documents of one language and one topic, some words code-switched.

Documents keep a scene for most of their sentences, so a model that reads consecutive
lines sees topical coherence. A ``code_switch`` share of sentences has some content
words replaced by the same concept's word in another language (English half the time,
as in real code-switching with a dominant language), inflected by that language. Whole
sentences are never mixed into a document: previous attempts showed that gives no
alignment. A ``parallel`` share of lines instead pairs a sentence with its translation,
joined by the separator token, as in XLM's translation language modelling (TLM): a
masked word can then be read off its translation, the most direct alignment signal.
"""

from __future__ import annotations

import random

from xitt.world.meanings import Meaning, Profile, Sampler
from xitt.world.realise import QUESTION_SLOTS, Realiser, Word, slot_span
from xitt.world.sampling import stream

CORPUS_PROFILE = Profile(evaluative_verb=0.2, evaluative_adjective=0.3, named_place=0.45, negated=0.1)
CONTENT = frozenset({"noun", "role", "place", "verb", "adj", "adv"})  # concept classes
# Function words switch too unless ``function_switch`` is off: negation, "someone", articles
# and question words carry NLI and QA, and nothing else aligns them ("did" is English-only).
FUNCTION = frozenset({"det", "pron", "part", "wh", "adp"})
SWITCH_RATE = 0.3  # share of content words switched in a code-switched sentence
QUESTION_SHARE = 0.06  # questions, so that question words are learnt in every language (for QA)
PAIR_SEPARATOR = "</s>"  # XLM-R's separator token: a parallel line reads "sentence </s> translation"


def make_corpus(size: int, code_switch: float, sampler: Sampler, realisers: dict[str, Realiser],
                seed: int, *, parallel: float, function_switch: bool) -> tuple[list[str], list[str]]:
    """``size`` lines and the (host) language of each, languages in equal shares."""
    rng = stream(seed, "corpus")
    pairing = stream(seed, "corpus", "parallel")  # its own stream: parallel 0 leaves the corpus as it was
    codes = list(realisers)
    sentences: list[str] = []
    languages: list[str] = []
    order: list[str] = []
    while len(sentences) < size:
        if not order:
            order = codes[:]
            rng.shuffle(order)
        code = order.pop()
        scene = sampler.scene(CORPUS_PROFILE, rng)
        for _ in range(min(rng.randint(4, 12), size - len(sentences))):
            meaning = sampler.meaning(CORPUS_PROFILE, rng, scene if rng.random() < 0.75 else "")
            words = realisers[code].words(meaning)
            asked = ""
            if rng.random() < QUESTION_SHARE and not meaning.negated:
                slots = [slot for slot in QUESTION_SLOTS if _has(words, slot)]
                slots = [slot for slot in slots if not (slot == "agent" and meaning.agent.pronoun)]
                if slots:
                    asked = rng.choice(slots)
                    words = realisers[code].question(meaning, asked)
            if rng.random() < code_switch:
                words = _switch(words, code, codes, realisers, rng, CONTENT | FUNCTION if function_switch else CONTENT)
            line = " ".join(w.text for w in words)
            if parallel and len(codes) > 1 and pairing.random() < parallel:
                line = f"{line} {PAIR_SEPARATOR} {_translation(meaning, asked, code, codes, realisers, pairing)}"
            sentences.append(line)
            languages.append(code)
    return sentences, languages


def _switch(words: list[Word], host: str, codes: list[str], realisers: dict[str, Realiser],
            rng: random.Random, switchable: frozenset[str]) -> list[Word]:
    """Some words of the ``switchable`` concept classes in a donor language (at least one),
    keeping the host's word order."""
    others = [c for c in codes if c != host]
    concepts = realisers[host].concepts
    candidates = [i for i, w in enumerate(words) if w.concept >= 0 and concepts[w.concept].cls in switchable]
    if not others or not candidates:
        return words
    chosen = {i for i in candidates if rng.random() < SWITCH_RATE} or {rng.choice(candidates)}
    switched = list(words)
    for i in sorted(chosen):
        donor = _other_language(host, others, rng)
        w = words[i]
        lex = realisers[donor].lex
        switched[i] = w._replace(text=lex.word(donor, w.concept, w.feature, w.synonym))
    return switched


def _translation(meaning: Meaning, asked: str, host: str, codes: list[str], realisers: dict[str, Realiser],
                 rng: random.Random) -> str:
    """The same sentence (the same question when ``asked`` names a slot) in another language:
    English half the time, as parallel data mostly pairs a language with English."""
    realiser = realisers[_other_language(host, [c for c in codes if c != host], rng)]
    return " ".join(w.text for w in (realiser.question(meaning, asked) if asked else realiser.words(meaning)))


def _other_language(host: str, others: list[str], rng: random.Random) -> str:
    """A language other than ``host``: English half the time (a dominant contact language,
    and the usual side of parallel data), else any other."""
    return "en" if host != "en" and rng.random() < 0.5 else rng.choice(others)


def _has(words: list[Word], slot: str) -> bool:
    try:
        slot_span(words, slot)
    except ValueError:
        return False
    return True
