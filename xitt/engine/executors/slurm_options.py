"""What a study asks of a Slurm cluster: partition, account, time limit, GPUs, CPUs, memory,
extra ``sbatch`` lines, how many jobs at once, how many retries.

Options come from a TOML file (``cluster.toml`` beside the ``.xitt`` file, or ``--cluster FILE``),
section ``[slurm]``, and from the command line, which wins. None of them enters a step's key:
the same study gives the same results wherever it runs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from xitt.errors import UserError

DEFAULT_FILE = "cluster.toml"


@dataclass(frozen=True)
class SlurmOptions:
    """Options of the Slurm executor.

    ``time`` and ``driver_time`` are minutes; ``mem`` is Slurm's own spelling ("16G", "4000M");
    ``gpus`` is the GPUs per step for steps that declare a GPU (None: as many as the op declares,
    0: run them on CPUs); ``sbatch`` holds extra options as written on sbatch's command line
    ("--qos=high", "--constraint=a100"); ``setup`` holds shell lines run before each job
    ("module load cuda", "source venv/bin/activate"); ``retries`` is how many times a job that
    ended without a result (cancelled, preempted, timed out, node failure) is submitted again;
    ``poll`` is seconds between two looks at the queue; ``grace`` is seconds a job must have
    ended without a result before it counts as lost (a shared filesystem may show the result
    file late).
    """

    partition: str | None = None
    account: str | None = None
    time: int = 60
    gpus: int | None = None
    cpus: int = 1
    mem: str | None = None
    sbatch: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()
    max_jobs: int = 64
    retries: int = 2
    driver_time: int = 3 * 24 * 60
    poll: float = 5.0
    grace: float = 60.0
    python: str | None = None  # the Python on the nodes; default: the one running xitt

    def __post_init__(self) -> None:
        for name in ("time", "cpus", "max_jobs", "driver_time"):
            if getattr(self, name) < 1:
                raise UserError(f"cluster option {name} must be at least 1, not {getattr(self, name)}")
        for name in ("gpus", "retries"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UserError(f"cluster option {name} must be 0 or more, not {value}")
        if self.mem is not None and not re.fullmatch(r"\d+[KMGT]?B?", self.mem, re.IGNORECASE):
            raise UserError(f"cluster option mem is {self.mem!r}; write it as Slurm does, e.g. 16G or 4000M")
        if self.poll <= 0 or self.grace < 0:
            raise UserError(f"cluster options poll and grace are seconds, poll above 0 (not {self.poll}), grace 0 or more (not {self.grace})")

    def sbatch_flags(self) -> dict[str, Any]:
        """The extra ``sbatch`` options as a flag -> value map (True for a flag without value)."""
        flags: dict[str, Any] = {}
        for line in self.sbatch:
            for word in shlex.split(line.removeprefix("#SBATCH")):
                match = re.fullmatch(r"--([a-z][a-z0-9-]*)(?:=(.*))?", word)
                if not match:
                    raise UserError(f"cannot read the extra sbatch option {word!r} (in {line!r})",
                                    hint="write extra options in sbatch's long form, e.g. --qos=high or --exclusive")
                flags[match.group(1)] = True if match.group(2) is None else match.group(2)
        return flags


_TIME = re.compile(r"(?:(?P<days>\d+)-)?(?P<a>\d+)(?::(?P<b>\d+))?(?::(?P<c>\d+))?")


def parse_time(value: Any, what: str = "time") -> int:
    """Minutes from a Slurm time limit: an int of minutes, "MM", "MM:SS", "HH:MM:SS", "D-HH",
    "D-HH:MM" or "D-HH:MM:SS" (sbatch's formats); seconds round up to a whole minute."""
    if isinstance(value, bool):
        raise UserError(f"cluster option {what} is {value!r}, not a time")
    if isinstance(value, int):
        return value
    match = _TIME.fullmatch(str(value).strip())
    if not match:
        raise UserError(f"cluster option {what} is {value!r}, which is not a Slurm time",
                        hint='write minutes (90) or "HH:MM:SS" or "D-HH:MM:SS", as sbatch --time takes them')
    days, a, b, c = (int(match.group(g)) if match.group(g) else None for g in ("days", "a", "b", "c"))
    if days is None:  # MM, MM:SS, HH:MM:SS
        seconds = a * 60 if b is None else a * 60 + b if c is None else a * 3600 + b * 60 + c
    else:  # D-HH, D-HH:MM, D-HH:MM:SS
        seconds = days * 86400 + a * 3600 + (b or 0) * 60 + (c or 0)
    return -(-seconds // 60)


_CONVERT = {"time": parse_time, "driver_time": parse_time}


def options_from(values: Mapping[str, Any], where: str) -> SlurmOptions:
    """SlurmOptions from a mapping (a ``[slurm]`` section, or the command line's options)."""
    known = {f.name for f in fields(SlurmOptions)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise UserError(f"{where}: unknown Slurm option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
                        hint=f"the options are: {', '.join(sorted(known))}")
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name in _CONVERT:
            value = _CONVERT[name](value, name)
        elif name in ("sbatch", "setup"):
            value = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
        converted[name] = value
    try:
        return SlurmOptions(**converted)
    except TypeError as error:
        raise UserError(f"{where}: {error}") from None


@dataclass(frozen=True)
class ClusterFile:
    """A cluster file: which executor to use by default, and each executor's section."""

    path: Path | None
    executor: str | None = None
    slurm: Mapping[str, Any] = field(default_factory=dict)
    dask: Mapping[str, Any] = field(default_factory=dict)


def read_cluster_file(path: Path | None, default_dir: Path) -> ClusterFile:
    """Read ``path``, or ``cluster.toml`` in ``default_dir`` when it exists (else: no file)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    if path is None:
        path = default_dir / DEFAULT_FILE
        if not path.is_file():
            return ClusterFile(None)
    elif not path.is_file():
        raise UserError(f"there is no cluster file {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"executor", "slurm", "dask"})
    if unknown:
        raise UserError(f"{path}: unknown entries {', '.join(unknown)}",
                        hint='a cluster file holds `executor = "slurm"` and the sections [slurm] and [dask]')
    executor = data.get("executor")
    if executor not in (None, "local", "dask", "slurm"):
        raise UserError(f"{path}: executor is {executor!r}; it is one of local, dask, slurm")
    return ClusterFile(path, executor, dict(data.get("slurm", {})), dict(data.get("dask", {})))


def merge(file: ClusterFile, overrides: Mapping[str, Any]) -> SlurmOptions:
    """The file's ``[slurm]`` options, with the command line's (non-None) on top."""
    where = str(file.path) if file.path else "the command line"
    base = options_from(file.slurm, where)
    given = {k: v for k, v in overrides.items() if v is not None and v != ()}
    return replace(base, **{k: v for k, v in options_from(given, "the command line").__dict__.items() if k in given})
