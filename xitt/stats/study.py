"""A study's correlation report: every test of one `correlate` statement, from plain tables.

Input: seed-averaged gains per (intermediate, target) — the default unit of analysis —
and per (intermediate, target, language), the per-seed gains (for `unit(seed)`), the
similarity values, and the intermediate sets. Output: JSON-ready rows of correlations
(with p, adjusted p and CI), comparisons of intermediate sets and of measures, partial
correlations, repeated-measures correlations across languages, and ranking quality.
Pure: no engine, no files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from itertools import combinations
from typing import Iterator, Mapping, Sequence

import numpy as np

from xitt.stats import CorrelateSettings
from xitt.stats.adjust import adjust
from xitt.stats.answer import correlation_answer, gain_answer
from xitt.stats.coefficients import coefficient, undefined_reason
from xitt.stats.compare import fisher_z, paired_bootstrap, paired_mean_difference, steiger
from xitt.stats.correlation import correlate, streams
from xitt.stats.partial import partial_correlation, repeated_measures_correlation
from xitt.stats.power import interval_flag, power_note, smallest_adjusted
from xitt.stats.ranking import best_source_rank, ndcg_at_k, regret_at_k



def unit_description(per: str, unit: str) -> str:
    """The unit of analysis in words: what one row of a correlation is."""
    row = "(intermediate, target) in one language" if per in ("language", "pooled") else "(intermediate, target)"
    over = "" if per in ("language", "pooled") else "averaged over the zero-shot languages, "
    if unit == "seed":
        return f"{row} and seed: zero-shot gain {over}one row per seed; whole {row} units are shuffled and resampled"
    return f"{row}: zero-shot gain {over}averaged over seeds"


@dataclass(frozen=True)
class Options:
    """The `with` settings of one correlate statement, defaults filled in. Each field names
    the setting it holds (``setting`` in its metadata): fields are filled by name, never by
    position, so reordering them cannot swap two settings."""

    methods: tuple[str, ...]
    per: str  # "target" | "language" | "pooled"
    permutations: int = field(metadata={"setting": "permutation"})
    bootstrap: int = field(metadata={"setting": "bootstrap"})
    adjust: str = field(metadata={"setting": "adjust"})
    seed: int = field(metadata={"setting": "seed"})
    level: float = field(metadata={"setting": "confidence"})
    blocked: str = field(metadata={"setting": "blocked"})  # "auto" | "none" | "target" | "target_language"
    top: int = field(metadata={"setting": "top"})
    unit: str = field(metadata={"setting": "unit"})  # "seed_mean" | "seed"
    partial: str = field(metadata={"setting": "partial"})  # a similarity to control for, or "none"
    alpha: float = field(default=0.05, metadata={"setting": "alpha"})  # the level the floor of reachable p is checked against

    @classmethod
    def of(cls, methods: Sequence[str], per: str, settings: Mapping) -> "Options":
        """From a correlate step's params; a setting the program leaves out takes its declared default."""
        written = CorrelateSettings.from_params(dict(settings))
        named = {f.name: f.metadata["setting"] for f in fields(cls) if "setting" in f.metadata}
        return cls(tuple(methods), per, **{name: getattr(written, key) for name, key in named.items()})

    @property
    def blocking(self) -> str:
        """The blocks shuffles stay in. ``auto``: a pooled group (every (intermediate,
        target, language) gain) shuffles within each (target, language), since gains differ
        in scale by target and language and only the intermediates are exchangeable there;
        a per-language group shuffles within each target; a per-target group holds one
        target and one row per intermediate already."""
        by = self.blocked
        if by == "auto":
            by = {"pooled": "target_language", "language": "target"}.get(self.per, "none")
        return "none" if self.per == "target" else by


