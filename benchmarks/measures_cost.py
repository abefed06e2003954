"""What the whole measure set adds to a cold run of the quickstart study.

    .venv/bin/python benchmarks/measures_cost.py [--mode steps|runs] [--experiment experiments/quickstart.xitt]

Copies the experiment (the original is never edited) and appends every measure xitt has
(each vocabulary measure, words and subwords, size, ratio, TTR, world typology, TextEmb,
SEmb, TaskEmb over weights and over layer outputs, CKA, LogME, H-score, LEEP) to it.

- ``--mode steps`` (default; one cold run): runs the copy with every measure cold, in a
  fresh temporary directory, and reads each step's duration from the engine's own
  provenance. The cold time of the study with only its own measures is estimated as the
  whole run minus the added similarity steps minus the added measures' share of the
  correlation steps (whose cost grows with the number of measures).
- ``--mode runs`` (two cold runs): runs the plain copy and the copy with every measure,
  each cold in its own temporary directory, and compares their wall times.

Writes benchmarks/results/measures_cost.json (``--mode runs``: measures_cost_runs.json);
the goal is a ratio under 1.20.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "measures_cost.json"

EVERY_MEASURE = {
    "m_jaccard": "vocabulary(measure: jaccard, top_k: 1000)",
    "m_langrank": "vocabulary(measure: langrank)",
    "m_langrank_sub": "vocabulary(measure: langrank, unit: subwords)",
    "m_js_sub": "vocabulary(measure: jensen_shannon, unit: subwords)",
    "m_renyi": "vocabulary(measure: renyi, alpha: 0.99, smoothing: 1e-6)",
    "m_cosine": "vocabulary(measure: cosine)",
    "m_l1": "vocabulary(measure: l1)",
    "m_bhatt": "vocabulary(measure: bhattacharyya, smoothing: 1e-6)",
    "m_size": "size(measure: size)",
    "m_ratio": "size(measure: ratio)",
    "m_ttr": "size(measure: ttr)",
    "m_typology": "typology(features: syntactic, source: world)",
    "m_semb": "sentence_embedding(samples: 256)",
    "m_taskemb": "task_embedding(samples: 256)",
    "m_taskemb_out": "task_embedding(samples: 256, parameters: outputs)",
    "m_cka": "cka(samples: 256)",
    "m_logme": "logme(samples: 256)",
    "m_hscore": "h_score(samples: 256)",
    "m_leep": "leep(samples: 256)",
}


def with_every_measure(source: str) -> str:
    """The experiment with every measure declared after its own similarity lines."""
    lines = source.splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("similarity "))
    added = [f"similarity {name} = {call}" for name, call in EVERY_MEASURE.items()]
    return "\n".join([*lines[: last + 1], *added, *lines[last + 1 :]]) + "\n"


def own_measures(source: str) -> list[str]:
    return re.findall(r"^similarity\s+(\w+)\s*=", source, flags=re.M)


def cold_run(text: str, name: str) -> tuple[float, dict[str, float]]:
    """Wall seconds of `xitt run` on ``text`` in a fresh directory, and each step's own seconds."""
    from xitt.engine.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", str(path), "--quiet"], capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            sys.exit(f"xitt run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        with Store(path.parent) as store:
            steps = {}
            for key in store.keys():
                meta = store.get(key).meta
                steps[meta["step"]] = float(meta["seconds"])
    return seconds, steps


def step_estimate(source: str, name: str) -> dict:
    own = own_measures(source)
    wall, steps = cold_run(with_every_measure(source), name)
    similarity = {step.split("/", 1)[1]: s for step, s in steps.items() if step.startswith("similarity/")}
    added = sum(s for m, s in similarity.items() if m not in own)
    correlate = sum(s for step, s in steps.items() if step.startswith("correlate/"))
    correlate_added = correlate * len(EVERY_MEASURE) / (len(EVERY_MEASURE) + len(own))
    plain = wall - added - correlate_added
    return {
        "mode": "steps (one cold run with every measure; plain run estimated from per-step durations)",
        "cold_with_every_measure_s": round(wall, 1),
        "cold_with_own_measures_estimated_s": round(plain, 1),
        "added_similarity_steps_s": round(added, 1),
        "added_share_of_correlation_s": round(correlate_added, 1),
        "ratio": round(wall / plain, 3),
        "similarity_step_seconds": {m: round(s, 2) for m, s in sorted(similarity.items(), key=lambda kv: -kv[1])},
        "steps_total_s": round(sum(steps.values()), 1),
    }


def two_runs(source: str, name: str) -> dict:
    plain, _ = cold_run(source, name)
    full, steps = cold_run(with_every_measure(source), name)
    similarity = {step.split("/", 1)[1]: s for step, s in steps.items() if step.startswith("similarity/")}
    return {
        "mode": "runs (two cold runs, side by side)",
        "cold_with_own_measures_s": round(plain, 1),
        "cold_with_every_measure_s": round(full, 1),
        "ratio": round(full / plain, 3),
        "similarity_step_seconds": {m: round(s, 2) for m, s in sorted(similarity.items(), key=lambda kv: -kv[1])},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiment", default=str(ROOT / "experiments" / "quickstart.xitt"))
    parser.add_argument("--mode", choices=("steps", "runs"), default="steps")
    args = parser.parse_args()
    source_path = Path(args.experiment)
    source = source_path.read_text()
    result = (step_estimate if args.mode == "steps" else two_runs)(source, source_path.name)
    result |= {
        "experiment": source_path.name,
        "own_measures": own_measures(source),
        "added_measures": EVERY_MEASURE,
        "goal": "ratio < 1.20",
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg(), "python": platform.python_version(), "platform": platform.platform()},
    }
    print(json.dumps(result, indent=1))
    out = RESULTS if args.mode == "steps" else RESULTS.with_name("measures_cost_runs.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
