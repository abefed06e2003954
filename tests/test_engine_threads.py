"""A step's thread share: --threads split among a run's parallel steps, else this machine's
cores split among the steps computing on it now, other processes' included (a registry of
flocked files); a step follows the share as other runs come and go."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from xitt.engine import threads
from xitt.engine.graph import Graph, Step
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store
from xitt.engine.threads import LIVE_ENV, THREADS_ENV, Share, available_cores, computing_elsewhere, step_threads

FORK = multiprocessing.get_context("fork")


@pytest.fixture(autouse=True)
def live(tmp_path, monkeypatch):
    monkeypatch.setenv(LIVE_ENV, str(tmp_path / "live"))
    monkeypatch.delenv(THREADS_ENV, raising=False)  # conftest fixes it at 1 for every other test
    return tmp_path / "live"


def test_the_share_divides_the_cores_among_computing_steps(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 8)
    assert step_threads(elsewhere=0) == 8
    assert step_threads(elsewhere=1) == 4  # one other run computing: half each
    assert step_threads(elsewhere=3) == 2 and step_threads(elsewhere=20) == 1
    assert step_threads(jobs=2, elsewhere=2) == 2  # this run's two parallel steps and two others
    assert step_threads(requested=6, jobs=2, elsewhere=5) == 3  # --threads 6: the run's own budget
    assert step_threads(requested=1, jobs=4) == 1
    monkeypatch.setenv(THREADS_ENV, "4")
    assert step_threads(elsewhere=3) == 4 and step_threads(jobs=2) == 2  # $XITT_THREADS: --threads by default


def _compute(live_dir: str, run_id: str) -> None:
    os.environ[LIVE_ENV] = live_dir
    with Share(run=run_id):
        time.sleep(60)


def _wait(predicate) -> None:
    deadline = time.time() + 20
    while not predicate():
        assert time.time() < deadline
        time.sleep(0.02)


def test_other_processes_steps_count_until_they_die_and_a_running_step_follows(live, monkeypatch):
    other = FORK.Process(target=_compute, args=(str(live), "other-run"))
    other.start()
    _wait(lambda: computing_elsewhere() == 1)
    assert computing_elsewhere(run="other-run") == 0  # a run's own steps are not "elsewhere"
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    monkeypatch.setattr(threads, "RECHECK_S", 0.0)
    with Share(run="mine") as mine:
        assert mine.threads == 2
        os.kill(other.pid, signal.SIGKILL)
        other.join()
        assert mine.now() == 4  # the other run is gone: its cores come back
    assert not any(live.iterdir()) or computing_elsewhere() == 0


@op("threads.report")
def report(ctx: StepContext) -> dict:
    return {"threads": ctx.threads, "now": ctx.threads_now()}


def test_a_run_gives_its_steps_their_share_and_records_it(tmp_path):
    graph = Graph((Step("a", "threads.report", {}),))
    with Store(tmp_path / "one") as store:
        summary = run(graph, store, threads=3)
        assert store.get(summary.keys["a"]).result == {"threads": 3, "now": 3}
        assert store.get(summary.keys["a"]).meta["threads"] == 3
    with Store(tmp_path / "two") as store:
        summary = run(graph, store)
        assert store.get(summary.keys["a"]).result["threads"] == available_cores()
