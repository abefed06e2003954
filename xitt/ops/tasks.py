"""Real tasks' data as steps: what a study of registered tasks reads.

`task.load` reads one task, language and split (from the hub, a save_to_disk directory or
the files a `data` statement names) into examples.jsonl, in the task's schema. Missing
data is the user's error, naming the task, the source tried and what to do.
"""

from __future__ import annotations

import json

from xitt.engine.registry import StepContext, op
from xitt.ops.libraries import DATA_LIBRARIES
from xitt.study import LoadStep

EXAMPLES_FILE = "examples.jsonl"
INFO_FILE = "task.json"


@op("task.load", libraries=DATA_LIBRARIES, params=LoadStep)
def load_task(ctx: StepContext) -> dict:
    from xitt.tasks import load, local

    step = LoadStep.from_json(ctx.params)
    given = step.local
    source = local(given.path, splits=dict(given.splits) or None) if given else None
    loaded = load(step.task, step.language, step.split, source)
    with (ctx.out_dir / EXAMPLES_FILE).open("w", encoding="utf-8") as handle:
        for example in loaded.examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")
    (ctx.out_dir / INFO_FILE).write_text(json.dumps(loaded.info.to_json()), encoding="utf-8")
    record = {"task": step.task, "language": step.language, "split": step.split, "examples": len(loaded.examples),
              "origin": loaded.origin}
    if loaded.withheld:
        record["withheld"] = loaded.withheld  # sentences dropped: the source withholds their text
    return record
