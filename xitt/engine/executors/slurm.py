"""The Slurm executor: each step is one Slurm job, submitted with submitit.

A step that declares a GPU (``resources={"gpu": 1}``) asks Slurm for it as a generic resource
(``--gres=gpu:1``); a request that no partition can meet is refused before anything is
submitted (``sinfo``, then ``sbatch --test-only``). The job runs the op on a node and writes
the step's files into a work directory beside the store (which must be on a filesystem the
nodes share) and its outcome as JSON; the driver (this process) alone checksums and commits.

Walking away: which job holds which step is kept in a ledger beside the store
(``slurm_ledger``), so a driver that is killed loses nothing: the next ``xitt run`` (or a
driver job, ``--detach``) adopts the jobs still in flight instead of submitting them again,
and ``xitt status`` commits those that finished (``collect``). A job that ends without a
result (``scancel``, time limit, preemption, node failure) leaves no half result, since only
the driver's rename makes one; it is submitted again up to ``retries`` times.

Why submitit rather than dask-jobqueue: one step is one job, whose call, logs and outcome are
files in a folder, so a job outlives the process that submitted it; dask-jobqueue runs pilot
workers under a scheduler that lives in the submitting process, and its results die with it.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from xitt.engine.display import format_metrics
from xitt.engine.executors import Job, JobResult, execute
from xitt.engine.executors.slurm_ledger import Attempt, Entry, Ledger, write_result
from xitt.engine.executors.slurm_options import SlurmOptions
from xitt.engine.executors.slurm_queue import ENDED, Request, job_states, node_offers, parse_mem_mb, refusal, require_slurm, unmet
from xitt.engine.hosts import this_host
from xitt.engine.locks import lock_for
from xitt.engine.provenance import now_iso
from xitt.engine.registry import ProgressFn
from xitt.errors import UserError

LOG_TAIL_CHARS = 4000
PROGRESS_EVERY_S = 30.0
GPU_HINT = ("name a partition that has GPUs (--partition NAME), ask for fewer GPUs per step (--gpus N), "
            "or train on CPUs (--gpus 0); `sinfo -o '%P %G'` lists what each partition offers")


class JobInterrupted(BaseException):
    """Slurm signalled the job (scancel, time limit, preemption): stop without a result.
    A BaseException, so that ``execute`` does not report it as the op's own failure."""


def _interrupt(signum: int, frame: Any) -> None:
    raise JobInterrupted(signal.Signals(signum).name)


def run_in_job(job: Job, ledger_root: str) -> None:
    """The node side: run the op in a clean work dir and write its outcome as JSON. A job
    that Slurm stops (or requeues) writes no outcome, and the driver submits it again."""
    job_id = os.environ.get("SLURM_JOB_ID", "unknown")
    shutil.rmtree(job.out_dir, ignore_errors=True)  # a job requeued by Slurm starts from nothing
    job.out_dir.mkdir(parents=True)
    for signum in (signal.SIGTERM, signal.SIGUSR2):
        signal.signal(signum, _interrupt)
    try:
        result = execute(job, _log_progress(job.step_id))
    except JobInterrupted as stopped:
        print(f"xitt: Slurm stopped step {job.step_id} ({stopped}); no result written, the driver submits it again",
              file=sys.stderr, flush=True)
        return
    info = {**result.info, "host": this_host(), "slurm_job": job_id}
    write_result(Ledger(Path(ledger_root)).result_path(job_id), replace(result, info=info))


def _log_progress(step_id: str, every_s: float = PROGRESS_EVERY_S) -> ProgressFn:
    """Progress into the job's log (stderr): the first report, then one each ``every_s``, and the last."""
    last = [-every_s]

    def report(done: int, total: int, metrics: Mapping[str, float]) -> None:
        now = time.monotonic()
        if now - last[0] >= every_s or done >= total:
            last[0] = now
            print(f"xitt: {step_id} {done}/{total} {format_metrics(metrics)}".rstrip(), file=sys.stderr, flush=True)

    return report


@dataclass
class _Tracked:
    job: Job
    entry: Entry


