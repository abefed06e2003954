"""Does the built-in world transfer, and which of its ingredients does transfer need?

    .venv/bin/python benchmarks/world_transfer.py            -> benchmarks/results/world_transfer.json

Two parts, both run through the real engine and cached in benchmarks/world_transfer/.xitt
(a second run only re-reads results):

1. The study ``benchmarks/world_transfer/main.xitt``: zero-shot scores per language and
   target (NLI, paraphrase, POS, NER, QA, retrieval) against chance and against the same
   model without pretraining; the Spearman correlation over languages of zero-shot score
   with typological distance to English; gain matrices intermediate x target (3 seeds,
   with spread) for the English-only and the multilingual intermediate sets.
2. Ablation arms (``ARMS``), one seed, no intermediate step, at the main study's scale:
   the world or model with one ingredient removed or changed (code-switching, function-word
   switching, shared anchors, selectional structure, vocabulary size, pretraining length,
   parallel lines), word embeddings trained in the target step, and no pretraining (the
   floor). Arms that change only the target step reuse the main study's pretraining.

Torch takes one thread per core the process may use: on 2 shared cores give each process
one core (``taskset -c 0 ...``) and split the work with ``--only seed=N`` and ``--arms
NAMES``; the plain command then only re-reads the cache and writes the JSON. Two threads
on two busy cores were about 15 times slower per training step than one thread on one core
(timings and load: docs/world.md).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, pstdev

from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent
STUDY = ROOT / "world_transfer" / "main.xitt"
TARGETS = ("nli", "paraphrase", "pos", "ner", "qa", "retrieval")
# Chance per target: uniform guessing for balanced classes; for POS the majority tag of the
# test data (computed below); NER span F1 and QA F1 have no guessing floor above 0, so the
# no-pretraining arm is the meaningful floor there (reported beside it). Retrieval: one
# right sentence among the test set's (computed below).
CHANCE = {"nli": 1 / 3, "paraphrase": 0.5, "ner": 0.0, "qa": 0.0}


@dataclass(frozen=True)
class Arm:
    """One ablation arm: the main study's settings with some world, model or target params
    changed, one seed, no intermediate step. Arms whose world and model equal the main
    study's share its cached pretraining (same step keys)."""

    name: str
    what: str
    world: dict = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    # Arms train every target weight (word embeddings too), as the main study's first round
    # did: the world and model arms below were measured that way, against ``all_weights_trained``.
    target: dict = field(default_factory=lambda: {"freeze_embeddings": False})
    languages: int = 0  # 0: the main study's
    targets: tuple[str, ...] = TARGETS


ARMS = (
    Arm("main_study", "nothing: the main study (word embeddings frozen in the target step), its seed-1 baseline",
        target={}),
    Arm("all_weights_trained", "word embeddings trained too in the target step: the reference of the arms below"),
    Arm("no_code_switch", "no code-switched words in the corpus", world={"code_switch": 0.0}),
    Arm("content_switch_only", "code-switching swaps content words only, never function words", world={"function_switch": False}),
    Arm("no_anchors", "names and numbers spelled differently in every language", world={"anchors": False}),
    Arm("no_structure", "every slot drawn uniformly and independently (the naive world)", world={"structure": False}),
    Arm("small_vocabulary", "a 4,000-piece vocabulary instead of 16,000 (about 2 pieces a word)", model={"vocab_size": 4000}),
    Arm("short_pretraining", "1,500 pretraining steps instead of 15,000", model={"pretrain_steps": 1500}),
    Arm("more_code_switch", "code-switched words in 80% of corpus sentences instead of 50%", world={"code_switch": 0.8}),
    Arm("parallel", "a fifth of the corpus lines pair a sentence with its translation (XLM's TLM data)", world={"parallel": 0.2}),
    Arm("no_pretraining_main", "no pretraining: the same model randomly initialised, all weights trained (the floor)",
        model={"pretrain_steps": 0}),
)


def typology_distance(a: list[float], b: list[float]) -> float:
    """Euclidean distance of typology vectors, scaled to [0, 1] by the number of features."""
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)) / len(a))


