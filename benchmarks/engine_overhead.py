"""The engine's own overhead, with ops that do nothing.

1. Per-step overhead of executed and of cached no-op steps (N=300 independent steps).
2. A graph of the paper's size (9 intermediate x 10 targets x 40 languages x 3 seeds:
   intermediate and target training, one evaluation step per language, gains,
   similarities, correlations; about 16,000 steps, whose evaluation steps read 400 external
   data files, fingerprinted): `plan` on a full store (goal < 1 s) and a fully cached re-run
   (goal < 2 s).
3. The same DAG as a generated Snakefile, timed with `snakemake -n` (snakemake comes with
   the dev extra only; XITT_SNAKEMAKE may point at another executable; without one the
   Snakemake figures are null).

Prints one line per figure and writes benchmarks/results/engine_overhead.json.
Usage: .venv/bin/python benchmarks/engine_overhead.py [--n 300] [--languages 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "engine_overhead.json"


@op("bench.noop")
def noop(ctx: StepContext) -> dict:
    return {}


def flat(n: int) -> Graph:
    return Graph(tuple(Step(f"s{i}", "bench.noop", {"i": i}) for i in range(n)))


def paper(intermediates: int = 9, targets: int = 10, languages: int = 40, seeds: int = 3, data: Path | None = None) -> Graph:
    """The shape of Phang et al.'s study, with every op a no-op. With ``data``, every evaluation
    step reads its target's test file for its language there (one file per target and language,
    as a real study's data statements give), so plan fingerprints 400 external files."""
    steps = [Step("world", "bench.noop", {}), Step("pretrain", "bench.noop", {"what": "pretrain"}, {"world": "world"})]
    for i in range(intermediates):
        for s in range(seeds):
            steps.append(Step(f"inter/{i}/{s}", "bench.noop", {"i": i, "s": s}, {"encoder": "pretrain"}))
    sources = ["base", *map(str, range(intermediates))]
    for source in sources:
        for t in range(targets):
            for s in range(seeds):
                encoder = "pretrain" if source == "base" else f"inter/{source}/{s}"
                steps.append(Step(f"target/{source}/{t}/{s}", "bench.noop", {"t": t, "s": s, "source": source}, {"encoder": encoder}))
                for lang in range(languages):
                    read = (str(data / f"{t}.{lang}.test"),) if data is not None else ()
                    steps.append(Step(f"eval/{source}/{t}/{s}/{lang}", "bench.noop", {"lang": lang}, {"model": f"target/{source}/{t}/{s}"},
                                      external=read))
    for i in range(intermediates):
        for t in range(targets):
            steps.append(Step(f"similarity/{i}/{t}", "bench.noop", {"i": i, "t": t}, {"encoder": "pretrain"}))
            for lang in range(languages):
                runs = tuple(f"eval/{src}/{t}/{s}/{lang}" for src in (str(i), "base") for s in range(seeds))
                steps.append(Step(f"gain/{i}/{t}/{lang}", "bench.noop", {"lang": lang}, {"scores": runs}))
    for t in range(targets):
        gains = tuple(f"gain/{i}/{t}/{lang}" for i in range(intermediates) for lang in range(languages))
        sims = tuple(f"similarity/{i}/{t}" for i in range(intermediates))
        steps.append(Step(f"correlate/{t}", "bench.noop", {"t": t}, {"gains": gains, "similarities": sims}))
    return Graph(tuple(steps))


