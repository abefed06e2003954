"""What a measure's number means: a similarity (higher = closer) or a distance, and its range.

Every measure declares its direction (``similarity`` or ``distance``); ``oriented`` applies
it, once, where a similarity step's result is read for a study (the correlation step and
the report), so that every correlation, ranking, plot and label reads "higher = closer".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

DIRECTIONS = ("similarity", "distance")


@dataclass(frozen=True)
class Kind:
    """``direction`` is "similarity" or "distance"; ``low``/``high`` bound the values (None: unbounded)."""

    direction: str
    low: float | None
    high: float | None

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"a measure's direction is one of {DIRECTIONS}, not {self.direction!r}")

    def to_json(self) -> dict:
        return {"direction": self.direction, "range": [self.low, self.high]}


def similarity(low: float | None, high: float | None) -> Kind:
    return Kind("similarity", low, high)


def distance(low: float | None, high: float | None) -> Kind:
    return Kind("distance", low, high)


def oriented(result: Mapping) -> dict:
    """A similarity step's result as a study reads it: ``values`` higher = closer.

    A distance's values are negated (a divergence d becomes -d, so the closest task has the
    highest value and every correlation and ranking keeps its sign); the values as measured
    stay in ``measured``; ``orientation`` and ``label`` say what was done. Idempotent.
    Raises ValueError for a result that declares no direction.
    """
    if "orientation" in result:
        return dict(result)
    direction = result.get("direction")
    if direction not in DIRECTIONS:
        raise ValueError(f"similarity result of {result.get('measure', '?')} declares no direction (got {direction!r})")
    measured = result["values"]
    name = result.get("measure", "")
    if direction == "similarity":
        return {**result, "measured": measured, "orientation": "as measured", "label": f"{name} (similarity)"}
    values = {unit: {target: -v for target, v in row.items()} for unit, row in measured.items()}
    return {**result, "values": values, "measured": measured, "orientation": "negated distance",
            "label": f"-{name} (distance, negated: higher = closer)"}
