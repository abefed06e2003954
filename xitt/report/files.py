"""The report directory: results.json (every number, with the keys of the steps that made
it), CSV tables, PNG plots and report.md, which embeds the plots."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from xitt.report import plots
from xitt.report.coverage import coverage_notes
from xitt.report.results import StudyResults, best_configurations
from xitt.report.tables import write_tables
from xitt.report.terminal import SIGNIFICANCE, answers, comparison_scope, honesty_notes, top_k

RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    results: Path
    markdown: Path
    plots: list[Path]
    tables: list[Path]


def results_payload(study: StudyResults) -> dict:
    """Every stored number, where it came from, and the numbers the report derives from them."""
    return {
        "experiment": study.experiment,
        "grid_point": study.label,
        "origin": study.origin.to_json(),
        "steps": {step_id: study.keys[step_id] for step_id in study.step_ids()},
        "sources": dict(study.sources),
        "sets": {name: list(members) for name, members in study.sets.items()},
        "gains": study.gains,
        "similarities": dict(study.similarities),
        "correlations": list(study.correlations),
        "derived": {"best_configurations": [b.to_json() for b in best_configurations(study.gains)]},
    }


def write_results(directory: Path, payload: Mapping) -> Path:
    """Write ``results.json`` atomically (temp file then rename) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RESULTS_FILE
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    temp.replace(path)
    return path


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "x"


# From this many plots on, they are drawn by worker processes, one per core (up to 4):
# matplotlib holds the GIL, and a study with many measures draws two plots per measure
# (20 measures took ~20 s drawn one after another). Fewer plots are not worth the ~1 s a
# spawned worker takes to import matplotlib.
PARALLEL_FROM = 16


def draw(directory: Path, study: StudyResults) -> dict[str, list[Path]]:
    """Every plot, by section: overview (the answer at a glance), gains, similarities, scatter, languages."""
    metrics = study.gains["metrics"]
    jobs = {
        "overview": [(plots.overview, (study, directory / "overview.png"))] if any(r["rows"] for r in study.correlations) else [],
        "gains": [(plots.gain_heatmap, (study.gains, directory / "gains.png", dict(study.sets)))],
        "similarities": [(plots.similarity_heatmap, (n, r, directory / f"similarity_{_slug(n)}.png", dict(study.sets)))
                         for n, r in study.similarities.items()],
        "scatter": [(plots.scatter, (study, n, directory / f"scatter_{_slug(n)}.png")) for n in study.similarities],
        "languages": [(plots.language_bars, (b, metrics.get(b.target, "score"), directory / f"languages_{_slug(b.target)}.png"))
                      for b in best_configurations(study.gains)],
    }
    flat = [job for section in jobs.values() for job in section]
    paths = iter(_render(flat))
    return {section: [next(paths) for _ in section_jobs] for section, section_jobs in jobs.items()}


def _render(jobs: list[tuple]) -> list[Path]:
    """Each ``(plot function, args)`` drawn, in order; in parallel when there are many.

    Workers are spawned, not forked: the parent may hold torch's and diskcache's threads
    and locks, which a forked child would inherit in whatever state they were."""
    workers = min(4, os.cpu_count() or 1, len(jobs))
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [function(*args) for function, args in jobs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [future.result() for future in [pool.submit(function, *args) for function, args in jobs]]


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows), ""]


def _fmt(value, signed: bool = False) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _ci_md(row: Mapping) -> str:
    if row.get("ci_low") is None or row.get("ci_high") is None:
        return "n/a"
    return f"[{_fmt(row['ci_low'], True)}, {_fmt(row['ci_high'], True)}]" + ("!" if row.get("ci_flag") else "")


def _notes_md(rows) -> list[str]:
    """Why a value is n/a, and what honest_notes says of power and degenerate intervals."""
    rows = list(rows)
    lines = [f"n/a: {reason}" for reason in sorted({r["reason"] for r in rows if r.get("reason")})]
    lines += honesty_notes(rows).splitlines()
    return [f"- {line}" for line in lines] + [""] if lines else []


def _gain_comparisons_md(step_id: str, result: Mapping) -> list[str]:
    rows = result.get("gain_comparisons") or []
    if not rows or result["rows"]:  # beside correlations, the gain comparison lives in results.json and gain_comparisons.csv
        return []
    first = rows[0]
    lines = [f"## Gains: {first['left']} vs {first['right']} intermediate tasks (`{step_id}`)", "",
             "Paired by task, target and zero-shot language; bootstrap CI over tasks, sign-flip p.", ""]
    lines += _md_table(["target", "cells", f"gain {first['left']}", f"gain {first['right']}", "difference", "CI", "p adj"], [
        [str(c["group"]), str(c["n_cells"]), _fmt(c["gain_left"], True), _fmt(c["gain_right"], True), _fmt(c["difference"], True),
         _ci_md(c), _fmt(c.get("p_adjusted"))] for c in rows])
    return lines + _notes_md(rows)