@dataclass(frozen=True)
class Observation:
    """One row of a correlation: which unit, target, language and seed it is, and its (x, y)."""

    unit: str
    target: str
    language: str
    x: float
    y: float
    seed: int | None = None  # set when each seed is its own row

    @property
    def cluster(self) -> str:
        """The (intermediate, target[, language]) unit whose seeds move together."""
        return f"{self.unit}|{self.target}|{self.language}"

    @property
    def target_language(self) -> str:
        """The (target, language) block of a pooled row."""
        return f"{self.target}|{self.language}"


@dataclass(frozen=True)
class Data:
    """The gains and similarities a report is computed from."""

    gains: Mapping[tuple[str, str], float]  # (intermediate, target) -> gain
    per_language: Mapping[tuple[str, str, str], float]  # (intermediate, target, language) -> gain
    similarities: Mapping[str, Mapping[str, Mapping[str, float]]]  # name -> unit -> target -> value
    sets: Mapping[str, Sequence[str]]  # scope name -> its units; "all" first
    performance: Mapping[tuple[str, str], float]  # (intermediate, target) -> score after transfer
    per_seed: Mapping[tuple[str, str, str, int], float] = field(default_factory=dict)  # (intermediate, target, language, seed) -> gain


def task_of(unit: str) -> str:
    """The task a unit trains on, shared by its English and multilingual forms: the label
    without its languages (``nli@en`` -> ``nli``, ``mix(nli@*,qa@*)`` -> ``mix(nli,qa)``)."""
    return re.sub(r"@[^,)]*", "", unit)


def _outcomes(per: str, unit: str, data: Data) -> dict[tuple[str, str, str, int | None], float]:
    """(intermediate, target, language or "", seed or None) -> gain, at the unit of analysis."""
    if unit == "seed":
        if not data.per_seed:
            raise ValueError("unit(seed) needs the per-seed gains")
        if per in ("language", "pooled"):
            return dict(data.per_seed)
        languages: dict[tuple, list[float]] = defaultdict(list)
        for (u, t, _, s), gain in data.per_seed.items():
            languages[(u, t, "", s)].append(gain)
        return {key: float(np.mean(v)) for key, v in languages.items()}
    if per in ("language", "pooled"):
        return {(u, t, lang, None): g for (u, t, lang), g in data.per_language.items()}
    return {(u, t, "", None): g for (u, t), g in data.gains.items()}


def groups(per: str, units: Sequence[str], data: Data, similarity: str, unit: str = "seed_mean") -> Iterator[tuple[str, list[Observation]]]:
    """(group name, observations) of one scope: one group per target or language, or one pooled."""
    values = data.similarities[similarity]
    outcomes = _outcomes(per, unit, data)
    targets = sorted({t for _, t in data.gains})
    languages = sorted({k[2] for k in outcomes})
    seeds = sorted({k[3] for k in outcomes}, key=lambda s: (s is None, s))
    rows = [Observation(u, t, lang, values[u][t], outcomes[(u, t, lang, s)], s)
            for lang in languages for t in targets for u in units for s in seeds if (u, t, lang, s) in outcomes]
    if per == "language":
        for lang in languages:
            yield lang, [o for o in rows if o.language == lang]
    elif per == "pooled":
        yield "pooled", rows
    else:
        for target in targets:
            yield target, [o for o in rows if o.target == target]


def _blocks(options: Options, rows: Sequence[Observation]) -> list[str] | None:
    by = options.blocking
    return None if by == "none" else [getattr(o, by) for o in rows]


def _clusters(options: Options, rows: Sequence[Observation]) -> list[str] | None:
    return [o.cluster for o in rows] if options.unit == "seed" else None


def _resample_clusters(options: Options, rows: Sequence[Observation]) -> list[str] | None:
    """What the bootstrap resamples: whole intermediate tasks where a group has several rows
    per intermediate (pooled, per language: its rows share one trained model), else the
    permutation's units."""
    return [o.unit for o in rows] if options.per != "target" else _clusters(options, rows)


