"""Ordering and dispatch, nothing else: keys come from plan.py, files from store.py,
the screen from display.py. Steps run in graph order, in this process."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Mapping

from xitt.engine.display import NullReporter, Reporter
from xitt.engine.graph import Graph
from xitt.engine.plan import PlannedStep, plan
from xitt.engine.provenance import host, now_iso, package_versions
from xitt.engine.registry import StepContext, get_op
from xitt.engine.store import Artifact, Store
from xitt.errors import UserError


class StepFailed(UserError):
    """A step raised: the message names the step and where its full log is."""

    def __init__(self, step_id: str, error: BaseException, log_path: str):
        super().__init__(
            f"step {step_id} failed: {type(error).__name__}: {error}",
            hint=f"the full traceback is in {log_path}; finished steps stay cached, so re-running retries only what is left",
        )
        self.step_id = step_id


@dataclass
class RunSummary:
    """What a run did, by the engine's own count."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def run(graph: Graph, store: Store, reporter: Reporter | None = None) -> RunSummary:
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    planned = plan(graph, store)
    summary = RunSummary(keys={p.step.id: p.key for p in planned})
    reporter.start(planned)
    try:
        for entry in planned:
            if entry.cached:
                summary.cached.append(entry.step.id)
                reporter.step_finished(entry.step, "cached", 0.0)
            else:
                seconds = _execute(entry, summary.keys, store, reporter)
                summary.executed.append(entry.step.id)
                reporter.step_finished(entry.step, "ran", seconds)
            store.record_fingerprint(entry.step.id, entry.fingerprint)
    finally:
        summary.seconds = time.perf_counter() - started
        reporter.finish()
    return summary


def _execute(entry: PlannedStep, keys: Mapping[str, str], store: Store, reporter: Reporter) -> float:
    step = entry.step
    op = get_op(step.op)
    inputs: dict[str, Any] = {
        role: store.get(keys[ref]) if isinstance(ref, str) else tuple(store.get(keys[r]) for r in ref)
        for role, ref in step.inputs.items()
    }
    temp_dir = store.new_temp_dir(entry.key)
    ctx = StepContext(
        step_id=step.id,
        params=step.params,
        inputs=inputs,
        out_dir=temp_dir,
        progress=lambda done, total, metrics: reporter.step_progress(step, done, total, metrics),
    )
    reporter.step_started(step)
    began, clock = now_iso(), time.perf_counter()
    try:
        result = dict(op.fn(ctx))
    except UserError:
        store.discard(temp_dir)
        raise
    except BaseException as error:  # KeyboardInterrupt too: nothing half-written stays
        store.discard(temp_dir)
        if not isinstance(error, Exception):
            raise
        log = store.root / "logs" / f"{entry.key}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"step {step.id}\nop {step.op}\n\n{traceback.format_exc()}", encoding="utf-8")
        raise StepFailed(step.id, error, str(log)) from error
    seconds = time.perf_counter() - clock
    meta = {
        "step": step.id,
        "op": step.op,
        "op_version": op.version,
        "params": step.params,
        "inputs": entry.fingerprint["inputs"],
        "versions": package_versions(),
        **host(),
        "started": began,
        "seconds": round(seconds, 3),
        **ctx.info,
    }
    store.commit(entry.key, temp_dir, result, meta)
    return seconds


def artifacts_of(summary: RunSummary, store: Store) -> dict[str, Artifact]:
    """Every step's artifact after a run, by step id."""
    return {step_id: store.get(key) for step_id, key in summary.keys.items()}
