"""The Slurm executor, on a real single-node Slurm (.ci/slurm-up.sh starts one: partition
"xitt", 2 CPUs, a pretend GPU as gres gpu:1): the tiny study gives the local executor's
results, survives a job cancelled mid-step and a killed submitter, and an impossible GPU
request is refused before anything is submitted. Without Slurm these tests are skipped;
the option and sinfo parsing below them run everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY
from xitt.cli import main
from xitt.engine.executors.slurm_options import ClusterFile, merge, parse_time, read_cluster_file
from xitt.engine.executors.slurm_queue import NodeOffer, Request, parse_gres, parse_mem_mb, unmet
from xitt.errors import UserError


def _slurm_answers() -> bool:
    if shutil.which("sinfo") is None:
        return False
    try:
        done = subprocess.run(["sinfo", "--noheader", "--partition=xitt", "--format=%T"], capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return False
    return any(state in done.stdout for state in ("idle", "mix", "alloc"))


needs_slurm = pytest.mark.skipif(not _slurm_answers(), reason="no single-node Slurm here (.ci/slurm-up.sh installs and starts one)")
CLUSTER = 'executor = "slurm"\n[slurm]\npoll = 0.3\ngrace = 2\ntime = 15\nretries = 2\n'
TIMINGS = {"examples_per_s"}  # the only result values that depend on the machine's speed


# -- options, times, sinfo: no cluster needed ---------------------------------------------------

def test_slurm_times_read_as_sbatch_reads_them():
    assert [parse_time(v) for v in (90, "90", "1:30", "2:00:00", "1-0", "1-2:30", "0-0:0:59")] == [90, 90, 2, 120, 1440, 1590, 1]
    with pytest.raises(UserError, match="not a Slurm time"):
        parse_time("two hours")


def test_gres_and_memory_read_as_sinfo_prints_them():
    assert parse_gres("gpu:a100:4(S:0-1),mps:100") == {"gpu": 4, "mps": 100}
    assert parse_gres("gpu:2,gpu:v100:1") == {"gpu": 3}
    assert parse_gres("(null)") == {}
    assert [parse_mem_mb(m) for m in ("16G", "4000", "4000M", "1T")] == [16384, 4000, 4000, 1048576]


def test_the_command_line_wins_over_the_cluster_file(tmp_path):
    (tmp_path / "cluster.toml").write_text('executor = "slurm"\n[slurm]\npartition = "gpu"\ntime = "1-00:00:00"\ngpus = 2\n'
                                           'sbatch = ["--qos=high --exclusive"]\n')
    file = read_cluster_file(None, tmp_path)
    assert file.executor == "slurm"
    options = merge(file, {"partition": None, "gpus": 1, "time": "30"})
    assert (options.partition, options.gpus, options.time) == ("gpu", 1, 30)
    assert options.sbatch_flags() == {"qos": "high", "exclusive": True}
    with pytest.raises(UserError, match="unknown Slurm option gpu_count"):
        merge(ClusterFile(tmp_path / "c.toml", slurm={"gpu_count": 1}), {})
    assert read_cluster_file(None, tmp_path / "elsewhere").path is None  # no file: defaults


def test_the_cluster_file_of_docs_cluster_md_reads(tmp_path):
    text = (REPO / "docs" / "cluster.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "cluster.toml").write_text(block)
    file = read_cluster_file(None, tmp_path)
    options = merge(file, {})
    assert file.executor == "slurm" and options.time == 240 and options.mem == "32G" and options.max_jobs == 50
    assert options.sbatch_flags() == {"qos": "normal", "constraint": "a100"} and options.setup == ("module load cuda/12.1",)


def test_a_request_no_node_meets_is_named_with_what_the_partition_offers():
    offers = [NodeOffer("cpu", "c1", 64, 256000, {}, None, "idle", default=True),
              NodeOffer("a100", "g1", 32, 512000, {"gpu": 4}, 2880, "idle")]
    assert unmet(Request(None, 8, None, 60, {}), offers) is None
    assert unmet(Request("a100", 8, 64000, 60, {"gpu": 4}), offers) is None
    assert unmet(Request(None, 8, None, 60, {"gpu": 1}), offers) == (
        "no node of partition cpu offers gpu=1, 8 CPUs, 60 min (its nodes offer: 64 CPUs, 256000 MiB, no gres); "
        "partitions that have the GPUs: a100")
    assert "allows at most 2880 min" in unmet(Request("a100", 1, None, 3000, {"gpu": 1}), offers)
    assert unmet(Request("v100", 1, None, 60, {}), offers) == "there is no partition 'v100' (partitions: a100, cpu)"


# -- a real single-node Slurm ------------------------------------------------------------------

def _study(tmp_path: Path, cluster: str = CLUSTER) -> Path:
    path = tmp_path / "tiny.xitt"
    path.write_text(TINY)
    (tmp_path / "cluster.toml").write_text(cluster)
    return path


def _artifacts(path: Path) -> dict[str, tuple[dict, dict]]:
    """step id -> (result without timings, checksums of every file but result and meta), for the
    artifacts the study's plan names now (a shared store also holds other runs' artifacts, e.g. --set)."""
    import xitt.ops  # noqa: F401  (op versions are part of the keys)
    from xitt.compile import compile_program
    from xitt.engine.plan import plan
    from xitt.engine.store import Store
    from xitt.lang import load_program

    found = {}
    with Store(path.parent) as store:
        for step in plan(compile_program(load_program(path)).graph, store):
            if not step.cached:
                continue
            artifact = store.get(step.key)
            files = {name: digest for name, digest in artifact.meta["checksums"].items() if name != "result.json"}
            found[step.step.id] = ({k: v for k, v in artifact.result.items() if k not in TIMINGS}, files)
    return found


def _metas(path: Path) -> dict[str, dict]:
    return {m["step"]: m for m in (json.loads(f.read_text()) for f in (path.parent / ".xitt" / "artifacts").glob("*/meta.json"))}


def _ledger(path: Path) -> dict[str, dict]:
    steps = path.parent / ".xitt" / "slurm" / "steps"
    return {json.loads(f.read_text())["step_id"]: json.loads(f.read_text()) for f in steps.glob("*.json")} if steps.is_dir() else {}


def _squeue() -> dict[str, str]:
    out = subprocess.run(["squeue", "--noheader", "--states=all", "--format=%i|%T"], capture_output=True, text=True).stdout
    return dict(line.split("|", 1) for line in out.split())


def _until(condition, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


@needs_slurm
def test_an_impossible_gpu_request_fails_before_anything_is_submitted(tmp_path, capsys):
    path = _study(tmp_path, CLUSTER + "gpus = 2\n")
    assert main(["run", str(path), "--quiet"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "step pretrain/base asks Slurm for gpu=2, 1 CPU, 15 min, but no node of partition xitt offers" in err
    assert "(its nodes offer: 2 CPUs," in err and "gpu:1)" in err and "Nothing was submitted." in err
    assert "--gpus 0" in err  # the hint says how to go on
    assert main(["run", str(path), "--quiet", "--partition", "nope"]) == 1
    assert "there is no partition 'nope' (partitions: xitt)" in " ".join(capsys.readouterr().err.split())
    assert main(["run", str(path), "--quiet", "--gpus", "1", "--sbatch=--constraint=a100"]) == 1  # what sinfo cannot tell
    err = " ".join(capsys.readouterr().err.split())
    assert "every step asks Slurm for 1 CPU, 15 min, but sbatch --test-only refuses it: allocation failure: Invalid feature" in err
    assert not list((tmp_path / ".xitt" / "slurm" / "jobs").iterdir())  # not a single job, not even the world's
    assert not list((tmp_path / ".xitt" / "artifacts").iterdir())


@needs_slurm
@pytest.mark.slow
def test_the_tiny_study_on_slurm_equals_the_local_run_and_survives_a_scancel_mid_step(tmp_path, tiny_study, capsys):
    path = _study(tmp_path)
    cancelled: list[str] = []

    def cancel_pretraining_once_it_trains() -> None:
        def training_job():
            entry = _ledger(path).get("pretrain/base")
            if entry:
                log = Path(entry["attempts"][0]["stderr"])
                if log.is_file() and "xitt: pretrain/base " in log.read_text():  # its first progress line
                    return entry["attempts"][0]["job_id"]
            return None

        job_id = _until(training_job, 300, "the pretraining job to report progress", every=0.05)
        subprocess.run(["scancel", job_id], check=True)
        cancelled.append(job_id)

    watcher = threading.Thread(target=cancel_pretraining_once_it_trains, daemon=True)
    watcher.start()
    assert main(["run", str(path), "--quiet"]) == 0
    watcher.join(timeout=1)
    assert len(cancelled) == 1

    local = _artifacts(tiny_study)
    assert _artifacts(path) == local  # every file of every step, and every result but throughputs
    metas = _metas(path)
    attempts = metas["pretrain/base"]["slurm_attempts"]
    assert [a["job"] for a in attempts][0] == cancelled[0] and len(attempts) == 2
    assert attempts[0]["ended"] in ("CANCELLED", "GONE") and attempts[1]["ended"] is None
    assert all(len(m["slurm_attempts"]) == 1 for step, m in metas.items() if step != "pretrain/base")
    assert metas["pretrain/base"]["slurm_job"] == attempts[1]["job"] and metas["world"]["host"]
    assert not _ledger(path) and not list((tmp_path / ".xitt" / "slurm" / "work").iterdir())

    capsys.readouterr()
    assert main(["explain", str(path), "pretrain/base"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert f"slurm job {attempts[1]['job']} (earlier: job {cancelled[0]} {attempts[0]['ended']})" in shown
    assert Path(metas["pretrain/base"]["slurm_log"]).read_text().count("xitt: pretrain/base ") >= 1  # the log is there

    jobs_before = set(_squeue())
    assert main(["run", str(path), "--quiet"]) == 0  # all cached: no job at all
    assert set(_squeue()) == jobs_before


@needs_slurm
@pytest.mark.slow
def test_a_killed_submitter_loses_nothing_and_a_detached_run_finishes_the_study(tmp_path, tiny_study, capsys):
    path = _study(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "xitt.cli", "run", str(path), "--quiet"]
    submitter = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True)
    try:
        _until(lambda: len(_metas(path)) >= 2 and _ledger(path), 300, "two committed steps and a job in flight")
    finally:
        os.killpg(submitter.pid, signal.SIGKILL)
        submitter.wait()
    in_flight = {step: entry["attempts"][-1]["job_id"] for step, entry in _ledger(path).items()}
    assert in_flight
    done_before = {step: meta["started"] for step, meta in _metas(path).items()}

    # Its jobs go on without it; `xitt status` commits them once they finish.
    results = tmp_path / ".xitt" / "slurm" / "jobs"
    _until(lambda: all((results / f"{job}.result.json").is_file() for job in in_flight.values()), 300, "the orphaned jobs")
    capsys.readouterr()
    assert main(["status", str(path)]) == 0
    assert f"committed {len(in_flight)} steps whose Slurm jobs had finished" in " ".join(capsys.readouterr().out.split())
    assert not _ledger(path)

    # A detached run: the submitter returns (and is killed for good measure); the driver job finishes.
    detached = subprocess.Popen(command + ["--detach"], cwd=tmp_path, env=env, start_new_session=True,
                                stdout=subprocess.PIPE, text=True)
    driver = tmp_path / ".xitt" / "slurm" / "drivers" / "tiny.json"
    _until(driver.is_file, 120, "the driver job to be submitted")
    os.killpg(detached.pid, signal.SIGKILL)
    detached.wait()
    driver_job = json.loads(driver.read_text())["job_id"]
    _until(lambda: _squeue().get(driver_job) in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", None), 600,
           "the driver job to end", every=1)
    assert _squeue().get(driver_job) == "COMPLETED", Path(json.loads(driver.read_text())["stderr"]).read_text()[-3000:]

    assert _artifacts(path) == _artifacts(tiny_study)
    metas = _metas(path)
    for step, started in done_before.items():  # finished steps were never redone
        assert metas[step]["started"] == started
    for step, job in in_flight.items():  # jobs in flight were collected, not submitted again
        assert [a["job"] for a in metas[step]["slurm_attempts"]] == [job]
    assert all(len(m["slurm_attempts"]) == 1 for m in metas.values())
    capsys.readouterr()
    assert main(["status", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"driver job {driver_job} of tiny: COMPLETED" in out and "experiment steps: 15 cached, 0 to run" in out

