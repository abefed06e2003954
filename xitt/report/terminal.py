"""The summary in the terminal: gains, the best configuration per language, correlations,
the English-vs-multilingual comparison and each measure's ranking quality.

Every table is laid out by ``layout.fit`` at the console's width: numbers are never cut,
task and measure names are abbreviated only as far as needed and stay distinct, and every
``n/a`` carries a numbered reason."""

from __future__ import annotations

from typing import Mapping

from rich.console import Console, Group, RenderableType
from rich.text import Text

from xitt.report.coverage import coverage_notes
from xitt.report.layout import Column, Notes, fit
from xitt.report.results import StudyResults, best_configurations, gain_cells, targets, units, zero_shot_baseline

SIGNIFICANCE = 0.05
WIDTH = 100  # when no console says otherwise


def _gain_style(gain: float, spread: float, largest: float) -> str:
    """Green up, red down; bold when the gain is at least half the largest; dim inside the seed spread."""
    if abs(gain) <= spread or gain == 0:
        return "dim"
    colour = "green" if gain > 0 else "red"
    return f"bold {colour}" if largest and abs(gain) >= largest / 2 else colour


def gain_matrix(gains: Mapping, width: int = WIDTH) -> RenderableType:
    """Intermediate x target, seed-averaged zero-shot gain with its seed spread; split over
    several tables (each repeating the intermediate tasks) where the targets do not fit."""
    cells = gain_cells(gains)
    columns = targets(gains)
    seeds = max((r["seeds"] for r in gains["summary"]), default=0)
    largest = max((abs(r["gain"]) for r in gains["summary"]), default=0.0)
    notes = Notes()
    header = [Column("intermediate", label=True, justify="left", style="bold", repeat=True)]
    header += [Column(f"{t}\n({gains['metrics'].get(t, '')})") for t in columns]
    rows = [[Text("baseline score", style="italic"), *[Text(_number(zero_shot_baseline(gains, t)), style="italic") for t in columns]]]
    for unit in units(gains):
        row: list = [unit]
        for target in columns:
            c = cells.get((unit, target))
            row.append(Text(f"{c['gain']:+.3f} ±{c['spread']:.3f}", style=_gain_style(c["gain"], c["spread"], largest)) if c
                       else notes.na("not trained on this target"))
        rows.append(row)
    title = f"zero-shot gain over no intermediate step (mean ± spread over {seeds} seed{'' if seeds == 1 else 's'})"
    return fit(title, header, rows, width, notes)


def best_table(gains: Mapping, width: int = WIDTH) -> RenderableType:
    """Language x target: the best intermediate's score, and its gain over the baseline; the
    best task of each target is named, whole, under the table."""
    best = best_configurations(gains)
    languages = sorted({lang for b in best for lang in b.scores})
    notes = Notes()
    header = [Column("language", label=True, justify="left", style="bold", repeat=True)] + [Column(b.target) for b in best]
    rows = []
    for language in languages:
        row: list = [language]
        for b in best:
            if language not in b.scores:
                row.append(notes.na("the target is not evaluated in this language"))
                continue
            change = b.scores[language] - b.baseline[language]
            trained = " T" if language in b.train_languages else ""
            row.append(Text(f"{b.scores[language]:.3f} ({change:+.3f}){trained}", style="dim" if trained else ""))
        rows.append(row)
    caption = "best intermediate task: " + "; ".join(f"{b.target}: {b.intermediate}" for b in best)
    if any(set(b.train_languages) & set(b.scores) for b in best):
        caption += "\nT: a training language (not zero-shot)"
    return fit("per-language score of the best intermediate task of each target (gain over no intermediate step)",
               header, rows, width, notes, caption)


