"""Op versions (source hash of the op and its declared helpers, or a pinned string) and an
index that never evicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import diskcache

from tests.conftest import REPO
from xitt.engine.code import normalised
from xitt.engine.keys import source_version
from xitt.engine.registry import get_op, op
from xitt.engine.store import DONE, Store

PREP = '''\
"""Preparation shared by some ops."""

SCALE = 1


def scale(x):
    return x * SCALE
'''

OTHER = '''\
def unrelated():
    return 0
'''

USER_OPS = '''\
from xitt.engine.registry import op


@op("ver.derived")
def derived(ctx):
    from lab.prep import scale  # imported inside the function, as ops import heavy modules

    return {"v": scale(1)}


@op("ver.pinned", version="1")
def pinned(ctx):
    return {"v": 1}
'''

LONE = '''\
from xitt.engine.registry import op


@op("ver.lone")
def lone(ctx):
    return {"v": 0}
'''

RUN = '''\
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import lab.ops, lab.lone  # noqa: F401
from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.scheduler import run
from xitt.engine.store import Store
graph = Graph((Step("a", "ver.derived", {}), Step("b", "ver.pinned", {}), Step("c", "ver.lone", {})))
with Store(Path(sys.argv[1])) as store:
    reasons = {p.step.id: p.reason for p in plan(graph, store)}
    print(json.dumps({"reasons": reasons, "executed": run(graph, store).executed}))
'''


def _run(directory: Path) -> dict:
    """A fresh process, as a user would start after editing their ops (-B: no stale bytecode)."""
    done = subprocess.run([sys.executable, "-B", "-c", RUN, str(directory)], capture_output=True, text=True, cwd=directory,
                          env={**os.environ, "XITT_CACHE_DIR": str(directory / "cache")})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_edit_anywhere_in_the_code_an_op_imports_reruns_it_and_names_the_file(tmp_path):
    lab = tmp_path / "lab"
    lab.mkdir()
    for name, text in {"__init__.py": "", "ops.py": USER_OPS, "prep.py": PREP, "other.py": OTHER, "lone.py": LONE}.items():
        (lab / name).write_text(text)
    assert _run(tmp_path) == {"reasons": {"a": "new", "b": "new", "c": "new"}, "executed": ["a", "b", "c"]}
    assert _run(tmp_path)["executed"] == []

    _edit(lab / "prep.py", "SCALE = 1", "SCALE = 2")  # a constant of an imported module
    assert _run(tmp_path) == {"reasons": {"a": "code changed: lab/prep.py", "b": "cached", "c": "cached"}, "executed": ["a"]}

    _edit(lab / "prep.py", '"""Preparation shared by some ops."""', '"""Shared preparation."""  # reworded\n\n\n')
    _edit(lab / "ops.py", "@op(\"ver.derived\")", "# the main op\n@op(  \"ver.derived\"  )")
    assert _run(tmp_path)["executed"] == []  # docstrings, comments and layout are not code

    _edit(lab / "other.py", "return 0", "return 1")  # imported by no op
    assert _run(tmp_path)["executed"] == []

    _edit(lab / "ops.py", 'return {"v": 1}', 'return {"v": 2}')  # the pinned op's body: its version holds,
    assert _run(tmp_path) == {"reasons": {"a": "code changed: lab/ops.py", "b": "cached", "c": "cached"},
                              "executed": ["a"]}  # but the other op of its module re-runs

    _edit(lab / "ops.py", 'version="1"', 'version="2"')  # bumping the pin is how a pinned op says "re-run me"
    assert _run(tmp_path) == {"reasons": {"a": "code changed: lab/ops.py", "b": "code changed: version 1 -> 2", "c": "cached"},
                              "executed": ["a", "b"]}


def _one() -> int:
    return 1


def _two() -> int:
    return 2


def test_source_version_hashes_the_function_and_its_helpers_only():
    def fn(ctx):
        return {}

    assert source_version(fn) == source_version(fn)
    assert source_version(fn, [_one]) != source_version(fn) != source_version(fn, [_two])
    assert source_version(fn, [_one, _two]) != source_version(fn, [_two, _one])


@op("ver.in_process_pinned", version="2026-11-a")
def _pinned(ctx):
    return {}


@op("ver.in_process_derived", helpers=[_one])
def _derived(ctx):
    return {}


def test_registered_versions_are_the_pin_or_the_hash_of_the_modules_they_import():
    assert get_op("ver.in_process_pinned").version == "2026-11-a"
    code = get_op("ver.in_process_derived").code
    assert code is not None and code.version == get_op("ver.in_process_derived").version
    assert any(name.endswith("test_engine_versions.py") for name in code.files)
    assert not any(name.startswith("xitt/engine/") for name in code.files)  # the engine computes no result
    assert not any(name.startswith("xitt/models/") for name in code.files)  # nothing this module does not import


def test_normalised_source_ignores_comments_docstrings_and_layout_only():
    plain = "def f(x):\n    return x + 1\n"
    dressed = 'def f( x ):\n    """Add one."""\n    # one more\n\n    return (x + 1)\n'
    assert normalised(plain) == normalised(dressed)
    assert normalised(plain) != normalised(plain.replace("+ 1", "+ 2"))
    assert normalised('"""Module."""\n') == normalised("")


def test_the_index_never_evicts_even_if_it_was_created_with_an_evicting_policy(tmp_path):
    index = tmp_path / ".xitt" / "index"
    evicting = diskcache.Cache(str(index), size_limit=20_000, eviction_policy="least-recently-stored", cull_limit=10)
    for i in range(100):
        evicting.set(f"probe:{i}", "x" * 1000)
    assert len(evicting) < 100  # diskcache's own behaviour with such settings: it drops entries
    evicting.clear()
    evicting.close()
    with Store(tmp_path) as store:  # the store sets its limit and policy explicitly, whatever was stored
        assert store.index.eviction_policy == "none" and store.index.size_limit >= 2**62
        for i in range(300):
            store.index.set(f"{DONE}{i:040d}", {"files": {}, "digest": "d", "blob": "x" * 1000})
    with Store(tmp_path) as store:
        assert len(list(store.keys())) == 300