class Printer:
    """A reporter that prints one line per finished step (a long run should show life)."""

    def start(self, planned) -> None:
        self.total, self.done = len(planned), 0

    def step_started(self, step) -> None: ...

    def step_progress(self, step, done, total, metrics) -> None: ...

    def step_finished(self, step, status, seconds) -> None:
        self.done += 1
        if status != "cached":
            print(f"  [{self.done}/{self.total}] {step.id}: {status} in {seconds:.1f} s", flush=True)

    def finish(self) -> None: ...


def run_graph(graph, store_dir: Path) -> tuple[dict, Path, int]:
    """Run a graph in the store at ``store_dir``: (step id -> (result, meta), the world's directory, steps executed)."""
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store

    with Store(store_dir) as store:
        summary = run(graph, store, Printer())
        artifacts = {step_id: store.get(key) for step_id, key in summary.keys.items()}
        results = {step_id: (a.result, a.meta) for step_id, a in artifacts.items()}
    return results, artifacts["world"].path, len(summary.executed)


def read_cached(graph, store_dir: Path) -> tuple[dict, Path | None, int]:
    """Like ``run_graph``, but runs nothing: the results already in the store (``--partial``,
    to report a measurement still running). Matches artifacts by step id, params and the
    artifacts chosen for their inputs, not by key, so results computed under an earlier
    version of the ops' code (another process still running it) are found too."""
    from xitt.engine.store import RESULT_FILE, Store

    candidates: dict[str, list[dict]] = defaultdict(list)
    with Store(store_dir) as store:  # the store knows its layout; finished artifacts only
        artifacts = [store.get(key) for key in sorted(store.keys())]
    for artifact in artifacts:
        meta = {**artifact.meta, "path": artifact.path}
        candidates[meta["step"]].append(meta)
    chosen: dict[str, dict] = {}
    for step in graph:
        want = json.dumps(step.params, sort_keys=True)
        for meta in sorted(candidates.get(step.id, []), key=lambda m: m.get("started", "")):
            inputs_ok = all(isinstance(ref, str) and ref in chosen and meta["input_keys"].get(role) == chosen[ref]["key"]
                            for role, ref in step.inputs.items())
            if inputs_ok and json.dumps(meta["params"], sort_keys=True) == want:
                chosen[step.id] = meta
    results = {step_id: (json.loads((m["path"] / RESULT_FILE).read_text()), m) for step_id, m in chosen.items()}
    return results, chosen["world"]["path"] if "world" in chosen else None, 0


def main_graph(path: Path):
    from xitt.compile import compile_program
    from xitt.lang import load_program

    program = load_program(path)
    return compile_program(program).graph, program


def arm_graph(arm: Arm, program):
    """world -> tokenizer -> pretrain -> target (no intermediate), from the main program's settings."""
    from xitt.engine.graph import Graph, Step
    from xitt.models.params import PretrainSettings, TokenizerSettings, TrainSettings
    from xitt.study import Target, TargetStep
    from xitt.world import WorldConfig, language_codes

    world = WorldConfig.from_params(dict(program.world.params) | arm.world | ({"languages": arm.languages} if arm.languages else {}))
    model = PretrainSettings.from_params(dict(program.model.params) | arm.model)
    target = TrainSettings.from_params(dict(program.train["target"]) | arm.target, seed=1)
    codes = tuple(language_codes(world.languages))
    steps = [
        Step("world", "world.generate", world.to_json()),
        Step("tokenizer", "model.tokenizer", TokenizerSettings(model.vocab_size).to_json(), {"world": "world"}),
        Step("pretrain/base", "model.pretrain", model.to_json(), {"world": "world", "tokenizer": "tokenizer"}),
    ]
    for task in arm.targets:
        steps.append(Step(f"target/{task}/none/seed=1", "train.target", TargetStep(Target(task, ("en",), codes), target, 1).to_json(),
                          {"encoder": "pretrain/base", "world": "world"}))
    return Graph(tuple(steps))