def _honesty(row: dict, options: Options, tests: int) -> dict:
    """What a reader must be told beside a test: the smallest p it could reach, before and
    after adjustment, a warning when that is above alpha, and whether its interval is degenerate."""
    floor = smallest_adjusted(row.get("p_smallest"), tests, options.adjust)
    note = power_note(row.get("p_smallest"), options.alpha, row.get("units", row.get("n", 0)))
    if not note:
        note = power_note(floor, options.alpha, row.get("units", row.get("n", 0)), f"{options.adjust}-adjusted p over {tests} tests")
    return {"p_smallest_adjusted": floor, "power_note": note, "ci_flag": interval_flag(row.get("ci_low"), row.get("ci_high"))}


def correlation_rows(data: Data, options: Options) -> list[dict]:
    """One row per (similarity, method, scope, group), p-values adjusted together; each with
    the smallest p it could reach and a flag on a degenerate interval."""
    rows = []
    for name in data.similarities:
        for scope, units in data.sets.items():
            for group, obs in groups(options.per, units, data, name, options.unit):
                x, y = [o.x for o in obs], [o.y for o in obs]
                clusters = _clusters(options, obs)
                for method in options.methods:
                    c = correlate(method, x, y, options.permutations, options.bootstrap, options.seed, options.level,
                                  _blocks(options, obs), clusters, _resample_clusters(options, obs))
                    units_count = len(set(clusters)) if clusters else len(obs)
                    rows.append({"similarity": name, "scope": scope, "group": group, **asdict(c), "units": units_count})
    for row, p in zip(rows, adjust([r["p"] for r in rows], options.adjust)):
        row["p_adjusted"] = p
    tests = sum(r["p"] is not None for r in rows)
    for row in rows:
        row.update(_honesty(row, options, tests))
    return rows


def _paired(left: list[Observation], right: list[Observation], key) -> tuple[list[Observation], list[Observation]]:
    by_key = {key(o): o for o in right}
    shared = [o for o in left if key(o) in by_key]
    return shared, [by_key[key(o)] for o in shared]


def set_comparisons(data: Data, options: Options, pairs: Sequence[Sequence[str]], rows: Sequence[dict]) -> list[dict]:
    """Does the correlation change between two intermediate sets (English vs multilingual)?

    On the units both sets share (the same task, and target, language and seed): r of
    each side, their difference, and the paired bootstrap's CI and p of that same
    difference, so the printed difference is the one tested. The bootstrap resamples
    whole tasks (both forms of a task together, every row of it) wherever a group has
    several rows per task (pooled, per language, seeds as rows). Fisher's z for
    independent samples, on each set's own rows, when the sets share fewer than 3 units.
    """
    index = {(r["similarity"], r["method"], r["scope"], r["group"]): r for r in rows}
    out = []
    for left, right in pairs:
        for name in data.similarities:
            left_groups = dict(groups(options.per, data.sets[left], data, name, options.unit))
            for group, right_obs in groups(options.per, data.sets[right], data, name, options.unit):
                shared_left, shared_right = _paired(left_groups.get(group, []), right_obs, lambda o: (task_of(o.unit), o.target, o.language, o.seed))
                several = options.per != "target" or options.unit == "seed"
                clusters = [task_of(o.unit) for o in shared_left] if several else None
                for method in options.methods:
                    a, b = index.get((name, method, left, group)), index.get((name, method, right, group))
                    if not a or not b:
                        continue
                    record = {"similarity": name, "method": method, "group": group, "left": left, "right": right, "n_shared": len(shared_left)}
                    out.append({**record, **_difference_test(method, shared_left, shared_right, a, b, clusters, options)})
    for record, p in zip(out, adjust([c["p"] for c in out], options.adjust)):
        record["p_adjusted"] = p
    tests = sum(c["p"] is not None for c in out)
    for record in out:
        record.update(_honesty(record, options, tests))
        record["ci_flag"] = interval_flag(record.get("ci_low"), record.get("ci_high"), span=4.0)
    return out