def markdown(study: StudyResults, drawn: Mapping[str, list[Path]]) -> str:
    """report.md: the plots, with the key tables beside them; the CSVs and results.json hold the rest."""
    lines = [f"# {study.experiment}" + (f" — grid point {study.label}" if study.label else ""), "",
             "Rendered from the store (by `xitt run` or `xitt report`, which computes nothing); every number is in `results.json` with the key of the step that made it.", ""]
    lines += _origin(study)
    lines += [f"**Answer:** {sentence}" for sentence in answers(study)] + ([""] if answers(study) else [])
    summary = study.gains["summary"]
    columns = sorted({r["target"] for r in summary})
    cells = {(r["intermediate"], r["target"]): r for r in summary}
    if drawn.get("overview"):
        lines += ["## The answer at a glance", "",
                  "Each similarity measure's correlation with the zero-shot gain, per group, for all intermediate tasks "
                  "and for each set, with its confidence interval (`overview.png`).", ""]
        lines += [f"![correlation of similarity with gain, by set]({p.name})" for p in drawn["overview"]] + [""]
    lines += ["## Zero-shot gain over no intermediate step", ""]
    lines += _md_table(["intermediate", *columns], [
        [u, *(f"{cells[(u, t)]['gain']:+.3f} ± {cells[(u, t)]['spread']:.3f}" if (u, t) in cells else "" for t in columns)]
        for u in sorted({r["intermediate"] for r in summary})])
    lines += [f"![zero-shot gains]({p.name})" for p in drawn["gains"]] + [""]
    notes = coverage_notes(study.gains)
    lines += ["## Left out (missing data)", "", *(f"- {note}" for note in notes), ""] if notes else []
    lines += ["## Best intermediate task per target, language by language", ""]
    lines += [f"![{p.stem}]({p.name})" for p in drawn["languages"]] + [""]
    lines += ["## Similarity measures", ""] + [f"![{p.stem}]({p.name})" for p in drawn["similarities"]] + [""]
    for step_id, result in zip(study.sources["correlations"], study.correlations):
        lines += _gain_comparisons_md(step_id, result)
        if not result["rows"]:
            continue
        lines += [f"## Correlation of similarity with gain (`{step_id}`, per {result['per']})", "",
                  f"{result['permutations']} permutations, {result['adjust']}-adjusted p; **bold** below {SIGNIFICANCE}.", ""]
        lines += _md_table(["similarity", "method", "set", result["per"], "n", "r", "CI", "p", "p adj"], [
            [r["similarity"], r["method"], r["scope"], str(r["group"]), str(r["n"]), _fmt(r["r"], True),
             f"[{_fmt(r.get('ci_low'), True)}, {_fmt(r.get('ci_high'), True)}]", _fmt(r["p"]),
             f"**{_fmt(r['p_adjusted'])}**" if r["p_adjusted"] is not None and r["p_adjusted"] < SIGNIFICANCE else _fmt(r["p_adjusted"])]
            for r in result["rows"]])
        lines += _notes_md(result["rows"])
        if result["comparisons"]:
            first = result["comparisons"][0]
            lines += [f"### {first['left']} vs {first['right']} intermediate tasks", ""]
            lines += [comparison_scope(result["comparisons"]) + ".", ""]
            lines += _md_table(["similarity", "method", result["per"], f"r {first['left']}", f"r {first['right']}", "difference", "CI", "p adj"], [
                [c["similarity"], c["method"], str(c["group"]), _fmt(c["r_left"], True), _fmt(c["r_right"], True),
                 _fmt(c["difference"], True), _ci_md(c), _fmt(c.get("p_adjusted"))] for c in result["comparisons"]])
            lines += _notes_md(result["comparisons"])
        means = [r for r in result.get("ranking", []) if r["target"] == "mean"]
        if means:
            lines += ["### Ranking quality (mean over targets)", ""]
            lines += _md_table(["similarity", "set", f"NDCG@{top_k(result)}", "regret@1 %", f"regret@{top_k(result)} %", "rank of best"], [
                [r["similarity"], r["scope"], _fmt(r["ndcg_at_k"]), _fmt(r["regret_at_1"]), _fmt(r["regret_at_k"]), _fmt(r["best_rank"])]
                for r in means])
    lines += ["## Similarity vs gain", ""] + [f"![{p.stem}]({p.name})" for p in drawn["scatter"]] + [""]
    lines += ["## Tables", "", "CSV: " + ", ".join(f"[{n}]({n})" for n in (
        "gains.csv", "gains_per_language.csv", "best_per_language.csv", "similarities.csv", "correlations.csv",
        "comparisons.csv", "gain_comparisons.csv", "measure_comparisons.csv", "ranking.csv")), ""]
    return "\n".join(lines)


def _origin(study: StudyResults) -> list[str]:
    """Where this report came from: file, overrides, and the store key of every step it reads."""
    if not study.origin.file:
        return []
    sets = ", ".join(f"`--set {o}`" for o in study.origin.overrides)
    lines = [f"**Source:** `{study.origin.file}`" + (f" with {sets} (not the study as written)" if sets else " as written")
             + f"; rendered again by `{study.origin.command()}`.", "",
             "<details><summary>Store keys of the steps this report reads</summary>", ""]
    lines += _md_table(["step", "key"], [[f"`{s}`", f"`{study.keys[s]}`"] for s in study.step_ids()])
    return lines + ["</details>", ""]


def write_report(directory: Path, study: StudyResults) -> ReportFiles:
    """Everything of one study into ``directory``; nothing is computed but arithmetic on stored results."""
    directory.mkdir(parents=True, exist_ok=True)
    results = write_results(directory, results_payload(study))
    tables = write_tables(directory, study)
    drawn = draw(directory, study)
    path = directory / "report.md"
    path.write_text(markdown(study, drawn), encoding="utf-8")
    return ReportFiles(directory, results, path, [p for paths in drawn.values() for p in paths], tables)


def write_reports(directory: Path, studies: list[StudyResults]) -> list[ReportFiles]:
    """The first grid point's report in ``directory``, every other one in ``grid/<point>/`` below it."""
    return [write_report(directory if i == 0 else directory / "grid" / _slug(s.label), s) for i, s in enumerate(studies)]
