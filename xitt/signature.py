"""Declared parameters: what a world, model, training block or measure accepts.

Layer-neutral (imports nothing of xitt). Each concept declares its parameters once, as a
frozen dataclass deriving from ``Params`` whose fields are made by ``param(...)``:

    @dataclass(frozen=True)
    class WorldConfig(Params):
        languages: int = param(4, minimum=2, maximum=8, help="English plus synthetic languages")

The language checker validates a program against ``WorldConfig.signature()``, the help
text of an error comes from it, and the op reads its params back with
``WorldConfig.from_params(step.params)``. One unknown-key policy everywhere: a key that is
not a declared parameter is an error (``UnknownParams``), never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping, TypeVar

_PARAM = "xitt.param"  # the key of a field's metadata that holds its Param
P = TypeVar("P", bound="Params")


@dataclass(frozen=True)
class Param:
    """One parameter: its default (which also fixes its type), and optional limits."""

    default: Any
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    keyed_at_default: bool = True  # False: left out of step params at its default (added after studies were cached)
    argument: str = ""  # for a setting written as a one-value call, e.g. `permutation(n: 1000)`: the keyword of its value

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable, or None when it is."""
        kind = type(self.default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is bool and not isinstance(value, bool) or kind is not bool and isinstance(value, bool):
            return f"expects {kind.__name__}, got {value!r}"
        if not isinstance(value, kind):
            return f"expects {_kind_name(kind)}, got {value!r}"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(map(str, self.choices))}, got {value!r}"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum}, got {value!r}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum}, got {value!r}"
        return None


def _kind_name(kind: type) -> str:
    return {int: "an integer", float: "a number", str: "a string or name", bool: "true or false"}.get(kind, kind.__name__)


Signature = dict[str, Param]


def with_defaults(signature: Signature, given: dict[str, Any]) -> dict[str, Any]:
    """The full parameter set: defaults filled in, ints widened to floats where declared.

    Filling defaults here keeps step keys stable when a user writes a default explicitly.
    """
    full = {name: p.default for name, p in signature.items()}
    for name, value in given.items():
        if name in signature and isinstance(signature[name].default, float) and isinstance(value, int):
            value = float(value)
        full[name] = value
    return full


class UnknownParams(ValueError):
    """Keys that are not declared parameters of a params class."""


def param(default: Any, *, choices: tuple[Any, ...] | None = None, minimum: float | None = None,
          maximum: float | None = None, help: str = "", keyed_at_default: bool = True, argument: str = "") -> Any:
    """A declared field of a ``Params`` dataclass: its default (which fixes its type), its
    limits and its help text, as a ``Param`` kept in the field's metadata.

    ``keyed_at_default=False`` is for a parameter added after studies were cached: at its
    default it stays out of ``to_params`` (so out of step keys), and adding it changed no key."""
    return field(default=default, metadata={_PARAM: Param(default, choices, minimum, maximum, help, keyed_at_default, argument)})


class Params:
    """Base of every params dataclass. Fields made by ``param(...)`` are the declared
    parameters (what a program writes); other fields are settings of a run that the
    caller passes itself (a seed, a length), never read from a step's params."""

    @classmethod
    def signature(cls) -> Signature:
        """Name -> ``Param`` of every declared field, in field order."""
        return {f.name: f.metadata[_PARAM] for f in fields(cls) if _PARAM in f.metadata}

    @classmethod
    def from_params(cls: type[P], params: Mapping[str, Any], **run: Any) -> P:
        """From a step's params: missing ones take their defaults, ints are widened to
        floats where declared; ``run`` sets the undeclared fields. Raises ``UnknownParams``
        for a key that is not declared, ``ValueError`` for a value out of its limits."""
        signature = cls.signature()
        unknown = sorted(set(params) - set(signature))
        if unknown:
            raise UnknownParams(f"unknown {cls.__name__} parameter(s): {', '.join(unknown)}; "
                                f"declared: {', '.join(signature)}")
        return cls(**with_defaults(signature, dict(params)), **run)

    def to_params(self) -> dict[str, Any]:
        """The declared parameters as JSON-able step params (undeclared fields left out, and
        those not keyed at their default when they are at it)."""
        return {name: getattr(self, name) for name, p in self.signature().items()
                if p.keyed_at_default or getattr(self, name) != p.default}

    # the protocol of an op's declared params type (xitt.engine.registry): read and write JSON
    @classmethod
    def from_json(cls: type[P], params: Mapping[str, Any]) -> P:
        return cls.from_params(params)

    def to_json(self) -> dict[str, Any]:
        return self.to_params()

    def __post_init__(self) -> None:
        for name, declared in self.signature().items():
            problem = declared.problem(getattr(self, name))
            if problem is not None:
                raise ValueError(f"{type(self).__name__} parameter {name} {problem}")