def subgraph(graph, text: str):
    """The steps whose id contains ``text``, with every step they need: lets several
    processes (one core each) share the main study's work; the plain run then re-reads it."""
    from xitt.engine.graph import Graph

    by_id, wanted = graph.by_id(), set()
    todo = [step.id for step in graph if text in step.id]
    while todo:
        step_id = todo.pop()
        if step_id not in wanted:
            wanted.add(step_id)
            todo.extend(by_id[step_id].input_ids())
    return Graph(tuple(step for step in graph if step.id in wanted))


def import_store(source: Path, into: Path) -> int:
    """Copy every finished artifact of another xitt store (e.g. a one-off run of the same
    study) that ``into`` lacks, re-hashed against its own checksums first and committed
    through the store, so the engine treats it as its own. Keys cover op versions, params
    and inputs, so an imported artifact is exactly what this study would have computed."""
    import shutil

    from xitt.engine.store import META_FILE, RESULT_FILE, Store

    copied = 0
    with Store(source.parent if source.name == ".xitt" else source) as other, Store(into) as store:
        for key in list(other.keys()):
            if store.has(key) or not other.has(key):
                continue
            artifact = other.get(key, verify=True)
            temp = store.new_temp_dir(key)
            shutil.copytree(artifact.path, temp, dirs_exist_ok=True)
            meta = {k: v for k, v in artifact.meta.items() if k not in ("key", "digest", "checksums")}
            for name in (RESULT_FILE, META_FILE):
                (temp / name).unlink()
            store.commit(key, temp, artifact.result, meta)
            copied += 1
    return copied


def scores_by_run(results: dict) -> dict[tuple[str, str], list[dict[str, float]]]:
    """(target, source) -> per seed (in seed order), language -> score."""
    runs: dict[tuple[str, str], list[tuple[int, dict]]] = defaultdict(list)
    for step_id, (result, meta) in results.items():
        if meta["op"] == "train.target":
            _, target, source, seed = step_id.split("/", 3)
            runs[(target, source)].append((int(seed.split("=")[1]), result["scores"]))
    return {key: [scores for _, scores in sorted(seeds)] for key, seeds in runs.items()}


def majority_tag_share(world_dir: Path, lang: str) -> float:
    """The majority tag's share of the POS test words (what always guessing it scores)."""
    from xitt import world

    tags = [t for e in world.load_examples(world_dir, "pos", lang, "test") for t in e["tags"]]
    return max(tags.count(t) for t in set(tags)) / len(tags)


def zero_shot(runs: dict, distance: dict, chance: dict, floor: dict | None) -> dict:
    """Per target: mean over seeds of the no-intermediate run, per language; Spearman over languages."""
    out = {}
    for target in TARGETS:
        if (target, "none") not in runs:
            continue
        seeds = runs[(target, "none")]
        languages = sorted(seeds[0], key=lambda c: (distance[c], c))
        # seeds: how many baseline runs there are (3 when complete)
        score = {lang: mean(s[lang] for s in seeds) for lang in languages}
        others = [lang for lang in languages if lang != "en"]
        rho = spearmanr([distance[lang] for lang in others], [score[lang] for lang in others])
        out[target] = {
            "chance": chance[target],
            "no_pretraining": floor.get(target) if floor else None,
            "score": score,
            "seed_spread": {lang: pstdev([s[lang] for s in seeds]) for lang in languages},
            "zero_shot_mean": mean(score[lang] for lang in others),
            "zero_shot_min": min(score[lang] for lang in others),
            "spearman_score_vs_distance": {"rho": float(rho.statistic), "p": float(rho.pvalue), "languages": len(others)},
            "seeds": len(seeds),
        }
    return out


