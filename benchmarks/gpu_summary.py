"""The summary of ``benchmarks/gpu.sh``: each stage's exit status and each shape's figures
against the goals of issue 17, printed and written to DIR/gpu.json.

    python3 benchmarks/gpu_summary.py DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# shape -> (least xitt MFU, least ratio to the HF Trainer); None: no goal
GOALS = {"base": (0.25, None), "large": (0.35, 3.0)}


def main() -> None:
    directory = Path(sys.argv[1])
    stages = {}
    stages_file = directory / "stages.txt"
    if stages_file.exists():
        for line in stages_file.read_text().splitlines():
            name, _, status = line.partition(" ")
            stages[name] = status
    summary: dict = {"stages": stages, "shapes": {}}
    print(f"\n{'run':<16}{'xitt ex/s':>11}{'HF ex/s':>10}{'ratio':>8}{'xitt MFU':>10}{'HF MFU':>9}  goals")
    for name in ("base", "large", "base_compiled"):
        path = directory / f"train_throughput_{name}.json"
        if not path.exists():
            print(f"{name:<16}{'(no result: ' + stages.get(name.replace('base_compiled', 'compile'), 'not run') + ')':>40}")
            continue
        r = json.loads(path.read_text())
        row = {
            "device": r["device"],
            "mean_tokens": r["mean_tokens"],
            "xitt_examples_per_s": r.get("xitt_examples_per_s"),
            "hf_trainer_examples_per_s": r.get("hf_trainer_examples_per_s"),
            "ratio": r.get("ratio"),
            "xitt_mfu": r.get("xitt_mfu"),
            "hf_trainer_mfu": r.get("hf_trainer_mfu"),
            "compile": r.get("xitt_compile"),
        }
        mfu_goal, ratio_goal = GOALS.get(name, (None, None))
        met = []
        if mfu_goal is not None and row["xitt_mfu"] is not None:
            met.append(f"MFU>={mfu_goal:.0%}: {'yes' if row['xitt_mfu'] >= mfu_goal else 'NO'}")
        if ratio_goal is not None and row["ratio"] is not None:
            met.append(f"ratio>={ratio_goal:g}: {'yes' if row['ratio'] >= ratio_goal else 'NO'}")
        row["goals"] = met
        summary["shapes"][name] = row

        def show(value, form):
            return format(value, form) if value is not None else "-"

        print(f"{name:<16}{show(row['xitt_examples_per_s'], '.0f'):>11}{show(row['hf_trainer_examples_per_s'], '.0f'):>10}"
              f"{show(row['ratio'], '.2f'):>8}{show(row['xitt_mfu'], '.1%'):>10}{show(row['hf_trainer_mfu'], '.1%'):>9}  {'; '.join(met)}")
    (directory / "gpu.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {directory / 'gpu.json'}")


if __name__ == "__main__":
    main()
