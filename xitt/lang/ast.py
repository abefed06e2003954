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


@dataclass(frozen=True)
class Range:
    """``1..3``: the whole numbers from ``start`` to ``end``, both included."""

    start: Number
    end: Number
    location: Location


@dataclass(frozen=True)
class Variable:
    """``$rates``: a use of a ``let`` definition, replaced by its value before checking."""

    name: str  # without the "$"
    location: Location


Value = Union[String, Number, Boolean, Reference, ListValue, Range, Variable]


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


@dataclass(frozen=True)
class TaskItem:
    """``nli`` or ``nli @ en`` inside ``toy.{...}``."""

    name: Name
    languages: LanguageSelection | None


@dataclass(frozen=True)
class TaskGroup:
    """``toy.{nli, pos @ en}`` or ``toy.nli``: tasks of one source."""

    source: Name
    items: tuple[TaskItem, ...]
    location: Location


@dataclass(frozen=True)
class TaskSetRef:
    """``english``: a task set defined earlier."""

    name: Name
    location: Location


@dataclass(frozen=True)
class TaskParen:
    """``(expr @ langs)``: a group whose tasks without languages get ``languages``."""

    expr: "TaskExpr"
    languages: LanguageSelection | None
    location: Location


@dataclass(frozen=True)
class TaskMix:
    """``mix(expr @ langs, sampling: temperature, temperature: 2)``: one multi-task unit."""

    expr: "TaskExpr"
    languages: LanguageSelection | None
    arguments: tuple[Argument, ...]
    location: Location


@dataclass(frozen=True)
class SetOp:
    """``left | right``, ``left + right`` (union) or ``left - right`` (difference)."""

    op: str
    left: "TaskExpr"
    right: "TaskExpr"
    location: Location


TaskExpr = Union[TaskGroup, TaskSetRef, TaskParen, TaskMix, SetOp]


# --- statements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """``import "common.xitt"``: the statements of another file of the experiment's tree."""

    path: String
    location: Location


@dataclass(frozen=True)
class Let:
    """``let rates = [1e-4, 5e-4]``: a named value, used as ``$rates``."""

    name: Name
    value: Value
    location: Location


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
    """``tasks NAME = EXPR @ SEL`` (intermediate) or ``EXPR train @ SEL eval @ SEL`` (target).

    ``train`` is None when the expression carries all languages itself (``a | b``).
    """

    name: Name
    expr: TaskExpr
    train: LanguageSelection | None
    eval: LanguageSelection | None  # None: an intermediate set
    location: Location


@dataclass(frozen=True)
class Train:
    """``train intermediate(lr: 5e-4)``: ``call.name`` is the phase."""

    call: Call
    location: Location


@dataclass(frozen=True)
class Seeds:
    values: tuple[Value, ...]  # numbers, ranges, variables
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


@dataclass(frozen=True)
class Data:
    """``data xnli = local("data/xnli/{split}.tsv")``: where a registered real task's files are.

    The one construct that may name files outside the experiment's folder: it is declared,
    so a reader of the program sees every file the study reads.
    """

    task: Name
    call: Call  # local(path, train: .., dev: .., test: ..)
    location: Location


Statement = Union[Experiment, Import, Let, World, Model, Tasks, Train, Seeds, Similarity, Correlate, Compare, Report, Data]


@dataclass(frozen=True)
class Module:
    """One parsed file. ``text`` is kept so that errors found later can show source lines."""

    filename: str
    text: str
    statements: tuple[Statement, ...]
    sources: tuple[tuple[str, str], ...] = ()  # (filename, text) of imported files, for errors


def shape(node: object) -> object:
    """``node`` without locations or source text: what a program says, not where.

    Two parses are the same program when their shapes are equal (``fmt`` keeps the shape).
    """
    if isinstance(node, Module):
        return ("module", shape(node.statements))
    if isinstance(node, tuple):
        return tuple(shape(item) for item in node)
    if isinstance(node, Location):
        return None
    if hasattr(node, "__dataclass_fields__"):
        fields = node.__dataclass_fields__  # type: ignore[attr-defined]
        return (type(node).__name__, *(shape(getattr(node, f)) for f in fields if f != "location"))
    return node
