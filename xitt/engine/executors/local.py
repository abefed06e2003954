"""The default executor: jobs run on this machine, one at a time in this process (``jobs=1``),
or up to ``jobs`` at once in worker processes, like ``make -j``.

With several jobs, each step gets its share of the cores (``threads.py``: the run's cores,
or ``--threads``, divided by ``jobs`` and by the other runs' steps), and each worker's
native thread pools start at that share (OpenMP, BLAS read it when they load).
Steps that ask for a GPU (``resources={"gpu": 1}``) run at most ``gpu_jobs`` at once; the
others wait in order (``gpu_jobs=None``: no bound, for a machine without one, where such
steps run on the CPU). Workers only write into their step's temp dir; results come back to
the driver, which alone checksums and commits them, as with Dask.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import queue
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Mapping

import cloudpickle

from xitt.engine.executors import Job, JobResult, execute
from xitt.engine.provenance import now_iso
from xitt.engine.registry import ProgressFn
from xitt.engine.threads import available_cores

# What the numerical libraries of a worker read when they load (before any step runs there).
LIBRARY_THREADS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
POLL_S = 0.2  # how often the driver passes workers' progress on to the display while it waits

_progress_queue = None  # in a worker: where progress reports go back to the driver


def _start_worker(progress_queue, threads: int) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    for name in LIBRARY_THREADS_ENV:
        os.environ[name] = str(threads)


def _preload(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)


def _run_in_worker(blob: bytes) -> JobResult:
    job: Job = cloudpickle.loads(blob)

    def progress(done: int, total: int, metrics: Mapping[str, float]) -> None:
        _progress_queue.put((job.step_id, done, total, dict(metrics)))

    return execute(job, progress, capture=True)  # the driver's display owns the terminal


class LocalExecutor:
    """This machine's executor; resources other than the GPU bound are not checked (the op
    picks its own device)."""

    def __init__(self, jobs: int = 1, gpu_jobs: int | None = None, threads: int | None = None, preload: tuple[str, ...] = ()) -> None:
        """``preload``: modules every worker imports as soon as it starts, while the driver plans
        (torch and transformers take seconds to import; the first steps need not wait for it)."""
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs, self.gpu_jobs = jobs, gpu_jobs  # the scheduler passes ``jobs`` on to each step's thread share
        self.capacity = jobs
        self.pool_threads = max(1, (threads or available_cores()) // jobs)
        self._queue: deque[tuple[Job, ProgressFn]] = deque()  # not yet started
        self._running: dict[Future, tuple[Job, ProgressFn]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._progress = None
        if jobs > 1 and preload:
            pool = self._workers()
            for _ in range(jobs):  # one each: a pool starts a new worker for each task that finds none idle
                pool.submit(_preload, tuple(preload))

    def check(self, requests: Mapping[str, Mapping[str, float]]) -> None:
        return None

    def submit(self, job: Job, progress: ProgressFn) -> None:
        self._queue.append((job, progress))

    def wait(self) -> list[JobResult]:
        if self.jobs == 1:
            job, progress = self._queue.popleft()
            return [execute(job, progress, capture=True)]  # in this process: keep library chatter out of the display
        self._start_what_fits()
        while True:
            done, _ = wait_for(list(self._running), timeout=POLL_S, return_when=FIRST_COMPLETED)
            self._pass_progress()
            if done:
                results = [self._result(future) for future in done]
                self._start_what_fits()
                return results

    def in_flight(self) -> int:
        return len(self._queue) + len(self._running)

    def cancel(self) -> None:
        """Forget queued jobs and stop the workers (running jobs die with them)."""
        self._queue.clear()
        if self._running and self._pool is not None:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._running.clear()

    def close(self) -> None:
        self.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _start_what_fits(self) -> None:
        """Start queued jobs, in order, while workers are free; a GPU job beyond the GPU bound
        waits, and the jobs behind it may pass it."""
        pool = self._workers()
        gpu_running = sum(1 for job, _ in self._running.values() if job.resources.get("gpu"))
        waiting: deque[tuple[Job, ProgressFn]] = deque()
        while self._queue and len(self._running) < self.jobs:
            job, progress = self._queue.popleft()
            if job.resources.get("gpu") and self.gpu_jobs is not None:
                if gpu_running >= self.gpu_jobs:
                    waiting.append((job, progress))
                    continue
                gpu_running += 1
            # cloudpickle: some ops are closures (one per similarity measure), which pickle cannot send
            self._running[pool.submit(_run_in_worker, cloudpickle.dumps(job))] = (job, progress)
        self._queue.extendleft(reversed(waiting))

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the driver may hold torch's and the store's threads.
            context = multiprocessing.get_context("spawn")
            self._progress = context.Queue()
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                             initargs=(self._progress, self.pool_threads))
        return self._pool

    def _pass_progress(self) -> None:
        by_step = {job.step_id: progress for job, progress in self._running.values()}
        while True:
            try:
                step_id, done, total, metrics = self._progress.get_nowait()
            except queue.Empty:
                return
            if step_id in by_step:
                by_step[step_id](done, total, metrics)

    def _result(self, future: Future) -> JobResult:
        job, _ = self._running.pop(future)
        try:
            return future.result()
        except Exception as error:  # the worker died (killed, out of memory) or the job could not travel
            return JobResult(job.step_id, None, {}, now_iso(), 0.0, f"{type(error).__name__}: {error}",
                             f"the worker process running this step failed: {error!r}\n")
