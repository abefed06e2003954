"""The world's tasks, all drawn from the one meaning distribution, each with its own slant.

A task makes language-independent *items* (meanings, styles and a label) and renders
them in a language. Dev and test items are rendered in every language (parallel, like
XNLI and PAWS-X, which were translated), train items are drawn per language.
Profiles differ on purpose: sentiment reads like reviews (evaluative words, food,
music, shopping), NER like news (names, organisations, towns), so that tasks are more
or less similar to each other, which is what the study measures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Callable

from xitt.world.catalog import TASKS
from xitt.world.lexicon import Concept
from xitt.world.meanings import Meaning, Nominal, Place, Profile, Sampler
from xitt.world.realise import PLAIN, QUESTION_SLOTS, Realiser, Style, Word, slot_span

PROFILES: dict[str, Profile] = {
    "nli": Profile(adjectives=(0.2, 0.5, 0.3), place=0.6, time=0.5, negated=0.0, neutral_pair_verb=0.3,
                   evaluative_verb=0.1, quantity=(0.35, 0.15, 0.15, 0.35)),
    "paraphrase": Profile(scenes=(("travel", 3.0), ("office", 2.0), ("school", 2.0)), named_agent=0.7,
                          social_verb=0.35, evaluative_verb=0.15, time=0.5, negated=0.05),
    "sentiment": Profile(scenes=(("kitchen", 3.0), ("music", 3.0), ("market", 3.0), ("travel", 2.0)),
                         evaluative_verb=0.45, neutral_pair_verb=0.1, social_verb=0.05,
                         adjectives=(0.1, 0.5, 0.4), evaluative_adjective=0.6, named_agent=0.3, place=0.3,
                         negated=0.12),
    "pos": Profile(negated=0.15, time=0.45, quantity=(0.35, 0.25, 0.2, 0.2)),
    "ner": Profile(scenes=(("office", 3.0), ("sport", 3.0), ("travel", 3.0)), named_agent=0.65,
                   organisation_agent=0.25, someone=0.0, social_verb=0.3, place=0.8, named_place=0.75,
                   adjectives=(0.5, 0.4, 0.1)),
    "qa": Profile(scenes=(("school", 2.0), ("office", 2.0), ("travel", 2.0)), negated=0.0, place=0.6, time=0.5,
                  quantity=(0.35, 0.15, 0.1, 0.4), someone=0.0),
    "choice": Profile(scenes=(("farm", 2.0), ("sea", 2.0), ("forest", 2.0), ("workshop", 2.0)), evaluative_verb=0.0,
                      neutral_pair_verb=0.0, social_verb=0.0, someone=0.0, negated=0.0, place=0.6),
    "retrieval": Profile(),
}


@dataclass(frozen=True)
class Item:
    """One example before it is put into words: a meaning (or two), styles and a label."""

    a: Meaning
    style_a: Style = PLAIN
    b: Meaning | None = None
    style_b: Style = PLAIN
    label: int = -1
    context: tuple[Meaning, ...] = ()  # qa: the passage (``a`` is one of its sentences); choice: the choices
    slot: str = ""  # qa: what the question asks for


def render(task: str, item: Item, realiser: Realiser) -> dict:
    """The example in the schema of the task's format (see ``xitt.tasks.formats``)."""
    info = TASKS[task]
    if task == "qa":
        return _render_qa(item, realiser)
    if task == "choice":
        return {"premise": realiser.sentence(item.a, item.style_a), "question": "",
                "choices": [realiser.sentence(m) for m in item.context], "label": item.label}
    if task == "retrieval":
        return {"text": realiser.sentence(item.a, item.style_a)}
    if task in ("pos", "ner"):
        words = realiser.words(item.a, item.style_a)
        labels = info.labels
        return {"tokens": [w.text for w in words],
                "tags": [labels.index(w.pos if task == "pos" else w.ner) for w in words]}
    if item.b is None:
        return {"text": realiser.sentence(item.a, item.style_a), "label": item.label}
    return {"text_a": realiser.sentence(item.a, item.style_a),
            "text_b": realiser.sentence(item.b, item.style_b), "label": item.label}


def make_items(task: str, size: int, sampler: Sampler, rng: random.Random) -> list[Item]:
    """``size`` items with labels balanced (counts differ by at most one)."""
    maker = _MAKERS[task]
    classes = _BALANCED_OVER.get(task, TASKS[task].num_labels or 1)
    labels = [i % classes for i in range(size)]
    rng.shuffle(labels)
    return [maker(_Context(sampler, PROFILES[task], rng), label) for label in labels]


