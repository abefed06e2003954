"""How many threads a step may use: the one place that decides it.

A step being computed holds an entry in a machine-wide registry of computing steps
(``/tmp/xitt-live`` or ``$XITT_LIVE_DIR``; hosts.py: an flocked file, gone when its process
dies). A step's share is the cores this process may use (its CPU affinity, and the cgroup's
CPU quota in a container) divided by the steps computing on this machine now, its own run's
included, so that two runs on one machine take about as long together as one after the
other, instead of each spinning as many threads as there are cores against the other.
``--threads N`` (or ``$XITT_THREADS``) gives a run N threads in all, shared among its
parallel steps (``jobs``).

Floating-point results can differ in their last bits with the number of threads (parallel
reductions add in another order), as they do from one machine to another; the share is
recorded in each artifact's provenance, and a fixed ``--threads`` gives the same thread count
whatever else runs (the tests set ``XITT_THREADS=1``).

Native thread pools (OpenMP, BLAS: numpy's, scipy's, torch's) are held to the share for the
step with threadpoolctl; an op that sets its own pools (torch) follows ``StepContext.threads``.

The share is decided when a step starts and looked at again while it runs (``Share.now``,
at most every few seconds), so a step that started alone gives cores back when another run
starts computing.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

from xitt.engine.hosts import Presence, live

LIVE_ENV = "XITT_LIVE_DIR"
THREADS_ENV = "XITT_THREADS"  # a default for --threads: the same thread count whatever else runs
RECHECK_S = 2.0


def live_dir() -> Path:
    """The machine-wide registry of computing steps (one folder for every user: sticky, like /tmp)."""
    given = os.environ.get(LIVE_ENV)
    if given:
        return Path(given)
    path = Path(tempfile.gettempdir()) / "xitt-live"
    if not path.is_dir():
        try:
            path.mkdir(mode=0o1777)
            path.chmod(0o1777)
        except FileExistsError:
            pass
    return path


def available_cores() -> int:
    """Cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def computing_elsewhere(run: str = "", directory: Path | None = None) -> int:
    """Steps computing on this machine now for other runs (not this process, nor run ``run``)."""
    return sum(1 for entry in live(directory or live_dir())
               if entry.pid != os.getpid() and not (run and entry.info.get("run") == run))


def computing_in(run: str, directory: Path | None = None) -> int:
    """Steps of run ``run`` computing on this machine now, in any of its processes."""
    return sum(1 for entry in live(directory or live_dir()) if entry.info.get("run") == run)


def step_threads(requested: int | None = None, jobs: int = 1, elsewhere: int | None = None, run: str = "") -> int:
    """The threads one step gets: ``requested`` (``--threads``) split among the run's ``jobs``
    parallel steps; else this machine's cores split among every step computing now: this
    run's (as many as compute now, at most ``jobs``, at least this one) and ``elsewhere``,
    the other processes' steps. At least 1. So a step of ``--jobs 2`` that computes alone
    (the pretraining that every later step waits for) has every core."""
    jobs = max(1, jobs)
    requested = requested or _from_env()
    if requested:
        return max(1, requested // jobs)
    others = computing_elsewhere(run) if elsewhere is None else elsewhere
    mine = min(jobs, max(1, computing_in(run))) if jobs > 1 and run else jobs
    return max(1, available_cores() // (mine + others))


def _from_env() -> int | None:
    try:
        return max(1, int(os.environ[THREADS_ENV]))
    except (KeyError, ValueError):
        return None


class Share:
    """A computing step's place in the registry, and its thread share while it runs."""

    def __init__(self, requested: int | None = None, jobs: int = 1, run: str = ""):
        self.requested, self.jobs, self.run = requested, jobs, run
        self._presence: Presence | None = None
        self._threads = 1
        self._checked = 0.0

    def __enter__(self) -> "Share":
        try:
            self._presence = Presence(live_dir(), {"what": "step", "run": self.run}).enter()
        except OSError:
            self._presence = None  # no shared /tmp: the share is decided without the others
        self._threads = step_threads(self.requested, self.jobs, run=self.run)
        self._checked = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._presence is not None:
            self._presence.exit()

    @property
    def threads(self) -> int:
        return self._threads

    def now(self) -> int:
        """The share as it stands now (looked up again at most every RECHECK_S seconds)."""
        if not (self.requested or _from_env()) and time.monotonic() - self._checked >= RECHECK_S:
            self._threads = step_threads(None, self.jobs, run=self.run)
            self._checked = time.monotonic()
        return self._threads


_POOLS: dict = {"modules": -1, "controller": None}


def limit_pools(threads: int):
    """Hold the native thread pools already loaded (OpenMP, BLAS) to ``threads`` for a with-block.
    The pools are found again only when modules were imported since (finding them reads
    /proc/self/maps, about a millisecond)."""
    import sys

    from threadpoolctl import ThreadpoolController

    if _POOLS["modules"] != len(sys.modules):
        _POOLS["controller"], _POOLS["modules"] = ThreadpoolController(), len(sys.modules)
    return _POOLS["controller"].limit(limits=threads)
