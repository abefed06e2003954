"""What a measure's number means: a similarity (higher = closer) or a distance, and its range.

The correlation step reads this to give every measure a consistent sign.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """``direction`` is "similarity" or "distance"; ``low``/``high`` bound the values (None: unbounded)."""

    direction: str
    low: float | None
    high: float | None

    def to_json(self) -> dict:
        return {"direction": self.direction, "range": [self.low, self.high]}


def similarity(low: float | None, high: float | None) -> Kind:
    return Kind("similarity", low, high)


def distance(low: float | None, high: float | None) -> Kind:
    return Kind("distance", low, high)
