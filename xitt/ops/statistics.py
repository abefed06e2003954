"""Gains against the no-intermediate baseline, and their correlation with similarities."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from xitt.engine.registry import StepContext, op


@op("stats.gains")
def gains(ctx: StepContext) -> dict:
    from xitt.stats.gains import gain_table, zero_shot_summary

    runs = [a.result for a in ctx.inputs["runs"]]
    baselines = [a.result for a in ctx.inputs["baselines"]]
    table = gain_table(ctx.params["rows"], [r["scores"] for r in runs], [b["scores"] for b in baselines])
    sources = {r["task"]: r["train_languages"] for r in [*runs, *baselines]}
    per_language: dict[tuple, list[float]] = defaultdict(list)
    for rec in table:
        per_language[(rec["intermediate"], rec["target"], rec["language"])].append(rec["gain"])
    baseline_scores: dict[tuple, list[float]] = defaultdict(list)
    for b in baselines:
        for language, score in b["scores"].items():
            baseline_scores[(b["task"], language)].append(score)
    return {
        "table": table,
        "summary": zero_shot_summary(table, sources),
        "per_language": [
            {"intermediate": i, "target": t, "language": lang, "gain": mean(v)} for (i, t, lang), v in per_language.items()
        ],
        "baseline": [{"target": t, "language": lang, "score": mean(v)} for (t, lang), v in baseline_scores.items()],
        "train_languages": sources,
        "metrics": {r["task"]: r["metric"] for r in runs},
    }


def _groups(per: str, units, gains: dict, per_language: dict, similarity: dict):
    """(group name, similarity values, gains) for each group of one scope."""
    targets = sorted({t for _, t in gains})
    if per == "target":
        for target in targets:
            pairs = [(u, target) for u in units if (u, target) in gains]
            yield target, [similarity[u][t] for u, t in pairs], [gains[k] for k in pairs]
    elif per == "pooled":
        pairs = [(u, t) for u in units for t in targets if (u, t) in gains]
        yield "pooled", [similarity[u][t] for u, t in pairs], [gains[k] for k in pairs]
    else:  # per language
        languages = sorted({lang for _, _, lang in per_language})
        for language in languages:
            keys = [(u, t, language) for u in units for t in targets if (u, t, language) in per_language]
            yield language, [similarity[u][t] for u, t, _ in keys], [per_language[k] for k in keys]


@op("stats.correlate", helpers=[_groups])
def correlate(ctx: StepContext) -> dict:
    from xitt.stats.correlation import adjust, correlate as correlation

    p = ctx.params
    gain_result = ctx.inputs["gains"].result
    gains = {(r["intermediate"], r["target"]): r["gain"] for r in gain_result["summary"]}
    per_language = {(r["intermediate"], r["target"], r["language"]): r["gain"] for r in gain_result["per_language"]}
    all_units = sorted({u for u, _ in gains})
    scopes = {"all": all_units, **{name: units for name, units in p["sets"].items() if len(p["sets"]) > 1}}
    permutations = p["settings"].get("permutation", 1000)
    rows = []
    for name, artifact in zip(p["similarities"], ctx.inputs["similarities"]):
        similarity = artifact.result["values"]
        for scope, units in scopes.items():
            for group, x, y in _groups(p["per"], units, gains, per_language, similarity):
                for method in p["methods"]:
                    c = correlation(method, x, y, permutations=permutations, seed=0)
                    rows.append({"similarity": name, "method": method, "scope": scope, "group": group, "n": c.n, "r": c.r, "p": c.p})
    for row, p_adj in zip(rows, adjust([r["p"] for r in rows], p["settings"].get("adjust", "holm"))):
        row["p_adjusted"] = p_adj
    comparisons = []
    for left, right in p["compare"]:
        index = {(r["similarity"], r["method"], r["group"], r["scope"]): r for r in rows}
        for r in rows:
            if r["scope"] != left:
                continue
            other = index.get((r["similarity"], r["method"], r["group"], right))
            if other and r["r"] is not None and other["r"] is not None:
                comparisons.append({
                    "similarity": r["similarity"], "method": r["method"], "group": r["group"],
                    "left": left, "right": right, "r_left": r["r"], "r_right": other["r"], "difference": r["r"] - other["r"],
                })
    return {"per": p["per"], "adjust": p["settings"].get("adjust", "holm"), "permutations": permutations, "rows": rows, "comparisons": comparisons}
