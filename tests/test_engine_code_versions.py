"""Every module an op runs is in its version, and nothing else is: each module of the xitt
package that some op imports is edited in turn, in a temporary copy of the package, and the
engine's own plan must re-key exactly the steps whose op imports it (directly or through
other modules); a comment-only edit of every module re-keys nothing. The engine's modules
(xitt/engine/: keys, store, scheduler), which compute no result, are outside every version:
editing them re-keys nothing.

Which op imports which module is found here independently of the engine: from the import
instructions of the compiled bytecode (``dis``), not from the syntax tree the engine reads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SCRIPT = r'''
import dis, json, sys, types
from pathlib import Path

root = Path(sys.argv[1])
import xitt.ops  # noqa: F401  (registers every op of the package, from the copy)
from xitt.engine import code
from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.registry import registered_ops
from xitt.engine.store import Store

assert Path(xitt.ops.__file__).is_relative_to(root), xitt.ops.__file__
ops = {name: op for name, op in registered_ops().items() if op.pin is None}


def module_file(name):
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(name, file):
    """Module names imported by the bytecode of ``file`` (IMPORT_NAME, and IMPORT_FROM names)."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found, stack = set(), [compile(file.read_text(), str(file), "exec")]
    while stack:
        co = stack.pop()
        stack.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
        instructions = list(dis.get_instructions(co))
        origin = None
        for i, ins in enumerate(instructions):
            if ins.opname == "IMPORT_NAME":
                level = instructions[i - 2].argval
                base = package.split(".")[: len(package.split(".")) - (level - 1)] if level else []
                origin = ".".join([*base, ins.argval] if ins.argval else base) if level else ins.argval
                found.add(origin)
            elif ins.opname == "IMPORT_FROM" and origin:
                found.add(f"{origin}.{ins.argval}")
    return {n for n in found if n.split(".")[0] == "xitt" and not n.startswith("xitt.engine") and module_file(n)}


def closure(name):
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(imports(current, module_file(current)))
    return seen


# an op runs its own module and the modules it registers as helpers (a declared measure's module)
users = {name: set().union(*(closure(module) for module, _ in op.modules)) for name, op in ops.items()}
graph = Graph(tuple(Step(name, name, {}) for name in sorted(ops)))
store = Store(root / "store")


def keys():
    code.forget()
    return {p.step.id: p.key for p in plan(graph, store)}


before = keys()
report = {"modules": {}, "comment_only": None}
for module in sorted(set().union(*users.values())):
    path = module_file(module)
    original = path.read_text()
    path.write_text(original + "\n_EDITED_BY_TEST = 1\n")
    after = keys()
    path.write_text(original)
    report["modules"][module] = {"rekeyed": sorted(s for s in before if after[s] != before[s]),
                                 "importers": sorted(op for op, mods in users.items() if module in mods)}
for module in sorted(set().union(*users.values())):
    path = module_file(module)
    path.write_text(path.read_text() + "\n# a comment only\n")
report["comment_only"] = sorted(s for s, k in keys().items() if k != before[s])
for module in ("xitt.engine.store", "xitt.engine.scheduler"):
    path = module_file(module)
    path.write_text(path.read_text() + "\n_EDITED_BY_TEST = 1\n")
report["engine_edit"] = sorted(s for s, k in keys().items() if k != before[s])
report["ops"] = sorted(ops)
print(json.dumps(report))
'''


def test_editing_each_module_rekeys_exactly_the_ops_that_import_it(tmp_path):
    shutil.copytree(REPO / "xitt", tmp_path / "xitt", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "XITT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-B", "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert {"model.pretrain", "train.target", "similarity.text_embedding", "stats.correlate", "task.load"} <= set(report["ops"])
    modules = report["modules"]
    assert len(modules) > 60  # the study's code: models, measures, stats, tasks, world, engine
    for module in ("xitt.models.loop", "xitt.measures.logme", "xitt.tasks.conllu", "xitt.models.squad", "xitt.world.generate"):
        assert modules[module]["importers"], f"{module} is run by some op"
    wrong = {m: r for m, r in modules.items() if r["rekeyed"] != r["importers"]}
    assert wrong == {}
    assert modules["xitt.models.loop"]["rekeyed"] != report["ops"]  # not every op runs the training loop
    assert "stats.correlate" not in modules["xitt.models.loop"]["rekeyed"]
    assert report["comment_only"] == []
    assert report["engine_edit"] == []