def _difference_test(method, left, right, a, b, clusters, options: Options) -> dict:
    """The difference r_left - r_right a comparison row prints, with the test of that very
    difference; undefined (None, with the reason) when either r is."""
    if len(left) >= 3:
        xl, yl, xr, yr = ([o.x for o in left], [o.y for o in left], [o.x for o in right], [o.y for o in right])
        reason = undefined_reason(np.array(xl), np.array(yl)) or undefined_reason(np.array(xr), np.array(yr))
        if reason:
            return {"test": "none", "r_left": None, "r_right": None, "difference": None, "p": None, "reason": reason}
        _, rng = streams(options.seed)
        d = paired_bootstrap(method, xl, yl, xr, yr, options.bootstrap, rng, options.level, clusters)
        return {"test": "paired bootstrap", "r_left": coefficient(method, np.array(xl), np.array(yl)),
                "r_right": coefficient(method, np.array(xr), np.array(yr)), "difference": d.difference,
                "ci_low": d.ci_low, "ci_high": d.ci_high, "ci_method": d.ci_method, "ci_note": d.note, "p": d.p,
                "p_smallest": (2 / (d.resamples + 1)) if d.resamples else None,
                "units": len(set(clusters)) if clusters else len(left)}
    if a["r"] is None or b["r"] is None:
        return {"test": "none", "r_left": a["r"], "r_right": b["r"], "difference": None, "p": None,
                "reason": a.get("reason") or b.get("reason") or "undefined correlation"}
    common = {"r_left": a["r"], "r_right": b["r"], "difference": a["r"] - b["r"]}
    if method != "weighted_tau" and min(a["n"], b["n"]) > 4 and abs(a["r"]) < 1 and abs(b["r"]) < 1:
        t = fisher_z(a["r"], a["n"], b["r"], b["n"], method)
        return {**common, "test": "fisher z (independent samples)", "z": t.z, "p": t.p}
    return {**common, "test": "none", "p": None,
            "reason": f"the sets share {len(left)} intermediate task(s), fewer than the 3 a paired test needs, and are too small for Fisher's z"}


def gain_comparisons(data: Data, options: Options, pairs: Sequence[Sequence[str]]) -> list[dict]:
    """Do the gains differ between two intermediate sets? Per target and pooled over targets,
    the mean of gain_left - gain_right over the (task, target, zero-shot language) cells
    both sets have (seed-averaged gains; ``nli@en`` pairs with ``nli@*``), with a bootstrap
    CI over whole tasks and a sign-flip permutation p (both forms of a task exchangeable
    under the null), adjusted together."""
    out = []
    for left, right in pairs:
        by_key = {(task_of(u), t, lang): g for (u, t, lang), g in data.per_language.items() if u in set(data.sets[right])}
        cells = sorted(((task_of(u), t, lang), g, by_key[(task_of(u), t, lang)])
                       for (u, t, lang), g in data.per_language.items() if u in set(data.sets[left]) and (task_of(u), t, lang) in by_key)
        targets = sorted({key[1] for key, _, _ in cells})
        for group in [*targets, "pooled"]:
            mine = [c for c in cells if group in ("pooled", c[0][1])]
            if not mine:
                continue
            _, rng = streams(options.seed)
            d = paired_mean_difference([a - b for _, a, b in mine], options.bootstrap or options.permutations, rng,
                                       options.level, [key[0] for key, _, _ in mine])
            tasks = len({key[0] for key, _, _ in mine})
            out.append({"group": group, "left": left, "right": right, "gain_left": float(np.mean([a for _, a, _ in mine])),
                        "gain_right": float(np.mean([b for _, _, b in mine])), "difference": d.difference, "n_cells": len(mine),
                        "units": tasks, "ci_low": d.ci_low, "ci_high": d.ci_high, "ci_method": d.ci_method, "ci_note": d.note,
                        "p": d.p, "test": d.test, "p_smallest": (1 / 2 ** (tasks - 1) if d.test.endswith("exact") else 1 / (d.resamples + 1)) if d.resamples else None})
    for record, p in zip(out, adjust([c["p"] for c in out], options.adjust)):
        record["p_adjusted"] = p
    tests = sum(c["p"] is not None for c in out)
    for record in out:
        record.update(_honesty(record, options, tests))
        record["ci_flag"] = interval_flag(record["ci_low"], record["ci_high"], span=float("inf"))  # gains have no bounded range
    return out