def _ci(row: Mapping, result: Mapping, notes: Notes) -> str:
    """The interval; "!" marks a degenerate one (collapsed to a point, or spanning most of the range)."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None:
        return notes.na(_why_no_ci(row, result))
    return f"[{low:+.2f}, {high:+.2f}]" + ("!" if row.get("ci_flag") else "")


def honesty_notes(rows: list[Mapping]) -> str:
    """What a reader must be told under a table of tests, one line each: that no p could
    reach alpha (and the smallest that could), the smallest reachable p otherwise, and what
    a "!" after an interval means."""
    lines = [f"power: {note}" for note in sorted({r["power_note"] for r in rows if r.get("power_note")})]
    floors = sorted({(r["p_smallest"], r.get("p_smallest_adjusted")) for r in rows
                     if r.get("p_smallest") is not None and not r.get("power_note")})
    if floors:
        shown = ", ".join(f"{p:.3g}" + (f" ({adjusted:.3g} adjusted)" if adjusted is not None and adjusted != p else "")
                          for p, adjusted in floors)
        lines.append(f"smallest reachable p: {shown}")
    lines += [f"!: {flag}" for flag in sorted({r["ci_flag"] for r in rows if r.get("ci_flag")})]
    return "\n".join(lines)


UNDEFINED = "r is undefined (fewer than 3 points, or the gains or the similarities all equal)"


def _why_no_ci(row: Mapping, result: Mapping) -> str:
    """Why a row has no confidence interval, from what the row and its statement record."""
    if "r" in row and row["r"] is None:
        return row.get("reason") or UNDEFINED
    test = row.get("test")
    if test == "fisher z (independent samples)":
        return "the two sets share fewer than 3 units, so Fisher's z test (independent samples) gives a p but no interval"
    if test == "none":
        return "the two sets share fewer than 3 units and Fisher's z needs more than 4 per set and |r| < 1: no test"
    if row.get("ci_note"):
        return row["ci_note"]
    if not result.get("bootstrap"):
        return "no bootstrap was asked for (add `with bootstrap(2000)` to the correlate statement)"
    return "the bootstrap gave no interval (too few distinct resamples)"


def _why_no_p(row: Mapping, result: Mapping) -> str:
    if "r" in row and row["r"] is None:
        return row.get("reason") or UNDEFINED
    if row.get("test") == "none":
        return _why_no_ci(row, result)
    if not result.get("permutations"):
        return "no permutations and no asymptotic test for this method"
    return "no test could be run on these rows"


def _p(value, row: Mapping, result: Mapping, notes: Notes) -> str:
    return _number(value) if value is not None else notes.na(_why_no_p(row, result))


def _p_adjusted(row: Mapping, result: Mapping, notes: Notes) -> Text:
    significant = _significant(row)
    return Text(_p(row.get("p_adjusted"), row, result, notes) + (" *" if significant else "  "), style="bold" if significant else "")


def _significant(row: Mapping) -> bool:
    return row.get("p_adjusted") is not None and row["p_adjusted"] < SIGNIFICANCE


def correlation_table(result: Mapping, width: int = WIDTH) -> RenderableType:
    """Measure x group (x scope when sets are compared): r, CI, p and adjusted p; * when significant."""
    scopes = list(dict.fromkeys(r["scope"] for r in result["rows"]))
    level = round(100 * result.get("confidence", 0.95))
    methods = list(dict.fromkeys(r["method"] for r in result["rows"]))
    several = len(methods) > 1  # one method: named in the title, not in a column
    grouped = "pooled over all targets" if result["per"] == "pooled" else f"per {result['per']}"
    title = (f"{'' if several else methods[0] + ' '}correlation of similarity with gain, {grouped} "
             f"({result['permutations']} permutations, {result['adjust']}-adjusted p, * below {SIGNIFICANCE})")
    notes = Notes()
    columns = [Column("similarity", label=True, justify="left"), *([Column("method", label=True, justify="left")] if several else []),
               *([Column("set", label=True, justify="left")] if len(scopes) > 1 else []), Column(result["per"], label=True, justify="left"),
               Column("n"), Column("r"), Column(f"{level}% CI", justify="left"), Column("p"), Column("p adj")]
    rows = []
    for r in result["rows"]:
        r_text = _number(r["r"], signed=True) if r["r"] is not None else notes.na(r.get("reason") or UNDEFINED)
        rows.append([r["similarity"], *([r["method"]] if several else []), *([r["scope"]] if len(scopes) > 1 else []), str(r["group"]),
                     str(r["n"]), r_text, _ci(r, result, notes), _p(r["p"], r, result, notes), _p_adjusted(r, result, notes)])
    return fit(title, columns, rows, width, notes, honesty_notes(result["rows"]) or None)


def comparison_scope(comparisons) -> str:
    """What the rows of a comparison of correlations are computed on, true of every row."""
    if all(c.get("n_shared", 0) >= 3 for c in comparisons):
        return "r, difference, CI and p are all on the units both sets share"
    return "where the sets share fewer than 3 units, each r is on its own set's units (Fisher's z for independent samples, or no test)"


def comparison_table(result: Mapping, width: int = WIDTH) -> RenderableType | None:
    """r in one intermediate set vs the other, the difference with its CI and adjusted p.
    The method goes into the title when every row shares it."""
    if not result["comparisons"]:
        return None
    first = result["comparisons"][0]
    methods = sorted({c["method"] for c in result["comparisons"]})
    shared = f" ({methods[0]})" if len(methods) == 1 else ""
    level = round(100 * result.get("confidence", 0.95))
    notes = Notes()
    columns = [Column("similarity", label=True, justify="left"), *([Column("method", label=True, justify="left")] if not shared else []),
               Column(result["per"], label=True, justify="left"), Column(f"r\n{first['left']}"), Column(f"r\n{first['right']}"),
               Column("difference"), Column(f"{level}% CI", justify="left"), Column("p adj")]
    rows = [[c["similarity"], *([c["method"]] if not shared else []), str(c["group"]), _number(c["r_left"], True),
             _number(c["r_right"], True), _number(c["difference"], True), _ci(c, result, notes), _p_adjusted(c, result, notes)]
            for c in result["comparisons"]]
    caption = "\n".join(filter(None, [comparison_scope(result["comparisons"]), honesty_notes(result["comparisons"])]))
    return fit(f"does the correlation change? {first['left']} vs {first['right']} intermediate tasks{shared}", columns, rows, width, notes, caption)


def gain_comparison_table(result: Mapping, width: int = WIDTH) -> RenderableType | None:
    """Mean zero-shot gain of one intermediate set vs the other, paired by task, target and language."""
    comparisons = result.get("gain_comparisons") or []
    if not comparisons:
        return None
    first = comparisons[0]
    level = round(100 * result.get("confidence", 0.95))
    notes = Notes()
    columns = [Column("target", label=True, justify="left"), Column("cells"), Column(f"gain\n{first['left']}"),
               Column(f"gain\n{first['right']}"), Column("difference"), Column(f"{level}% CI", justify="left"), Column("p adj")]
    rows = [[str(c["group"]), str(c["n_cells"]), _number(c["gain_left"], True), _number(c["gain_right"], True),
             _number(c["difference"], True), _ci(c, result, notes), _p_adjusted(c, result, notes)] for c in comparisons]
    return fit(f"do the gains differ? {first['left']} vs {first['right']} intermediate tasks (paired by task, target and language)",
               columns, rows, width, notes, honesty_notes(comparisons) or None)


def answers(study: StudyResults) -> list[str]:
    """The one-sentence answers the correlation steps stored, in program order."""
    return [result["answer"] for result in study.correlations if result.get("answer")]


def ranking_table(result: Mapping, width: int = WIDTH) -> RenderableType | None:
    """Each measure as a selector of intermediate tasks, averaged over targets (Poth et al. 2021)."""
    means = [r for r in result.get("ranking", []) if r["target"] == "mean"]
    if not means:
        return None
    k = top_k(result)
    cut = "" if k != "k" else f"; k = min({means[0]['k']}, candidates)"
    columns = [Column("similarity", label=True, justify="left"), Column("set", label=True, justify="left"), Column(f"NDCG@{k}"),
               Column("regret@1"), Column(f"regret@{k}"), Column("rank of\nbest")]
    notes = Notes()
    undefined = "no target had a defined ranking for this measure (its similarities all equal)"
    rows = [[r["similarity"], r["scope"], *(_number(r[f], digits=d) if r[f] is not None else notes.na(undefined)
                                            for f, d in (("ndcg_at_k", 3), ("regret_at_1", 1), ("regret_at_k", 1), ("best_rank", 1)))]
            for r in means]
    return fit(f"ranking quality of each measure (mean over {means[0]['n']} targets; regret in % of the best score{cut})",
               columns, rows, width, notes)


def top_k(result: Mapping) -> str:
    """The k the ranking metrics were cut at: per target it is min(top, candidates)."""
    ks = sorted({r["k"] for r in result.get("ranking", []) if r["target"] != "mean"})
    return str(ks[0]) if len(ks) == 1 else "k"


def _number(value: float | None, signed: bool = False, digits: int = 3) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def summary(study: StudyResults, width: int = WIDTH) -> Group:
    """Every table of one study, in reading order, laid out for ``width`` columns."""
    parts = [gain_matrix(study.gains, width), best_table(study.gains, width)]
    parts += [Text(f"left out: {note}", style="yellow") for note in coverage_notes(study.gains)]
    gains_shown = False  # every correlate step holds the same gain comparison: show it once
    rankings: list = []  # and ranks the same measures over the same gains: show each ranking once
    for result in study.correlations:
        if result["rows"]:
            parts.append(correlation_table(result, width))
        gains = None if gains_shown else gain_comparison_table(result, width)
        gains_shown = gains_shown or gains is not None
        ranking = [r for r in result.get("ranking", []) if r["target"] == "mean"]
        shown = None if ranking in rankings else ranking_table(result, width)
        rankings.append(ranking)
        parts.extend(t for t in (comparison_table(result, width), gains, shown) if t is not None)
    parts.extend(Text(f"Answer: {sentence}", style="bold") for sentence in answers(study))
    return Group(*parts)


def render_summary(console: Console, study: StudyResults) -> None:
    if study.label:
        console.print(f"[bold]grid point {study.label}[/]")
    console.print(summary(study, console.width))
