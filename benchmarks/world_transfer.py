"""Does the built-in world transfer? Zero-shot scores per language, chance, and how they
fall with typological distance from English; gains with their seed spread.

Runs a .xitt study through the real engine (cached in the study's own .xitt/ store), then
reads the target steps' artifacts. The figures in docs/world.md come from:

    .venv/bin/python benchmarks/world_transfer.py experiments/world_transfer.xitt

and are written to benchmarks/results/world_transfer[_NAME].json.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean, pstdev

from scipy.stats import spearmanr

CHANCE = {"nli": 1 / 3, "paraphrase": 0.5, "sentiment": 0.5, "choice": 0.5, "pos": 1 / 11, "ner": 0.0, "qa": 0.0,
          "retrieval": None}


def typology_distance(a: list[float], b: list[float]) -> float:
    """Euclidean distance of typology vectors, scaled to [0, 1] by the number of features."""
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)) / len(a))


def run_study(path: Path):
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.compile import compile_program
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store
    from xitt.lang import load_program

    compiled = compile_program(load_program(path))
    began = time.perf_counter()
    with Store(path.parent) as store:
        summary = run(compiled.graph, store)
        artifacts = {step_id: store.get(key) for step_id, key in summary.keys.items()}
        results = {step_id: (a.result, a.meta) for step_id, a in artifacts.items()}
        world_info = json.loads((artifacts["world"].path / "world.json").read_text())
    return results, world_info, time.perf_counter() - began, len(summary.executed)


def summarise(results: dict, world_info: dict) -> dict:
    typology = {lang["code"]: lang["typology"] for lang in world_info["languages"]}
    distance = {code: typology_distance(vector, typology["en"]) for code, vector in typology.items()}
    scores: dict[tuple[str, str, str], list[float]] = defaultdict(list)  # (target, source, language) -> per seed
    for step_id, (result, meta) in results.items():
        if meta["op"] != "train.target":
            continue
        _, target, source, _ = step_id.split("/", 3)
        for language, score in result["scores"].items():
            scores[(target, source, language)].append(score)
    targets = sorted({t for t, _, _ in scores})
    report: dict = {"typology_distance_to_en": distance, "targets": {}}
    for target in targets:
        languages = sorted({lang for t, s, lang in scores if t == target and s == "none"}, key=lambda c: distance[c])
        baseline = {lang: mean(scores[(target, "none", lang)]) for lang in languages}
        zero_shot = [lang for lang in languages if lang != "en"]
        rho = spearmanr([distance[lang] for lang in zero_shot], [baseline[lang] for lang in zero_shot]) if len(zero_shot) > 2 else None
        gains = {}
        for source in sorted({s for t, s, _ in scores if t == target and s != "none"}):
            per_seed = [mean(run[i] - scores[(target, "none", lang)][i] for lang in zero_shot for run in [scores[(target, source, lang)]])
                        for i in range(len(scores[(target, source, zero_shot[0])]))]
            gains[source] = {"gain": mean(per_seed), "spread": pstdev(per_seed) if len(per_seed) > 1 else 0.0, "seeds": len(per_seed)}
        report["targets"][target] = {
            "chance": CHANCE.get(target),
            "baseline": baseline,
            "zero_shot_mean": mean(baseline[lang] for lang in zero_shot),
            "spearman_score_vs_distance": None if rho is None else {"rho": float(rho.statistic), "p": float(rho.pvalue)},
            "seed_spread_baseline": mean(pstdev(scores[(target, "none", lang)]) if len(scores[(target, "none", lang)]) > 1 else 0.0 for lang in zero_shot),
            "gains": gains,
        }
    return report


def show(report: dict) -> None:
    distance = report["typology_distance_to_en"]
    for target, data in report["targets"].items():
        chance = "n/a" if data["chance"] is None else f"{data['chance']:.2f}"
        cells = "  ".join(f"{lang} {score:.2f}" for lang, score in data["baseline"].items())
        rho = data["spearman_score_vs_distance"]
        print(f"{target:<11} chance {chance}  {cells}  | zero-shot mean {data['zero_shot_mean']:.3f}"
              + (f"  rho(score, distance) {rho['rho']:+.2f} (p {rho['p']:.3f})" if rho else ""))
        for source, g in data["gains"].items():
            print(f"    gain from {source:<16} {g['gain']:+.3f} ± {g['spread']:.3f} ({g['seeds']} seeds)")
    print("typology distance to en: " + "  ".join(f"{c} {d:.2f}" for c, d in sorted(distance.items(), key=lambda kv: kv[1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", type=Path)
    parser.add_argument("--name", default="")
    args = parser.parse_args()
    results, world_info, seconds, executed = run_study(args.study.resolve())
    report = summarise(results, world_info)
    report["study"] = str(args.study)
    report["run_seconds"] = round(seconds, 1)
    report["steps_executed"] = executed
    show(report)
    out = Path(__file__).parent / "results" / f"world_transfer{'_' + args.name if args.name else ''}.json"
    out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
