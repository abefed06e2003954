"""The summary in the terminal: gains, the best configuration per language, correlations,
the English-vs-multilingual comparison and each measure's ranking quality."""

from __future__ import annotations

from typing import Mapping

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from xitt.report.results import StudyResults, best_configurations, gain_cells, targets, units, zero_shot_baseline

SIGNIFICANCE = 0.05


def _gain_style(gain: float, spread: float, largest: float) -> str:
    """Green up, red down; bold when the gain is at least half the largest; dim inside the seed spread."""
    if abs(gain) <= spread or gain == 0:
        return "dim"
    colour = "green" if gain > 0 else "red"
    return f"bold {colour}" if largest and abs(gain) >= largest / 2 else colour


def gain_matrix(gains: Mapping) -> Table:
    """Intermediate x target, seed-averaged zero-shot gain with its seed spread."""
    cells = gain_cells(gains)
    columns = targets(gains)
    seeds = max((r["seeds"] for r in gains["summary"]), default=0)
    largest = max((abs(r["gain"]) for r in gains["summary"]), default=0.0)
    table = Table(title=f"zero-shot gain over no intermediate step (mean ± spread over {seeds} seed{'' if seeds == 1 else 's'})", title_justify="left")
    table.add_column("intermediate", style="bold")
    for target in columns:
        table.add_column(f"{target} ({gains['metrics'].get(target, '')})", justify="right")
    table.add_row(Text("baseline score", style="italic"), *[Text(f"{zero_shot_baseline(gains, t):.3f}", style="italic") for t in columns])
    for unit in units(gains):
        row = []
        for target in columns:
            c = cells.get((unit, target))
            row.append(Text(f"{c['gain']:+.3f} ±{c['spread']:.3f}", style=_gain_style(c["gain"], c["spread"], largest)) if c else "")
        table.add_row(unit, *row)
    return table


def best_table(gains: Mapping) -> Table:
    """Language x target: the best intermediate's score, and its gain over the baseline."""
    best = best_configurations(gains)
    languages = sorted({lang for b in best for lang in b.scores})
    table = Table(title="per-language score of the best intermediate task (gain over no intermediate step)", title_justify="left")
    table.add_column("language", style="bold")
    for b in best:
        table.add_column(f"{b.target}\nbest: {b.intermediate}", justify="right")
    for language in languages:
        row = []
        for b in best:
            if language not in b.scores:
                row.append("")
                continue
            change = b.scores[language] - b.baseline[language]
            trained = " (train)" if language in b.train_languages else ""
            row.append(Text(f"{b.scores[language]:.3f} ({change:+.3f}){trained}", style="dim" if trained else ""))
        table.add_row(language, *row)
    return table


def _ci(row: Mapping) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    return "n/a" if low is None or high is None else f"[{low:+.2f}, {high:+.2f}]"


def _significant(row: Mapping) -> bool:
    return row.get("p_adjusted") is not None and row["p_adjusted"] < SIGNIFICANCE


def correlation_table(result: Mapping) -> Table:
    """Measure x group (x scope when sets are compared): r, CI, p and adjusted p; * when significant."""
    scopes = list(dict.fromkeys(r["scope"] for r in result["rows"]))
    level = round(100 * result.get("confidence", 0.95))
    methods = list(dict.fromkeys(r["method"] for r in result["rows"]))
    several = len(methods) > 1  # one method: named in the title, not in a column
    title = (f"{'' if several else methods[0] + ' '}correlation of similarity with gain, per {result['per']} "
             f"({result['permutations']} permutations, {result['adjust']}-adjusted p, * below {SIGNIFICANCE})")
    table = Table(title=title, title_justify="left")
    columns = ["similarity", *(["method"] if several else []), *(["set"] if len(scopes) > 1 else []), result["per"],
               "n", "r", f"{level}% CI", "p", "p adj"]
    for column in columns:
        table.add_column(column, justify="right" if column in ("n", "r", "p", "p adj") else "left", no_wrap=column.endswith("CI"),
                         min_width=max(map(len, scopes)) if column == "set" else None)
    for r in result["rows"]:
        significant = _significant(r)
        table.add_row(
            r["similarity"], *([r["method"]] if several else []), *([r["scope"]] if len(scopes) > 1 else []), str(r["group"]), str(r["n"]),
            _number(r["r"], signed=True), _ci(r), _number(r["p"]),
            Text(_number(r["p_adjusted"]) + (" *" if significant else "  "), style="bold" if significant else ""),
        )
    if any(r["r"] is None for r in result["rows"]):
        table.caption, table.caption_justify = "n/a: r is undefined there (fewer than 3 points, or gains or similarities all equal)", "left"
    return table


