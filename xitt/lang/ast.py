"""The syntax tree of a .xitt file: what was written, where, before any name is resolved.

Frozen dataclasses built straight from Lark's tree by ``parser.py``, so the checker never
sees Lark. Every node keeps a ``Location`` because every checker error points at one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from xitt.errors import Location


@dataclass(frozen=True)
class Name:
    """An identifier as written: a task, a measure, a parameter, a language code."""

    text: str
    location: Location


# --- values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class String:
    value: str  # escapes already decoded
    location: Location


@dataclass(frozen=True)
class Number:
    value: int | float  # int unless written with a point or an exponent
    location: Location


@dataclass(frozen=True)
class Boolean:
    value: bool
    location: Location


@dataclass(frozen=True)
class Reference:
    """``mean``, ``gain``, ``similarity.text``, ``similarity.*``: one or more dotted parts.

    A one-part reference in a parameter is a bare word (``pool: mean``); the checker
    decides which by where it appears.
    """

    parts: tuple[Name, ...]  # a part's text is "*" for a wildcard
    location: Location

    @property
    def text(self) -> str:
        return ".".join(p.text for p in self.parts)


@dataclass(frozen=True)
class ListValue:
    items: tuple["Value", ...]
    location: Location


Value = Union[String, Number, Boolean, Reference, ListValue]


@dataclass(frozen=True)
class Argument:
    """``name: value`` (keyword) or ``value`` (positional, ``name`` is None)."""

    name: Name | None
    value: Value
    location: Location


@dataclass(frozen=True)
class Call:
    """``NAME`` or ``NAME(args)``: a world, model kind, measure, setting or report item."""

    name: Name
    arguments: tuple[Argument, ...]
    location: Location


# --- task sets --------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageSelection:
    """``en``, ``{en, qaa}`` or ``*`` (every language of the world: ``codes`` is empty)."""

    codes: tuple[Name, ...]
    every: bool
    location: Location


# --- statements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Experiment:
    name: Name
    location: Location


@dataclass(frozen=True)
class World:
    """``world toy(languages: 4)``: ``call.name`` is the kind and the name tasks use."""

    call: Call
    location: Location


@dataclass(frozen=True)
class Model:
    name: Name
    call: Call  # toy_mlm(...) or hf("...")
    location: Location


@dataclass(frozen=True)
class Tasks:
    """``tasks NAME = SOURCE.{a, b} @ SEL`` or ``... train @ SEL eval @ SEL`` (a target set)."""

    name: Name
    source: Name
    tasks: tuple[Name, ...]
    train: LanguageSelection
    eval: LanguageSelection | None  # None: an intermediate set
    location: Location


@dataclass(frozen=True)
class Train:
    """``train intermediate(lr: 5e-4)``: ``call.name`` is the phase."""

    call: Call
    location: Location


@dataclass(frozen=True)
class Seeds:
    values: tuple[Number, ...]
    location: Location


@dataclass(frozen=True)
class Similarity:
    name: Name
    call: Call  # the measure and its parameters
    location: Location


@dataclass(frozen=True)
class Correlate:
    """``correlate spearman, kendall(similarity.*, gain) per target with permutation(1000)``."""

    methods: tuple[Name, ...]
    arguments: tuple[Argument, ...]
    per: Name | None
    settings: tuple[Call, ...]
    location: Location


@dataclass(frozen=True)
class Compare:
    left: Name
    right: Name
    location: Location


@dataclass(frozen=True)
class Report:
    items: tuple[Call, ...]
    path: String
    location: Location


Statement = Union[Experiment, World, Model, Tasks, Train, Seeds, Similarity, Correlate, Compare, Report]


@dataclass(frozen=True)
class Module:
    """One parsed file. ``text`` is kept so that errors found later can show source lines."""

    filename: str
    text: str
    statements: tuple[Statement, ...]
