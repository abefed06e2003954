"""Parsing and checking a large .xitt experiment (goal: a 2,000-line file in under 1 s).

Generates an experiment of --lines lines in the shape of a real study file: task sets with
set algebra, per-task languages and mixtures, lets and sweeps, similarity declarations,
correlations with settings, comparisons, comments and blank lines. Times, in one process:

* ``check_s``: parse + check of the file, wall time (the median of --repeat runs, the
  grammar built); ``check_cpu_s`` the same in CPU time, which a busy machine inflates less;
* ``first_check_s``: the same in a fresh state, including building the LALR tables;
* ``fmt_s``: ``xitt fmt`` of the file (median).

Prints one line per figure and writes benchmarks/results/language.json.
Usage: .venv/bin/python benchmarks/language.py [--lines 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from xitt.lang import check, fmt, parse
from xitt.lang.parser import _lark, _tree

RESULTS = Path(__file__).resolve().parent / "results" / "language.json"
TASKS = ("nli", "paraphrase", "sentiment", "qa", "choice", "pos", "ner", "retrieval")
LANGUAGES = ("en", "qaa", "qab", "qac", "qad", "qae")
HEADER = """\
# A generated study in the shape of a real one, for benchmarks/language.py.
experiment generated

world toy(languages: 6, seed: 7)
model base = toy_mlm(layers: 2, hidden: 64)

let rates = [1e-4, 5e-4]
train intermediate(lr: $rates, epochs: 1..3)
train target(lr: 5e-4, epochs: 3, batch: 32)
seeds 1..3

tasks targets = toy.{nli, paraphrase, pos @ {en, qaa}, ner} train @ en eval @ *
"""


def block(i: int) -> list[str]:
    """Ten lines of statements and comments, names made unique by ``i``."""
    a, b, c = TASKS[i % 8], TASKS[(i + 3) % 8], TASKS[(i + 5) % 8]
    lang = LANGUAGES[1 + i % 5]
    return [
        f"# block {i}: {a} and {b} in English and {lang}",
        f"tasks english{i} = toy.{{{a}, {b}}} @ en",
        f"tasks multi{i} = (english{i} | toy.{c} @ *) - toy.{a} @ {lang}",
        f"tasks mixed{i} = mix(toy.{{{a} @ en, {c} @ {{en, {lang}}}}}, sampling: temperature, temperature: 2)",
        f"let samples{i} = {64 + i % 7}",
        f"similarity text{i} = text_embedding(pool: mean, samples: $samples{i})",
        f"similarity vocab{i} = vocabulary(measure: jensen_shannon)",
        f"correlate spearman, kendall(similarity.text{i}, similarity.vocab{i}, gain) per target",
        "    with bootstrap(200), permutation(1000), adjust(holm)",
        f"compare english{i} vs multi{i}",
    ]


def generate(lines: int) -> str:
    out = HEADER.splitlines()
    i = 0
    while len(out) + 11 <= lines:
        out += ["", *block(i)]
        i += 1
    out += ['report table, heatmap(gain), scatter(similarity.*, gain) to "reports/generated"']
    while len(out) < lines:
        out.insert(len(out) - 1, "# padding")
    return "\n".join(out) + "\n"


def parse_and_check(text: str, path: str) -> tuple[float, float]:
    """Wall and CPU seconds of one parse + check (CPU time is what contention cannot inflate)."""
    began, cpu = time.perf_counter(), time.process_time()
    check(parse(text, path))
    return time.perf_counter() - began, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = generate(args.lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.xitt"
        path.write_text(text)
        first, _ = parse_and_check(text, str(path))  # builds the LALR tables
        times = []
        for _ in range(args.repeat):
            _tree.cache_clear()  # a fresh parse each time, not the cached tree
            times.append(parse_and_check(text, str(path)))
        fmt_times = []
        for _ in range(args.repeat):
            _tree.cache_clear()
            began = time.perf_counter()
            fmt(text)
            fmt_times.append(time.perf_counter() - began)
    lines = text.count("\n")
    result = {
        "lines": lines,
        "statements": len(parse(text, "x").statements),
        "check_s": round(statistics.median(t for t, _ in times), 4),
        "check_min_s": round(min(t for t, _ in times), 4),
        "check_cpu_s": round(statistics.median(c for _, c in times), 4),
        "first_check_s": round(first, 4),
        "fmt_s": round(statistics.median(fmt_times), 4),
        "goal_check_s": 1.0,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "lark_built": _lark.cache_info().currsize == 1,
    }
    result["load_average"] = round(os.getloadavg()[0], 1)  # others' work on the machine inflates wall times
    for key in ("lines", "statements", "check_s", "check_min_s", "check_cpu_s", "first_check_s", "fmt_s", "load_average"):
        print(f"{key:>14}: {result[key]}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
