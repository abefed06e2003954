"""Meaning -> words, per language: word order, adjective order, articles, adpositions, morphology.

This is the only place languages differ in grammar. Every word comes out with its POS
tag and BIO entity tag, so tagging tasks read their gold labels straight from here, and
with its concept and inflection, so corpus code-switching can re-word it in another
language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from xitt.world.anchors import Entity
from xitt.world.languages import Language
from xitt.world.lexicon import Lexicon
from xitt.world.meanings import Meaning, Nominal, Place


class Word(NamedTuple):
    text: str
    pos: str
    ner: str = "O"
    concept: int = -1  # -1 for anchors, numbers and punctuation
    feature: str = ""  # inflection passed to ``Lexicon.word``
    synonym: bool = False
    slot: str = ""  # the meaning's part this word realises: agent, verb, object, place, time ("" for glue)


# Question types of the QA task: which slot of a meaning a question asks for.
QUESTION_SLOTS = ("agent", "object", "place", "time", "quantity")


@dataclass(frozen=True)
class Style:
    """Meaning-preserving choices: where the time adverb goes, adjective order, synonyms."""

    time_front: bool = False
    adjectives_reversed: bool = False
    synonyms: frozenset[int] = frozenset()  # concepts worded with their synonym


PLAIN = Style()


class Realiser:
    """Words for meanings in one language."""

    def __init__(self, lexicon: Lexicon, language: Language, spell_anchor: Callable[[str], str] | None = None) -> None:
        self.lex = lexicon
        self.lang = language
        self.spell = spell_anchor or (lambda token: token)  # names and numbers are shared unless told otherwise
        self.code = language.code
        self.concepts = lexicon.concepts
        find = {(c.cls, c.english): c.id for c in lexicon.concepts}
        self.the, self.a, self.some = find[("det", "the")], find[("det", "a")], find[("det", "some")]
        self.someone, self.not_, self.did = find[("pron", "someone")], find[("part", "not")], find[("aux", "did")]
        self.wh = {name: find[("wh", name)] for name in ("who", "what", "where", "when", "how many")}

    def words(self, meaning: Meaning, style: Style = PLAIN) -> list[Word]:
        agent = _as(self._nominal(meaning.agent, "", style), "agent")
        obj = _as(self._nominal(meaning.obj, "acc", style), "object")
        place = self._place(meaning.place, style) if meaning.place else []
        verb = _as(self._verb(meaning, style), "verb")
        time = _as([self._word(meaning.time, "", style)], "time") if meaning.time >= 0 else []
        return self._arrange(agent, verb, obj, place, time, style) + [Word(".", "PUNCT")]

    def question(self, meaning: Meaning, slot: str) -> list[Word]:
        """A question asking for ``slot`` of a (non-negated) meaning.

        English fronts the question word (with "did" unless the subject is asked for);
        the synthetic languages keep it in place, as wh-in-situ languages (Chinese,
        Japanese, Turkish) do. The answer is the slot's words in the declarative."""
        style = PLAIN
        wh = self._wh_word(meaning, slot)
        agent = [wh] if slot == "agent" else self._nominal(meaning.agent, "", style)
        obj = self._nominal(meaning.obj, "acc", style)
        if slot == "object":
            obj = [wh]
        elif slot == "quantity":
            obj = [wh if w.pos == "NUM" else w for w in obj]
        place = [] if slot == "place" or meaning.place is None else self._place(meaning.place, style)
        time = [] if slot == "time" or meaning.time < 0 else [self._word(meaning.time, "", style)]
        if self.code != "en":
            if slot == "place":
                place = [wh]
            elif slot == "time":
                time = [wh]
            verb = [self._word(meaning.verb, "past", style)]
            return self._arrange(agent, verb, obj, place, time, style) + [Word("?", "PUNCT")]
        if slot == "agent":
            core = agent + [self._word(meaning.verb, "past", style)] + obj + place + time
        else:
            did, verb = self._word(self.did, "", style), self._word(meaning.verb, "", style)
            front = [wh] if slot != "quantity" else obj
            rest = [] if slot in ("object", "quantity") else obj
            core = front + [did] + agent + [verb] + rest + place + time
        return core + [Word("?", "PUNCT")]

    def _wh_word(self, meaning: Meaning, slot: str) -> Word:
        if slot in ("agent", "object"):
            nominal = meaning.agent if slot == "agent" else meaning.obj
            person = nominal.entity is not None or self.concepts[nominal.noun].cls == "role"
            return self._word(self.wh["who" if person else "what"], "acc" if slot == "object" else "", PLAIN)
        return self._word(self.wh[{"place": "where", "time": "when", "quantity": "how many"}[slot]], "", PLAIN)

    def _arrange(self, agent: list[Word], verb: list[Word], obj: list[Word], place: list[Word],
                 time: list[Word], style: Style) -> list[Word]:
        """The language's constituent order; SOV languages put the time adverb after the subject."""
        order = self.lang.word_order
        if order == "SVO":
            core = agent + verb + obj + place
        elif order == "SOV":
            core = agent + obj + place + verb
        else:
            core = verb + agent + obj + place
        if style.time_front:
            words = time + core
        elif order == "SOV":
            words = agent + time + core[len(agent):]
        else:
            words = core + time
        return words

    def tokens(self, meaning: Meaning, style: Style = PLAIN) -> list[str]:
        return [w.text for w in self.words(meaning, style)]

    def sentence(self, meaning: Meaning, style: Style = PLAIN) -> str:
        return " ".join(self.tokens(meaning, style))

    # -- parts ---------------------------------------------------------------------

    def _word(self, concept: int, feature: str, style: Style) -> Word:
        synonym = concept in style.synonyms
        return Word(self.lex.word(self.code, concept, feature, synonym), self.concepts[concept].pos,
                    concept=concept, feature=feature, synonym=synonym)

    def _verb(self, meaning: Meaning, style: Style) -> list[Word]:
        if not meaning.negated:
            return [self._word(meaning.verb, "past", style)]
        if self.code == "en":
            return [self._word(self.did, "", style), self._word(self.not_, "", style), self._word(meaning.verb, "", style)]
        return [self._word(self.not_, "", style), self._word(meaning.verb, "", style)]

    def _entity(self, entity: Entity) -> list[Word]:
        return [Word(self.spell(token), "PROPN", ("B-" if i == 0 else "I-") + entity.kind) for i, token in enumerate(entity.tokens)]

    def _nominal(self, nominal: Nominal, case: str, style: Style) -> list[Word]:
        if nominal.entity is not None:
            return self._entity(nominal.entity)
        if nominal.pronoun:
            return [self._word(self.someone, "", style)]
        feature = case + ("-pl" if case and nominal.plural else "pl" if nominal.plural else "")
        noun = self._word(nominal.noun, feature, style)
        adjectives = [self._word(a, "", style) for a in nominal.adjectives]
        if style.adjectives_reversed:
            adjectives.reverse()
        if self.lang.adjective_order == "before":
            phrase = adjectives + [noun]
        else:
            phrase = [noun] + adjectives
        quantity = nominal.quantity
        if isinstance(quantity, int):
            return [Word(self.spell(str(quantity)), "NUM")] + phrase
        if quantity == "some":
            return [self._word(self.some, "", style)] + phrase
        if self.lang.article == "none":
            return phrase
        article = self._word(self.the if quantity == "the" else self.a, "", style)
        if self.code == "en" and article.text == "a" and phrase[0].text[0] in "aeiou":
            article = article._replace(text="an")
        return [article] + phrase if self.lang.article == "before" else phrase + [article]

    def _place(self, place: Place, style: Style) -> list[Word]:
        adposition = self._word(place.adposition, "", style)
        if place.entity is not None:
            phrase = self._entity(place.entity)
        else:
            phrase = self._nominal(Nominal(noun=place.noun), "loc", style)
        phrase = _as(phrase, "place")
        return [adposition] + phrase if self.lang.adposition == "before" else phrase + [adposition]


def _as(words: list[Word], slot: str) -> list[Word]:
    """The same words, marked as realising ``slot`` of the meaning."""
    return [w._replace(slot=slot) for w in words]


def slot_span(words: list[Word], slot: str) -> tuple[int, int]:
    """Word indices [start, end) of a slot's answer (for a quantity: the number alone)."""
    if slot == "quantity":
        indices = [i for i, w in enumerate(words) if w.slot == "object" and w.pos == "NUM"]
    else:
        indices = [i for i, w in enumerate(words) if w.slot == slot]
    if not indices:
        raise ValueError(f"the sentence has no {slot}")
    return indices[0], indices[-1] + 1
