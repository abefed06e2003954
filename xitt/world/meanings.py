"""Meanings (events) and the one distribution they are drawn from, shared by all languages.

Why it looks like this: a multilingual MLM can only align two languages' words if the
words keep the same company in both. So the world's co-occurrence structure is rich,
skewed and shared: scenes group words; each verb prefers a few objects and places, each
object a few adjectives, each person a few scenes and actions; every list is Zipfian.
Realisation (``realise.py``) is the only thing that differs between languages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from xitt.world import english as E
from xitt.world.anchors import Anchors, Entity
from xitt.world.lexicon import Concept, Lexicon
from xitt.world.sampling import Zipf, stream

NUMBERS = tuple(range(2, 21))


@dataclass(frozen=True)
class Nominal:
    """An agent or object: a common noun with adjectives and quantity, a name, or "someone"."""

    noun: int = -1  # concept id, -1 for a name or the pronoun
    entity: Entity | None = None
    pronoun: bool = False
    adjectives: tuple[int, ...] = ()
    quantity: str | int = "the"  # "the" | "a" | "some" | a number (plural)

    @property
    def plural(self) -> bool:
        return self.quantity == "some" or isinstance(self.quantity, int)


@dataclass(frozen=True)
class Place:
    adposition: int  # concept id
    noun: int = -1  # a place concept, or -1 with an entity
    entity: Entity | None = None


@dataclass(frozen=True)
class Meaning:
    """Who did what to what, where and when; ``negated`` says it did not happen."""

    agent: Nominal
    verb: int
    obj: Nominal
    place: Place | None = None
    time: int = -1  # an adverb concept id, -1 for none
    negated: bool = False
    scene: str = ""

    def valence(self, concepts: list[Concept]) -> int:
        """Sentiment score: the verb's valence (flipped by negation) plus the adjectives'."""
        verb = concepts[self.verb].valence * (-1 if self.negated else 1)
        return verb + sum(concepts[a].valence for a in self.obj.adjectives)


@dataclass(frozen=True)
class Profile:
    """How a task (or the corpus) draws meanings: which scenes and constructions it favours."""

    scenes: tuple[tuple[str, float], ...] = ()  # scene -> weight; scenes not named get weight 1
    named_agent: float = 0.5  # a person's name rather than a role noun
    organisation_agent: float = 0.1
    someone: float = 0.03
    evaluative_verb: float = 0.15
    neutral_pair_verb: float = 0.15
    social_verb: float = 0.1
    adjectives: tuple[float, float, float] = (0.35, 0.45, 0.2)  # P(0, 1, 2 adjectives)
    evaluative_adjective: float = 0.2
    quantity: tuple[float, float, float, float] = (0.45, 0.2, 0.15, 0.2)  # the, a, some, number
    place: float = 0.5
    named_place: float = 0.4
    time: float = 0.35
    negated: float = 0.08


@dataclass
class Semantics:
    """The world's selectional structure, fixed by the seed (see module docstring)."""

    lexicon: Lexicon
    anchors: Anchors
    rng: random.Random
    structured: bool = True  # False: the naive world, every slot uniform and independent (an ablation)
    scene_names: list[str] = field(default_factory=list)
    roles: dict[str, Zipf] = field(default_factory=dict)
    nouns: dict[str, Zipf] = field(default_factory=dict)
    verbs: dict[str, Zipf] = field(default_factory=dict)
    adjectives: dict[str, Zipf] = field(default_factory=dict)
    places: dict[str, Zipf] = field(default_factory=dict)
    persons: dict[str, Zipf] = field(default_factory=dict)
    organisations: dict[str, Zipf] = field(default_factory=dict)
    towns: dict[str, Zipf] = field(default_factory=dict)
    objects_of: dict[int, Zipf] = field(default_factory=dict)
    places_of: dict[int, Zipf] = field(default_factory=dict)
    adjectives_of: dict[int, Zipf] = field(default_factory=dict)
    actions_of: dict[tuple[str, ...], Zipf] = field(default_factory=dict)
    scenes_of: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng, concepts = self.rng, self.lexicon.concepts
        Zipf = self._zipf  # noqa: N806  (uniform lists when the world is unstructured)
        self.scene_names = [s.name for s in E.SCENES]
        in_scene = {name: [c for c in concepts if (name in c.scenes if self.structured else c.scenes)]
                    for name in self.scene_names}
        for name, members in in_scene.items():
            self.roles[name] = Zipf([c.id for c in members if c.cls == "role"], rng)
            self.nouns[name] = Zipf([c.id for c in members if c.cls == "noun"], rng)
            self.verbs[name] = Zipf([c.id for c in members if c.cls == "verb"], rng)
            self.adjectives[name] = Zipf([c.id for c in members if c.cls == "adj"], rng)
            self.places[name] = Zipf([c.id for c in members if c.cls == "place"], rng)
        unscened = [c for c in concepts if not c.scenes]
        self.evaluative_verbs = Zipf([c.id for c in unscened if c.cls == "verb" and c.valence], rng)
        self.pair_verbs = Zipf([c.id for c in unscened if c.cls == "verb" and not c.valence and c.antonym >= 0], rng)
        self.social_verbs = Zipf([c.id for c in unscened if c.cls == "verb" and not c.valence and c.antonym < 0], rng)
        self.positive = Zipf([c.id for c in concepts if c.cls == "adj" and c.valence > 0], rng)
        self.negative = Zipf([c.id for c in concepts if c.cls == "adj" and c.valence < 0], rng)
        self.times = Zipf([c.id for c in concepts if c.cls == "adv"], rng)
        self.adpositions = {c.english: c.id for c in concepts if c.cls == "adp"}
        self.articles = {c.english: c.id for c in concepts if c.cls == "det"}
        if not self.structured:
            self._uniform_slots(concepts)
            return
        all_nouns = [c.id for c in concepts if c.cls == "noun"]

        for concept in concepts:  # selectional preferences
            if concept.cls == "verb":
                pool = (sorted({n for s in concept.scenes for n in self.nouns[s].items}) if concept.scenes
                        else all_nouns)
                self.objects_of[concept.id] = Zipf(rng.sample(pool, min(len(pool), rng.randint(3, 5))), rng)
                place_pool = sorted({p for s in (concept.scenes or rng.sample(self.scene_names, 2))
                                     for p in self.places[s].items})
                self.places_of[concept.id] = Zipf(rng.sample(place_pool, min(len(place_pool), 2)), rng)
            elif concept.cls in ("noun", "role"):
                pool = sorted({a for s in concept.scenes for a in self.adjectives[s].items})
                self.adjectives_of[concept.id] = Zipf(rng.sample(pool, min(len(pool), rng.randint(2, 3))), rng)

        for group, target in ((self.anchors.persons, self.persons), (self.anchors.organisations, self.organisations),
                              (self.anchors.places, self.towns)):
            members: dict[str, list[Entity]] = {name: [] for name in self.scene_names}
            for entity in group:
                scenes = tuple(rng.sample(self.scene_names, 2 if entity.kind == "PER" else 1))
                self.scenes_of[entity.tokens] = scenes
                for name in scenes:
                    members[name].append(entity)
                if entity.kind != "LOC":  # agents have typical actions
                    own = sorted({v for s in scenes for v in self.verbs[s].items})
                    self.actions_of[entity.tokens] = Zipf(rng.sample(own, 2), rng)
            for name in self.scene_names:
                target[name] = Zipf(members[name] or list(group[:3]), rng)

    def _zipf(self, items: list, rng: random.Random) -> Zipf:
        return Zipf(items, rng, exponent=1.0 if self.structured else 0.0)

    def _uniform_slots(self, concepts: list[Concept]) -> None:
        """The naive world: any verb with any object and place, any noun with any
        adjective, any person in any scene (every list uniform)."""
        rng = self.rng
        scened = {cls: [c.id for c in concepts if c.cls == cls and c.scenes] for cls in ("noun", "place", "adj", "verb")}
        nouns, places, adjectives, verbs = (self._zipf(scened[k], rng) for k in ("noun", "place", "adj", "verb"))
        for concept in concepts:
            if concept.cls == "verb":
                self.objects_of[concept.id], self.places_of[concept.id] = nouns, places
            elif concept.cls in ("noun", "role"):
                self.adjectives_of[concept.id] = adjectives
        for group, target in ((self.anchors.persons, self.persons), (self.anchors.organisations, self.organisations),
                              (self.anchors.places, self.towns)):
            everyone = self._zipf(list(group), rng)
            for name in self.scene_names:
                target[name] = everyone
            for entity in group:
                self.scenes_of[entity.tokens] = tuple(self.scene_names)
                if entity.kind != "LOC":
                    self.actions_of[entity.tokens] = verbs


