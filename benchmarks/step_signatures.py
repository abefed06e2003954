"""Each compiled step's signature (op name, canonical params, input step ids), without the op
version: what a refactor must leave unchanged for step keys to stay valid.

A step key also hashes the op's version and its inputs' content digests; both are left
out here, so this compares what the compiler *says*, independent of how op versions
are computed (issue 15) or of artifacts in a store.

    PYTHONPATH=$PWD python benchmarks/step_signatures.py --save before.json
    (change the code)
    PYTHONPATH=$PWD python benchmarks/step_signatures.py --compare before.json

``--compare`` lists, per experiment, the steps added, removed, and changed (with the
params paths that differ); exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXPERIMENTS = ("quickstart", "phang2020")


def signatures(experiment: str) -> dict[str, dict[str, Any]]:
    """Step id -> {"op", "params", "inputs"} of one experiment of the repository, in canonical
    JSON form; absolute paths under the repository read ``<repo>``."""
    from xitt.compile import compile_program
    from xitt.engine.keys import canonical_json
    from xitt.lang import load_program

    graph = compile_program(load_program(REPO / "experiments" / f"{experiment}.xitt")).graph
    text = canonical_json({s.id: {"op": s.op, "params": s.params, "inputs": s.inputs} for s in graph.steps}).decode()
    return json.loads(text.replace(str(REPO), "<repo>"))


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """The JSON paths where two values differ (``params.train.epochs: 5 -> 3``)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for name in sorted(set(before) | set(after)):
            where = f"{path}.{name}" if path else name
            if name not in before:
                found.append(f"{where}: added {json.dumps(after[name])[:80]}")
            elif name not in after:
                found.append(f"{where}: removed")
            else:
                found += differences(before[name], after[name], where)
        return found
    if before != after:
        return [f"{path}: {json.dumps(before)[:80]} -> {json.dumps(after)[:80]}"]
    return []


def compare(saved: dict, current: dict) -> list[str]:
    """One line per difference, experiment by experiment; empty when nothing changed."""
    lines = []
    for experiment in EXPERIMENTS:
        old, new = saved.get(experiment, {}), current[experiment]
        for step in old.keys() - new.keys():
            lines.append(f"{experiment}: removed {step}")
        for step in new.keys() - old.keys():
            lines.append(f"{experiment}: added {step}")
        for step in old.keys() & new.keys():
            lines += [f"{experiment}: {step}: {d}" for d in differences(old[step], new[step])]
    return sorted(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the current signatures to this file")
    group.add_argument("--compare", type=Path, help="compare the current signatures with this file")
    args = parser.parse_args()
    current = {experiment: signatures(experiment) for experiment in EXPERIMENTS}
    if args.save:
        args.save.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
        print(f"{sum(map(len, current.values()))} step signatures written to {args.save}")
        return 0
    lines = compare(json.loads(args.compare.read_text()), current)
    print("\n".join(lines) if lines else f"all {sum(map(len, current.values()))} step signatures unchanged")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
