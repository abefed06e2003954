"""Named entities shared by every language: the anchors that let words align.

People, places and organisations have invented Latin-script names, written identically
in every language (also in non-Latin scripts, as brand and person names often are), so
a multilingual model sees the same tokens in the same kinds of contexts everywhere.
Numbers are anchors too (digits, the same in every language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xitt.world.languages import LETTERS, Language
from xitt.world.sampling import stream

ORG_SUFFIXES = ("Group", "Bank", "Works", "Union", "Studio", "Club", "Company", "Institute")


@dataclass(frozen=True)
class Entity:
    """A name and its type (PER, LOC or ORG); ``tokens`` may be several words (I- tags)."""

    kind: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Anchors:
    persons: tuple[Entity, ...]
    places: tuple[Entity, ...]
    organisations: tuple[Entity, ...]


def make_anchors(seed: int, persons: int = 160, places: int = 60, organisations: int = 40) -> Anchors:
    """Invented names; about half of people and a third of places have two-word names."""
    rng = stream(seed, "anchors")
    used: set[str] = set()

    def name() -> str:
        while True:
            syllables = rng.choice((2, 2, 3))
            text = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") + rng.choice(("", "", "n", "r", "l"))
                           for _ in range(syllables))
            text = text.capitalize()
            if text not in used:
                used.add(text)
                return text

    firsts = [name() for _ in range(persons * 2 // 3)]
    surnames = [name() for _ in range(persons // 2)]
    people: list[Entity] = []
    seen: set[tuple[str, ...]] = set()
    while len(people) < persons:
        tokens = (rng.choice(firsts),) + ((rng.choice(surnames),) if rng.random() < 0.5 else ())
        if tokens not in seen:
            seen.add(tokens)
            people.append(Entity("PER", tokens))
    towns = [Entity("LOC", (name(),) + ((name(),) if rng.random() < 0.35 else ())) for _ in range(places)]
    orgs = [Entity("ORG", (name(),) + ((name(),) if rng.random() < 0.2 else ()) + (rng.choice(ORG_SUFFIXES),))
            for _ in range(organisations)]
    return Anchors(tuple(people), tuple(towns), tuple(orgs))


NAME_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def local_spelling(language: Language, seed: int) -> Callable[[str], str]:
    """How ``language`` spells names and numbers when anchors are *not* shared (the
    ablation ``anchors: false``): a letter cipher of its own, in its script, so that no
    name or number is the same string in two languages. Numbers become upper-case
    letter strings, which no lexicon word is. English keeps the original spelling."""
    if language.code == "en":
        return lambda token: token
    rng = stream(seed, "anchor-spelling", language.code)
    letters = "".join(rng.choice(LETTERS) for _ in NAME_LETTERS)
    names = str.maketrans(NAME_LETTERS, letters)
    digits = str.maketrans("0123456789", "".join(rng.sample(LETTERS, 10)))

    def spell(token: str) -> str:
        if token.isdigit():
            return language.write(token.translate(digits)).upper()
        return language.write(token.lower().translate(names)).capitalize()

    return spell
