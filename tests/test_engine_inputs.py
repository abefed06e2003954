"""External inputs: files and directories a step reads from outside the store are part of its
key. Editing one language's file re-runs exactly the steps that read it (and what depends on
their output); an unchanged file costs a stat; a file replaced behind an equal size and mtime
is caught by re-hashing (`verify`, as `xitt status --verify` does)."""

from __future__ import annotations

import os
from pathlib import Path

from xitt.engine.fingerprints import MISSING, Fingerprints
from xitt.engine.graph import Graph, Step
from xitt.engine.inspect import status
from xitt.engine.plan import Keyer, plan, shown_path
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store

READS: list[str] = []


@op("inputs.read")
def read(ctx: StepContext) -> dict:
    READS.append(ctx.step_id)
    return {"lines": sum(len(Path(p).read_text().splitlines()) for p in ctx.params["files"])}


@op("inputs.total")
def total(ctx: StepContext) -> dict:
    READS.append(ctx.step_id)
    return {"lines": sum(a.result["lines"] for a in ctx.inputs["parts"])}


def study(data: Path) -> Graph:
    """One load step per language file, one per checkpoint directory, and a total over them."""
    loads = [Step(f"data/{lang}", "inputs.read", {"files": [str(data / f"{lang}.test")]}, external=(str(data / f"{lang}.test"),))
             for lang in ("en", "de", "fr")]
    ckpt = Step("ckpt", "inputs.read", {"files": [str(data / "ckpt" / "config.json")]}, external=(str(data / "ckpt"),))
    return Graph((*loads, ckpt, Step("total", "inputs.total", {}, {"parts": tuple(s.id for s in (*loads, ckpt))})))


def _data(root: Path) -> Path:
    data = root / "data"
    (data / "ckpt").mkdir(parents=True)
    for lang in ("en", "de", "fr"):
        (data / f"{lang}.test").write_text(f"{lang} one\n")
    (data / "ckpt" / "config.json").write_text("{}\n")
    (data / "ckpt" / "weights.bin").write_bytes(b"\0" * 4096)
    return data


def test_editing_one_language_file_reruns_exactly_the_steps_that_read_it(tmp_path):
    data = _data(tmp_path)
    with Store(tmp_path) as store:
        run(study(data), store)
        READS.clear()
        (data / "de.test").write_text("de one\nde two\n")  # a sentence added
        reasons = {p.step.id: p.reason for p in plan(study(data), store) if not p.cached}
        shown = shown_path(str(data / "de.test"))
        assert reasons == {"data/de": f"input changed: {shown}", "total": "input may change: data/de"}
        summary = run(study(data), store)
        assert READS == ["data/de", "total"] and store.get(summary.keys["total"]).result == {"lines": 5}

        READS.clear()
        (data / "ckpt" / "weights.bin").write_bytes(b"\1" * 4096)  # a checkpoint directory's file
        assert {p.step.id for p in plan(study(data), store) if not p.cached} == {"ckpt", "total"}
        run(study(data), store)
        assert READS == ["ckpt"]  # same config.json read: total's inputs came out the same (early cutoff)

        os.utime(data / "fr.test")  # touched, same content: re-hashed once, nothing runs
        assert all(p.cached for p in plan(study(data), store))


def test_an_unchanged_file_is_not_read_again_and_a_missing_one_is_named(tmp_path):
    data = _data(tmp_path)
    with Store(tmp_path) as store:
        first = Fingerprints(store)
        first.of([str(data / "en.test"), str(data / "ckpt")])
        assert len(first.rehashed) == 3  # en.test, config.json, weights.bin
        again = Fingerprints(store)
        assert again.of([str(data / "en.test")]) == first.of([str(data / "en.test")]) and again.rehashed == []
        assert Fingerprints(store).path(str(data / "xx.test")) == MISSING


def test_a_file_replaced_with_equal_size_and_mtime_is_caught_by_verify(tmp_path):
    data = _data(tmp_path)
    with Store(tmp_path) as store:
        run(study(data), store)
        target = data / "fr.test"
        stat = target.stat()
        target.write_text("fr ONE\n")  # same length
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime: the fast path is fooled
        assert all(p.cached for p in plan(study(data), store))

        keyer = Keyer(store, verify=True)
        planned = plan(study(data), store, verify=True, keyer=keyer)
        found = status(store, planned, verify=True, replaced=keyer.external.replaced)
        assert found.inputs_replaced == [str(target)]
        assert found.inputs_changed == [f"{shown_path(str(target))} (read by data/fr)"]
        assert {p.step.id for p in planned if not p.cached} == {"data/fr", "total"}
        assert {p.step.id for p in plan(study(data), store) if not p.cached} == {"data/fr", "total"}  # remembered
        READS.clear()
        run(study(data), store)
        assert READS == ["data/fr"]  # same line count: total is cut off
