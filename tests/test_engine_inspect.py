"""explain, status and gc (with retention of keep=False weights) on toy ops."""

from __future__ import annotations

import pytest

from xitt.engine.gc import apply, collect
from xitt.engine.graph import Graph, Step
from xitt.engine.inspect import explain, status
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store
from xitt.errors import UserError

CALLS: list[str] = []


@op("insp.weights", keep=False)
def weights(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    (ctx.out_dir / "weights.bin").write_bytes(bytes([ctx.params["seed"]]) * 5000)
    return {"seed": ctx.params["seed"]}


@op("insp.evaluate")
def evaluate(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    ctx.info["device"] = "cpu"
    return {"score": ctx.inputs["model"].file("weights.bin").read_bytes()[0] + ctx.params["shift"]}


def experiment(seed: int = 1, shift: int = 0) -> Graph:
    return Graph((Step("model", "insp.weights", {"seed": seed}),
                  Step("eval", "insp.evaluate", {"shift": shift}, {"model": "model"})))


@pytest.fixture()
def store(tmp_path):
    CALLS.clear()
    with Store(tmp_path) as s:
        yield s


def test_explain_gives_provenance_and_the_upstream_chain(store):
    run(experiment(), store)
    found = explain(plan(experiment(), store), store, "eval")
    assert found.planned.cached and found.meta["op"] == "insp.evaluate" and found.meta["device"] == "cpu"
    assert found.meta["input_steps"] == {"model": "model"} and found.meta["versions"]["python"]
    assert {"host", "started", "seconds", "digest"} <= set(found.meta)
    assert [(u.depth, u.step_id, u.status) for u in found.chain] == [(1, "model", "cached")]
    assert explain(plan(experiment(), store), store, found.planned.key[:10]).planned.step.id == "eval"
    with pytest.raises(UserError, match="no step matches"):
        explain(plan(experiment(), store), store, "nope")


def test_status_counts_sizes_and_finds_corruption(store):
    keys = run(experiment(), store).keys
    found = status(store, plan(experiment(), store))
    assert found.artifacts == 2 and found.by_op["insp.weights"].bytes > 5000 and found.experiment["cached"] == 2
    (store.artifacts / keys["model"] / "weights.bin").write_bytes(b"x" * 5000)
    assert list(status(store, verify=True).corrupt) == [keys["model"]]


def test_gc_removes_what_no_experiment_references_and_dry_run_removes_nothing(store):
    old = run(experiment(seed=1), store).keys
    new = run(experiment(seed=2), store).keys
    dry = collect([plan(experiment(seed=2), store)], store, retention=False)
    assert set(dry.remove) == {old["model"], old["eval"]} and store.record(old["model"])
    apply(dry, store)
    assert store.record(old["model"]) is None and not (store.artifacts / old["model"]).exists()
    assert all(p.cached for p in plan(experiment(seed=2), store)) and set(store.keys()) == set(new.values())


def test_weights_nobody_needs_are_pruned_and_recomputed_when_needed_again(store):
    keys = run(experiment(), store).keys
    found = collect([plan(experiment(), store)], store)
    assert set(found.prune) == {keys["model"]} and found.prune[keys["model"]] == 5000 and not found.remove
    apply(found, store)
    assert not (store.artifacts / keys["model"] / "weights.bin").exists()
    assert all(p.cached for p in plan(experiment(), store))  # results stay cached without the weights
    assert store.get(keys["model"]).result == {"seed": 1}
    reasons = {p.step.id: p.reason for p in plan(experiment(shift=1), store)}
    assert reasons == {"model": "pruned by gc: needed by eval", "eval": "params changed: shift 0 -> 1"}
    CALLS.clear()
    summary = run(experiment(shift=1), store)
    assert CALLS == ["model", "eval"] and store.get(summary.keys["eval"]).result == {"score": 2}
    assert summary.keys["model"] == keys["model"] and not store.record(keys["model"])["pruned"]
