"""Ordering and dispatch, nothing else: keys come from plan.py, files from store.py, locks
from locks.py, the screen from display.py, and the work itself from an executor.

A step becomes ready once all its inputs are finished; its key is then computed from their
content digests (early cutoff), and it is either found in the store or locked, run by the
executor and committed here, by the driver.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from xitt.engine.display import NullReporter, Reporter
from xitt.engine.executors import Executor, Job, JobResult
from xitt.engine.executors.local import LocalExecutor
from xitt.engine.graph import Graph, Step
from xitt.engine.hosts import host_tag
from xitt.engine.libraries import installed
from xitt.engine.locks import StepLock, lock_for
from xitt.engine.plan import CACHED, Keyer, Outcome, PlannedStep, input_digests, plan
from xitt.engine.provenance import host, now_iso, package_versions
from xitt.engine.registry import get_op
from xitt.engine.store import Artifact, CorruptArtifact, Store
from xitt.errors import UserError

LOCK_POLL_S = 0.05


@dataclass
class RunSummary:
    """What a run did, by the engine's own count."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # step id -> error
    blocked: list[str] = field(default_factory=list)  # not run: an input failed, directly or further up
    not_started: list[str] = field(default_factory=list)  # not run because the run stopped at a failure
    corrupt: dict[str, str] = field(default_factory=dict)  # step id -> what was wrong with its stored artifact
    keys: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class StepFailed(UserError):
    """Steps raised: the message names them and where their logs are; ``summary`` has the rest."""

    def __init__(self, summary: RunSummary, logs: Mapping[str, str]):
        first = next(iter(summary.failed))
        lines = [f"step {step_id} failed: {error} (log: {logs[step_id]})" for step_id, error in summary.failed.items()]
        them = "it" if len(summary.failed) == 1 else "them"
        blocked = f"; {len(summary.blocked)} steps that depend on {them} were not run" if summary.blocked else ""
        if summary.not_started:
            blocked += (f"; {len(summary.not_started)} other steps were not started (the run stops at the first failure; "
                        "--keep-going runs what does not depend on it)")
        super().__init__(
            "\n".join(lines) + blocked,
            hint="the full tracebacks are in the logs; finished steps stay cached, so re-running retries only what failed or never ran",
        )
        self.step_id = first
        self.summary = summary


@dataclass
class _Running:
    step: Step
    key: str
    fingerprint: Mapping[str, Any]
    lock: StepLock
    job: Job