def comparison_table(result: Mapping) -> Table | None:
    """r in one intermediate set vs the other, the difference with its CI and adjusted p.

    The method goes into the title when every row shares it, so the table fits 100 columns.
    """
    if not result["comparisons"]:
        return None
    first = result["comparisons"][0]
    methods = sorted({c["method"] for c in result["comparisons"]})
    shared = f" ({methods[0]})" if len(methods) == 1 else ""
    table = Table(title=f"does the correlation change? {first['left']} vs {first['right']} intermediate tasks{shared}",
                  title_justify="left")
    columns = ["similarity", *(["method"] if not shared else []), result["per"],
               f"r {first['left']}", f"r {first['right']}", "difference", "CI", "p adj"]
    for column in columns:
        table.add_column(column, justify="left" if column in ("similarity", "method", result["per"], "CI") else "right", no_wrap=column == "CI")
    for c in result["comparisons"]:
        significant = _significant(c)
        table.add_row(c["similarity"], *([c["method"]] if not shared else []), str(c["group"]), _number(c["r_left"], True),
                      _number(c["r_right"], True), _number(c["difference"], True), _ci(c),
                      Text(_number(c.get("p_adjusted")) + (" *" if significant else "  "), style="bold" if significant else ""))
    return table


def ranking_table(result: Mapping) -> Table | None:
    """Each measure as a selector of intermediate tasks, averaged over targets (Poth et al. 2021)."""
    means = [r for r in result.get("ranking", []) if r["target"] == "mean"]
    if not means:
        return None
    k = top_k(result)
    cut = "" if k != "k" else f"; k = min({means[0]['k']}, candidates)"
    table = Table(title=f"ranking quality of each measure (mean over {means[0]['n']} targets; regret in % of the best score{cut})",
                  title_justify="left")
    for column in ("similarity", "set", f"NDCG@{k}", "regret@1", f"regret@{k}", "rank of best"):
        table.add_column(column, justify="left" if column in ("similarity", "set") else "right")
    for r in means:
        table.add_row(r["similarity"], r["scope"], _number(r["ndcg_at_k"]), _number(r["regret_at_1"], digits=1),
                      _number(r["regret_at_k"], digits=1), _number(r["best_rank"], digits=1))
    return table


def top_k(result: Mapping) -> str:
    """The k the ranking metrics were cut at: per target it is min(top, candidates)."""
    ks = sorted({r["k"] for r in result.get("ranking", []) if r["target"] != "mean"})
    return str(ks[0]) if len(ks) == 1 else "k"


def _number(value: float | None, signed: bool = False, digits: int = 3) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def summary(study: StudyResults) -> Group:
    """Every table of one study, in reading order."""
    parts = [gain_matrix(study.gains), best_table(study.gains)]
    for result in study.correlations:
        parts.append(correlation_table(result))
        parts.extend(t for t in (comparison_table(result), ranking_table(result)) if t is not None)
    return Group(*parts)


def render_summary(console: Console, study: StudyResults) -> None:
    if study.label:
        console.print(f"[bold]grid point {study.label}[/]")
    console.print(summary(study))
