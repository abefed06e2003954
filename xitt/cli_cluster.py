"""The command line's cluster part: which executor a run uses and with which options, detached
runs on Slurm, and the Slurm jobs that `status` and `explain` show.

Options come from the command line and from a cluster file (``cluster.toml`` beside the
``.xitt`` file, or ``--cluster FILE``); the command line wins. See docs/cluster.md.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from rich.console import Console
from rich.table import Table

from xitt.errors import UserError

SLURM_FLAGS = ("partition", "account", "time", "gpus", "cpus", "mem", "sbatch", "max_jobs", "retries")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The executor options of `xitt run`."""
    parser.add_argument("--executor", choices=("local", "dask", "slurm"), default=None,
                        help="where steps run: this process (default), a Dask cluster, or Slurm jobs")
    parser.add_argument("--cluster", metavar="FILE", help="cluster options file (default: cluster.toml beside the .xitt file)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address; without it a local cluster is started")
    parser.add_argument("--workers", type=int, default=None, help="workers of the local Dask cluster (default 2)")
    slurm = parser.add_argument_group("Slurm (--executor slurm; also [slurm] in the cluster file)")
    slurm.add_argument("--detach", action="store_true",
                       help="submit a driver job that runs the study, and return; `xitt status FILE` follows it")
    slurm.add_argument("--partition", help="partition for every job (default: the cluster's default partition)")
    slurm.add_argument("--account", help="account to charge")
    slurm.add_argument("--time", help="time limit per step job: minutes, or HH:MM:SS, or D-HH:MM:SS (default 60)")
    slurm.add_argument("--gpus", type=int, help="GPUs per training step (default: what the step declares; 0: train on CPUs)")
    slurm.add_argument("--cpus", type=int, help="CPUs per job (default 1)")
    slurm.add_argument("--mem", help="memory per job, as sbatch takes it: 16G, 4000M")
    slurm.add_argument("--sbatch", action="append", default=[], metavar="OPTION",
                       help="an extra sbatch option for every job, e.g. --sbatch=--qos=high (repeatable)")
    slurm.add_argument("--max-jobs", type=int, help="Slurm jobs in flight at once (default 64)")
    slurm.add_argument("--retries", type=int, help="times a job that ended without a result is submitted again (default 2)")


def slurm_options(args: argparse.Namespace, file: Any):
    from xitt.engine.executors.slurm_options import merge

    return merge(file, {name: getattr(args, name) for name in SLURM_FLAGS} | {"sbatch": tuple(args.sbatch)})


def make_executor(args: argparse.Namespace, store: Any, study_dir: Path):
    """The executor a run asks for, from the command line and the cluster file."""
    from xitt.engine.executors.slurm_options import read_cluster_file

    file = read_cluster_file(Path(args.cluster) if args.cluster else None, study_dir)
    name = args.executor or file.executor or "local"
    given = [f"--{n.replace('_', '-')}" for n in SLURM_FLAGS if getattr(args, n) not in (None, [])]
    if name != "slurm" and (args.detach or given):
        raise UserError(f"{', '.join((['--detach'] if args.detach else []) + given)} only apply to --executor slurm",
                        hint="add --executor slurm, or `executor = \"slurm\"` to the cluster file")
    if name != "local" and args.jobs != 1:
        raise UserError(f"--jobs is for the local executor; {'a Dask cluster' if name == 'dask' else 'Slurm'} runs as many "
                        "steps at once as it has room for",
                        hint="use --workers N with a local Dask cluster" if name == "dask" else "use --max-jobs N with Slurm")
    if name == "dask":
        from xitt.engine.executors.dask import DaskExecutor

        return DaskExecutor(args.scheduler or file.dask.get("scheduler"), n_workers=args.workers or file.dask.get("workers", 2))
    if name == "slurm":
        from xitt.engine.executors.slurm import SlurmExecutor

        return SlurmExecutor(store.root, slurm_options(args, file))
    from xitt.engine.executors.local import LocalExecutor

    if args.jobs == 1:
        return LocalExecutor()
    from xitt.ops.runtime import gpu_count

    gpus = gpu_count()
    return LocalExecutor(args.jobs, gpu_jobs=args.gpu_jobs or (gpus or None), threads=args.threads,
                         preload=("torch", "transformers", "xitt.ops"))


