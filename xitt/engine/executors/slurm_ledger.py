"""The Slurm executor's ledger: which step key is in which Slurm job, kept as files beside the
store (``.xitt/slurm/``), so that any later process (a new ``xitt run``, ``xitt status``, the
driver job after a requeue) finds jobs that a killed submitter left running, and never submits
a step twice.

    .xitt/slurm/steps/<key>.json     one entry per step in flight: its jobs (attempts), its work
                                     directory, and what the driver records on commit
    .xitt/slurm/work/<key>.<n>       where attempt n writes the step's files (outside .xitt/tmp,
                                     so that no sweep of stale temp dirs takes it from a live job)
    .xitt/slurm/jobs/                submitit's folder: each job's pickled call and its logs, and
                                     <job>.result.json, the job's outcome (JSON, never unpickled)
    .xitt/slurm/drivers/<name>.json  the driver job of a detached run of experiment <name>

Every file is written to a temporary name and renamed, so a reader sees all of it or nothing.
Only the holder of a step's lock (``xitt.engine.locks``) writes or removes that step's entry.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from xitt.engine.executors import JobResult

SLURM_DIR = "slurm"
# A job's files besides its logs: submitit's pickled call, sbatch script and pickled return, and our outcome.
JOB_FILES = ("{job}_submitted.pkl", "{job}_submission.sh", "{job}_0_result.pkl", "{job}.result.json")


@dataclass(frozen=True)
class Attempt:
    """One Slurm job of a step. ``ended``: how it ended without a result (a Slurm state), if it did."""

    job_id: str
    submitted: str
    stdout: str
    stderr: str
    ended: str | None = None


@dataclass(frozen=True)
class Entry:
    """A step in flight on Slurm. ``record``: provenance and fingerprint, for whoever commits."""

    key: str
    step_id: str
    op: str
    record: Mapping[str, Any]
    attempts: tuple[Attempt, ...] = ()

    @property
    def current(self) -> Attempt:
        return self.attempts[-1]

    def with_attempt(self, attempt: Attempt) -> "Entry":
        return replace(self, attempts=(*self.attempts, attempt))

    def ended(self, state: str) -> "Entry":
        return replace(self, attempts=(*self.attempts[:-1], replace(self.current, ended=state)))


@dataclass(frozen=True)
class Driver:
    """The driver job of a detached run."""

    experiment: str
    file: str
    job_id: str
    submitted: str
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Ledger:
    """The ledger of one store; ``root`` is ``.xitt/slurm``."""

    root: Path
    dirs: tuple[str, ...] = field(default=("steps", "work", "jobs", "drivers"), repr=False)

    @classmethod
    def of(cls, store_root: Path) -> "Ledger":
        """The ledger beside a store (``store_root``: the ``.xitt`` directory)."""
        return cls(Path(store_root) / SLURM_DIR)

    def create(self) -> "Ledger":
        for name in self.dirs:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        return self

    @property
    def jobs(self) -> Path:
        return self.root / "jobs"

    # -- step entries ------------------------------------------------------------------------
    def entry(self, key: str) -> Entry | None:
        data = _read_json(self.root / "steps" / f"{key}.json")
        if data is None:
            return None
        return Entry(data["key"], data["step_id"], data["op"], data["record"], tuple(Attempt(**a) for a in data["attempts"]))

    def entries(self) -> Iterator[Entry]:
        folder = self.root / "steps"
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            entry = self.entry(path.stem)
            if entry is not None:
                yield entry

    def put(self, entry: Entry) -> None:
        _write_json(self.root / "steps" / f"{entry.key}.json", asdict(entry))

    def drop(self, key: str) -> None:
        """Forget a step's entry once its result is committed (or given up): its work dirs go,
        and its jobs' files but their logs (the artifact's provenance points at them)."""
        entry = self.entry(key)
        (self.root / "steps" / f"{key}.json").unlink(missing_ok=True)
        for attempt in entry.attempts if entry else ():
            for name in JOB_FILES:
                (self.jobs / name.format(job=attempt.job_id)).unlink(missing_ok=True)
        for attempt_dir in (self.root / "work").glob(f"{key}.*"):
            shutil.rmtree(attempt_dir, ignore_errors=True)

    def work_dir(self, key: str, attempt: int) -> Path:
        return self.root / "work" / f"{key}.{attempt}"

    # -- job outcomes ------------------------------------------------------------------------
    def result_path(self, job_id: str) -> Path:
        return self.jobs / f"{job_id}.result.json"

    def result(self, job_id: str) -> JobResult | None:
        data = _read_json(self.result_path(job_id))
        return None if data is None else JobResult(**data)

    # -- drivers of detached runs -------------------------------------------------------------
    def driver(self, experiment: str) -> Driver | None:
        data = _read_json(self.root / "drivers" / f"{experiment}.json")
        return None if data is None else Driver(**data)

    def drivers(self) -> list[Driver]:
        folder = self.root / "drivers"
        return [d for d in (self.driver(p.stem) for p in sorted(folder.glob("*.json"))) if d] if folder.is_dir() else []

    def put_driver(self, driver: Driver) -> None:
        _write_json(self.root / "drivers" / f"{driver.experiment}.json", asdict(driver))


def write_result(path: Path, result: JobResult) -> None:
    """A job's outcome, as JSON, renamed into place (a reader never sees half of it)."""
    _write_json(path, asdict(result))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _write_json(path: Path, value: Any) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=True, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
