"""The whole stack on a tiny study: caching by the engine's own count, the CLI, located errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY, run_file


def _variant(tiny_study, name: str, old: str, new: str):
    assert old in TINY
    path = tiny_study.parent / name
    path.write_text(TINY.replace(old, new))
    return path


def test_second_run_is_all_cached(tiny_study):
    summary = run_file(tiny_study)
    assert summary.executed == []
    assert len(summary.cached) == len(summary.keys) > 10


def test_editing_a_similarity_parameter_reruns_only_similarity_and_correlation(tiny_study):
    path = _variant(tiny_study, "sim_edit.xitt", "samples: 32", "samples: 24")
    summary = run_file(path)
    assert summary.executed == ["similarity/text", "correlate/1"]


def test_editing_the_target_learning_rate_does_not_rerun_intermediate_training(tiny_study):
    path = _variant(tiny_study, "lr_edit.xitt", "train target(lr: 1e-3", "train target(lr: 2e-3")
    summary = run_file(path)
    assert not [s for s in summary.executed if s.startswith(("intermediate/", "pretrain/", "tokenizer", "world"))]
    assert [s for s in summary.executed if s.startswith("target/")]
    assert "gains" in summary.executed and "similarity/text" not in summary.executed


def _cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "xitt.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_cli_run_prints_correlation_table_and_writes_results(tiny_study):
    done = _cli("run", tiny_study, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "correlation of similarity with gain" in done.stdout
    assert "0 steps ran" in done.stdout
    results = json.loads((tiny_study.parent / "reports/tiny/results.json").read_text())
    assert {r["similarity"] for r in results["correlations"][0]["rows"]} == {"text", "vocab"}


def test_cli_plan_says_what_would_run_and_why(tiny_study):
    path = _variant(tiny_study, "plan_edit.xitt", "samples: 32", "samples: 16")
    done = _cli("plan", path)
    assert done.returncode == 0, done.stderr
    # the similarity step re-runs; correlation waits on its output (early cutoff)
    assert "params changed" in done.stdout and "1 to run, 1 may run" in done.stdout


def test_syntax_error_is_located_with_a_caret_and_exit_code_2(tmp_path):
    path = tmp_path / "broken.xitt"
    path.write_text(TINY.replace("seeds 1", "seeds 1,"))
    done = _cli("check", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    line = TINY.splitlines().index("seeds 1") + 1
    assert f"broken.xitt:{line}:" in done.stderr or f"broken.xitt:{line + 1}:" in done.stderr
    assert "^" in done.stderr


def test_unknown_task_name_is_located_with_a_hint_and_exit_code_2(tmp_path):
    path = tmp_path / "typo.xitt"
    path.write_text(TINY.replace("toy.{paraphrase, pos}", "toy.{paraphrase, poss}"))
    done = _cli("check", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "poss" in text)
    column = path.read_text().splitlines()[line - 1].index("poss") + 1
    assert f"typo.xitt:{line}:{column}:" in done.stderr
    assert "did you mean 'pos'" in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device whose writes fail with ENOSPC")
def test_a_full_disk_is_one_clear_paragraph_and_keeps_the_store(tiny_study, tmp_path):
    study = tmp_path / "study"
    shutil.copytree(tiny_study.parent, study)
    report = study / "reports/tiny/report.md"
    report.unlink(missing_ok=True)
    report.symlink_to("/dev/full")  # every write to it fails as a full disk does
    done = _cli("report", study / "tiny.xitt")
    assert done.returncode == 1
    assert "disk is full" in done.stderr and "Traceback" not in done.stderr
    report.unlink()
    again = _cli("run", study / "tiny.xitt", "--quiet")
    assert again.returncode == 0, again.stderr
    assert "0 steps ran" in again.stdout


def _numbers(value, path: str = "") -> dict[str, float]:
    """Every number in a JSON value by its path, leaving out keys and clock readings."""
    if isinstance(value, dict):
        return {k: v for name, item in value.items() if name not in ("steps", "sources", "keys", "seconds", "wall_s")
                for k, v in _numbers(item, f"{path}/{name}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _numbers(item, f"{path}[{i}]").items()}
    return {path: float(value)} if isinstance(value, (int, float)) and not isinstance(value, bool) else {}


@pytest.mark.slow
def test_cli_run_with_two_jobs_gives_the_same_results(tiny_study, tmp_path):
    """--jobs 2, cold, in a store of its own: every step ran once, in worker processes, and the
    study's numbers are those of the one-at-a-time run (to float rounding: a step of a
    parallel run may have fewer threads, and torch's CPU sums round by thread count)."""
    path = tmp_path / "tiny.xitt"
    path.write_text(TINY)
    parallel = _cli("run", path, "--quiet", "--jobs", "2", "--format", "json", cwd=tmp_path)
    assert parallel.returncode == 0, parallel.stdout + parallel.stderr
    alone = _cli("run", tiny_study, "--quiet", "--format", "json")
    ran, cached = json.loads(parallel.stdout), json.loads(alone.stdout)
    assert ran["steps_ran"] == cached["steps_cached"] > 0 and ran["steps_cached"] == 0
    a, b = _numbers({k: v for k, v in ran.items() if not k.startswith("steps_")}), _numbers({k: v for k, v in cached.items() if not k.startswith("steps_")})
    assert set(a) == set(b) and len(a) > 20
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-7), key
