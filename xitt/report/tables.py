"""CSV tables of a study: one file per kind of row, every column the stored rows have."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Mapping

from xitt.report.results import StudyResults, best_configurations


def write_csv(path: Path, rows: Iterable[Mapping]) -> Path:
    """Rows of dicts to CSV; columns in first-seen order over all rows (missing cells empty)."""
    rows = list(rows)
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _best_rows(study: StudyResults) -> Iterable[dict]:
    for best in best_configurations(study.gains):
        for language, score in best.scores.items():
            yield {"target": best.target, "intermediate": best.intermediate, "language": language,
                   "trained_in": language in best.train_languages, "score": score, "baseline": best.baseline[language],
                   "gain": score - best.baseline[language]}


def _similarity_rows(study: StudyResults) -> Iterable[dict]:
    for name, result in study.similarities.items():
        for unit, row in result["values"].items():
            for target, value in row.items():
                yield {"similarity": name, "measure": result.get("measure", name), "intermediate": unit, "target": target, "value": value,
                       "measured": result.get("measured", result["values"])[unit][target], "orientation": result.get("orientation", "")}


def _of_correlations(study: StudyResults, part: str) -> Iterable[dict]:
    for step_id, result in zip(study.sources["correlations"], study.correlations):
        for row in result.get(part, []):
            yield {"step": step_id, **row}


def write_tables(directory: Path, study: StudyResults) -> list[Path]:
    """gains, per-language gains, the best configuration, similarities, correlations, comparisons, ranking."""
    tables = {
        "gains.csv": study.gains["summary"],
        "gains_per_language.csv": study.gains["table"],
        "best_per_language.csv": _best_rows(study),
        "similarities.csv": _similarity_rows(study),
        "correlations.csv": _of_correlations(study, "rows"),
        "comparisons.csv": _of_correlations(study, "comparisons"),
        "gain_comparisons.csv": _of_correlations(study, "gain_comparisons"),
        "measure_comparisons.csv": _of_correlations(study, "measure_comparisons"),
        "ranking.csv": _of_correlations(study, "ranking"),
    }
    return [write_csv(directory / name, rows) for name, rows in tables.items()]