def measure_comparisons(data: Data, options: Options) -> list[dict]:
    """Which of two measures tracks the same gains better: paired bootstrap of r_A - r_B,
    and Steiger's z for Pearson (both correlations share the gains; it assumes independent
    rows, so it is left out when seeds are rows)."""
    out = []
    for first, second in combinations(list(data.similarities), 2):
        pairs = zip(groups(options.per, data.sets["all"], data, first, options.unit), groups(options.per, data.sets["all"], data, second, options.unit))
        for (group, obs_a), (_, obs_b) in pairs:
            xa, xb, y = np.array([o.x for o in obs_a]), np.array([o.x for o in obs_b]), np.array([o.y for o in obs_a])
            if len(y) < 4 or np.ptp(xa) == 0 or np.ptp(xb) == 0 or np.ptp(y) == 0:
                continue
            for method in options.methods:
                _, rng = streams(options.seed)
                d = paired_bootstrap(method, xa, y, xb, y, options.bootstrap, rng, options.level, _resample_clusters(options, obs_a))
                record = {"first": first, "second": second, "method": method, "group": group, "n": len(y), "difference": d.difference,
                          "ci_low": d.ci_low, "ci_high": d.ci_high, "ci_method": d.ci_method, "p_bootstrap": d.p}
                if method == "pearson" and options.unit == "seed_mean":
                    r_a, r_b, r_ab = (float(np.corrcoef(u, v)[0, 1]) for u, v in ((y, xa), (y, xb), (xa, xb)))
                    if max(abs(r_a), abs(r_b), abs(r_ab)) < 1:
                        s = steiger(r_a, r_b, r_ab, len(y))
                        record.update(steiger_z=s.z, p_steiger=s.p)
                out.append(record)
    return out


PARTIAL_METHODS = ("pearson", "spearman")


def partial_rows(data: Data, options: Options) -> list[dict]:
    """Each similarity's correlation with the gains controlling for the ``partial`` covariate
    (e.g. intermediate data size), per group on seed-averaged units, with the t-test p
    (n - 3 degrees of freedom), adjusted together. Pearson and Spearman only; Spearman
    when the statement asks for neither."""
    covariate = options.partial
    if covariate == "none":
        return []
    if covariate not in data.similarities:
        raise ValueError(f"partial({covariate}): {covariate!r} is not a similarity of this correlate statement")
    methods = [m for m in options.methods if m in PARTIAL_METHODS] or ["spearman"]
    out = []
    for name in data.similarities:
        if name == covariate:
            continue
        for scope, units in data.sets.items():
            controls = dict(groups(options.per, units, data, covariate))
            for group, obs in groups(options.per, units, data, name):
                x, y, z = (np.array(v, dtype=float) for v in ([o.x for o in obs], [o.y for o in obs], [o.x for o in controls[group]]))
                for method in methods:
                    result = partial_correlation(x, y, z, method)
                    out.append({"similarity": name, "covariate": covariate, "method": method, "scope": scope, "group": group,
                                **asdict(result), "p_method": "t test" if result.r is not None else "none"})
    for record, p in zip(out, adjust([r["p"] for r in out], options.adjust)):
        record["p_adjusted"] = p
    return out


