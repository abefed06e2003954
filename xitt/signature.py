"""Declared parameters: what a world, model, training block or measure accepts.

Layer-neutral (imports nothing of xitt), so domain registries declare their parameters
here and the language checker validates a program against them before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One parameter: its default (which also fixes its type), and optional limits."""

    default: Any
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

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
