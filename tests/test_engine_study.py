"""The engine's promises on a real toy study run by `xitt run`: SIGKILL at random moments,
two runs at once, flipped bytes, and the Dask executor.

`xitt run` processes are forked from a forkserver that has already imported torch and the
ops, so that twenty killed runs do not pay twenty imports. Each child wraps every op with a
*witness* that appends "TAG STEP" to a log before the op runs: an account of executions
kept outside the engine, so the tests never take the engine's own word for what ran.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY
from xitt.engine.inspect import status
from xitt.engine.locks import lock_for
from xitt.engine.plan import plan
from xitt.engine.store import Store

pytestmark = pytest.mark.slow

# TINY, smaller still: fifteen steps, a few seconds of compute once torch is imported.
MICRO = (TINY.replace("experiment tiny", "experiment micro")
         .replace("world toy(languages: 3, seed: 3, train_size: 200, eval_size: 60, corpus_size: 2000)",
                  "world toy(languages: 2, seed: 3, train_size: 60, eval_size: 20, corpus_size: 300)")
         .replace("toy_mlm(layers: 1, hidden: 32, heads: 2, vocab_size: 800, pretrain_steps: 40, batch: 32)",
                  "toy_mlm(layers: 1, hidden: 16, heads: 2, vocab_size: 300, pretrain_steps: 4, batch: 16)")
         .replace("samples: 32", "samples: 8").replace("permutation(100)", "permutation(20)")
         .replace('"reports/tiny"', '"reports/micro"'))
assert MICRO.count("micro") == 2 and "corpus_size: 300" in MICRO and "pretrain_steps: 4" in MICRO

SERVER = multiprocessing.get_context("forkserver")
SERVER.set_forkserver_preload(["torch", "transformers", "xitt.ops", "xitt.cli", "xitt.models.pretrain", "xitt.world"])


class _Witness:
    """An op wrapped to note each execution, with O_APPEND so two processes never interleave."""

    def __init__(self, fn, log: str, tag: str):
        self.fn, self.log, self.tag = fn, log, tag

    def __call__(self, ctx):
        with open(self.log, "a") as handle:
            handle.write(f"{self.tag} {ctx.step_id}\n")
        return self.fn(ctx)


def _xitt_run(args: list[str], witness: str, tag: str, output: str) -> None:
    """A child: `xitt run ARGS` through the real CLI, every op witnessed, output to a file."""
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    import xitt.ops  # noqa: F401
    from xitt.cli import main
    from xitt.engine import registry

    for name, entry in list(registry._OPS.items()):
        registry._OPS[name] = dataclasses.replace(entry, fn=_Witness(entry.fn, witness, tag))
    code = main(["run", *args])
    sys.stdout.flush()
    os._exit(code)


def start(path: Path, witness: Path, tag: str, *extra: str):
    child = SERVER.Process(target=_xitt_run, args=([str(path), *extra], str(witness), tag, str(path.parent / f"{tag}.out")))
    child.start()
    return child


def executions(witness: Path) -> list[tuple[str, str]]:
    return [tuple(line.split(" ", 1)) for line in witness.read_text().splitlines()] if witness.exists() else []


def planned(path: Path):
    import xitt.ops  # noqa: F401  (op versions are part of the keys)
    from xitt.compile import compile_program
    from xitt.lang import load_program

    with Store(path.parent) as store:
        return plan(compile_program(load_program(path)).graph, store)


def assert_store_sound(root: Path) -> None:
    """No corrupt or half entry: every record's files hash to their checksums, no live lock is left."""
    with Store(root) as store:
        found = status(store, verify=True)
        assert found.corrupt == {}
        for key in store.keys():
            assert json.loads((store.artifacts / key / "meta.json").read_text())["key"] == key
        for lock in store.locks.iterdir():  # a killed run's lock file may stay, but nobody holds it
            taken = lock_for(store.locks, lock.stem)
            assert taken.acquire(), f"lock {lock.name} still held"
            taken.release()


def wait_for_step(child, witness: Path, tag: str, count: int, timeout: float = 300) -> None:
    """Until the run ``tag`` has started its ``count``-th step (or ended): kills then land in every phase."""
    deadline = time.monotonic() + timeout
    while child.is_alive() and time.monotonic() < deadline:
        if sum(t == tag for t, _ in executions(witness)) >= count:
            return
        time.sleep(0.02)


def test_sigkill_of_xitt_run_at_20_random_moments_leaves_no_half_entry_and_loses_no_work(tmp_path):
    path, witness = tmp_path / "micro.xitt", tmp_path / "witness.log"
    path.write_text(MICRO)
    rng = random.Random(20)
    kills, seed, attempt, progress_at_kill = 0, 1, 0, set()
    while kills < 20:
        before = planned(path)
        if all(p.cached for p in before):  # the study is done: a new seed gives the next kills real work
            seed += 1
            path.write_text(MICRO.replace("seeds 1", f"seeds {seed}"))
            continue
        done_before = {p.step.id for p in before if p.cached}
        tag = f"r{attempt}"
        child = start(path, witness, tag, "--quiet")
        wait_for_step(child, witness, tag, rng.randint(0, len(before) - len(done_before)))
        child.join(timeout=rng.uniform(0.0, 1.5))  # a random moment within that step, or just after it
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
            progress_at_kill.add((seed, len(done_before)))
        child.join()
        assert child.exitcode in (0, -signal.SIGKILL), (path.parent / f"{tag}.out").read_text()
        again = {step for t, step in executions(witness) if t == tag} & done_before
        assert not again, f"run {tag} recomputed finished steps {again}"
        assert_store_sound(tmp_path)
        attempt += 1
    left = {p.step.id for p in planned(path) if p.status == "run"}
    maybe = {p.step.id for p in planned(path) if p.status == "may run"}
    child = start(path, witness, "final", "--quiet")
    child.join(timeout=300)
    assert child.exitcode == 0, (path.parent / "final.out").read_text()
    ran = {step for t, step in executions(witness) if t == "final"}
    assert left <= ran <= left | maybe
    assert all(p.cached for p in planned(path))
    assert_store_sound(tmp_path)
    with Store(tmp_path) as store:
        assert not list(store.tmp.iterdir())  # the killed runs' temp dirs were cleared
    assert len(progress_at_kill) >= 5, f"the kills did not spread over the run: {progress_at_kill}"


