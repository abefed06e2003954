"""The pretraining corpus: documents of one language and one topic, some words code-switched.

Documents keep a scene for most of their sentences, so a model that reads consecutive
lines sees topical coherence. A ``code_switch`` share of sentences has some content
words replaced by the same concept's word in another language (English half the time,
as in real code-switching with a dominant language), inflected by that language. Whole
sentences are never mixed: previous attempts showed that gives no alignment.
"""

from __future__ import annotations

import random

from xitt.world.meanings import Profile, Sampler
from xitt.world.realise import QUESTION_SLOTS, Realiser, Word, slot_span
from xitt.world.sampling import stream

CORPUS_PROFILE = Profile(evaluative_verb=0.2, evaluative_adjective=0.3, named_place=0.45, negated=0.1)
CONTENT = frozenset({"noun", "role", "place", "verb", "adj", "adv"})  # concept classes
SWITCH_RATE = 0.3  # share of content words switched in a code-switched sentence
QUESTION_SHARE = 0.06  # questions, so that question words are learnt in every language (for QA)


def make_corpus(size: int, code_switch: float, sampler: Sampler, realisers: dict[str, Realiser],
                seed: int) -> tuple[list[str], list[str]]:
    """``size`` sentences and the (host) language of each, languages in equal shares."""
    rng = stream(seed, "corpus")
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
            if rng.random() < QUESTION_SHARE and not meaning.negated:
                slots = [slot for slot in QUESTION_SLOTS if _has(words, slot)]
                slots = [slot for slot in slots if not (slot == "agent" and meaning.agent.pronoun)]
                words = realisers[code].question(meaning, rng.choice(slots)) if slots else words
            if rng.random() < code_switch:
                words = _switch(words, code, codes, realisers, rng)
            sentences.append(" ".join(w.text for w in words))
            languages.append(code)
    return sentences, languages


def _switch(words: list[Word], host: str, codes: list[str], realisers: dict[str, Realiser],
            rng: random.Random) -> list[Word]:
    """Some content words in a donor language (at least one), keeping the host's word order."""
    others = [c for c in codes if c != host]
    concepts = realisers[host].concepts
    candidates = [i for i, w in enumerate(words) if w.concept >= 0 and concepts[w.concept].cls in CONTENT]
    if not others or not candidates:
        return words
    chosen = {i for i in candidates if rng.random() < SWITCH_RATE} or {rng.choice(candidates)}
    switched = list(words)
    for i in sorted(chosen):
        donor = "en" if host != "en" and rng.random() < 0.5 else rng.choice(others)
        w = words[i]
        lex = realisers[donor].lex
        switched[i] = w._replace(text=lex.word(donor, w.concept, w.feature, w.synonym))
    return switched


def _has(words: list[Word], slot: str) -> bool:
    try:
        slot_span(words, slot)
    except ValueError:
        return False
    return True
