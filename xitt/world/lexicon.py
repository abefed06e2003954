"""Concepts and their words in every language: the world's bilingual dictionary.

A concept is one meaning (a noun, verb, adjective, adverb or function word). English
gives it a real word; every synthetic language gives it a generated pseudo-word in its
own phonology and script, and a second one where English has a synonym. Affixes
(case, plural) are generated the same way. No two languages share a non-anchor word,
not even inflected, so a word's language is always known (code-switching can be detected
and measured).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from xitt.world import english as E
from xitt.world.languages import Language
from xitt.world.sampling import stream

# Function concepts every language lexicalises (English word in the value).
FUNCTION_WORDS = {"the": "det", "a": "det", "some": "det", "someone": "pron", "not": "part", "did": "aux",
                  "who": "wh", "what": "wh", "where": "wh", "when": "wh", "how many": "wh"}
CONTENT_TAGS = {"noun": "NOUN", "role": "NOUN", "place": "NOUN", "verb": "VERB", "adj": "ADJ", "adv": "ADV"}
POS_OF_CLASS = {**CONTENT_TAGS, "adp": "ADP", "det": "DET", "pron": "PRON", "part": "PART", "aux": "VERB", "wh": "PRON"}


@dataclass(frozen=True)
class Concept:
    """One meaning. ``valence`` is +1/-1 for evaluative words; ``antonym`` is a concept id or -1."""

    id: int
    cls: str  # noun | role | place | verb | adj | adv | adp | det | pron | part | aux
    english: str
    synonym: str = ""  # an English synonym, "" when none
    valence: int = 0
    antonym: int = -1
    takes: str = "thing"  # for verbs: "thing" | "person" | "both"
    relation: str = ""  # for places: the English adposition it usually takes
    scenes: tuple[str, ...] = ()

    @property
    def pos(self) -> str:
        return POS_OF_CLASS[self.cls]


def build_concepts() -> list[Concept]:
    """Every concept of the world, in a fixed order (the order ids and seeds depend on)."""
    table: dict[tuple[str, str], dict] = {}

    def add(cls: str, word: str, scene: str = "", **extra) -> None:
        entry = table.setdefault((cls, word), {"cls": cls, "english": word, "scenes": [], **extra})
        if scene and scene not in entry["scenes"]:
            entry["scenes"].append(scene)

    for scene in E.SCENES:
        for word in scene.roles.split():
            add("role", word, scene.name)
        for word in scene.nouns.split():
            add("noun", word, scene.name)
        for word in scene.verbs.split():
            add("verb", word, scene.name, takes="thing")
        for word in scene.adjectives.split():
            add("adj", word, scene.name)
        for item in scene.places.split():
            word, relation = item.split("@")
            add("place", word, scene.name, relation=relation)
    for good, bad, takes in E.EVALUATIVE_VERBS:
        add("verb", good, takes=takes, valence=1, antonym_word=bad)
        add("verb", bad, takes=takes, valence=-1, antonym_word=good)
    for one, other in E.NEUTRAL_PAIRS:
        add("verb", one, antonym_word=other, takes="thing")
        add("verb", other, antonym_word=one, takes="thing")
    for word in E.SOCIAL_VERBS.split():
        add("verb", word, takes="person")
    for word in E.POSITIVE_ADJECTIVES.split():
        add("adj", word, valence=1)
    for word in E.NEGATIVE_ADJECTIVES.split():
        add("adj", word, valence=-1)
    for word in E.TIME_ADVERBS.split():
        add("adv", word)
    for word in E.ADPOSITIONS.split():
        add("adp", word)
    for word, cls in FUNCTION_WORDS.items():
        add(cls, word)

    ids = {key: index for index, key in enumerate(table)}
    concepts = []
    for (cls, word), entry in table.items():
        antonym_word = entry.pop("antonym_word", "")
        concepts.append(Concept(
            id=ids[(cls, word)], synonym=E.SYNONYMS.get(word, ""),
            antonym=ids[(cls, antonym_word)] if antonym_word else -1,
            **{**entry, "scenes": tuple(entry["scenes"])},
        ))
    return concepts


def english_past(verb: str) -> str:
    if verb in E.IRREGULAR_PAST:
        return E.IRREGULAR_PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def english_plural(noun: str) -> str:
    if noun in E.IRREGULAR_PLURAL:
        return E.IRREGULAR_PLURAL[noun]
    if noun.endswith(("s", "x", "z", "ch", "sh")) or noun in ("potato", "tomato"):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


@dataclass(frozen=True)
class Affixes:
    """A synthetic language's grammatical morphemes, already in its script."""

    accusative: str = ""
    locative: str = ""
    plural: str = ""  # prefix or suffix by the language's morphology


