"""Gains: the target score after intermediate training minus the score without it."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean, pstdev
from typing import Mapping, Protocol, Sequence


class GainRow(Protocol):
    """What ``gain_table`` reads of a row (``xitt.study.GainRow``)."""

    intermediate: str
    target: str
    seed: int
    run: int
    baseline: int


def gain_table(
    rows: Sequence[GainRow], runs: Sequence[Mapping[str, float]], baselines: Sequence[Mapping[str, float]]
) -> list[dict]:
    """One record per (intermediate, target, seed, language).

    ``rows[i]`` names the intermediate, target and seed of ``runs[rows[i].run]`` and
    the index of its no-intermediate baseline in ``baselines``.
    """
    table = []
    for row in rows:
        run, base = runs[row.run], baselines[row.baseline]
        for language in sorted(run):
            table.append({
                "intermediate": row.intermediate,
                "target": row.target,
                "seed": row.seed,
                "language": language,
                "score": run[language],
                "baseline": base[language],
                "gain": run[language] - base[language],
            })
    return table


def zero_shot_summary(table: Sequence[Mapping], source_languages: Mapping[str, Sequence[str]]) -> list[dict]:
    """Seed-averaged gain per (intermediate, target) over the zero-shot languages
    (those the target was not trained in), with the spread across seeds."""
    per_seed: dict[tuple[str, str], dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rec in table:
        if rec["language"] in source_languages[rec["target"]]:
            continue
        per_seed[(rec["intermediate"], rec["target"])][rec["seed"]].append(rec["gain"])
    summary = []
    for (intermediate, target), seeds in per_seed.items():
        seed_means = [mean(values) for _, values in sorted(seeds.items())]
        summary.append({
            "intermediate": intermediate,
            "target": target,
            "gain": mean(seed_means),
            "spread": pstdev(seed_means) if len(seed_means) > 1 else 0.0,
            "seeds": len(seed_means),
        })
    return summary