def timed(label: str, fn, results: dict, key: str):
    """Wall time under ``key``, and this process's CPU time under ``key`` + "_cpu" (steadier on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    results[key] = round(time.perf_counter() - start, 3)
    results[key.replace("_s", "_cpu_s")] = round(time.process_time() - cpu, 3)
    print(f"{label:<60} {results[key]:9.3f} s  (cpu {results[key.replace('_s', '_cpu_s')]:.3f} s)", flush=True)
    return value


def snakefile(graph: Graph, out: Path) -> Path:
    """The same DAG as Snakemake rules: one rule per step, outputs as files under out/."""
    lines = []
    for step in graph:
        name = step.id.replace("/", "_")
        inputs = ", ".join(f'"{out}/{i.replace("/", "_")}.done"' for i in dict.fromkeys(step.input_ids()))
        lines += [f"rule {name}:", f'    output: "{out}/{name}.done"']
        if inputs:
            lines.append(f"    input: {inputs}")
        lines += ['    shell: "touch {output}"', ""]
    final = ", ".join(f'"{out}/{s.id.replace("/", "_")}.done"' for s in graph if s.id.startswith("correlate/"))
    path = out / "Snakefile"
    path.write_text(f"rule all:\n    input: {final}\n\n" + "\n".join(lines))
    return path


def snakemake_dry_run(graph: Graph, directory: Path) -> tuple[float, float] | None:
    beside = Path(sys.executable).parent / "snakemake"  # the dev extra installs it into the venv
    executable = os.environ.get("XITT_SNAKEMAKE") or (str(beside) if beside.exists() else shutil.which("snakemake"))
    if not executable:
        print("snakemake not found: set XITT_SNAKEMAKE to compare", flush=True)
        return None
    path = snakefile(graph, directory)
    command = [executable, "-n", "--quiet", "--cores", "1", "-s", str(path), "-d", str(directory)]
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(command, check=True, capture_output=True)
    return round(time.perf_counter() - start, 3), round(_children_cpu() - cpu, 3)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--languages", type=int, default=40)
    args = parser.parse_args()
    results: dict = {"python": platform.python_version(), "cpus": os.cpu_count(), "n": args.n}
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "flat") as store:
            timed(f"execute {args.n} no-op steps", lambda: run(flat(args.n), store), results, "executed_total_s")
            timed(f"re-run {args.n} cached no-op steps", lambda: run(flat(args.n), store), results, "cached_total_s")
        results["executed_per_step_ms"] = round(1000 * results["executed_total_s"] / args.n, 3)
        results["cached_per_step_ms"] = round(1000 * results["cached_total_s"] / args.n, 3)
        print(f"per step: executed {results['executed_per_step_ms']} ms, cached {results['cached_per_step_ms']} ms", flush=True)

        data = Path(tmp) / "data"
        data.mkdir()
        for t in range(10):
            for lang in range(args.languages):
                (data / f"{t}.{lang}.test").write_text(f"target {t} language {lang}\n" * 200)
        graph = paper(languages=args.languages, data=data)
        results["steps"] = len(graph)
        results["external_files"] = len({p for step in graph for p in step.external})
        print(f"paper-sized graph: {len(graph)} steps reading {results['external_files']} external files", flush=True)
        with Store(Path(tmp) / "paper") as store:
            timed("plan on an empty store", lambda: plan(graph, store), results, "plan_empty_s")
            timed("first run (every step executes)", lambda: run(graph, store), results, "first_run_s")
            planned = timed("plan on a full store", lambda: plan(graph, store), results, "plan_s")
            assert all(p.cached for p in planned)
            summary = timed("fully cached re-run", lambda: run(graph, store), results, "cached_run_s")
            assert not summary.executed
        snake_dir = Path(tmp) / "snake"
        snake_dir.mkdir()
        snake = snakemake_dry_run(graph, snake_dir)
        results["snakemake_dry_run_s"], results["snakemake_dry_run_cpu_s"] = snake or (None, None)
        if snake:
            print(f"{'snakemake -n on the same DAG (nothing done yet)':<60} {snake[0]:9.3f} s  (cpu {snake[1]:.3f} s)")
    if snake:
        results["ratio_vs_snakemake"] = round(snake[0] / results["plan_s"], 1)
        results["ratio_vs_snakemake_cpu"] = round(snake[1] / results["plan_cpu_s"], 1)
        print(f"xitt plan is {results['ratio_vs_snakemake']}x faster than snakemake -n "
              f"({results['ratio_vs_snakemake_cpu']}x by CPU time)")
    else:
        results["ratio_vs_snakemake"] = None
    results["load_average_1min"] = round(os.getloadavg()[0], 1)  # other work on the machine skews wall times
    results["goals"] = {"plan_s": 1.0, "cached_run_s": 2.0}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