class SlurmExecutor:
    """Submit each ready step as a Slurm job, at most ``options.max_jobs`` at once."""

    def __init__(self, store_root: Path, options: SlurmOptions):
        require_slurm()
        self.options = options
        self.ledger = Ledger.of(store_root).create()
        self.capacity = options.max_jobs
        self._tracked: dict[str, _Tracked] = {}
        self._refused: list[JobResult] = []
        self._ended_at: dict[str, float] = {}  # job id -> when first seen ended without an outcome
        self.adopted: list[str] = []  # step ids whose jobs a previous driver had submitted

    # -- what a step asks for ----------------------------------------------------------------
    def request(self, resources: Mapping[str, float], *, time: int | None = None) -> Request:
        gres = {name: int(-(-amount // 1)) for name, amount in resources.items() if amount}
        if "gpu" in gres and self.options.gpus is not None:
            gres = {**gres, "gpu": self.options.gpus} if self.options.gpus else {k: v for k, v in gres.items() if k != "gpu"}
        mem = parse_mem_mb(self.options.mem) if self.options.mem else None
        return Request(self.options.partition, self.options.cpus, mem, time or self.options.time, gres)

    def flags(self, request: Request) -> dict[str, Any]:
        """The sbatch options of a job with ``request``: ours first, the user's extra lines on top."""
        flags: dict[str, Any] = {"time": request.time, "cpus-per-task": request.cpus}
        if request.partition:
            flags["partition"] = request.partition
        if self.options.account:
            flags["account"] = self.options.account
        if self.options.mem:
            flags["mem"] = self.options.mem
        if request.gres:
            flags["gres"] = ",".join(f"{name}:{count}" for name, count in sorted(request.gres.items()))
        return {**flags, **self.options.sbatch_flags()}

    def check(self, requests: Mapping[str, Mapping[str, float]]) -> None:
        """Refuse, before anything is submitted, a request no partition can meet."""
        self.check_requests({"every step": {}, **{f"step {step_id}": r for step_id, r in requests.items()}})

    def check_requests(self, requests: Mapping[str, Mapping[str, float]], *, time: int | None = None) -> None:
        """``requests``: who asks (for messages) -> resources."""
        offers = node_offers()
        seen: set[tuple] = set()
        for who, resources in requests.items():
            request = self.request(resources, time=time)
            signature = (tuple(sorted(request.gres.items())), request.time)
            if signature in seen:
                continue
            seen.add(signature)
            why = unmet(request, offers)
            if why is None:
                why = refusal(self.flags(request))
                if why is not None:
                    why = f"sbatch --test-only refuses it: {why}"
            if why is not None:
                raise UserError(f"{who} asks Slurm for {request.describe()}, but {why}. Nothing was submitted.",
                                hint=GPU_HINT if request.gres else "check the partition, account, mem, time and extra sbatch options")

    # -- submitting --------------------------------------------------------------------------
    def submit(self, job: Job, progress: ProgressFn) -> None:
        entry = self.ledger.entry(job.key)
        if entry is not None and entry.attempts:
            self.adopted.append(job.step_id)
        else:
            entry = Entry(job.key, job.step_id, job.record.get("meta", {}).get("op", "?"), job.record)
            try:
                entry = self._launch(entry, job)
            except UserError as error:
                self._refused.append(JobResult(job.step_id, None, {}, now_iso(), 0.0, error.message, f"{error.message}\n"))
                return
        self._tracked[job.key] = _Tracked(job, entry)

    def _launch(self, entry: Entry, job: Job) -> Entry:
        """Submit attempt n+1 of a step; the ledger names the job before this returns."""
        import submitit

        number = len(entry.attempts) + 1
        work = self.ledger.work_dir(job.key, number)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        request = self.request(job.resources)
        flags = self.flags(request)
        executor = submitit.SlurmExecutor(folder=self.ledger.jobs, max_num_timeout=0, python=self.options.python)
        executor.update_parameters(job_name=f"xitt:{job.step_id}", time=request.time, setup=list(self.options.setup),
                                   additional_parameters={k: v for k, v in flags.items() if k != "time"})
        try:
            # On the node the step has the CPUs it asked for, and its output goes to the job's log.
            on_node = replace(job, out_dir=work, threads=request.cpus, jobs=1, log=None)
            submitted = executor.submit(run_in_job, on_node, str(self.ledger.root))
        except (submitit.core.utils.FailedJobError, submitit.core.utils.FailedSubmissionError, OSError) as error:
            raise UserError(f"sbatch did not take step {job.step_id}: {str(error).strip()[-500:]}") from None
        paths = submitted.paths
        entry = entry.with_attempt(Attempt(str(submitted.job_id), now_iso(), str(paths.stdout), str(paths.stderr)))
        self.ledger.put(entry)
        return entry

    # -- waiting -----------------------------------------------------------------------------
    def wait(self) -> list[JobResult]:
        """Block until a job finished (or was given up); resubmit jobs lost on the way."""
        while True:
            finished, self._refused = self._refused, []
            states = job_states()
            for key, tracked in list(self._tracked.items()):
                outcome = self._look(tracked, states)
                if outcome is not None:
                    del self._tracked[key]
                    finished.append(outcome)
            if finished or not self._tracked:
                return finished
            time.sleep(self.options.poll)

    def _look(self, tracked: _Tracked, states: Mapping[str, str] | None) -> JobResult | None:
        entry, attempt = tracked.entry, tracked.entry.current
        result = self.ledger.result(attempt.job_id)
        work = self.ledger.work_dir(entry.key, len(entry.attempts))
        if result is not None and (result.error is not None or work.is_dir()):
            return self._finish(tracked, result, work)
        if result is None:
            state = None if states is None else states.get(attempt.job_id, "GONE")
            if state is None or (state not in ENDED and state != "GONE"):
                self._ended_at.pop(attempt.job_id, None)
                return None  # queued, running, requeued, or the queue did not answer
            first = self._ended_at.setdefault(attempt.job_id, time.monotonic())
            if time.monotonic() - first < self.options.grace:
                return None
        else:
            state = "outcome written, but its work directory is gone"
        entry = entry.ended(state)
        if len(entry.attempts) <= self.options.retries:
            try:
                tracked.entry = self._launch(entry, tracked.job)
                return None
            except UserError as error:
                return self._give_up(entry, error.message)
        return self._give_up(entry, f"its Slurm job ended without a result {len(entry.attempts)} times "
                                    f"({', '.join(a.ended or '?' for a in entry.attempts)})")

    def _finish(self, tracked: _Tracked, result: JobResult, work: Path) -> JobResult:
        entry = tracked.entry
        if result.error is None:
            os.replace(work, tracked.job.out_dir)  # the driver's empty temp dir: it commits from there
        else:
            result = replace(result, log=(result.log or "") + _logs_text(entry))
        self.ledger.drop(entry.key)
        return _with_attempts(result, entry)

    def _give_up(self, entry: Entry, why: str) -> JobResult:
        self.ledger.drop(entry.key)  # a later run starts again from the first attempt
        return JobResult(entry.step_id, None, {"slurm_attempts": [_attempt_info(a) for a in entry.attempts]},
                         entry.current.submitted, 0.0, why + f"; logs: {entry.current.stderr}", why + "\n" + _logs_text(entry))

    def in_flight(self) -> int:
        return len(self._tracked) + len(self._refused)

    def cancel(self) -> None:
        """Forget the jobs here; they keep running, and the next run or ``xitt status`` adopts them."""
        self._tracked.clear()
        self._refused.clear()

    close = cancel

    # -- detached runs -----------------------------------------------------------------------
    def submit_driver(self, fn: Any, args: tuple, name: str) -> Any:
        """Submit the driver of a detached run as a job of its own (1 CPU, ``driver_time``)."""
        import submitit

        request = replace(self.request({}), time=self.options.driver_time)
        flags = self.flags(request)
        executor = submitit.SlurmExecutor(folder=self.ledger.jobs, max_num_timeout=100, python=self.options.python)
        executor.update_parameters(job_name=f"xitt-driver:{name}", time=request.time, setup=list(self.options.setup),
                                   additional_parameters={k: v for k, v in flags.items() if k not in ("time", "gres")})
        try:
            return executor.submit(fn, *args)
        except (submitit.core.utils.FailedJobError, submitit.core.utils.FailedSubmissionError, OSError) as error:
            raise UserError(f"sbatch did not take the driver job: {str(error).strip()[-500:]}") from None


def _attempt_info(attempt: Attempt) -> dict[str, Any]:
    return {"job": attempt.job_id, "ended": attempt.ended, "log": attempt.stderr}


def _with_attempts(result: JobResult, entry: Entry) -> JobResult:
    """The outcome with the step's Slurm jobs in its provenance, for `xitt explain`."""
    info = {**result.info, "slurm_attempts": [_attempt_info(a) for a in entry.attempts], "slurm_log": entry.current.stderr}
    return replace(result, info=info)


def _logs_text(entry: Entry) -> str:
    """The end of each attempt's logs, for the failure log that `xitt explain` points at."""
    parts = []
    for attempt in entry.attempts:
        parts.append(f"\n--- Slurm job {attempt.job_id} ({attempt.ended or 'finished'}), submitted {attempt.submitted}")
        for path in (attempt.stdout, attempt.stderr):
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
            except OSError:
                text = "(no log)\n"
            parts.append(f"--- {path}\n{text}")
    return "\n".join(parts) + "\n"


def collect(store: Any) -> list[str]:
    """Commit the steps whose jobs finished while no driver was watching (the driver was killed,
    or it is a detached run's job that is gone); steps a live driver holds are left to it. The
    ids of the steps committed now. Raises UserError while a process of another host writes
    the store (a driver job on a node): then that driver commits them."""
    with store.writing("status"):
        return _collect(store)


def _collect(store: Any) -> list[str]:
    ledger = Ledger.of(store.root)
    committed = []
    for waiting in list(ledger.entries()):
        if ledger.result(waiting.current.job_id) is None:
            continue  # still running, or lost: the next run resubmits it
        lock = lock_for(store.locks, waiting.key)
        if not lock.acquire():
            continue  # a live driver holds the step and commits it itself
        try:
            entry = ledger.entry(waiting.key)  # again, now that nobody else may change it
            result = ledger.result(entry.current.job_id) if entry else None
            if entry is None or result is None or result.error is not None:
                continue  # failed: the next run reports it
            work = ledger.work_dir(entry.key, len(entry.attempts))
            if store.has(entry.key) or not work.is_dir():
                ledger.drop(entry.key)
                continue
            result = _with_attempts(result, entry)
            store.commit(entry.key, work, result.result or {}, result.provenance(entry.record["meta"]))
            store.record_fingerprint(entry.step_id, entry.record["fingerprint"])
            if store.failure(entry.step_id) is not None:
                store.clear_failure(entry.step_id)
            ledger.drop(entry.key)
            committed.append(entry.step_id)
        finally:
            lock.release()
    return committed