class _Run:
    """The state of one run; ``run`` below is its only user."""

    def __init__(self, graph: Graph, store: Store, reporter: Reporter, executor: Executor, keep_going: bool, verify: bool,
                 threads: int | None = None):
        self.graph, self.store, self.reporter, self.executor = graph, store, reporter, executor
        self.threads = threads
        self.run_id = f"{host_tag()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        self.keep_going = keep_going
        self.keyer = Keyer(store, verify)
        self.planned: dict[str, PlannedStep] = {p.step.id: p for p in plan(graph, store, verify, self.keyer)}
        # Records plan found corrupt or pruned: not to be trusted even though they exist.
        self.distrust = {p.key for p in self.planned.values() if not p.cached and p.key and store.record(p.key)}
        self.summary = RunSummary(corrupt={p.step.id: p.reason for p in self.planned.values() if p.corrupt is not None})
        self.digests: dict[str, str] = {}
        self.fingerprints: dict[str, Mapping[str, Any]] = {}
        self.running: dict[str, _Running] = {}
        self.logs: dict[str, str] = {}
        self.versions = package_versions()
        self.host = host()
        self.stop = False
        self.dependents: dict[str, list[str]] = {s.id: [] for s in graph}
        self.waiting_on: dict[str, int] = {}
        for step in graph:
            inputs = set(step.input_ids())
            self.waiting_on[step.id] = len(inputs)
            for input_id in inputs:
                self.dependents[input_id].append(step.id)

    def loop(self) -> None:
        by_id = self.graph.by_id()
        ready = deque(s for s in self.graph if self.waiting_on[s.id] == 0)
        deferred: list[Step] = []
        capacity = getattr(self.executor, "capacity", 1)
        while True:
            while ready and not self.stop:
                for finished in self._consider(ready.popleft(), deferred):
                    ready.extend(by_id[d] for d in self._release(finished))
                if self.executor.in_flight() >= capacity:
                    ready.extend(by_id[d] for d in self._collect(self.executor.wait()))
            if self.executor.in_flight():
                ready.extend(by_id[d] for d in self._collect(self.executor.wait()))
            elif deferred and not self.stop:  # another process holds these steps' locks
                time.sleep(LOCK_POLL_S)
                ready.extend(deferred)
                deferred.clear()
            elif not ready or self.stop:
                break

    def _consider(self, step: Step, deferred: list[Step]) -> list[str]:
        """Find ``step`` in the store or dispatch it; the ids that finished now (0 or 1)."""
        planned = self.planned[step.id]
        if planned.key and input_digests(step, self.digests) == planned.fingerprint["inputs"]:
            key, fingerprint = planned.key, planned.fingerprint  # inputs as planned: no need to hash again
        else:
            key, fingerprint = self.keyer.fingerprint(step, self.digests)
        if key == planned.key and planned.cached:
            return [self._done(step, key, fingerprint, planned.digest, Outcome.CACHED)]
        record = self.store.record(key)
        if key != planned.key and record and self.store.problem(key, record) is None:
            return [self._done(step, key, fingerprint, record["digest"], Outcome.CACHED)]  # early cutoff
        lock = lock_for(self.store.locks, key)
        if not lock.acquire():
            deferred.append(step)
            return []
        record = self.store.record(key)  # another process may have finished it meanwhile
        if record and key not in self.distrust and not record["pruned"] and self.store.problem(key, record) is None:
            lock.release()
            return [self._done(step, key, fingerprint, record["digest"], Outcome.CACHED)]
        if record:
            self.store.invalidate(key)
        try:
            inputs = self._inputs(step)
        except CorruptArtifact as error:
            lock.release()
            self._fail(step, key, error.message, f"{error.message}\n{error.hint}\n")
            return []
        op = get_op(step.op)
        (self.store.logs / f"{key}.log").unlink(missing_ok=True)  # an earlier attempt's output: this one writes its own
        record = {"meta": self._known(step, fingerprint), "fingerprint": dict(fingerprint)}
        job = Job(step.id, key, op.fn, step.params, inputs, self.store.new_temp_dir(key), dict(op.resources),
                  self.threads, getattr(self.executor, "jobs", 1), self.run_id, self.store.logs / f"{key}.log", record)
        self.running[step.id] = _Running(step, key, fingerprint, lock, job)
        self.reporter.step_started(step)
        self.executor.submit(job, lambda done, total, metrics: self.reporter.step_progress(step, done, total, metrics))
        return []

    def _inputs(self, step: Step) -> dict[str, Any]:
        """Input artifacts, re-hashed before use; a corrupt one is dropped from the store."""
        def read(step_id: str) -> Artifact:
            key = self.summary.keys[step_id]
            try:
                return self.store.get(key, verify=True)
            except CorruptArtifact as error:
                self.summary.corrupt[step_id] = error.message
                self.store.invalidate(key)
                raise
        return {role: read(ref) if isinstance(ref, str) else tuple(read(r) for r in ref) for role, ref in step.inputs.items()}

    def _collect(self, results: list[JobResult]) -> list[str]:
        """Commit finished jobs (or record their failure); the ids of steps now ready."""
        now_ready: list[str] = []
        for result in results:
            running = self.running.pop(result.step_id)
            try:
                if result.error is not None:
                    self.store.discard(running.job.out_dir)
                    self._fail(running.step, running.key, result.error, result.log or "")
                    continue
                record = self.store.commit(running.key, running.job.out_dir, result.result or {},
                                           {**result.provenance(running.job.record["meta"]), **_output_log(running.job.log)})
                self.distrust.discard(running.key)
            finally:
                running.lock.release()
            if self.store.failure(running.step.id) is not None:
                self.store.clear_failure(running.step.id)
            now_ready.extend(self._release(self._done(running.step, running.key, running.fingerprint, record["digest"], Outcome.RAN, result.seconds)))
        return now_ready

    def _known(self, step: Step, fingerprint: Mapping[str, Any]) -> dict[str, Any]:
        """The provenance known before the step runs (``JobResult.provenance`` adds the rest)."""
        return {
            "step": step.id,
            "op": step.op,
            "op_version": fingerprint["version"],
            "params": step.params,
            "inputs": fingerprint["inputs"],
            "libraries": fingerprint["libraries"],  # as keyed: a kept version where one was kept
            "external": fingerprint["external"],
            **self._kept(fingerprint["libraries"]),
            "input_steps": dict(step.inputs),
            "input_keys": {role: self.summary.keys[r] if isinstance(r, str) else [self.summary.keys[i] for i in r]
                           for role, r in step.inputs.items()},
            "versions": self.versions,
            **self.host,
        }

    def _kept(self, libraries: Mapping[str, str]) -> dict[str, Any]:
        """The keep-choices this artifact's key relies on (libraries.py), for its provenance."""
        kept = [self.keyer.kept[name][installed(name)] for name in libraries if installed(name) in self.keyer.kept.get(name, {})]
        return {"kept_libraries": kept} if kept else {}

    def record_code(self) -> None:
        """Which files each op version covered, so that a later plan can name the changed ones."""
        for name in {step.op for step in self.graph}:
            code = get_op(name).code
            if code is not None:
                self.store.record_code_files(code.version, code.files)

    def _done(self, step: Step, key: str, fingerprint: Mapping[str, Any], digest: str | None, status: Outcome, seconds: float = 0.0) -> str:
        self.digests[step.id] = digest or ""
        self.summary.keys[step.id] = key
        planned = self.planned[step.id]
        if status == Outcome.RAN:  # at once: a run killed later must not lose why this step was made
            self.store.record_fingerprint(step.id, fingerprint)
        elif not (planned.cached and key == planned.key):  # found by early cutoff, or made by another run
            self.fingerprints[step.id] = fingerprint
        (self.summary.executed if status == Outcome.RAN else self.summary.cached).append(step.id)
        self.reporter.step_finished(step, status, seconds)
        return step.id

    def _release(self, step_id: str) -> list[str]:
        """Steps whose last missing input was ``step_id``."""
        ready = []
        for dependent in self.dependents[step_id]:
            self.waiting_on[dependent] -= 1
            if self.waiting_on[dependent] == 0:
                ready.append(dependent)
        return ready

    def _fail(self, step: Step, key: str, error: str, log: str) -> None:
        path = self.store.logs / f"{key}.log"
        printed = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        printed = f"\n--- what the step printed ---\n{printed}" if printed else ""
        path.write_text(f"step {step.id}\nop {step.op}\nkey {key}\n\n{log}{printed}", encoding="utf-8")
        self.store.record_failure(step.id, {"key": key, "op": step.op, "error": error, "log": str(path), "time": now_iso()})
        self.summary.failed[step.id] = error
        self.logs[step.id] = str(path)
        self.reporter.step_finished(step, Outcome.FAILED, 0.0)
        if not self.keep_going:
            self.stop = True

    def abandon(self) -> None:
        """Interrupted or broken: drop every half-written temp dir and release every lock."""
        if self.running:
            self.executor.cancel()
        for running in self.running.values():
            self.store.discard(running.job.out_dir)
            running.lock.release()
        self.running.clear()