def gain_matrix(runs: dict, sources: list[str]) -> dict:
    """source -> target -> mean zero-shot gain over seeds, its seed spread, and the baseline's.

    A seed's gain is the mean over non-English languages of (score after the intermediate
    step) - (score without it), both runs with that seed. ``beyond_spread``: |gain| larger
    than both the gain's seed-to-seed standard deviation and the baseline's."""
    matrix: dict = {}
    for source in sources:
        row = {}
        for target in TARGETS:
            if (target, source) not in runs or (target, "none") not in runs:
                continue
            base, with_ = runs[(target, "none")], runs[(target, source)]
            others = [lang for lang in base[0] if lang != "en"]
            per_seed = [mean(w[lang] - b[lang] for lang in others) for w, b in zip(with_, base)]
            base_spread = pstdev([mean(b[lang] for lang in others) for b in base])
            spread = pstdev(per_seed)
            gain = mean(per_seed)
            row[target] = {"gain": gain, "spread": spread, "baseline_spread": base_spread, "per_seed": per_seed, "seeds": len(per_seed),
                           "en_gain": mean(w["en"] - b["en"] for w, b in zip(with_, base)) if "en" in base[0] else None,
                           "beyond_spread": len(per_seed) > 1 and abs(gain) > max(spread, base_spread)}
        matrix[source] = row
    return matrix


def show(report: dict) -> None:
    distance = report["typology_distance_to_en"]
    print("\nzero-shot (target trained in English; mean of 3 seeds); languages by typology distance to en:")
    print("  " + "  ".join(f"{c} {d:.2f}" for c, d in sorted(distance.items(), key=lambda kv: (kv[1], kv[0]))))
    for target, data in report["zero_shot"].items():
        cells = " ".join(f"{lang} {s:.2f}" for lang, s in data["score"].items())
        rho = data["spearman_score_vs_distance"]
        floor = data["no_pretraining"]
        print(f"  {target:<10} chance {data['chance']:.2f}  no-pretraining {floor if floor is None else round(floor, 2)}  "
              f"| {cells} | mean {data['zero_shot_mean']:.2f}  rho {rho['rho']:+.2f} (p {rho['p']:.3f})")
    print(f"  pooled rho(normalised score, distance) {report['spearman_pooled']['rho']:+.2f} (p {report['spearman_pooled']['p']:.3f})")
    for name, matrix in report["gains"].items():
        print(f"\ngain matrix, {name} intermediate set (zero-shot mean gain ± seed spread; * beyond spread):")
        print("  " + " " * 18 + "".join(f"{t:>16}" for t in TARGETS))
        for source, row in matrix.items():
            cells = "".join(f"{row[t]['gain']:+8.3f}±{row[t]['spread']:.3f}{'*' if row[t]['beyond_spread'] else ' '}" for t in TARGETS if t in row)
            print(f"  {source:<18}{cells}")
    print("\nablation (one seed): zero-shot mean over the non-English languages (en in brackets)")
    for arm in report["ablation"]:
        cells = "  ".join(f"{t} {_arm_cell(v)}" for t, v in arm["targets"].items())
        print(f"  {arm['name']:<20} {cells}")


def run_arm(arm: Arm, program, partial: bool = False) -> dict:
    results, _, executed = (read_cached if partial else run_graph)(arm_graph(arm, program), STUDY.parent)
    out = {}
    for (target, _), seeds in scores_by_run(results).items():
        scores = seeds[0]
        others = [lang for lang in scores if lang != "en"]
        out[target] = {"en": scores.get("en"), "zero_shot_mean": mean(scores[lang] for lang in others), "scores": scores}
    return {"name": arm.name, "what": arm.what, "world": arm.world, "model": arm.model, "target": arm.target,
            "languages": arm.languages or program.world.params["languages"], "targets": out, "steps_executed": executed}


def _arm_cell(result: dict) -> str:
    """Zero-shot mean, English in brackets (retrieval has no English score: it is the pivot)."""
    return f"{result['zero_shot_mean']:.2f}" + ("" if result["en"] is None else f" [{result['en']:.2f}]")


