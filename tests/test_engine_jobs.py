"""The local executor with ``jobs`` > 1: steps in worker processes, side by side, each with its
share of the cores, a bounded number of GPU steps at once, and commits by the driver alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from xitt.engine.display import NullReporter
from xitt.engine.executors.local import LocalExecutor
from xitt.engine.graph import Graph, Step
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import StepFailed, run
from xitt.engine.store import Store

SLEEP = 0.6


def _timed(ctx: StepContext) -> dict:
    began = time.time()
    ctx.progress(1, 2, {"loss": 1.0})
    time.sleep(ctx.params["sleep"])
    (ctx.out_dir / "data.txt").write_text(ctx.step_id)
    return {"pid": os.getpid(), "began": began, "ended": time.time(), "threads": ctx.threads,
            "omp": os.environ.get("OMP_NUM_THREADS"), "i": ctx.params["i"]}


@op("jobs.cpu")
def cpu_step(ctx: StepContext) -> dict:
    return _timed(ctx)


@op("jobs.gpu", resources={"gpu": 1})
def gpu_step(ctx: StepContext) -> dict:
    return _timed(ctx)


@op("jobs.fail")
def failing_step(ctx: StepContext) -> dict:
    raise ValueError("broken on purpose")


@op("jobs.sum")
def sum_step(ctx: StepContext) -> dict:
    return {"sum": sum(a.result["i"] for a in ctx.inputs["parts"])}


def _closure_op(name: str, factor: int):
    """An op made by a function (as similarity.register makes one per measure): a closure,
    which plain pickle cannot send to a worker."""

    @op(name)
    def closure(ctx: StepContext) -> dict:
        return {"value": factor * ctx.params["i"], "pid": os.getpid()}

    return closure


_closure_op("jobs.closure", 3)


class Recorder(NullReporter):
    def __init__(self):
        self.progress: list[tuple[str, int, int]] = []

    def step_progress(self, step, done, total, metrics) -> None:
        self.progress.append((step.id, done, total))


def _overlap(a: dict, b: dict) -> bool:
    return a["began"] < b["ended"] and b["began"] < a["ended"]


def _results(summary, store) -> dict[str, dict]:
    return {step_id: store.get(key).result for step_id, key in summary.keys.items()}


def test_independent_steps_run_side_by_side_with_their_share_of_cores(tmp_path):
    leaves = [Step(f"leaf{i}", "jobs.cpu", {"i": i, "sleep": SLEEP}) for i in range(4)]
    graph = Graph((*leaves, Step("total", "jobs.sum", {}, {"parts": tuple(s.id for s in leaves)})))
    reporter, executor = Recorder(), LocalExecutor(2, threads=4, preload=("json", "xitt.engine.store"))
    with Store(tmp_path) as store:
        try:
            summary = run(graph, store, reporter, executor, threads=4)
        finally:
            executor.close()
        results = _results(summary, store)
        assert sorted(summary.executed) == sorted(["total", *(s.id for s in leaves)])
        leaf = [results[s.id] for s in leaves]
        assert {r["pid"] for r in leaf} - {os.getpid()} == {r["pid"] for r in leaf}  # in workers, not here
        assert len({r["pid"] for r in leaf}) == 2
        assert all(r["threads"] == 2 and r["omp"] == "2" for r in leaf)  # --threads 4 / 2 jobs
        overlapping = [(a["i"], b["i"]) for a in leaf for b in leaf if a["i"] < b["i"] and _overlap(a, b)]
        assert 2 <= len(overlapping) <= 4  # two at a time: 4 steps make at least 2 and at most 4 overlapping pairs
        assert not any(_overlap(a, b) and _overlap(b, c) and _overlap(a, c) for a in leaf for b in leaf for c in leaf
                       if a["i"] < b["i"] < c["i"])  # never three at once
        assert results["total"]["sum"] == 6
        assert {(s.id, 1, 2) for s in leaves} <= set(reporter.progress)  # progress crossed back to the driver
        assert all(store.get(summary.keys[s.id]).file("data.txt").read_text() == s.id for s in leaves)
        again = run(graph, store)  # committed by the driver: the next run finds everything
        assert not again.executed and len(again.cached) == 5


def test_gpu_steps_run_one_at_a_time_while_cpu_steps_pass_them(tmp_path):
    steps = [Step(f"gpu{i}", "jobs.gpu", {"i": i, "sleep": SLEEP}) for i in range(2)] + [Step("cpu", "jobs.cpu", {"i": 9, "sleep": SLEEP})]
    executor = LocalExecutor(3, gpu_jobs=1, threads=3)
    with Store(tmp_path) as store:
        try:
            summary = run(Graph(tuple(steps)), store, executor=executor, threads=3)
        finally:
            executor.close()
        results = _results(summary, store)
    assert not _overlap(results["gpu0"], results["gpu1"])
    assert _overlap(results["cpu"], results["gpu0"])  # submitted after both GPU steps, it did not wait for them
    assert results["cpu"]["threads"] == 1


def test_a_failing_step_in_a_worker_fails_alone_with_keep_going(tmp_path):
    graph = Graph((Step("bad", "jobs.fail", {}), Step("good", "jobs.cpu", {"i": 1, "sleep": 0.0})))
    executor = LocalExecutor(2)
    with Store(tmp_path) as store:
        with pytest.raises(StepFailed, match="broken on purpose") as raised:
            try:
                run(graph, store, executor=executor, keep_going=True)
            finally:
                executor.close()
        assert raised.value.summary.executed == ["good"]
        assert "ValueError" in Path(store.failure("bad")["log"]).read_text()


def test_a_step_of_a_parallel_run_computing_alone_gets_every_core(tmp_path, monkeypatch):
    """--jobs 2 without --threads: a step that computes while no other step of its run does
    (its run's only step here) has all the cores, not half."""
    from xitt.engine.threads import LIVE_ENV, THREADS_ENV, available_cores

    monkeypatch.setenv(LIVE_ENV, str(tmp_path / "live"))  # no other run's steps count
    monkeypatch.delenv(THREADS_ENV, raising=False)
    executor = LocalExecutor(2)
    with Store(tmp_path / "store") as store:
        try:
            summary = run(Graph((Step("alone", "jobs.cpu", {"i": 0, "sleep": 0.0}),)), store, executor=executor)
        finally:
            executor.close()
        assert store.get(summary.keys["alone"]).result["threads"] == available_cores()


def test_an_op_that_is_a_closure_runs_in_a_worker(tmp_path):
    executor = LocalExecutor(2)
    with Store(tmp_path) as store:
        try:
            summary = run(Graph((Step("c", "jobs.closure", {"i": 5}),)), store, executor=executor)
        finally:
            executor.close()
        result = store.get(summary.keys["c"]).result
    assert result["value"] == 15 and result["pid"] != os.getpid()


def test_jobs_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        LocalExecutor(0)
