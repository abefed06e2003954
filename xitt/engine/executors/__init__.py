"""Executors run jobs; the scheduler decides which and when. A job holds everything a worker
needs (the op function, params, input artifacts, a temp dir to write into); its result goes
back to the driver, which alone checksums, commits and writes the index."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol

from xitt.engine.capture import captured
from xitt.engine.provenance import now_iso
from xitt.engine.registry import OpFn, ProgressFn, StepContext
from xitt.engine.threads import Share, limit_pools
from xitt.errors import UserError


@dataclass(frozen=True)
class Job:
    """One step to compute: picklable, so that it can travel to a Dask worker."""

    step_id: str
    key: str
    fn: OpFn
    params: Mapping[str, Any]
    inputs: Mapping[str, Any]  # role -> Artifact, or tuple of Artifacts
    out_dir: Path
    resources: Mapping[str, float] = field(default_factory=dict)
    threads: int | None = None  # the run's --threads (None: a fair share of the machine it runs on)
    jobs: int = 1  # steps the run computes at once on one machine, sharing ``threads``
    run: str = ""  # the run's id: its own steps do not count as "other runs" for the share
    log: Path | None = None  # where the step's own stdout and stderr go (see capture.py); None: left alone
    # What the driver records on commit besides the op's result: {"meta": provenance known at
    # dispatch, "fingerprint": what `plan` compares}. JSON, so that a job whose driver is gone
    # can be committed by any later process (the Slurm executor's ledger keeps it).
    record: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    """What came back: the op's JSON result and provenance additions, or its error and log."""

    step_id: str
    result: Mapping[str, Any] | None
    info: Mapping[str, Any]
    started: str
    seconds: float
    error: str | None = None
    log: str | None = None

    def provenance(self, known: Mapping[str, Any]) -> dict[str, Any]:
        """The artifact's meta: what was ``known`` at dispatch, then when it started, how long it
        took (seconds) and what the op and the worker added (which wins: e.g. the worker's host)."""
        return {**known, "started": self.started, "seconds": round(self.seconds, 3), **self.info}


def _describe(error: Exception) -> str:
    """One line for a failed step: a user's mistake (missing data) as its message and what to
    do, any other error with its type."""
    if isinstance(error, UserError):
        return error.message + (f"; {error.hint}" if error.hint else "")
    return f"{type(error).__name__}: {error}"


def execute(job: Job, progress: ProgressFn = lambda done, total, metrics: None, capture: bool = False) -> JobResult:
    """Run a job's op where we are (driver or worker); an exception becomes a failed result.
    ``capture``: what the step prints goes to ``job.log``, not to the terminal."""
    with captured(job.log if capture else None), Share(job.threads, job.jobs, job.run) as share, limit_pools(share.threads):
        ctx = StepContext(step_id=job.step_id, params=job.params, inputs=job.inputs, out_dir=job.out_dir, progress=progress,
                          threads=share.threads, threads_now=share.now)
        started, clock = now_iso(), time.perf_counter()
        try:
            result = dict(job.fn(ctx))
        except Exception as error:  # KeyboardInterrupt and SystemExit go on up: the run stops
            return JobResult(job.step_id, None, dict(ctx.info), started, time.perf_counter() - clock,
                             _describe(error), traceback.format_exc())
    return JobResult(job.step_id, result, {**ctx.info, "threads": share.threads}, started, time.perf_counter() - clock)


class Executor(Protocol):
    def check(self, requests: Mapping[str, Mapping[str, float]]) -> None:
        """Raise UserError if some step's resource request can be met by no worker."""

    def submit(self, job: Job, progress: ProgressFn) -> None: ...

    def wait(self) -> list[JobResult]:
        """Block until at least one submitted job finished; return the finished ones."""

    def in_flight(self) -> int: ...

    def cancel(self) -> None:
        """Forget every submitted job (the run was interrupted)."""

    def close(self) -> None: ...