def markdown(report: dict) -> str:
    """The tables of docs/world.md "Measured transfer", from a written report."""
    distance = report["typology_distance_to_en"]
    languages = sorted(distance, key=lambda c: (distance[c], c))
    lines = ["| target | chance | no pretraining | " + " | ".join(f"{c} ({distance[c]:.2f})" for c in languages)
             + " | zero-shot mean | Spearman ρ (p) |",
             "|---" * (len(languages) + 5) + "|"]
    for target, data in report["zero_shot"].items():
        rho = data["spearman_score_vs_distance"]
        floor = data["no_pretraining"]
        cells = " | ".join(f"{data['score'][c]:.2f}±{data['seed_spread'][c]:.2f}" if c in data["score"] else "—" for c in languages)
        lines.append(f"| {target} | {data['chance']:.2f} | {'' if floor is None else f'{floor:.2f}'} | {cells} | "
                     f"{data['zero_shot_mean']:.2f} | {rho['rho']:+.2f} ({rho['p']:.2f}) |")
    pooled = report["spearman_pooled"]
    lines.append(f"\nPooled over targets (scores min-max normalised per target): ρ = {pooled['rho']:+.2f} "
                 f"(p = {pooled['p']:.3f}, {pooled['languages']} languages).")
    for name, matrix in report["gains"].items():
        targets = [t for t in TARGETS if any(t in row for row in matrix.values())]
        lines += [f"\n**Gain matrix, `{name}` intermediate set** (zero-shot mean gain ± seed-to-seed std over 3 seeds; "
                  "**bold**: |gain| above both the gain's and the baseline's seed spread):\n",
                  "| intermediate | " + " | ".join(targets) + " |", "|---" * (len(targets) + 1) + "|"]
        for source, row in matrix.items():
            cells = []
            for t in targets:
                if t not in row:
                    cells.append("")
                    continue
                text = f"{row[t]['gain']:+.3f} ± {row[t]['spread']:.3f}" + (f" ({row[t]['seeds']} seeds)" if row[t]["seeds"] < 3 else "")
                cells.append(f"**{text}**" if row[t]["beyond_spread"] else text)
            lines.append(f"| {source} | " + " | ".join(cells) + " |")
    if report["ablation"]:
        targets = [t for t in TARGETS if any(t in arm["targets"] for arm in report["ablation"])]
        lines += ["\n**Ablation** (zero-shot mean over the non-English languages; English in brackets):\n",
                  "| arm | what changes | " + " | ".join(targets) + " |", "|---" * (len(targets) + 2) + "|"]
        for arm in report["ablation"]:
            if not arm["targets"]:
                continue
            cells = " | ".join(_arm_cell(arm["targets"][t]) if t in arm["targets"] else "" for t in targets)
            lines.append(f"| {arm['name']} | {arm['what']} | {cells} |")
        missing = [arm["name"] for arm in report["ablation"] if not arm["targets"]]
        if missing:
            lines.append(f"\nNot measured yet: {', '.join(missing)}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=STUDY)
    parser.add_argument("--skip-ablation", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print the docs tables from the written results and stop")
    parser.add_argument("--partial", action="store_true", help="run nothing: report the steps already in the store")
    parser.add_argument("--only", metavar="TEXT", help="run only the main study's steps whose id contains TEXT "
                        "(and their inputs), write nothing: to split the work over processes")
    parser.add_argument("--arms", metavar="NAMES", help="comma-separated ablation arms to run (default: all)")
    parser.add_argument("--import", dest="imports", metavar="DIR", type=Path, action="append", default=[],
                        help="first import the finished artifacts of another xitt store (repeatable)")
    args = parser.parse_args()
    for source in args.imports:
        print(f"imported {import_store(source, args.study.resolve().parent)} artifacts from {source}", flush=True)
    if args.markdown:
        print(markdown(json.loads((ROOT / "results" / "world_transfer.json").read_text())))
        return
    began = time.perf_counter()
    graph, program = main_graph(args.study.resolve())
    if args.only is not None:
        graph = subgraph(graph, args.only)
        if not graph.steps:
            parser.error(f"no step of the main study has {args.only!r} in its id")
        print(f"main study {args.study}, steps matching {args.only!r}: {len(graph.steps)} steps", flush=True)
        print(f"{run_graph(graph, args.study.resolve().parent)[2]} steps executed", flush=True)
        return
    if args.arms is not None:
        wanted = set(args.arms.split(","))
        if unknown := wanted - {arm.name for arm in ARMS}:
            parser.error(f"unknown arms {sorted(unknown)}; known: {', '.join(arm.name for arm in ARMS)}")
        if not args.partial:
            for arm in ARMS:
                if arm.name in wanted:
                    print(f"ablation arm {arm.name}: {arm.what}", flush=True)
                    run_arm(arm, program)
            return
    print(f"main study {args.study}: {len(graph.steps)} steps", flush=True)
    results, world_dir, executed = (read_cached if args.partial else run_graph)(graph, args.study.resolve().parent)
    seconds_main = time.perf_counter() - began

    floor_arm = next(arm for arm in ARMS if arm.name == "no_pretraining_main")
    print(f"floor: {floor_arm.what}", flush=True)
    floor = {t: v["zero_shot_mean"] for t, v in run_arm(floor_arm, program, args.partial)["targets"].items()}
    report = summarise(program, args.study, results, world_dir, floor)
    report["complete"] = not args.partial or len(results) == len(graph.steps)
    report["main_steps_done"] = f"{len(results)}/{len(graph.steps)}"
    report["seconds"] = {"main": round(seconds_main, 1)}
    report["steps_executed"] = executed
    write(report)
    if not args.skip_ablation:
        for arm in ARMS:
            print(f"ablation arm {arm.name}: {arm.what}", flush=True)
            report["ablation"].append(run_arm(arm, program, args.partial))
            write(report)
    report["seconds"]["total"] = round(time.perf_counter() - began, 1)
    show(report)
    write(report)


def write(report: dict) -> None:
    out = ROOT / "results" / "world_transfer.json"
    out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}", flush=True)


def summarise(program, study: Path, results: dict, world_dir: Path, floor: dict) -> dict:
    """Everything but the ablation, from the main study's results."""
    from xitt import world

    world_info = json.loads((world_dir / "world.json").read_text())
    typology = {lang["code"]: lang["typology"] for lang in world_info["languages"]}
    distance = {code: typology_distance(vector, typology["en"]) for code, vector in typology.items()}
    runs = scores_by_run(results)
    chance = dict(CHANCE)
    chance["pos"] = majority_tag_share(world_dir, "en")
    chance["retrieval"] = 1 / len(world.load_examples(world_dir, "retrieval", "en", "test"))
    report = {
        "command": ".venv/bin/python benchmarks/world_transfer.py",
        "study": str(study),
        "typology_distance_to_en": distance,
        "zero_shot": zero_shot(runs, distance, chance, floor),
    }
    report["spearman_pooled"] = pooled_spearman(report["zero_shot"], distance)
    report["gains"] = {name: gain_matrix(runs, labels) for name, labels in _sets(program).items()}
    report["ablation"] = []
    report["ablation_scale"] = {"seeds": 1, "scale": "the main study's (languages, corpus, model, pretraining, targets)"}
    return report


def pooled_spearman(zero: dict, distance: dict) -> dict:
    """One correlation over languages: each target's scores min-max normalised over
    languages, then averaged per language, against the language's distance to English."""
    per_language: dict[str, list[float]] = defaultdict(list)
    for data in zero.values():
        scores = {lang: s for lang, s in data["score"].items() if lang != "en"}
        low, high = min(scores.values()), max(scores.values())
        for lang, s in scores.items():
            per_language[lang].append((s - low) / (high - low) if high > low else 0.5)
    languages = sorted(per_language)
    rho = spearmanr([distance[lang] for lang in languages], [mean(per_language[lang]) for lang in languages])
    return {"rho": float(rho.statistic), "p": float(rho.pvalue), "languages": len(languages)}


def _sets(program) -> dict[str, list[str]]:
    from xitt.compile.compiler import _unit
    from xitt.world import language_codes

    codes = tuple(language_codes(program.world.params["languages"]))
    return {s.name: [_unit(ref, codes)["label"] for ref in s.tasks] for s in program.sets("intermediate")}


if __name__ == "__main__":
    main()
