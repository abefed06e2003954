"""What a report is made of: the stored results of one study, and the small tables derived from them.

The report layer reads results; it never trains or computes a similarity. The few numbers
it derives (the best configuration's per-language scores, a plot's fitted line) come from
stored results by arithmetic, and say which stored result they come from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean
from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class Origin:
    """What a report was made from: the .xitt file and the ``--set`` overrides applied to it."""

    file: str  # the .xitt file's name, in the study's folder
    overrides: tuple[str, ...] = ()  # each ``--set PATH=VALUE`` as typed, in order

    def to_json(self) -> dict:
        return {"file": self.file, "overrides": list(self.overrides)}

    def command(self) -> str:
        """The command that renders this report again."""
        return " ".join(["xitt report", self.file, *(f"--set {o}" for o in self.overrides)])


@dataclass(frozen=True)
class StudyResults:
    """One study (one grid point) as the store holds it, plus where each part came from."""

    experiment: str
    gains: Mapping  # the result of the stats.gains step
    similarities: Mapping[str, Mapping]  # measure name -> result of its similarity step
    correlations: Sequence[Mapping]  # results of the stats.correlate steps, in program order
    sources: Mapping  # {"gains": step id, "similarities": {name: step id}, "correlations": [step ids]}
    keys: Mapping[str, str]  # step id -> key in the store
    sets: Mapping[str, Sequence[str]] = field(default_factory=dict)  # intermediate set -> its units
    label: str = ""  # the grid point, "" when nothing is swept
    origin: Origin = Origin("")  # the file and overrides it came from ("" when made by a library call)

    def step_ids(self) -> list[str]:
        """Every step this report reads, gains first."""
        return [self.sources["gains"], *self.sources["similarities"].values(), *self.sources["correlations"]]


def units(gains: Mapping) -> list[str]:
    return sorted({r["intermediate"] for r in gains["summary"]})


def targets(gains: Mapping) -> list[str]:
    return sorted({r["target"] for r in gains["summary"]})


def gain_cells(gains: Mapping) -> dict[tuple[str, str], Mapping]:
    """(intermediate, target) -> its summary record (gain, spread, seeds)."""
    return {(r["intermediate"], r["target"]): r for r in gains["summary"]}


def zero_shot_baseline(gains: Mapping, target: str) -> float:
    """The no-intermediate score of ``target``, averaged over its zero-shot languages."""
    sources = gains["train_languages"][target]
    scores = [b["score"] for b in gains["baseline"] if b["target"] == target and b["language"] not in sources]
    return mean(scores) if scores else float("nan")


@dataclass(frozen=True)
class BestConfiguration:
    """The intermediate task with the largest zero-shot gain on one target, language by language."""

    target: str
    intermediate: str
    gain: float  # seed-averaged zero-shot gain, as in the gains summary
    scores: dict[str, float]  # language -> seed-averaged score after transfer
    baseline: dict[str, float]  # language -> seed-averaged score without an intermediate step
    train_languages: list[str]

    def to_json(self) -> dict:
        return {"target": self.target, "intermediate": self.intermediate, "gain": self.gain, "scores": self.scores,
                "baseline": self.baseline, "train_languages": self.train_languages,
                "from": "gains.table (seed means of score and baseline)"}


def best_configurations(gains: Mapping) -> list[BestConfiguration]:
    """Per target, the best intermediate (ties: the first by name) with its per-language scores."""
    cells = gain_cells(gains)
    per_seed: dict[tuple[str, str, str], list[Mapping]] = defaultdict(list)
    for rec in gains["table"]:
        per_seed[(rec["intermediate"], rec["target"], rec["language"])].append(rec)
    best = []
    for target in targets(gains):
        candidates = [u for u in units(gains) if (u, target) in cells]
        if not candidates:
            continue
        winner = max(candidates, key=lambda u: cells[(u, target)]["gain"])
        languages = sorted({lang for (u, t, lang) in per_seed if u == winner and t == target})
        best.append(BestConfiguration(
            target, winner, cells[(winner, target)]["gain"],
            {lang: mean(r["score"] for r in per_seed[(winner, target, lang)]) for lang in languages},
            {lang: mean(r["baseline"] for r in per_seed[(winner, target, lang)]) for lang in languages},
            list(gains["train_languages"][target]),
        ))
    return best


@dataclass(frozen=True)
class Point:
    """One dot of a scatter plot: a unit's similarity to a target, and its gain there."""

    unit: str
    target: str
    language: str
    similarity: float
    gain: float


def scatter_points(study: StudyResults, measure: str, per: str) -> dict[str, list[Point]]:
    """Panels of (similarity, gain) points as the correlation groups them: per target, per
    zero-shot language, or pooled. Gains are the stored zero-shot gains."""
    values = study.similarities[measure]["values"]
    gains = study.gains
    if per == "language":
        sources = gains["train_languages"]
        panels: dict[str, list[Point]] = defaultdict(list)
        for r in sorted(gains["per_language"], key=lambda r: (r["language"], r["target"], r["intermediate"])):
            if r["language"] not in sources[r["target"]]:
                panels[r["language"]].append(Point(r["intermediate"], r["target"], r["language"],
                                                   values[r["intermediate"]][r["target"]], r["gain"]))
        return dict(panels)
    points = [Point(u, t, "", values[u][t], c["gain"]) for (u, t), c in sorted(gain_cells(gains).items())]
    if per == "pooled":
        return {"pooled": points}
    return {t: [p for p in points if p.target == t] for t in targets(gains)}


@dataclass(frozen=True)
class Fit:
    """A least-squares line with its pointwise confidence band of the mean."""

    x: np.ndarray
    y: np.ndarray
    low: np.ndarray
    high: np.ndarray
    slope: float
    intercept: float


def fit_line(x: Sequence[float], y: Sequence[float], level: float = 0.95, grid: int = 50) -> Fit | None:
    """Ordinary least squares y = a + b x with the t-based band; None below 3 points or without spread."""
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n < 3 or np.ptp(x) == 0:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    s = np.sqrt(residual @ residual / (n - 2))
    xs = np.linspace(x.min(), x.max(), grid)
    half = stats.t.ppf((1 + level) / 2, n - 2) * s * np.sqrt(1 / n + (xs - x.mean()) ** 2 / ((x - x.mean()) @ (x - x.mean())))
    ys = intercept + slope * xs
    return Fit(xs, ys, ys - half, ys + half, float(slope), float(intercept))


def set_of(study: StudyResults, unit: str) -> str:
    """The first intermediate set naming ``unit`` (for markers), or "" when there are none."""
    return next((name for name, members in study.sets.items() if unit in members), "")


def correlation_row(study: StudyResults, measure: str, group: str, scope: str = "all") -> Mapping | None:
    """The stored row of ``measure`` in ``group`` for ``scope`` (all units, or one set), first
    method of the first correlate that has it."""
    for result in study.correlations:
        for row in result["rows"]:
            if row["similarity"] == measure and row["scope"] == scope and str(row["group"]) == group:
                return row
    return None


def per_of(study: StudyResults, measure: str) -> str:
    """How the first correlate naming ``measure`` groups it; "target" when none does."""
    for result in study.correlations:
        if any(r["similarity"] == measure for r in result["rows"]):
            return result["per"]
    return "target"