class Sampler:
    """Draws meanings under a ``Profile``; the same for every language."""

    def __init__(self, semantics: Semantics) -> None:
        self.sem = semantics
        self.concepts = semantics.lexicon.concepts

    def scene(self, profile: Profile, rng: random.Random) -> str:
        weights = dict(profile.scenes)
        names = self.sem.scene_names
        return rng.choices(names, weights=[weights.get(n, 1.0) for n in names])[0]

    def meaning(self, profile: Profile, rng: random.Random, scene: str = "") -> Meaning:
        sem, p = self.sem, profile
        scene = scene or self.scene(profile, rng)
        agent = self._agent(p, rng, scene)
        verb = self._verb(p, rng, scene, agent)
        takes = self.concepts[verb].takes
        if takes == "person" or (takes == "both" and rng.random() < 0.4):
            obj = self._person_object(rng, scene, agent)
        else:
            noun = sem.objects_of[verb].draw(rng) if rng.random() < 0.75 else sem.nouns[scene].draw(rng)
            obj = Nominal(noun=noun, adjectives=self._adjectives(p, rng, noun, scene), quantity=self._quantity(p, rng))
        place = self._place(p, rng, scene, verb) if rng.random() < p.place else None
        time = sem.times.draw(rng) if rng.random() < p.time else -1
        return Meaning(agent, verb, obj, place, time, rng.random() < p.negated, scene)

    def _agent(self, p: Profile, rng: random.Random, scene: str) -> Nominal:
        draw = rng.random()
        if draw < p.someone:
            return Nominal(pronoun=True)
        if draw < p.someone + p.organisation_agent:
            return Nominal(entity=self.sem.organisations[scene].draw(rng))
        if draw < p.someone + p.organisation_agent + p.named_agent:
            return Nominal(entity=self.sem.persons[scene].draw(rng))
        return Nominal(noun=self.sem.roles[scene].draw(rng))

    def _verb(self, p: Profile, rng: random.Random, scene: str, agent: Nominal) -> int:
        sem, draw = self.sem, rng.random()
        if draw < p.evaluative_verb:
            return sem.evaluative_verbs.draw(rng)
        if draw < p.evaluative_verb + p.neutral_pair_verb:
            return sem.pair_verbs.draw(rng)
        if draw < p.evaluative_verb + p.neutral_pair_verb + p.social_verb:
            return sem.social_verbs.draw(rng)
        if agent.entity is not None and rng.random() < 0.4:
            return sem.actions_of[agent.entity.tokens].draw(rng)
        return sem.verbs[scene].draw(rng)

    def _person_object(self, rng: random.Random, scene: str, agent: Nominal) -> Nominal:
        for _ in range(10):
            if rng.random() < 0.7:
                obj = Nominal(entity=self.sem.persons[scene].draw(rng))
            else:
                obj = Nominal(noun=self.sem.roles[scene].draw(rng))
            if obj != agent:
                return obj
        return Nominal(noun=self.sem.roles[scene].items[0])

    def _adjectives(self, p: Profile, rng: random.Random, noun: int, scene: str) -> tuple[int, ...]:
        count = rng.choices((0, 1, 2), weights=p.adjectives)[0]
        chosen: list[int] = []
        for _ in range(count):
            if rng.random() < p.evaluative_adjective:
                adjective = (self.sem.positive if rng.random() < 0.5 else self.sem.negative).draw(rng)
            elif rng.random() < 0.7:
                adjective = self.sem.adjectives_of[noun].draw(rng)
            else:
                adjective = self.sem.adjectives[scene].draw(rng)
            if adjective not in chosen and not (chosen and self.concepts[chosen[0]].valence * self.concepts[adjective].valence < 0):
                chosen.append(adjective)
        return tuple(chosen)

    def _quantity(self, p: Profile, rng: random.Random) -> str | int:
        kind = rng.choices(("the", "a", "some", "number"), weights=p.quantity)[0]
        return rng.choice(NUMBERS) if kind == "number" else kind

    def _place(self, p: Profile, rng: random.Random, scene: str, verb: int) -> Place:
        sem = self.sem
        if rng.random() < p.named_place:
            return Place(sem.adpositions["in"], entity=sem.towns[scene].draw(rng))
        noun = sem.places_of[verb].draw(rng) if rng.random() < 0.7 else sem.places[scene].draw(rng)
        relation = self.concepts[noun].relation if rng.random() < 0.8 else rng.choice(("near", "behind", "outside"))
        return Place(sem.adpositions[relation], noun=noun)


def make_sampler(lexicon: Lexicon, anchors: Anchors, seed: int, structured: bool = True) -> Sampler:
    return Sampler(Semantics(lexicon, anchors, stream(seed, "semantics"), structured))


__all__ = ["Meaning", "Nominal", "Place", "Profile", "Sampler", "Semantics", "make_sampler"]
