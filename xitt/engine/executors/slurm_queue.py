"""Asking Slurm: what its partitions offer (``sinfo``), whether it would accept a job
(``sbatch --test-only``), and the state of jobs (``squeue``). Plain subprocess calls; nothing
here needs an accounting database (``sacct``), which small clusters often lack.
"""

from __future__ import annotations

import getpass
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from xitt.errors import UserError

# Job states after which no result will come any more (squeue's long names).
ENDED = frozenset({"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "PREEMPTED", "NODE_FAIL", "BOOT_FAIL",
                   "DEADLINE", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT"})
QUERY_TIMEOUT_S = 60


def require_slurm() -> None:
    """Raise a clear error where the Slurm commands are not on PATH."""
    missing = [c for c in ("sbatch", "squeue", "sinfo", "scancel") if shutil.which(c) is None]
    if missing:
        raise UserError(f"Slurm's {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not on PATH here",
                        hint="run on a login node of a Slurm cluster, or use --executor local or --executor dask")


def _call(command: Sequence[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=QUERY_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(command), 124, "", f"{command[0]} did not answer in {QUERY_TIMEOUT_S} s")
    except OSError as error:  # not installed here (a store copied off the cluster)
        return subprocess.CompletedProcess(list(command), 127, "", f"{command[0]}: {error.strerror}")


@dataclass(frozen=True)
class NodeOffer:
    """One node of one partition, as ``sinfo`` reports it. ``mem_mb``: MiB; ``time_limit``:
    the partition's limit in minutes, None when unlimited; ``gres``: name -> count."""

    partition: str
    node: str
    cpus: int
    mem_mb: int
    gres: Mapping[str, int]
    time_limit: int | None
    state: str
    default: bool = False

    def describe(self) -> str:
        gres = ", ".join(f"{name}:{count}" for name, count in sorted(self.gres.items())) or "no gres"
        return f"{self.cpus} CPUs, {self.mem_mb} MiB, {gres}"


def parse_gres(text: str) -> dict[str, int]:
    """``gpu:a100:4(S:0-1),mps:100`` -> {"gpu": 4, "mps": 100}; "(null)" -> {}."""
    counts: dict[str, int] = {}
    for item in re.sub(r"\([^)]*\)", "", text).split(","):
        parts = [p for p in item.strip().split(":") if p]
        if not parts or parts[0] in ("null", "N/A"):
            continue
        count = int(parts[-1]) if len(parts) > 1 and parts[-1].isdigit() else 1
        counts[parts[0]] = counts.get(parts[0], 0) + count
    return counts


def parse_mem_mb(text: str) -> int:
    """Slurm's memory spelling in MiB: "16G" -> 16384, "4000" and "4000M" -> 4000."""
    match = re.fullmatch(r"(\d+)([KMGT]?)B?", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a Slurm memory size: {text!r}")
    scale = {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024 * 1024}[match.group(2).upper()]
    return int(int(match.group(1)) * scale)


def _limit(text: str) -> int | None:
    from xitt.engine.executors.slurm_options import parse_time

    return None if text.strip() in ("infinite", "UNLIMITED", "n/a") else parse_time(text)


def node_offers() -> list[NodeOffer]:
    """Every (partition, node) pair the cluster has, from ``sinfo``."""
    done = _call(["sinfo", "--noheader", "--Node", "--format=%P|%N|%c|%m|%G|%l|%T"])
    if done.returncode != 0:
        raise UserError(f"sinfo failed: {done.stderr.strip() or done.stdout.strip()}",
                        hint="is slurmctld up? `sinfo` should list the partitions")
    offers = []
    for line in done.stdout.splitlines():
        partition, node, cpus, mem, gres, limit, state = line.strip().split("|")
        offers.append(NodeOffer(partition.rstrip("*"), node, int(cpus), int(re.sub(r"\D", "", mem) or 0),
                                parse_gres(gres), _limit(limit), state, partition.endswith("*")))
    return offers


@dataclass(frozen=True)
class Request:
    """What one job asks for; ``gres`` maps a generic resource's name to a count."""

    partition: str | None
    cpus: int
    mem_mb: int | None
    time: int
    gres: Mapping[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{name}={count}" for name, count in sorted(self.gres.items())]
        parts += [f"{self.cpus} CPU{'s' if self.cpus > 1 else ''}"] + ([f"{self.mem_mb} MiB"] if self.mem_mb else [])
        return ", ".join(parts) + f", {self.time} min"


def unmet(request: Request, offers: Sequence[NodeOffer]) -> str | None:
    """Why no node can run ``request`` (from ``sinfo``'s view), or None when some node can."""
    partitions = sorted({o.partition for o in offers})
    if request.partition is None:
        defaults = sorted({o.partition for o in offers if o.default})
        if not defaults:
            return f"no partition was named and the cluster has no default one (partitions: {', '.join(partitions)})"
        name = defaults[0]
    else:
        name = request.partition
    nodes = [o for o in offers if o.partition == name]
    if not nodes:
        return f"there is no partition {name!r} (partitions: {', '.join(partitions) or 'none'})"
    if all(n.time_limit is not None and n.time_limit < request.time for n in nodes):
        return f"partition {name} allows at most {max(n.time_limit or 0 for n in nodes)} min per job"
    fits = [n for n in nodes if n.cpus >= request.cpus and (request.mem_mb is None or n.mem_mb >= request.mem_mb)
            and all(n.gres.get(g, 0) >= c for g, c in request.gres.items())]
    if fits:
        return None
    offered = sorted({n.describe() for n in nodes})
    elsewhere = [p for p in partitions if p != name and any(
        o.partition == p and all(o.gres.get(g, 0) >= c for g, c in request.gres.items()) for o in offers)]
    return (f"no node of partition {name} offers {request.describe()} (its nodes offer: {'; '.join(offered)})"
            + (f"; partitions that have the GPUs: {', '.join(elsewhere)}" if request.gres and elsewhere else ""))


def refusal(flags: Mapping[str, object]) -> str | None:
    """Ask ``sbatch --test-only`` whether Slurm would take a job with these options; its
    complaint, or None. It knows what ``sinfo`` does not: accounts, QOS, constraints."""
    args = [f"--{k}" if v is True else f"--{k}={v}" for k, v in flags.items()]
    done = _call(["sbatch", "--test-only", *args, "--wrap=true"])
    if done.returncode == 0:
        return None
    text = " ".join(line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip())
    return text or f"sbatch --test-only exited with {done.returncode}"


def job_states(user: str | None = None) -> dict[str, str] | None:
    """Job id -> state for this user's jobs that Slurm still knows (running, queued, or ended
    a short while ago); None when ``squeue`` could not answer (then nothing can be concluded)."""
    done = _call(["squeue", "--noheader", "--states=all", f"--user={user or getpass.getuser()}", "--format=%i|%T"])
    if done.returncode != 0:
        return None
    states = {}
    for line in done.stdout.splitlines():
        if "|" in line:
            job_id, state = line.strip().split("|", 1)
            states[job_id] = state
    return states
