"""The study's answer in one sentence, with its interval, whatever the answer is.

Read from the comparison rows a report already holds: the pooled English-vs-multilingual
difference of a correlation (or of the gains, when no correlation was asked for). The
sentence names the quantity, its estimate, its confidence interval and its p-value, and
says plainly when the interval includes 0.
"""

from __future__ import annotations

from typing import Mapping, Sequence

_METHOD_NAMES = {"spearman": "Spearman", "pearson": "Pearson", "kendall": "Kendall", "weighted_tau": "weighted-tau"}


def _verdict(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "no interval could be computed"
    if low > 0 or high < 0:
        return "the interval excludes 0"
    return "the interval includes 0, so the data do not show a change"


def _change(row: Mapping, what: str, level: float, digits: int = 2) -> str:
    """'<right> instead of <left> intermediate tasks change <what> by d [lo, hi] (...)':
    the difference right - left, so the set named second is the one whose effect is told."""
    d = -row["difference"]
    low, high = (-row["ci_high"], -row["ci_low"]) if row.get("ci_low") is not None else (None, None)
    interval = f" [{low:+.{digits}f}, {high:+.{digits}f}]" if low is not None else ""
    p = f", p = {row['p']:.3g}" if row.get("p") is not None else ""
    verb = "raise" if d > 0 else "lower" if d < 0 else "leave unchanged"
    caution = f" Caution: the interval {row['ci_flag'].removeprefix('degenerate: ')}." if row.get("ci_flag") else ""
    return (f"{row['right'].capitalize()} intermediate tasks (instead of {row['left']}) {verb} {what} by "
            f"{d:+.{digits}f}{interval} ({level:.0%} CI{p}); {_verdict(low, high)}.{caution}")


def _untested(row: Mapping, what: str) -> str:
    return (f"{what} of {row['right']} and {row['left']} intermediate tasks could not be compared: "
            f"{row.get('reason') or 'no test could be made'}.")


def correlation_answer(comparisons: Sequence[Mapping], level: float) -> str:
    """The sentence of the first pooled comparison of correlations: its tested difference with
    the interval, or, when no test could be made, that it could not be compared and why (a
    difference that was not tested is never stated as an answer). "" without a pooled row."""
    pooled = [row for row in comparisons if row["group"] == "pooled"]
    for row in pooled:
        if row.get("difference") is not None and (row.get("p") is not None or row.get("ci_low") is not None):
            what = (f"the pooled {_METHOD_NAMES.get(row['method'], row['method'])} correlation of "
                    f"{row['similarity']} similarity with zero-shot gain (from {row['r_left']:+.2f} to {row['r_right']:+.2f})")
            return _change(row, what, level)
    return _untested(pooled[0], "The pooled correlations of similarity with gain") if pooled else ""


def gain_answer(comparisons: Sequence[Mapping], level: float, pairs: Sequence[Sequence[str]] = ()) -> str:
    """The sentence of the pooled comparison of gains; when the compared sets share no
    intermediate task (gains are compared task by task), that they could not be compared."""
    for row in comparisons:
        if row["group"] == "pooled" and row.get("difference") is not None:
            what = (f"the mean zero-shot gain over targets and languages (from {row['gain_left']:+.3f} "
                    f"to {row['gain_right']:+.3f})")
            return _change(row, what, level, digits=3)
    compared = {(row["left"], row["right"]) for row in comparisons}
    for left, right in pairs:
        if (left, right) not in compared:
            return _untested({"left": left, "right": right, "reason": NO_SHARED_TASK}, "The zero-shot gains")
    return ""


NO_SHARED_TASK = ("the sets share no intermediate task, and gains are compared task by task "
                  "(nli@en with nli@*: the same task in English and in other languages)")
