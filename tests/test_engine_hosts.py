"""Two hosts on one shared store, simulated by two host names ($XITT_HOSTNAME) in real processes:
neither deletes nor takes over a step the other is writing, a second host is stopped with a
clear message while the first writes, and between them every step is computed once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from xitt.engine.gc import apply, collect
from xitt.engine.graph import Graph, Step
from xitt.engine.hosts import HOST_ENV, Presence, live
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store
from xitt.errors import UserError

FORK = multiprocessing.get_context("fork")
LOG = {"path": "", "sleep": 0.0}  # the sleep is set per process, outside the key


@op("hosts.slow")
def slow(ctx: StepContext) -> dict:
    with open(LOG["path"], "a") as handle:
        handle.write(f"{os.environ.get(HOST_ENV)} {ctx.step_id}\n")
    (ctx.out_dir / "part.bin").write_bytes(b"x" * 1000)
    time.sleep(LOG["sleep"] if ctx.params["i"] == 1 else 0.0)
    return {"i": ctx.params["i"]}


def graph() -> Graph:
    return Graph(tuple(Step(f"s{i}", "hosts.slow", {"i": i}) for i in range(3)))


def _run_as(host: str, root: str, log: str, sleep: float) -> None:
    os.environ[HOST_ENV] = host
    LOG["path"], LOG["sleep"] = log, sleep
    with Store(Path(root)) as store:
        run(graph(), store)


def _wait_for(predicate, seconds: float = 20.0) -> None:
    deadline = time.time() + seconds
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def _alpha_in_slow_step(root: Path, log: Path, sleep: float, monkeypatch):
    """Host "alpha" running the graph, now inside its slow step; this process becomes host "beta"."""
    alpha = FORK.Process(target=_run_as, args=("alpha", str(root), str(log), sleep))
    alpha.start()
    _wait_for(lambda: log.exists() and "s1" in log.read_text())
    monkeypatch.setenv(HOST_ENV, "beta")
    return alpha


def test_a_second_host_neither_deletes_nor_takes_over_and_each_step_is_computed_once(tmp_path, monkeypatch):
    log = tmp_path / "executions.log"
    alpha = _alpha_in_slow_step(tmp_path, log, 3.0, monkeypatch)
    with Store(tmp_path) as store:
        writing = next(store.tmp.iterdir())
        assert "@alpha." in writing.name  # the temp dir names its host and pid
        assert writing.name.split(".")[1].startswith(f"{alpha.pid}@")

        # alpha's pid is no process on "beta"; its held lock is what says the dir is in use
        assert store.stale_temp_dirs() == []
        with pytest.raises(UserError) as refused:
            run(graph(), store)
        assert "host alpha" in refused.value.message and f"pid {alpha.pid}" in refused.value.message
        assert "--executor dask" in refused.value.hint
        with pytest.raises(UserError):
            apply(collect([plan(graph(), store)], store), store)
        assert writing.exists()
        assert [line.split()[0] for line in log.read_text().splitlines()] == ["alpha", "alpha"]  # beta ran nothing

        alpha.join(timeout=30)
        assert alpha.exitcode == 0
        summary = run(graph(), store)  # alpha is done: beta may write, and finds everything made
        assert summary.executed == [] and len(summary.cached) == 3
    lines = log.read_text().splitlines()
    assert sorted(line.split()[1] for line in lines) == ["s0", "s1", "s2"]  # each step computed once
    assert {line.split()[0] for line in lines} == {"alpha"}


def _hold(directory: str, host: str) -> None:
    os.environ[HOST_ENV] = host
    Presence(Path(directory)).enter()
    time.sleep(60)


def test_a_killed_host_entry_and_its_temp_dir_are_stale_once_their_locks_are_free(tmp_path, monkeypatch):
    log = tmp_path / "executions.log"
    alpha = _alpha_in_slow_step(tmp_path, log, 30.0, monkeypatch)
    with Store(tmp_path) as store:
        assert store.stale_temp_dirs() == []
        os.kill(alpha.pid, signal.SIGKILL)  # the host "crashes": its locks go with it
        alpha.join()
        assert len(store.stale_temp_dirs()) == 1
        for entry in live(store.runs):
            assert entry.host != "alpha"
        LOG["path"] = str(log)
        summary = run(graph(), store)
        assert sorted(summary.executed) == ["s1", "s2"] and summary.cached == ["s0"]
        assert not list(store.tmp.iterdir()) and not list(store.locks.iterdir())


def test_live_entries_are_those_whose_lock_is_held(tmp_path):
    holder = FORK.Process(target=_hold, args=(str(tmp_path), "gamma"))
    holder.start()
    _wait_for(lambda: [e for e in live(tmp_path) if e.host == "gamma"])
    entry = live(tmp_path)[0]
    assert (entry.host, entry.pid) == ("gamma", holder.pid)
    with Presence(tmp_path, {"what": "test"}) as mine:
        assert {e.host for e in live(tmp_path)} == {"gamma", os.environ.get(HOST_ENV) or os.uname().nodename}
        assert mine.path is not None and mine.path.exists()
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    os.utime(entry.path, (0, 0))  # old enough to sweep
    assert live(tmp_path) == [] and not any(tmp_path.iterdir())


def test_a_plan_while_another_host_writes_reads_but_writes_nothing(tmp_path):
    from xitt.engine.plan import Keyer

    data = tmp_path / "data.txt"
    data.write_text("x\n")
    holder = FORK.Process(target=_hold, args=(str(tmp_path / ".xitt" / "runs"), "alpha"))
    holder.start()
    with Store(tmp_path) as store:
        _wait_for(lambda: [e for e in live(store.runs) if e.host == "alpha"])
        keyer = Keyer(store)  # e.g. `xitt status` on a login node while a cluster job runs
        fingerprint = keyer.external.path(str(data))
        assert len(fingerprint) == 40 and store.file_hash(str(data)) is None
        os.kill(holder.pid, signal.SIGKILL)
        holder.join()
        Keyer(store).external.path(str(data))
        assert store.file_hash(str(data)) is not None  # alpha is gone: the hash is remembered
