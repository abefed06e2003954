"""Seeded random streams and Zipfian choice: the only sources of randomness in the world.

Every stream is ``random.Random`` seeded with a string, which Python hashes with
SHA-512 (never the salted ``hash()``), so a stream is the same in every process.
"""

from __future__ import annotations

import random
from itertools import accumulate
from typing import Sequence, TypeVar

T = TypeVar("T")


def stream(seed: int, *names: object) -> random.Random:
    """An independent random stream for one purpose (e.g. ``stream(7, "lexicon", "qaa")``)."""
    return random.Random("/".join(["xitt-world", str(seed), *map(str, names)]))


def zipf_cumulative(n: int, exponent: float = 1.0, offset: float = 1.0) -> list[float]:
    """Cumulative Zipf weights 1/(rank+offset)^exponent for ranks 0..n-1."""
    return list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


class Zipf:
    """Items in a random rank order, drawn with Zipfian frequencies: a few are common."""

    __slots__ = ("items", "cum")

    def __init__(self, items: Sequence[T], rng: random.Random, exponent: float = 1.0, shuffle: bool = True) -> None:
        ordered = list(items)
        if shuffle:
            rng.shuffle(ordered)
        self.items = ordered
        self.cum = zipf_cumulative(len(ordered), exponent)

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cum)[0]

    def __len__(self) -> int:
        return len(self.items)

