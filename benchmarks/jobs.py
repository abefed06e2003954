"""The cold quickstart with ``--jobs 2`` against ``--jobs 1``, side by side in one run.

    .venv/bin/python benchmarks/jobs.py [--experiment experiments/quickstart.xitt] [--jobs 2] [--repeats 1]

Copies the experiment into fresh temporary directories (no cache is shared), runs
``xitt run --quiet --jobs 1`` and ``--jobs N`` cold in subprocesses, alternating when
repeated, and compares every number of the two reports' ``results.json``: how many differ
at all, and the largest relative difference. torch's CPU kernels round differently with 1
and 2 threads (one epoch of the 2-layer model: weights differ by up to 3.4e-7), and by
default a step of ``--jobs 1`` gets every core while a step of ``--jobs 2`` gets half, so
the two agree to about 1e-6, not bit for bit. ``--same-threads`` gives every step one
thread on both sides (``--threads 1`` against ``--threads N``): then the results must be
identical. Writes benchmarks/results/jobs.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-6  # relative: what counts as the same result when not bit for bit


def cold_run(experiment: Path, jobs: int, directory: Path, threads: int | None = None) -> tuple[float, dict]:
    """Wall seconds of one cold ``xitt run``, and its report's results.json."""
    directory.mkdir()
    path = directory / experiment.name
    shutil.copyfile(experiment, path)
    began = time.perf_counter()
    command = [sys.executable, "-m", "xitt.cli", "run", str(path), "--quiet", "--jobs", str(jobs)]
    done = subprocess.run(command + (["--threads", str(threads)] if threads else []), capture_output=True, text=True, cwd=directory)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"xitt run --jobs {jobs} failed:\n{done.stdout}\n{done.stderr}")
    results = sorted(directory.rglob("results.json"))
    if not results:
        sys.exit(f"xitt run --jobs {jobs} wrote no results.json under {directory}")
    return seconds, json.loads(results[0].read_text())


def numbers(value, path: str = "") -> dict[str, float]:
    """Every number in a JSON value, by its path; step keys and sources are left out (a
    training step's record holds its own throughput, so its key differs from run to run)."""
    if isinstance(value, dict):
        return {k: v for name, item in value.items() if name not in ("steps", "sources") for k, v in numbers(item, f"{path}/{name}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in numbers(item, f"{path}[{i}]").items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {path: float(value)}
    return {}


def compare(a: dict, b: dict) -> dict:
    """Same paths, how many numbers differ at all, the largest relative difference."""
    x, y = numbers(a), numbers(b)
    both = sorted(set(x) & set(y))
    differ = [k for k in both if not (x[k] == y[k] or (math.isnan(x[k]) and math.isnan(y[k])))]
    relative = [abs(x[k] - y[k]) / max(abs(x[k]), abs(y[k]), 1e-12) for k in differ]
    return {
        "numbers": len(both),
        "same_paths": set(x) == set(y),
        "differing": len(differ),
        "max_relative_difference": max(relative, default=0.0),
        "worst": differ[relative.index(max(relative))] if differ else None,
        "identical_within_tolerance": set(x) == set(y) and max(relative, default=0.0) <= TOLERANCE,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "quickstart.xitt")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel side's --jobs")
    parser.add_argument("--repeats", type=int, default=1, help="cold runs per side, alternating; the median is kept")
    parser.add_argument("--same-threads", action="store_true", help="one thread per step on both sides: results must be identical")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "jobs.json")
    args = parser.parse_args()
    seconds: dict[int, list[float]] = {1: [], args.jobs: []}
    comparisons = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            t1, r1 = cold_run(args.experiment, 1, Path(tmp) / f"jobs1-{repeat}", 1 if args.same_threads else None)
            tn, rn = cold_run(args.experiment, args.jobs, Path(tmp) / f"jobs{args.jobs}-{repeat}", args.jobs if args.same_threads else None)
            seconds[1].append(round(t1, 2))
            seconds[args.jobs].append(round(tn, 2))
            comparisons.append(compare(r1, rn))
            print(f"repeat {repeat + 1}: --jobs 1 {t1:.1f} s, --jobs {args.jobs} {tn:.1f} s, "
                  f"{comparisons[-1]['differing']} of {comparisons[-1]['numbers']} numbers differ "
                  f"(max relative {comparisons[-1]['max_relative_difference']:.2g})", flush=True)
    one, many = statistics.median(seconds[1]), statistics.median(seconds[args.jobs])
    result = {
        "experiment": args.experiment.name,
        "jobs": args.jobs,
        "seconds_jobs_1": one,
        f"seconds_jobs_{args.jobs}": many,
        "speedup": round(one / many, 3),
        "runs": {f"jobs_{k}": v for k, v in seconds.items()},
        "same_threads": args.same_threads,
        "results": comparisons[-1],
        "identical": all(c["differing"] == 0 and c["same_paths"] for c in comparisons),
        "identical_within_tolerance": all(c["identical_within_tolerance"] for c in comparisons),
        "tolerance": TOLERANCE,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    print(f"\n{'':<12}{'seconds':>10}\n{'--jobs 1':<12}{one:>10.1f}\n{f'--jobs {args.jobs}':<12}{many:>10.1f}")
    print(f"speedup {result['speedup']:.2f}x (goal >= 1.4x); results identical: {result['identical']}, "
          f"within {TOLERANCE:g}: {result['identical_within_tolerance']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