def _tables(output: Path) -> str:
    """What a run printed, less the lines that rightly differ between two runs (counts, time)."""
    return "\n".join(line for line in output.read_text().splitlines() if "steps ran" not in line)


def test_two_xitt_runs_at_once_execute_every_step_exactly_once_and_agree(tmp_path):
    path, witness = tmp_path / "micro.xitt", tmp_path / "witness.log"
    path.write_text(MICRO)
    runs = [start(path, witness, tag, "--quiet") for tag in ("A", "B")]
    for child in runs:
        child.join(timeout=400)
        assert child.exitcode == 0, (path.parent / f"{child.name}.out").read_text()
    steps = [step for _, step in executions(witness)]
    assert sorted(steps) == sorted(p.step.id for p in planned(path))  # each exactly once, in total
    assert {tag for tag, _ in executions(witness)} == {"A", "B"}  # and both runs did some of the work
    a, b = _tables(tmp_path / "A.out"), _tables(tmp_path / "B.out")
    assert "correlation of similarity with gain" in a and a == b
    ran = [int(next(line for line in (tmp_path / f"{t}.out").read_text().splitlines() if "steps ran" in line).split()[0])
           for t in ("A", "B")]
    assert sum(ran) == len(steps)
    assert all(p.cached for p in planned(path))
    assert_store_sound(tmp_path)


def _cli(*args):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "xitt.cli", *map(str, args)], capture_output=True, text=True, cwd=REPO, env=env)


def _copy_study(tiny_study: Path, to: Path) -> Path:
    """A private copy of the warm tiny study (copytree keeps the mtimes the store checks)."""
    shutil.copytree(tiny_study.parent, to, symlinks=True)
    return to / tiny_study.name


def _flip(path: Path, keep_stat: bool = False) -> None:
    data, stat = bytearray(path.read_bytes()), os.stat(path)
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    if keep_stat:  # a flip the cheap size-and-mtime check cannot see
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_flipped_bytes_in_stored_weights_are_reported_and_recomputed(tiny_study, tmp_path):
    path = _copy_study(tiny_study, tmp_path / "study")
    steps = {p.step.id: p for p in planned(path)}
    assert all(p.cached for p in steps.values())
    target, intermediate = steps["intermediate/nli@en/seed=1"], steps["intermediate/sentiment@en/seed=1"]
    root = path.parent / ".xitt" / "artifacts"
    weights = [f for f in (root / target.key).rglob("*.safetensors")]
    assert weights, "intermediate training stores its encoder's weights as safetensors"
    _flip(weights[0])
    sneaky = next(iter((root / intermediate.key).rglob("*.safetensors")))
    _flip(sneaky, keep_stat=True)

    done = _cli("run", path)
    assert done.returncode == 0, done.stderr
    # stdout is a pipe here: the run prints plain timestamped lines (display.PlainReporter)
    assert re.search(rf"corrupt +{re.escape(target.step.id)}: ", done.stdout) and "recomputed" in done.stdout
    assert f"finished {target.step.id}" in done.stdout  # executed again, not used

    audit = _cli("status", path, "--verify")  # the flip that kept size and mtime: found by re-hashing
    assert audit.returncode == 1 and intermediate.step.id in audit.stdout and "checksum" in audit.stdout
    done = _cli("run", path, "--verify")
    assert done.returncode == 0, done.stderr
    assert re.search(rf"corrupt +{re.escape(intermediate.step.id)}: ", done.stdout)
    assert f"finished {intermediate.step.id}" in done.stdout
    assert _cli("status", path, "--verify").returncode == 0
    assert all(p.cached for p in planned(path))
    assert_store_sound(path.parent)


def test_the_tiny_study_on_a_dask_local_cluster_matches_the_local_executor(tiny_study, tmp_path):
    path = tmp_path / "tiny.xitt"
    path.write_text(TINY)
    done = _cli("run", path, "--quiet", "--executor", "dask", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "15 steps ran" in done.stdout or "steps ran, 0 cached" in done.stdout
    steps, local = {p.step.id: p for p in planned(path)}, {p.step.id: p for p in planned(tiny_study)}
    assert all(p.cached for p in steps.values()) and steps.keys() == local.keys()
    with Store(tiny_study.parent) as store:
        expected = {step: store.get(p.key).result for step, p in local.items()}
    with Store(tmp_path) as store:
        got = {step: store.get(p.key).result for step, p in steps.items()}
    for step in ("gains", "correlate/1", "similarity/text", "similarity/vocab"):
        assert got[step] == expected[step], step
    with Store(tmp_path) as store:
        meta = store.get(steps["pretrain/base"].key).meta
        assert meta["worker"].startswith("tcp://")  # ran on a worker process, committed by the driver
        workers = {store.get(p.key).meta["worker"] for p in steps.values()}
        assert len(workers) == 2  # both worker processes took steps
        assert not list(store.tmp.iterdir()) and not list(store.locks.iterdir())
