"""Real processes on one store: two runs at once, stale locks of killed runs, SIGKILL at random moments."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

from xitt.engine.graph import Graph, Step
from xitt.engine.locks import lock_for
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store

FORK = multiprocessing.get_context("fork")  # children inherit the ops registered below
LOG = {"path": None, "tag": ""}


def _note(step_id: str) -> None:
    with open(LOG["path"], "a") as handle:  # O_APPEND: lines from two processes never interleave
        handle.write(f"{LOG['tag']} {step_id}\n")


@op("conc.leaf")
def leaf(ctx: StepContext) -> dict:
    _note(ctx.step_id)
    time.sleep(ctx.params["sleep"])
    (ctx.out_dir / "data.bin").write_bytes(os.urandom(4096))  # not deterministic, like training
    return {"i": ctx.params["i"]}


@op("conc.join")
def join(ctx: StepContext) -> dict:
    _note(ctx.step_id)
    time.sleep(ctx.params["sleep"])
    return {"sum": sum(a.result["i"] for a in ctx.inputs["parts"]), "digests": sorted(a.meta["digest"] for a in ctx.inputs["parts"])}


def graph(n: int = 8, sleep: float = 0.03) -> Graph:
    leaves = [Step(f"leaf{i}", "conc.leaf", {"i": i, "sleep": sleep}) for i in range(n)]
    pairs = [Step(f"pair{i}", "conc.join", {"sleep": sleep}, {"parts": (f"leaf{i}", f"leaf{(i + 1) % n}")}) for i in range(n)]
    total = Step("total", "conc.join", {"sleep": sleep}, {"parts": tuple(f"leaf{i}" for i in range(n))})
    return Graph((*leaves, *pairs, total))


def _run_child(root: str, log: str, tag: str, queue=None, n: int = 8, sleep: float = 0.03) -> None:
    LOG["path"], LOG["tag"] = log, tag
    with Store(Path(root)) as store:
        summary = run(graph(n, sleep), store)
        if queue is not None:
            queue.put({step_id: store.get(key).result for step_id, key in summary.keys.items()})


def executions(log: Path) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in log.read_text().splitlines()] if log.exists() else []


def test_two_runs_at_once_execute_every_step_exactly_once(tmp_path):
    log = tmp_path / "executions.log"
    queue = FORK.Queue()
    runs = [FORK.Process(target=_run_child, args=(str(tmp_path), str(log), tag, queue)) for tag in ("A", "B")]
    for process in runs:
        process.start()
    results = [queue.get(timeout=60) for _ in runs]
    for process in runs:
        process.join(timeout=60)
        assert process.exitcode == 0
    steps = [step_id for _, step_id in executions(log)]
    assert sorted(steps) == sorted(s.id for s in graph())  # each exactly once, in total
    assert {tag for tag, _ in executions(log)} == {"A", "B"}  # and both runs did some of the work
    assert results[0] == results[1]
    with Store(tmp_path) as store:
        assert all(p.cached for p in plan(graph(), store))
        assert not list(store.locks.iterdir()) and not list(store.tmp.iterdir())


def _hold_lock_forever(locks: str, key: str) -> None:
    lock_for(Path(locks), key).acquire()
    time.sleep(60)


def test_the_lock_of_a_killed_process_is_broken(tmp_path):
    holder = FORK.Process(target=_hold_lock_forever, args=(str(tmp_path), "k"))
    holder.start()
    deadline = time.time() + 10
    while not (tmp_path / "k.lock").exists() and time.time() < deadline:
        time.sleep(0.01)
    mine = lock_for(tmp_path, "k")
    assert (tmp_path / "k.lock").read_text().split()[0] == str(holder.pid)
    assert not mine.acquire()
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    assert mine.acquire() and (tmp_path / "k.lock").read_text().split()[0] == str(os.getpid())
    mine.release()
    assert not (tmp_path / "k.lock").exists()


def test_sigkill_at_random_moments_never_leaves_a_half_entry(tmp_path):
    log = tmp_path / "executions.log"
    rng = random.Random(6)
    all_steps = {s.id for s in graph(6, 0.01)}
    for moment in range(20):
        with Store(tmp_path) as store:
            done_before = {p.step.id for p in plan(graph(6, 0.01), store) if p.cached}
        child = FORK.Process(target=_run_child, args=(str(tmp_path), str(log), f"r{moment}", None, 6, 0.01))
        child.start()
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        ran_now = {step_id for tag, step_id in executions(log) if tag == f"r{moment}"}
        assert not ran_now & done_before, "a finished step was computed again"
        with Store(tmp_path) as store:
            for key in store.keys():
                assert store.problem(key, store.record(key), full=True) is None
    with Store(tmp_path) as store:
        left = {p.step.id for p in plan(graph(6, 0.01), store) if p.status == "run"}
        maybe = {p.step.id for p in plan(graph(6, 0.01), store) if p.status == "may run"}
        LOG["path"], LOG["tag"] = str(log), "final"
        summary = run(graph(6, 0.01), store)
        assert left <= set(summary.executed) <= left | maybe
        assert set(summary.executed) | set(summary.cached) == all_steps
        assert not [p for p in store.tmp.iterdir()]  # the killed runs' temp dirs were cleared
