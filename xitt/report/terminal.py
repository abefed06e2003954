"""The end-of-run summary in the terminal: the gain matrix and the correlation table."""

from __future__ import annotations

from typing import Mapping, Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

SIGNIFICANCE = 0.05


def _gain_cell(gain: float, spread: float) -> Text:
    style = "green" if gain > spread else "red" if gain < -spread else "dim"
    return Text(f"{gain:+.3f} ±{spread:.3f}", style=style)


def gain_matrix(gains: Mapping) -> Table:
    """Intermediate x target, seed-averaged zero-shot gain with its seed spread."""
    summary = gains["summary"]
    units = sorted({r["intermediate"] for r in summary})
    targets = sorted({r["target"] for r in summary})
    cell = {(r["intermediate"], r["target"]): r for r in summary}
    seeds = max((r["seeds"] for r in summary), default=0)
    table = Table(title=f"zero-shot gain over no intermediate step (mean ± spread over {seeds} seeds)", title_justify="left")
    table.add_column("intermediate", style="bold")
    for target in targets:
        table.add_column(f"{target} ({gains['metrics'].get(target, '')})", justify="right")
    baseline = _baseline_row(gains, targets)
    table.add_row(Text("baseline score", style="italic"), *[Text(f"{v:.3f}", style="italic") for v in baseline])
    for unit in units:
        table.add_row(unit, *[_gain_cell(cell[(unit, t)]["gain"], cell[(unit, t)]["spread"]) if (unit, t) in cell else "" for t in targets])
    return table


def _baseline_row(gains: Mapping, targets: Sequence[str]) -> list[float]:
    sources = gains["train_languages"]
    values = []
    for target in targets:
        scores = [b["score"] for b in gains["baseline"] if b["target"] == target and b["language"] not in sources[target]]
        values.append(sum(scores) / len(scores) if scores else float("nan"))
    return values


def correlation_table(result: Mapping) -> Table:
    rows = [r for r in result["rows"] if r["scope"] == "all"]
    title = f"correlation of similarity with gain, per {result['per']} ({result['permutations']} permutations, {result['adjust']}-adjusted p)"
    table = Table(title=title, title_justify="left")
    for column in ("similarity", "method", result["per"], "n", "r", "p", "p adj"):
        table.add_column(column, justify="right" if column in ("n", "r", "p", "p adj") else "left")
    for r in rows:
        significant = r["p_adjusted"] is not None and r["p_adjusted"] < SIGNIFICANCE
        table.add_row(
            r["similarity"], r["method"], str(r["group"]), str(r["n"]),
            _number(r["r"], signed=True), _number(r["p"]), Text(_number(r["p_adjusted"]) + (" *" if significant else ""), style="bold" if significant else ""),
        )
    return table


def comparison_table(result: Mapping) -> Table | None:
    if not result["comparisons"]:
        return None
    first = result["comparisons"][0]
    table = Table(title=f"does the correlation change? {first['left']} vs {first['right']} intermediate tasks", title_justify="left")
    for column in ("similarity", "method", result["per"], f"r {first['left']}", f"r {first['right']}", "difference"):
        table.add_column(column, justify="left" if column in ("similarity", "method", result["per"]) else "right")
    for c in result["comparisons"]:
        table.add_row(c["similarity"], c["method"], str(c["group"]), _number(c["r_left"], True), _number(c["r_right"], True), _number(c["difference"], True))
    return table


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def render_summary(console: Console, gains: Mapping, correlations: Sequence[Mapping]) -> None:
    parts = [gain_matrix(gains)]
    for result in correlations:
        parts.append(correlation_table(result))
        comparison = comparison_table(result)
        if comparison is not None:
            parts.append(comparison)
    console.print(Group(*parts))
