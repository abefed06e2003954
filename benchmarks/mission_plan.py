"""`xitt check` and `xitt plan` of experiments/xtreme_r_multilingual.xitt, offline (goal:
plan under 2 s).

Copies the study into a fresh folder (no store, no data: `plan` lists the missing files)
and runs each command --repeat times as a user would, one new process each, with the hub
offline. Prints the median wall and CPU seconds of each and writes
benchmarks/results/mission_plan.json. Run it on a quiet machine:

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/mission_plan.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "experiments" / "xtreme_r_multilingual.xitt"
RESULTS = REPO / "benchmarks" / "results" / "mission_plan.json"


def _timed(command: str, folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the child's user + system) of one `xitt COMMAND`."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(folder / "hf")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xitt.cli", command, STUDY.name], cwd=folder, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"xitt {command} failed:\n{done.stdout}{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results: dict = {"study": str(STUDY.relative_to(REPO)), "repeat": args.repeat, "host": platform.node(),
                     "load": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / STUDY.name).write_text(STUDY.read_text(encoding="utf-8"), encoding="utf-8")
        for command in ("check", "plan"):
            runs = [_timed(command, Path(folder)) for _ in range(args.repeat)]
            results[f"{command}_s"] = statistics.median(w for w, _ in runs)
            results[f"{command}_cpu_s"] = statistics.median(c for _, c in runs)
            print(f"{command}: {results[f'{command}_s']:.2f} s wall, {results[f'{command}_cpu_s']:.2f} s CPU (median of {args.repeat})")
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