@dataclass
class _Context:
    sampler: Sampler
    profile: Profile
    rng: random.Random

    @property
    def concepts(self) -> list[Concept]:
        return self.sampler.concepts

    def meaning(self, **changes) -> Meaning:
        return self.sampler.meaning(replace(self.profile, **changes) if changes else self.profile, self.rng)

    def style(self, meaning: Meaning) -> Style:
        rng = self.rng
        return Style(time_front=meaning.time >= 0 and rng.random() < 0.3,
                     adjectives_reversed=rng.random() < 0.5,
                     synonyms=frozenset(c for c in _synonymous(meaning, self.concepts) if rng.random() < 0.3))

    def restyle(self, meaning: Meaning, style: Style) -> Style | None:
        """A different wording of the same meaning, or None when the meaning allows none."""
        options = []
        if meaning.time >= 0:
            options.append(replace(style, time_front=not style.time_front))
        if len(meaning.obj.adjectives) == 2:
            options.append(replace(style, adjectives_reversed=not style.adjectives_reversed))
        for concept in _synonymous(meaning, self.concepts):
            options.append(replace(style, synonyms=style.synonyms ^ {concept}))
        return self.rng.choice(options) if options else None


def _synonymous(meaning: Meaning, concepts: list[Concept]) -> list[int]:
    used = [meaning.verb, *meaning.obj.adjectives, meaning.time, meaning.obj.noun, meaning.agent.noun]
    if meaning.place is not None:
        used.append(meaning.place.noun)
    return sorted({c for c in used if c >= 0 and concepts[c].synonym})


# -- single sentences --------------------------------------------------------------

def _tagging(ctx: _Context, label: int) -> Item:
    meaning = ctx.meaning()
    return Item(meaning, ctx.style(meaning))


def _sentiment(ctx: _Context, label: int) -> Item:
    want = 1 if label == 1 else -1
    for _ in range(100):
        meaning = ctx.meaning()
        if meaning.valence(ctx.concepts) * want > 0:
            return Item(meaning, ctx.style(meaning), label=label)
    raise RuntimeError("sentiment profile cannot reach the wanted valence")


# -- NLI ---------------------------------------------------------------------------

def _entail(ctx: _Context, m: Meaning) -> Meaning | None:
    """Something the premise entails: drop a modifier or generalise."""
    rng, options = ctx.rng, []
    if m.obj.adjectives:
        drop = rng.randrange(len(m.obj.adjectives))
        options.append(replace(m, obj=replace(m.obj, adjectives=m.obj.adjectives[:drop] + m.obj.adjectives[drop + 1:])))
    if m.place is not None:
        options.append(replace(m, place=None))
    if m.time >= 0:
        options.append(replace(m, time=-1))
    if not m.agent.pronoun:
        options.append(replace(m, agent=Nominal(pronoun=True)))
    if isinstance(m.obj.quantity, int):
        options.append(replace(m, obj=replace(m.obj, quantity="some")))
    return rng.choice(options) if options else None


def _contradict(ctx: _Context, m: Meaning) -> Meaning:
    rng, options = ctx.rng, [replace(m, negated=True)]
    antonym = ctx.concepts[m.verb].antonym
    if antonym >= 0:
        options += [replace(m, verb=antonym)] * 2
    if isinstance(m.obj.quantity, int):
        other = rng.choice([n for n in range(2, 21) if n != m.obj.quantity])
        options += [replace(m, obj=replace(m.obj, quantity=other))] * 2
    return rng.choice(options)


def _neutral(ctx: _Context, m: Meaning, premise: Meaning) -> Meaning | None:
    """Something the premise neither entails nor contradicts: add information it lacks."""
    rng = ctx.rng
    rich = replace(ctx.profile, place=1.0, time=1.0, adjectives=(0.0, 1.0, 0.0))
    other = ctx.sampler.meaning(rich, rng, m.scene)
    options = []
    if m.place is None and other.place != premise.place:
        options.append(replace(m, place=other.place))
    if m.time < 0 and other.time != premise.time:
        options.append(replace(m, time=other.time))
    if m.obj.noun >= 0 and len(m.obj.adjectives) < 2 and other.obj.adjectives:
        extra = other.obj.adjectives[0]
        if extra not in premise.obj.adjectives and ctx.concepts[extra].valence == 0:
            options.append(replace(m, obj=replace(m.obj, adjectives=m.obj.adjectives + (extra,))))
    if other.agent not in (premise.agent, premise.obj) and not other.agent.pronoun:
        options.append(replace(m, agent=other.agent))
    return rng.choice(options) if options else None


