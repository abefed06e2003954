"""Honest power: the smallest p a test can reach, and intervals that say nothing.

A permutation test over n exchangeable units cannot give a p below (ties with the most
extreme ordering) / n!, and a Monte Carlo one not below 1 / (resamples + 1); Holm's
adjustment over m tests multiplies the smallest by m. When that floor is above the
study's alpha no result could be called significant, and a reader must be told so before
the run (``xitt plan``) and beside the table (the report). Pure functions, no numpy.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence


def smallest_exact(method: str, units: int) -> float:
    """The smallest two-sided p of an exact permutation test of ``units`` distinct values:
    the identity and, for rank coefficients, the reversal reach |r| = 1, so 2 / n!
    (Spearman, Kendall); 1 / n! for Pearson and weighted tau, where the reversal need not reach it."""
    count = math.factorial(units)
    return min(1.0, (2 if method in ("spearman", "kendall") else 1) / count)


def smallest_p(method: str, block_sizes: Sequence[int], resamples: int) -> float | None:
    """The smallest p a permutation test can give: exact when the orderings of the blocks'
    units (one block: all units) fit in ``resamples``, Monte Carlo otherwise; None for the
    asymptotic test (``resamples`` 0), whose p is not limited by the design."""
    if resamples <= 0:
        return None
    if all(size < 2 for size in block_sizes):
        return 1.0  # nothing can move
    orderings = math.prod(math.factorial(size) for size in block_sizes)
    if orderings <= resamples:
        if len(block_sizes) == 1:
            return smallest_exact(method, block_sizes[0])
        return 1 / orderings  # a floor: at least the identity reaches the most extreme value
    return 1 / (resamples + 1)


def smallest_adjusted(smallest: float | None, tests: int, method: str) -> float | None:
    """The smallest adjusted p of ``tests`` tests whose raw p is at least ``smallest``:
    Holm multiplies the smallest p by the number of tests; Benjamini-Hochberg reaches the
    raw floor when every test reaches it."""
    if smallest is None:
        return None
    return min(1.0, smallest * tests) if method == "holm" else smallest


def power_note(smallest: float | None, alpha: float, units: int, what: str = "p") -> str:
    """A warning when no p at or below ``alpha`` can be reached, else ""."""
    if smallest is None or smallest <= alpha:
        return ""
    return (f"the smallest reachable {what} is {smallest:.3g} > alpha {alpha:g} with {units} units: "
            f"nothing here can be significant; more intermediate tasks would help")


def interval_flag(low: float | None, high: float | None, span: float = 2.0) -> str:
    """"collapsed" when every resample gave one value (a point is no interval); "spans most of
    the range" when it covers 90% or more of ``span`` (2 for a correlation in [-1, 1], 4 for
    a difference of two); "reaches the edge" when a bound is the range's own (+-1, +-2)."""
    if low is None or high is None:
        return ""
    width = high - low
    if width <= 1e-12 * max(1.0, abs(low)):
        return "degenerate: collapsed to a point (every resample gave the same value)"
    if width >= 0.9 * span:
        return "degenerate: spans most of the possible range (too few units to say anything)"
    if max(abs(low), abs(high)) >= span / 2 - 1e-9:
        return ("degenerate: reaches the edge of the possible range (resamples that repeat a few points give |r| = 1; "
                "too few units for a reliable interval)")
    return ""


def _block_sizes(per: str, blocked: str, units: int, zero_shot: Mapping[str, Sequence[str]]) -> dict[str, list[int]]:
    """Group -> sizes of the shuffle blocks, from the number of units per set and each
    target's zero-shot languages; every block holds one row per unit (the seeds of a unit
    move with it)."""
    if per == "target":
        return {target: [units] for target in zero_shot}
    if per == "language":
        languages = sorted({lang for langs in zero_shot.values() for lang in langs})
        groups = {lang: [units for langs in zero_shot.values() if lang in langs] for lang in languages}
        return {lang: sizes if blocked != "none" else [sum(sizes)] for lang, sizes in groups.items()}
    blocks = [units for langs in zero_shot.values() for _ in langs]
    if blocked == "target":
        blocks = [units * len(langs) for langs in zero_shot.values()]
    return {"pooled": blocks if blocked != "none" else [sum(blocks)]}


def planned(per: str, methods: Sequence[str], measures: int, settings: dict, scopes: Mapping[str, int],
            zero_shot: Mapping[str, Sequence[str]]) -> list[dict]:
    """Before anything runs: for each scope (set) and group of one correlate statement, the
    smallest p its permutation test can reach, that floor after the statement's adjustment
    over all its tests, and a warning when either is above alpha. ``scopes`` maps a set
    to its number of intermediate units; ``zero_shot`` each target to its zero-shot languages."""
    from xitt.stats import CorrelateSettings

    written = CorrelateSettings.from_params(settings)
    resamples, alpha, method, blocked = written.permutation, written.alpha, written.adjust, written.blocked
    blocked = {"pooled": "target_language", "language": "target"}.get(per, "none") if blocked == "auto" else blocked
    rows = []
    for scope, units in scopes.items():
        for group, sizes in _block_sizes(per, blocked, units, zero_shot).items():
            for name in methods:
                rows.append({"scope": scope, "group": group, "method": name, "units": units, "p_smallest": smallest_p(name, sizes, resamples)})
    tests = len(rows) * measures
    for row in rows:
        row["p_smallest_adjusted"] = smallest_adjusted(row["p_smallest"], tests, method)
        row["power_note"] = (power_note(row["p_smallest"], alpha, row["units"])
                             or power_note(row["p_smallest_adjusted"], alpha, row["units"], f"{method}-adjusted p over {tests} tests"))
    return rows