def repeated_measures(data: Data) -> list[dict]:
    """Correlation within languages (each language its own intercept), per similarity and scope."""
    out = []
    for name, values in data.similarities.items():
        for scope, units in data.sets.items():
            keys = [k for k in sorted(data.per_language) if k[0] in set(units)]
            languages = {k[2] for k in keys}
            if len(languages) < 2 or len(keys) - len(languages) - 1 < 1:
                continue
            x = np.array([values[u][t] for u, t, _ in keys])
            y = np.array([data.per_language[k] for k in keys])
            if np.ptp(x) == 0 or np.ptp(y) == 0:
                continue
            result = repeated_measures_correlation(x, y, [k[2] for k in keys])
            out.append({"similarity": name, "scope": scope, "languages": len(languages), **asdict(result)})
    return out


def ranking(data: Data, options: Options) -> list[dict]:
    """Each measure as a selector of intermediate tasks, per target: NDCG@k, Regret@1, Regret@k
    and the rank of the best source (Poth et al. 2021), then their mean over targets."""
    out = []
    targets = sorted({t for _, t in data.performance})
    for name, values in data.similarities.items():
        for scope, units in data.sets.items():
            per_target = []
            for target in targets:
                candidates = [u for u in units if (u, target) in data.performance]
                if len(candidates) < 2:
                    continue
                predicted = [values[u][target] for u in candidates]
                performance = np.array([data.performance[(u, target)] for u in candidates])
                k = min(options.top, len(candidates))
                per_target.append({
                    "similarity": name, "scope": scope, "target": target, "n": len(candidates), "k": k,
                    "ndcg_at_k": _finite(ndcg_at_k(predicted, performance, k)) if performance.min() >= 0 else None,
                    "regret_at_1": _finite(regret_at_k(predicted, performance, 1)),  # undefined (None) when the best scores 0
                    "regret_at_k": _finite(regret_at_k(predicted, performance, k)),
                    "best_rank": best_source_rank(predicted, performance),
                })
            out.extend(per_target)
            if per_target:
                out.append({"similarity": name, "scope": scope, "target": "mean", "n": len(per_target), "k": options.top,
                            **{m: _mean([r[m] for r in per_target]) for m in ("ndcg_at_k", "regret_at_1", "regret_at_k", "best_rank")}})
    return out


def _finite(value: float) -> float | None:
    """None for an undefined (NaN) figure: results are JSON, which has no NaN."""
    return None if not np.isfinite(value) else float(value)


def _mean(values: Sequence[float | None]) -> float | None:
    defined = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(defined)) if defined else None


def report(data: Data, options: Options, compare: Sequence[Sequence[str]] = ()) -> dict:
    """Everything one correlate statement asks for, JSON-ready; with no methods (a `compare`
    without any `correlate`), the comparison of the sets' gains alone."""
    if not options.methods:
        gains = gain_comparisons(data, options, compare)
        return {"per": "target", "kind": "gains", "adjust": options.adjust, "alpha": options.alpha, "confidence": options.level,
                "rows": [], "comparisons": [], "gain_comparisons": gains, "answer": gain_answer(gains, options.level, compare)}
    rows = correlation_rows(data, options)
    comparisons = set_comparisons(data, options, compare, rows)
    return {
        "kind": "correlations",
        "alpha": options.alpha,
        "per": options.per,
        "unit": unit_description(options.per, options.unit),
        "unit_of_analysis": options.unit,
        "adjust": options.adjust,
        "permutations": options.permutations,
        "bootstrap": options.bootstrap,
        "confidence": options.level,
        "seed": options.seed,
        "blocked": options.blocking,
        "rows": rows,
        "comparisons": comparisons,
        "gain_comparisons": gain_comparisons(data, options, compare),
        "answer": correlation_answer(comparisons, options.level) if options.per == "pooled" else "",
        "measure_comparisons": measure_comparisons(data, options),
        "partial": partial_rows(data, options),
        "repeated_measures": repeated_measures(data),
        "ranking": ranking(data, options),
    }
