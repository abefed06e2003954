"""The machine-readable summary (``--format json``): the headline numbers, for scripts."""

from __future__ import annotations

from typing import Sequence

from xitt.report.coverage import coverage_notes
from xitt.report.results import StudyResults, best_configurations
from xitt.report.terminal import SIGNIFICANCE

ROW_FIELDS = ("similarity", "method", "scope", "group", "n", "r", "ci_low", "ci_high", "p", "p_adjusted", "p_smallest", "reason", "power_note", "ci_flag")
COMPARISON_FIELDS = ("similarity", "method", "group", "left", "right", "r_left", "r_right", "difference", "ci_low", "ci_high", "p", "p_adjusted",
                     "n_shared", "power_note", "ci_flag")


def _pick(row: dict, fields: Sequence[str]) -> dict:
    return {f: row.get(f) for f in fields}


def study_summary(study: StudyResults) -> dict:
    """One study: gains, the best configuration per target, correlations, comparisons, ranking means."""
    return {
        "grid_point": study.label,
        "steps": {step_id: study.keys[step_id] for step_id in study.step_ids()},
        "gains": [dict(r) for r in study.gains["summary"]],
        "best": [b.to_json() for b in best_configurations(study.gains)],
        "left_out": coverage_notes(study.gains),  # missing data, targets scored in no zero-shot language
        "correlations": [
            {
                "step": step_id, "per": result["per"], "adjust": result["adjust"],
                "rows": [{**_pick(r, ROW_FIELDS), "significant": r["p_adjusted"] is not None and r["p_adjusted"] < SIGNIFICANCE}
                         for r in result["rows"]],
                "comparisons": [_pick(c, COMPARISON_FIELDS) for c in result["comparisons"]],
                "gain_comparisons": list(result.get("gain_comparisons", [])),
                "answer": result.get("answer", ""),
                "ranking": [r for r in result.get("ranking", []) if r["target"] == "mean"],
            }
            for step_id, result in zip(study.sources["correlations"], study.correlations)
        ],
    }


def json_summary(experiment: str, studies: Sequence[StudyResults], report: str | None, ran: int, cached: int) -> dict:
    """The whole run or report: one entry per grid point under ``studies``."""
    return {
        "experiment": experiment,
        "report": report,
        "steps_ran": ran,
        "steps_cached": cached,
        "significance": SIGNIFICANCE,
        "studies": [study_summary(s) for s in studies],
    }
