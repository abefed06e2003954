"""The engine on its own: keys, store, plan reasons, caching and failure, with real tiny ops."""

from __future__ import annotations

import json

import pytest

from xitt.engine.graph import Graph, Step
from xitt.engine.keys import canonical_json, hash_struct, step_key
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import StepFailed, run
from xitt.engine.store import Store

CALLS: list[str] = []


@op("test.number")
def number(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    (ctx.out_dir / "value.txt").write_text(str(ctx.params["value"]))
    return {"value": ctx.params["value"]}


@op("test.sum")
def add(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    return {"value": sum(a.result["value"] for a in ctx.inputs["terms"]) + ctx.params.get("offset", 0)}


@op("test.fail")
def fail(ctx: StepContext) -> dict:
    (ctx.out_dir / "partial.bin").write_bytes(b"half")
    raise RuntimeError("boom")


def graph(a: int = 1, b: int = 2, offset: int = 0) -> Graph:
    return Graph((
        Step("a", "test.number", {"value": a}),
        Step("b", "test.number", {"value": b}),
        Step("total", "test.sum", {"offset": offset}, {"terms": ("a", "b")}),
    ))


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path) as s:
        yield s
    CALLS.clear()


def test_canonical_json_ignores_key_order_and_rejects_nan():
    assert canonical_json({"b": 1, "a": [1.5, "x"]}) == canonical_json({"a": [1.5, "x"], "b": 1})
    assert canonical_json({"a": 1}) == b'{"a":1}'
    with pytest.raises(ValueError):
        canonical_json({"a": float("nan")})


def test_step_key_depends_on_every_part():
    base = step_key("op", "v1", {"lr": 1e-3}, {"x": "k1"})
    assert base == step_key("op", "v1", {"lr": 0.001}, {"x": "k1"})
    assert len({base, step_key("op2", "v1", {"lr": 1e-3}, {"x": "k1"}), step_key("op", "v2", {"lr": 1e-3}, {"x": "k1"}),
                step_key("op", "v1", {"lr": 2e-3}, {"x": "k1"}), step_key("op", "v1", {"lr": 1e-3}, {"x": "k2"})}) == 5
    assert hash_struct([1, 2]) != hash_struct([2, 1])


def test_second_run_is_fully_cached(store):
    first = run(graph(), store)
    assert first.executed == ["a", "b", "total"] and first.cached == []
    assert store.get(first.keys["total"]).result == {"value": 3}
    second = run(graph(), store)
    assert second.executed == [] and second.cached == ["a", "b", "total"]
    assert CALLS == ["a", "b", "total"]


def test_param_edit_reruns_only_downstream_and_plan_says_why(store):
    run(graph(), store)
    reasons = {p.step.id: p.reason for p in plan(graph(a=5), store)}
    assert reasons == {"a": "params changed: value 1 -> 5", "b": "cached", "total": "input may change: a"}
    summary = run(graph(a=5), store)
    assert summary.executed == ["a", "total"] and summary.cached == ["b"]
    assert store.get(summary.keys["total"]).result == {"value": 7}
    assert {p.step.id: p.reason for p in plan(graph(a=5, offset=1), store)}["total"] == "params changed: offset 0 -> 1"


def test_artifact_has_files_checksums_and_provenance(store):
    summary = run(graph(), store)
    artifact = store.get(summary.keys["a"])
    assert artifact.file("value.txt").read_text() == "1"
    meta = json.loads(artifact.file("meta.json").read_text())
    assert meta["op"] == "test.number" and meta["params"] == {"value": 1}
    assert set(meta["checksums"]) == {"value.txt", "result.json"}
    assert meta["versions"]["python"] and "xitt" in meta["versions"] and meta["seconds"] >= 0
    assert not list(store.tmp.iterdir())


def test_failed_step_leaves_nothing_half_written_and_keeps_finished_work(store):
    failing = Graph((*graph().steps, Step("bad", "test.fail", {}, {"x": "total"})))
    with pytest.raises(StepFailed) as caught:
        run(failing, store)
    assert "bad" in caught.value.message and "boom" in caught.value.message
    assert "traceback" in caught.value.hint
    assert not list(store.tmp.iterdir())
    assert [p.step.id for p in plan(failing, store) if not p.cached] == ["bad"]


def test_graph_rejects_steps_before_their_inputs():
    with pytest.raises(ValueError):
        Graph((Step("total", "test.sum", {}, {"terms": ("a",)}), Step("a", "test.number", {"value": 1})))