@dataclass
class Lexicon:
    """Surface forms by language: ``forms[code][concept_id] = (word, synonym_word)``."""

    concepts: list[Concept]
    languages: dict[str, Language]
    forms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    affixes: dict[str, Affixes] = field(default_factory=dict)

    def word(self, code: str, concept: int, feature: str = "", synonym: bool = False) -> str:
        """The inflected surface form. ``feature``: "" | "pl" | "acc" | "loc" | "past" | "acc-pl" | "loc-pl"."""
        base, alternative = self.forms[code][concept]
        stem = alternative if synonym and alternative else base
        if code == "en":
            return _english_word(stem, self.concepts[concept].cls, feature)
        language = self.languages[code]
        affixes = self.affixes[code]
        plural = feature.endswith("pl")
        if plural and language.morphology == "plural_prefix":
            stem = affixes.plural + stem
        elif plural and language.morphology == "plural_suffix":
            stem = stem + affixes.plural
        if language.morphology == "case_suffix":
            if feature.startswith("acc"):
                stem = stem + affixes.accusative
            elif feature.startswith("loc"):
                stem = stem + affixes.locative
        return stem

    def vocabulary(self, code: str) -> frozenset[str]:
        """Every word the language can produce (anchors, numbers and punctuation excluded)."""
        words = set()
        for concept in self.concepts:
            for synonym in (False, True):
                for feature in ("", "pl", "acc", "loc", "past", "acc-pl", "loc-pl"):
                    words.update(self.word(code, concept.id, feature, synonym).split())  # "how many"
        return frozenset(words)

    def to_json(self) -> dict:
        """The dictionary, for analyses of alignment (concept -> word per language)."""
        return {
            "concepts": [
                {"id": c.id, "class": c.cls, "english": c.english, "valence": c.valence,
                 "antonym": c.antonym, "scenes": list(c.scenes),
                 "words": {code: list(self.forms[code][c.id]) for code in self.forms}}
                for c in self.concepts
            ],
            "affixes": {code: vars(a) for code, a in self.affixes.items()},
        }


def _english_word(stem: str, cls: str, feature: str) -> str:
    if cls in ("noun", "role", "place") and feature.endswith("pl"):
        return english_plural(stem)
    if cls == "verb" and feature == "past":
        return english_past(stem)
    return stem


_VOWELS = "aeiou"
_CONSONANTS = "bdfghjklmnprstvwz"


@dataclass(frozen=True)
class _Phonology:
    consonants: str
    vowels: str
    closed: bool

    def syllable(self, rng: random.Random, final: bool) -> str:
        text = rng.choice(self.consonants) + rng.choice(self.vowels)
        if self.closed and rng.random() < (0.5 if final else 0.25):
            text += rng.choice(self.consonants)
        return text

    def word(self, rng: random.Random, syllables: int) -> str:
        return "".join(self.syllable(rng, i == syllables - 1) for i in range(syllables))


def build_lexicon(languages: list[Language], seed: int) -> Lexicon:
    """English words from ``english.py``; pseudo-words for the others, unique across the world."""
    concepts = build_concepts()
    lexicon = Lexicon(concepts, {lang.code: lang for lang in languages})
    taken: set[str] = set()
    for concept in concepts:
        for word in (concept.english, concept.synonym):
            if word:
                taken.update({word, english_plural(word), english_past(word)})
    lexicon.forms["en"] = [(c.english, c.synonym) for c in concepts]
    for language in languages:
        if language.code == "en":
            continue
        rng = stream(seed, "lexicon", language.code)
        phonology = _Phonology(
            consonants="".join(sorted(rng.sample(_CONSONANTS, rng.randint(9, 13)))),
            vowels="".join(sorted(rng.sample(_VOWELS, rng.randint(3, 5)))),
            closed=language.syllables == "CVC",
        )

        accusative = rng.choice(phonology.vowels) + rng.choice(phonology.consonants)
        locative = rng.choice(phonology.vowels) + rng.choice(phonology.consonants) + rng.choice(phonology.vowels)
        plural = phonology.syllable(rng, False)
        if language.morphology == "case_suffix":
            endings, beginnings = (accusative, locative), ()
        elif language.morphology == "plural_suffix":
            endings, beginnings = (plural,), ()
        elif language.morphology == "plural_prefix":
            endings, beginnings = (), (plural,)
        else:
            endings = beginnings = ()

        def fresh(syllables: int) -> str:
            """A new word none of whose inflected forms any language already uses."""
            for attempt in range(1000):
                word = phonology.word(rng, syllables + attempt // 50)
                variants = {word, *(word + e for e in endings), *(b + word for b in beginnings)}
                if taken.isdisjoint(variants):
                    taken.update(variants)
                    return word
            raise RuntimeError("lexicon generation ran out of words")

        affixes = Affixes(*(language.write(a) for a in (accusative, locative, plural)))
        forms = []
        for concept in concepts:
            syllables = 1 if concept.cls in ("det", "pron", "part", "aux", "adp", "wh") else rng.choice((2, 2, 2, 3))
            word = language.write(fresh(syllables))
            synonym = language.write(fresh(syllables)) if concept.synonym else ""
            forms.append((word, synonym))
        lexicon.forms[language.code] = forms
        lexicon.affixes[language.code] = affixes
    return lexicon