def resource_requests(planned: Iterable[PlannedStep]) -> dict[str, Mapping[str, float]]:
    """What each step that is not cached asks of an executor, for those that ask anything."""
    return {p.step.id: get_op(p.step.op).resources for p in planned if p.status != CACHED and get_op(p.step.op).resources}


def run(
    graph: Graph,
    store: Store,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    keep_going: bool = False,
    verify: bool = False,
    threads: int | None = None,
) -> RunSummary:
    """Run ``graph`` against ``store``; raise StepFailed at the end if any step failed.
    ``threads``: the run's threads in all (None: a fair share of the machine; threads.py)."""
    reporter = reporter or NullReporter()
    executor = executor or LocalExecutor()
    started = time.perf_counter()
    with store.writing("run"):
        for stale in store.stale_temp_dirs():
            store.discard(stale)
        state = _Run(graph, store, reporter, executor, keep_going, verify, threads)
        state.record_code()
        executor.check(resource_requests(state.planned.values()))
        reporter.start(list(state.planned.values()))
        try:
            state.loop()
        finally:
            state.abandon()
            store.record_fingerprints(state.fingerprints)
            state.summary.seconds = time.perf_counter() - started
            reporter.finish()
    summary = state.summary
    finished = set(summary.executed) | set(summary.cached) | set(summary.failed)
    downstream = dependents_of(graph, summary.failed)
    summary.blocked = [s.id for s in graph if s.id not in finished and s.id in downstream]
    summary.not_started = [s.id for s in graph if s.id not in finished and s.id not in downstream]
    if summary.failed:
        raise StepFailed(summary, state.logs)
    return summary


def _output_log(path: Path | None) -> dict[str, str]:
    """The provenance entry for what a step printed: its log's path, or nothing (and no file)
    when it printed nothing."""
    if path is None or not path.is_file():
        return {}
    if path.stat().st_size == 0:
        path.unlink()
        return {}
    return {"output_log": str(path)}


def dependents_of(graph: Graph, step_ids) -> set[str]:
    """Every step that reads one of ``step_ids``' outputs, directly or through other steps."""
    found = set(step_ids)
    for step in graph:  # graph order is topological: inputs come first
        if found.intersection(step.input_ids()):
            found.add(step.id)
    return found - set(step_ids)

