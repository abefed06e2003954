"""Real tasks' data as steps: what a study of registered tasks reads.

`task.load` reads one task, language and split (from the hub, a save_to_disk directory or
the files a `data` statement names) into examples.jsonl, in the task's schema. Missing
data is the user's error, naming the task, the source tried and what to do.
"""

from __future__ import annotations

import json

from xitt.engine.registry import StepContext, op
from xitt.ops.libraries import DATA_LIBRARIES

EXAMPLES_FILE = "examples.jsonl"
INFO_FILE = "task.json"


@op("task.load", libraries=DATA_LIBRARIES)
def load_task(ctx: StepContext) -> dict:
    from xitt.tasks import load, local

    p = ctx.params
    given = p.get("local")
    source = local(given["path"], splits=given.get("splits") or None) if given else None
    loaded = load(p["task"], p["language"], p["split"], source)
    with (ctx.out_dir / EXAMPLES_FILE).open("w", encoding="utf-8") as handle:
        for example in loaded.examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")
    (ctx.out_dir / INFO_FILE).write_text(json.dumps(loaded.info.to_json()), encoding="utf-8")
    record = {"task": p["task"], "language": p["language"], "split": p["split"], "examples": len(loaded.examples),
              "origin": loaded.origin}
    if loaded.withheld:
        record["withheld"] = loaded.withheld  # sentences dropped: the source withholds their text
    return record