def detach(args: argparse.Namespace, compiled: Any, store: Any, executor: Any, console: Console) -> bool:
    """Submit a driver job for this run and return True; False when nothing is left to run
    (the caller then runs as usual, which only writes the report)."""
    from xitt.cli_driver import DriverJob
    from xitt.engine.executors.slurm_ledger import Driver
    from xitt.engine.executors.slurm_queue import ENDED, job_states
    from xitt.engine.plan import plan
    from xitt.engine.provenance import now_iso
    from xitt.engine.scheduler import resource_requests

    planned = plan(compiled.graph, store)
    if all(p.cached for p in planned):
        return False
    executor.check(resource_requests(planned))
    executor.check_requests({"the driver job": {}}, time=executor.options.driver_time)
    ledger = executor.ledger
    earlier = ledger.driver(compiled.name)
    if earlier is not None:
        state = (job_states() or {}).get(earlier.job_id)
        if state is not None and state not in ENDED:
            raise UserError(f"driver job {earlier.job_id} of experiment {compiled.name} is already {state}",
                            hint=f"`xitt status {args.file}` follows it; `scancel {earlier.job_id}` stops it")
    argv = [a for a in args.argv if a != "--detach"] + ["--quiet"]
    job = executor.submit_driver(DriverJob(), (argv, os.getcwd()), compiled.name)
    ledger.put_driver(Driver(compiled.name, str(Path(args.file).resolve()), str(job.job_id), now_iso(),
                             str(job.paths.stdout), str(job.paths.stderr)))
    to_run = sum(not p.cached for p in planned)
    console.print(f"submitted driver job {job.job_id} for {compiled.name} ({to_run} of {len(planned)} steps to run); "
                  f"it submits one job per step and commits each result")
    console.print(f"follow it with `xitt status {args.file}`; its log: {_shown(str(job.paths.stdout))}")
    return True


def _shown(path: str) -> str:
    """A log's path as typed from here: relative below the current directory, else absolute."""
    from xitt.cli import _from_cwd

    return _from_cwd(Path(path))


def _state(states: Mapping[str, str] | None, job_id: str) -> str:
    if states is None:
        return "?"
    return states.get(job_id, "gone")


def show_jobs(console: Console, store: Any) -> None:
    """Commit what finished unwatched, then list drivers and step jobs in flight."""
    from xitt.engine.executors.slurm import collect
    from xitt.engine.executors.slurm_ledger import SLURM_DIR, Ledger
    from xitt.engine.executors.slurm_queue import job_states

    if not (store.root / SLURM_DIR).is_dir():
        return
    try:
        committed = collect(store)
    except UserError:  # a driver job on another host is writing the store: it commits them itself
        committed = []
    if committed:
        console.print(f"committed {len(committed)} steps whose Slurm jobs had finished: {', '.join(committed)}")
    ledger = Ledger.of(store.root)
    entries, drivers = list(ledger.entries()), ledger.drivers()
    if not entries and not drivers:
        return
    states = job_states()
    for driver in drivers:
        console.print(f"driver job {driver.job_id} of {driver.experiment}: {_state(states, driver.job_id)}, "
                      f"submitted {driver.submitted}; log {_shown(driver.stdout)}")
    if entries:
        table = Table(title="Slurm jobs in flight", title_justify="left")
        for column in ("step", "job", "state", "attempt", "log"):
            table.add_column(column)
        for entry in entries:
            state = "finished" if ledger.result(entry.current.job_id) else _state(states, entry.current.job_id)
            table.add_row(entry.step_id, entry.current.job_id, state, str(len(entry.attempts)), _shown(entry.current.stderr))
        console.print(table)


def explain_jobs(console: Console, store: Any, key: str | None, meta: Mapping[str, Any]) -> None:
    """The Slurm jobs behind one step: those that made its artifact, or the one in flight."""
    from xitt.engine.executors.slurm_ledger import Ledger
    from xitt.engine.executors.slurm_queue import job_states

    attempts: Sequence[Mapping[str, Any]] = meta.get("slurm_attempts") or ()
    if attempts:
        earlier = "; ".join(f"job {a['job']} {a['ended']}" for a in attempts[:-1])
        console.print(f"slurm    job {attempts[-1]['job']}" + (f" (earlier: {earlier})" if earlier else "")
                      + f"; log {_shown(meta['slurm_log']) if meta.get('slurm_log') else '-'}")
    entry = Ledger.of(store.root).entry(key) if key else None
    if entry is not None:
        state = _state(job_states(), entry.current.job_id)
        console.print(f"slurm    in flight: job {entry.current.job_id} {state}, attempt {len(entry.attempts)}; "
                      f"log {_shown(entry.current.stderr)}")