def _nli(ctx: _Context, label: int) -> Item:
    rng = ctx.rng
    while True:
        premise = ctx.meaning()
        style = ctx.style(premise)
        hypothesis = _entail(ctx, premise)
        if hypothesis is None:
            continue
        if label == 0:
            reworded = ctx.restyle(premise, style) if rng.random() < 0.25 else None
            if reworded is not None:  # a paraphrase is entailed too (same length, other wording)
                return Item(premise, style, premise, reworded, 0)
            if rng.random() < 0.3:  # a second step keeps entailment from being one edit away
                hypothesis = _entail(ctx, hypothesis) or hypothesis
        else:  # from the premise or from what it entails, so that length is a weak cue
            base = hypothesis if rng.random() < 0.4 and not hypothesis.agent.pronoun else premise
            hypothesis = _contradict(ctx, base) if label == 2 else _neutral(ctx, base, premise)
        if hypothesis is not None and hypothesis != premise:
            return Item(premise, style, hypothesis, ctx.style(hypothesis), label)


# -- paraphrase --------------------------------------------------------------------

def _near_miss(ctx: _Context, m: Meaning) -> Meaning:
    """A meaning one content word away (different object, agent, action, number or place)."""
    sem, rng = ctx.sampler.sem, ctx.rng
    options = []
    if m.obj.noun >= 0 and m.obj.entity is None:
        noun = sem.nouns[m.scene].draw(rng) if ctx.concepts[m.obj.noun].cls == "noun" else sem.roles[m.scene].draw(rng)
        if noun != m.obj.noun:
            options.append(replace(m, obj=replace(m.obj, noun=noun)))
    if m.agent.entity is not None:
        person = sem.persons[m.scene].draw(rng)
        if person != m.agent.entity and Nominal(entity=person) != m.obj:
            options.append(replace(m, agent=Nominal(entity=person)))
    verb = sem.verbs[m.scene].draw(rng) if ctx.concepts[m.verb].takes == "thing" else sem.social_verbs.draw(rng)
    if verb != m.verb and ctx.concepts[verb].takes == ctx.concepts[m.verb].takes:
        options.append(replace(m, verb=verb))
    if isinstance(m.obj.quantity, int):
        options.append(replace(m, obj=replace(m.obj, quantity=rng.choice([n for n in range(2, 21) if n != m.obj.quantity]))))
    if m.place is not None and m.place.entity is not None:
        town = sem.towns[m.scene].draw(rng)
        if town != m.place.entity:
            options.append(replace(m, place=Place(m.place.adposition, entity=town)))
    if not options:
        return replace(m, negated=not m.negated)
    return rng.choice(options)


def _swappable(m: Meaning) -> bool:
    people = (m.agent.entity is not None and m.agent.entity.kind == "PER") or (m.agent.noun >= 0)
    return people and (m.obj.entity is not None or (m.obj.noun >= 0 and not m.obj.adjectives and m.obj.quantity == "the"))


def _paraphrase(ctx: _Context, label: int) -> Item:
    rng = ctx.rng
    meaning = ctx.meaning()
    style = ctx.style(meaning)
    if label == 1:
        other = ctx.restyle(meaning, style)
        while other is None:
            meaning = replace(meaning, time=ctx.sampler.sem.times.draw(rng))
            other = ctx.restyle(meaning, style)
        return Item(meaning, style, meaning, other, 1)
    if rng.random() < 0.5:  # PAWS-style: the same words, agent and object swapped
        for _ in range(30):
            if _swappable(meaning) and ctx.concepts[meaning.verb].takes != "thing":
                break
            meaning = ctx.meaning(social_verb=0.8)
            style = ctx.style(meaning)
        else:
            meaning = None
        if meaning is not None and meaning.agent != meaning.obj:
            swapped = replace(meaning, agent=replace(meaning.obj, quantity="the"), obj=meaning.agent)
            other_style = ctx.restyle(swapped, style) if rng.random() < 0.5 else style
            return Item(meaning, style, swapped, other_style or style, 0)
        meaning = ctx.meaning()
        style = ctx.style(meaning)
    changed = _near_miss(ctx, meaning)
    other_style = (ctx.restyle(changed, style) if rng.random() < 0.8 else None) or style
    return Item(meaning, style, changed, other_style, 0)


# -- extractive QA -----------------------------------------------------------------

