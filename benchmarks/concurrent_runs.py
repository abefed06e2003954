"""Several `xitt run` at once on one machine, against one alone, side by side in one run.

    .venv/bin/python benchmarks/concurrent_runs.py [--experiment experiments/quickstart.xitt] [--small]

Scenarios, each from empty stores (cold), runs started together:
  alone          1 run, 1 store
  two_one_store  2 runs on one store (goal: within 1.3x of alone; every step executed once in all)
  two_stores     2 runs, each on its own store (goal: within 2.3x)
  four_stores    4 runs, each on its own store (goal: within 4.6x)
A scenario's time is the wall time until its last run finished. Each run is a child process
that runs the experiment with the real engine and reports the steps it executed, so that
executions are counted per step (on one store: once in all; on separate stores: once each).
`--small` runs a tiny study instead (a smoke test of the script, seconds; figures meaningless).

Writes benchmarks/results/concurrent_runs.json (with --small it only prints).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {  # name: (runs, stores, goal as a multiple of alone)
    "alone": (1, 1, None),
    "two_one_store": (2, 1, 1.3),
    "two_stores": (2, 2, 2.3),
    "four_stores": (4, 4, 4.6),
}
SMALL = """\
experiment small
world toy(languages: 2, seed: 5, train_size: 120, eval_size: 40, corpus_size: 1500)
model base = toy_mlm(layers: 1, hidden: 16, heads: 2, vocab_size: 600, pretrain_steps: 20, batch: 16)
tasks english = toy.{nli} @ en
tasks targets = toy.{pos} train @ en eval @ *
train intermediate(lr: 1e-3, epochs: 1, batch: 16)
train target(lr: 1e-3, epochs: 1, batch: 16)
seeds 1
similarity vocab = vocabulary(measure: jensen_shannon)
correlate spearman(similarity.*, gain) per pooled with permutation(50)
"""

CHILD = """
import json, sys, time
from pathlib import Path
began = time.perf_counter()
import xitt.ops  # noqa: F401
from xitt.compile import compile_program
from xitt.engine.scheduler import run
from xitt.engine.store import Store
from xitt.lang import load_program
path = Path(sys.argv[1])
with Store(path.parent) as store:
    summary = run(compile_program(load_program(path)).graph, store)
print(json.dumps({"executed": summary.executed, "cached": len(summary.cached), "seconds": time.perf_counter() - began}))
"""


def scenario(source: str, name: str, runs: int, stores: int, workdir: Path) -> dict:
    """Start ``runs`` children at once over ``stores`` fresh stores; wall time and executions."""
    paths = []
    for i in range(stores):
        folder = workdir / name / f"store{i}"
        folder.mkdir(parents=True)
        (folder / "study.xitt").write_text(source, encoding="utf-8")
        paths.append(folder / "study.xitt")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    began = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(paths[i % stores])], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env) for i in range(runs)]
    reports = []
    for child in children:
        out, err = child.communicate()
        if child.returncode != 0:
            sys.exit(f"a run of scenario {name} failed:\n{err[-3000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - began
    executions: list[Counter] = [Counter() for _ in range(stores)]
    for i, report in enumerate(reports):
        executions[i % stores].update(report["executed"])
    steps = [sum(c.values()) for c in executions]
    once = all(set(c.values()) <= {1} for c in executions)
    return {
        "runs": runs, "stores": stores, "seconds": round(seconds, 2),
        "run_seconds": [round(r["seconds"], 2) for r in reports],
        "executed_per_run": [len(r["executed"]) for r in reports],
        "executions_per_store": steps,
        "every_step_executed_once_per_store": once,
        "steps_executed_more_than_once": sorted({s for c in executions for s, n in c.items() if n > 1}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default=str(ROOT / "experiments" / "quickstart.xitt"))
    parser.add_argument("--small", action="store_true", help="a tiny study: smoke-test the script")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="run these scenarios only")
    args = parser.parse_args()
    source = SMALL if args.small else Path(args.experiment).read_text(encoding="utf-8")
    load_before = os.getloadavg()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (runs, stores, goal) in SCENARIOS.items():
            if args.only and name not in args.only and name != "alone":
                continue
            results[name] = scenario(source, name, runs, stores, Path(tmp))
            print(f"{name}: {results[name]['seconds']} s, executions per store {results[name]['executions_per_store']}", flush=True)
            shutil.rmtree(Path(tmp) / name, ignore_errors=True)
    alone = results["alone"]["seconds"]
    for name, (_, _, goal) in SCENARIOS.items():
        if name in results and goal is not None:
            ratio = results[name]["seconds"] / alone
            results[name].update({"over_alone": round(ratio, 2), "goal": goal, "within_goal": ratio <= goal})
    out = {
        "experiment": "small (built in)" if args.small else Path(args.experiment).name,
        "scenarios": results,
        "machine": {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                    "python": platform.python_version(), "platform": platform.platform()},
    }
    print(json.dumps(out, indent=1))
    if not args.small:  # a smoke test's figures mean nothing: printed, never written
        (ROOT / "benchmarks" / "results" / "concurrent_runs.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
