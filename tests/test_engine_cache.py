"""Early cutoff, plan reasons for the whole graph, failures and --keep-going, interrupts, corruption."""

from __future__ import annotations

import os

import pytest

from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import StepFailed, run
from xitt.engine.store import CorruptArtifact, Store

CALLS: list[str] = []


@op("cache.number")
def number(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    (ctx.out_dir / "value.bin").write_bytes(str(ctx.params["value"]).encode() * 100)
    return {"value": ctx.params["value"]}


@op("cache.parity")
def parity(ctx: StepContext) -> dict:
    """Coarsens its input: many values give the same output, which is what early cutoff needs."""
    CALLS.append(ctx.step_id)
    return {"value": ctx.inputs["x"].result["value"] % 2}


@op("cache.double")
def double(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    return {"value": 2 * ctx.inputs["x"].result["value"]}


@op("cache.maybe_fail")
def maybe_fail(ctx: StepContext) -> dict:
    CALLS.append(ctx.step_id)
    (ctx.out_dir / "partial.bin").write_bytes(b"half")
    if os.environ.get("XITT_TEST_FAIL") == ctx.step_id:
        raise RuntimeError("boom")
    return {"value": ctx.params["value"]}


@op("cache.interrupt")
def interrupt(ctx: StepContext) -> dict:
    (ctx.out_dir / "partial.bin").write_bytes(b"half")
    raise KeyboardInterrupt


def chain(value: int) -> Graph:
    return Graph((
        Step("n", "cache.number", {"value": value}),
        Step("p", "cache.parity", {}, {"x": "n"}),
        Step("d", "cache.double", {}, {"x": "p"}),
        Step("other", "cache.number", {"value": 100}),
    ))


@pytest.fixture()
def store(tmp_path):
    CALLS.clear()
    with Store(tmp_path) as s:
        yield s


def test_early_cutoff_skips_steps_whose_inputs_come_out_the_same(store):
    run(chain(1), store)
    planned = {p.step.id: (p.status, p.reason) for p in plan(chain(3), store)}
    assert planned == {"n": ("run", "params changed: value 1 -> 3"), "p": ("may run", "input may change: n"),
                       "d": ("may run", "input may change: p"), "other": ("cached", "cached")}
    CALLS.clear()
    summary = run(chain(3), store)
    assert CALLS == ["n", "p"]  # p re-ran and gave 1 again: d is not re-run
    assert summary.executed == ["n", "p"] and sorted(summary.cached) == ["d", "other"]
    assert store.get(summary.keys["d"]).result == {"value": 2}
    CALLS.clear()
    summary = run(chain(4), store)
    assert CALLS == ["n", "p", "d"] and store.get(summary.keys["d"]).result == {"value": 0}


def test_plan_gives_a_reason_for_every_step_of_the_graph(store):
    # an empty store: nothing can be skipped, so every step is counted as one to run
    assert [(p.status, p.reason) for p in plan(chain(1), store)] == [
        ("run", "new"), ("run", "new"), ("run", "new"), ("run", "new")]
    run(chain(1), store)
    assert all(p.cached for p in plan(chain(1), store))
    store.invalidate(run(chain(1), store).keys["d"])
    assert {p.step.id: p.reason for p in plan(chain(1), store) if not p.cached} == {"d": "not in store"}


def gatherer(fail: str = "") -> Graph:
    return Graph((
        Step("a", "cache.maybe_fail", {"value": 1}),
        Step("a2", "cache.double", {}, {"x": "a"}),
        Step("b", "cache.maybe_fail", {"value": 2}),
        Step("b2", "cache.double", {}, {"x": "b"}),
    ))


def test_failure_records_error_and_log_and_stops_without_keep_going(store, monkeypatch):
    monkeypatch.setenv("XITT_TEST_FAIL", "a")
    with pytest.raises(StepFailed) as caught:
        run(gatherer(), store)
    assert CALLS == ["a"] and "boom" in caught.value.message
    # only a2 reads a's output; b and b2 were merely not started, and the message says which is which
    assert caught.value.summary.blocked == ["a2"] and caught.value.summary.not_started == ["b", "b2"]
    assert "1 steps that depend on it were not run; 2 other steps were not started" in caught.value.message
    failure = store.failures()["a"]
    assert failure["error"] == "RuntimeError: boom" and "Traceback" in open(failure["log"]).read()
    assert not list(store.tmp.iterdir()) and not list(store.locks.iterdir())


def test_keep_going_runs_independent_steps_and_rerun_retries_only_what_failed(store, monkeypatch):
    monkeypatch.setenv("XITT_TEST_FAIL", "a")
    with pytest.raises(StepFailed) as caught:
        run(gatherer(), store, keep_going=True)
    summary = caught.value.summary
    assert CALLS == ["a", "b", "b2"] and summary.failed.keys() == {"a"} and summary.blocked == ["a2"]
    monkeypatch.delenv("XITT_TEST_FAIL")
    CALLS.clear()
    summary = run(gatherer(), store)
    assert CALLS == ["a", "a2"] and sorted(summary.cached) == ["b", "b2"]
    assert store.failures() == {}


def test_plan_names_each_changed_parameter_with_its_old_and_new_value(store):
    graph = lambda params: Graph((Step("s", "cache.number", params),))  # noqa: E731
    run(graph({"value": 1, "train": {"epochs": 2, "lr": 0.001}, "name": "a"}), store)
    [entry] = plan(graph({"value": 1, "train": {"epochs": 3, "lr": 0.001}, "name": "b", "new": [1, 2]}), store)
    assert entry.reason == 'params changed: name a -> b, new (unset) -> [1, 2], train.epochs 2 -> 3'
    [entry] = plan(graph({"value": 1, "train": {"epochs": 3, "lr": 0.001}, "name": "b", "new": list(range(30))}), store)
    assert "new (unset) -> [30 items]" in entry.reason  # a long value by its size


def test_only_steps_some_run_has_recorded_may_be_skipped_by_early_cutoff(store):
    """'may run' is kept for a step whose op and params a run has recorded (under any id):
    only such a step can come out cached when its input re-runs unchanged."""
    run(chain(1), store)
    renamed = Graph((Step("n2", "cache.number", {"value": 5}), Step("p2", "cache.parity", {}, {"x": "n2"}),
                     Step("d2", "cache.double", {"factor": 3}, {"x": "p2"})))
    assert [(p.status, p.reason) for p in plan(renamed, store)] == [("run", "new"), ("may run", "new"), ("run", "new")]


def test_interrupt_leaves_nothing_half_written(store):
    graph = Graph((Step("n", "cache.number", {"value": 1}), Step("stop", "cache.interrupt", {}, {"x": "n"})))
    with pytest.raises(KeyboardInterrupt):
        run(graph, store)
    assert not list(store.tmp.iterdir()) and not list(store.locks.iterdir())
    assert [p.step.id for p in plan(graph, store) if not p.cached] == ["stop"]


def flip_a_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    stat = os.stat(path)
    path.write_bytes(bytes(data))
    return stat


def test_flipped_bytes_are_reported_and_recomputed(store):
    keys = run(chain(1), store).keys
    flip_a_byte(store.artifacts / keys["n"] / "value.bin")
    planned = {p.step.id: p for p in plan(chain(1), store) if not p.cached}
    reasons = {step: p.reason for step, p in planned.items()}
    assert reasons == {"n": "corrupt: value.bin changed after it was written", "p": "input may change: n",
                       "d": "input may change: p"}
    assert planned["n"].corrupt.detail == "value.bin changed after it was written"  # typed: no parsing of the line
    assert planned["p"].corrupt is None and planned["p"].status == "may run"
    CALLS.clear()
    summary = run(chain(1), store)
    assert CALLS == ["n"]  # recomputed to the same content: early cutoff keeps p and d
    assert store.get(summary.keys["n"], verify=True).file("value.bin").read_bytes().startswith(b"1")


def test_full_verify_catches_a_flip_that_kept_size_and_mtime(store):
    keys = run(chain(1), store).keys
    path = store.artifacts / keys["n"] / "value.bin"
    stat = flip_a_byte(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert all(p.cached for p in plan(chain(1), store))  # the cheap check cannot see it
    with pytest.raises(CorruptArtifact):
        store.get(keys["n"], verify=True)
    assert [p.reason for p in plan(chain(1), store, verify=True) if p.step.id == "n"] == ["corrupt: value.bin does not match its checksum"]
    CALLS.clear()
    run(chain(1), store, verify=True)
    assert CALLS == ["n"] and store.get(keys["n"], verify=True)


def test_a_corrupt_input_found_when_read_is_dropped_and_the_step_fails(store):
    keys = run(chain(1), store).keys
    path = store.artifacts / keys["n"] / "value.bin"
    stat = flip_a_byte(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    store.invalidate(keys["p"])
    with pytest.raises(StepFailed) as caught:
        run(chain(1), store)
    assert "corrupt" in caught.value.message and store.record(keys["n"]) is None
    CALLS.clear()
    run(chain(1), store)
    assert CALLS == ["n", "p"]