_FORCE_SLOT = {"agent": {}, "object": {}, "place": {"place": 1.0}, "time": {"time": 1.0},
               "quantity": {"quantity": (0.0, 0.0, 0.0, 1.0)}}


def _mentions(m: Meaning) -> set[tuple]:
    """What a sentence names, so that a passage never names a question's answer twice."""
    found: set[tuple] = {("v", m.verb)}
    for nominal in (m.agent, m.obj):
        found.add(("e", nominal.entity.tokens) if nominal.entity is not None else ("n", nominal.noun))
    if m.place is not None:
        found.add(("e", m.place.entity.tokens) if m.place.entity is not None else ("n", m.place.noun))
    if m.time >= 0:
        found.add(("t", m.time))
    if isinstance(m.obj.quantity, int):
        found.add(("q", m.obj.quantity))
    return found


def _answer_key(m: Meaning, slot: str) -> tuple:
    if slot in ("agent", "object"):
        nominal = m.agent if slot == "agent" else m.obj
        return ("e", nominal.entity.tokens) if nominal.entity is not None else ("n", nominal.noun)
    if slot == "place":
        return ("e", m.place.entity.tokens) if m.place.entity is not None else ("n", m.place.noun)
    return ("t", m.time) if slot == "time" else ("q", m.obj.quantity)


def _qa(ctx: _Context, label: int) -> Item:
    """A passage of 2 to 4 sentences of one scene and a question on one slot of one of them.

    The label only balances question types; the answer is a span of the passage. The
    answer and the asked sentence's verb occur once in the passage, so the question has
    one right span."""
    slot, rng = QUESTION_SLOTS[label], ctx.rng
    while True:
        focus = ctx.meaning(**_FORCE_SLOT[slot])
        if slot == "agent" and focus.agent.pronoun or slot == "quantity" and not isinstance(focus.obj.quantity, int):
            continue
        others, taken, wanted = [], _mentions(focus), rng.randint(1, 3)
        for _ in range(40):
            if len(others) == wanted:
                break
            other = ctx.sampler.meaning(ctx.profile, rng, focus.scene)
            named = _mentions(other)
            if _answer_key(focus, slot) not in named and ("v", focus.verb) not in named:
                others.append(other)
                taken |= named
        if others:
            position = rng.randint(0, len(others))
            passage = tuple(others[:position] + [focus] + others[position:])
            return Item(focus, label=position, context=passage, slot=slot)


def _render_qa(item: Item, realiser: Realiser) -> dict:
    sentences: list[list[Word]] = [realiser.words(m) for m in item.context]
    position = item.label
    offset = sum(len(_text(words)) + 1 for words in sentences[:position])
    words = sentences[position]
    start, end = slot_span(words, item.slot)
    offset += len(_text(words[:start])) + (1 if start else 0)
    answer = _text(words[start:end])
    return {"question": _text(realiser.question(item.a, item.slot)), "context": " ".join(map(_text, sentences)),
            "answers": {"text": [answer], "answer_start": [offset]}}


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


# -- multiple choice (COPA-like plausible continuation) --------------------------------

def _choice(ctx: _Context, label: int) -> Item:
    """A premise, its continuation (same agent, same scene, another action) and a distractor
    (same agent, another scene): choosing needs to know what goes with what."""
    premise = ctx.meaning()
    while True:
        follow = ctx.sampler.meaning(ctx.profile, ctx.rng, premise.scene)
        if follow.verb != premise.verb:
            break
    other_scene = ctx.rng.choice([s for s in ctx.sampler.sem.scene_names if s != premise.scene])
    distractor = ctx.sampler.meaning(ctx.profile, ctx.rng, other_scene)
    follow, distractor = replace(follow, agent=premise.agent), replace(distractor, agent=premise.agent)
    choices = (follow, distractor) if label == 0 else (distractor, follow)
    return Item(premise, ctx.style(premise), label=label, context=choices)


def _single(ctx: _Context, label: int) -> Item:
    meaning = ctx.meaning()
    return Item(meaning, ctx.style(meaning))


_MAKERS: dict[str, Callable[[_Context, int], Item]] = {
    "nli": _nli, "paraphrase": _paraphrase, "sentiment": _sentiment, "pos": _tagging, "ner": _tagging,
    "qa": _qa, "choice": _choice, "retrieval": _single,
}
# Tasks whose ``label`` stands for something other than a class: what items balance over.
_BALANCED_OVER = {"qa": len(QUESTION_SLOTS), "choice": 2, "retrieval": 1, "pos": 1, "ner": 1}
