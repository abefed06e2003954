"""Op versions (source hash of the op and its declared helpers, or a pinned string) and an
index that never evicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import diskcache

from tests.conftest import REPO
from xitt.engine.keys import source_version
from xitt.engine.registry import get_op, op
from xitt.engine.store import DONE, Store

USER_OPS = '''\
from xitt.engine.registry import op


def helper(x):
    return x + 1


def undeclared(x):
    return x


@op("ver.derived", helpers=[helper])
def derived(ctx):
    return {"v": helper(1) + undeclared(0)}


@op("ver.pinned", version="1")
def pinned(ctx):
    return {"v": 1}
'''

RUN = '''\
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import userops  # noqa: F401
from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.scheduler import run
from xitt.engine.store import Store
graph = Graph((Step("a", "ver.derived", {}), Step("b", "ver.pinned", {})))
with Store(Path(sys.argv[1])) as store:
    reasons = {p.step.id: p.reason for p in plan(graph, store)}
    print(json.dumps({"reasons": reasons, "executed": run(graph, store).executed}))
'''


def _run(directory: Path) -> dict:
    """A fresh process, as a user would start after editing their ops (-B: no stale bytecode)."""
    done = subprocess.run([sys.executable, "-B", "-c", RUN, str(directory)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_editing_an_op_or_a_declared_helper_reruns_it_and_a_pinned_version_holds(tmp_path):
    ops = tmp_path / "userops.py"
    ops.write_text(USER_OPS)
    assert _run(tmp_path) == {"reasons": {"a": "new", "b": "new"}, "executed": ["a", "b"]}
    assert _run(tmp_path)["executed"] == []

    _edit(ops, "return x + 1", "return x + 2")  # a declared helper changes
    _edit(ops, 'return {"v": 1}', 'return {"v": 2}')  # the pinned op's body changes, its version does not
    assert _run(tmp_path) == {"reasons": {"a": "code changed", "b": "cached"}, "executed": ["a"]}

    _edit(ops, "return x\n", "return -x\n")  # not declared: outside the version, by the op's own choice
    assert _run(tmp_path)["executed"] == []

    _edit(ops, 'version="1"', 'version="2"')  # bumping the pin is how a pinned op says "re-run me"
    assert _run(tmp_path) == {"reasons": {"a": "cached", "b": "code changed"}, "executed": ["b"]}


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


def test_registered_versions_are_the_pin_or_the_source_hash():
    assert get_op("ver.in_process_pinned").version == "2026-11-a"
    assert get_op("ver.in_process_derived").version == source_version(_derived, [_one])


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
