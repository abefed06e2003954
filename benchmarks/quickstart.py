"""Cold and warm wall time and peak memory of the quickstart study, side by side in one run.

    .venv/bin/python benchmarks/quickstart.py [--experiment experiments/quickstart.xitt]

Copies the experiment into a fresh temporary directory (so no cache is reused), runs
`xitt run` twice in subprocesses, and writes benchmarks/results/quickstart.json.
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

ROOT = Path(__file__).resolve().parents[1]


def timed_run(path: Path) -> dict:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", str(path), "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"xitt run failed:\n{done.stdout}\n{done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    counts = [line for line in done.stdout.splitlines() if "steps ran" in line]
    return {"seconds": round(seconds, 2), "peak_rss_mib_so_far": round(peak_kib / 1024, 1), "summary": counts[-1].strip() if counts else ""}


def study_answer(results: Path) -> dict:
    """What the study says, beside what it costs: the one-sentence answer and the smallest
    reachable p of its tests (issue 20: at least one below 0.05)."""
    if not results.exists():
        return {"answer": None}
    data = json.loads(results.read_text())
    rows = [r for c in data.get("correlations", []) for r in c.get("rows", [])]
    floors = [r["p_smallest"] for r in rows if r.get("p_smallest") is not None]
    return {"answer": next((c["answer"] for c in data.get("correlations", []) if c.get("answer")), None),
            "smallest_reachable_p": min(floors) if floors else None,
            "tests_that_can_reach_0.05": sum(p <= 0.05 for p in floors), "tests": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiment", default=str(ROOT / "experiments" / "quickstart.xitt"))
    args = parser.parse_args()
    source = Path(args.experiment)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        shutil.copyfile(source, path)
        cold = timed_run(path)
        warm = timed_run(path)
        answer = study_answer(path.parent / "reports" / "quickstart" / "results.json")
    result = {
        "experiment": source.name,
        "cold": cold,
        "warm": warm,
        "cold_over_warm": round(cold["seconds"] / warm["seconds"], 1),
        **answer,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    print(json.dumps(result, indent=1))
    out = ROOT / "benchmarks" / "results" / "quickstart.json"
    out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
