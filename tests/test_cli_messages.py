"""What the command line tells a researcher: versions, plans that name what changed, counts
that are true, reports that a `--set` run cannot overwrite, and commands that create nothing
where there is no study."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TINY


def _cli(*args, cwd: Path = REPO, columns: int = 100):
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "xitt.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_version():
    import xitt

    done = _cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"xitt {xitt.__version__}"


def test_status_in_an_empty_folder_says_so_and_creates_nothing(tmp_path):
    done = _cli("status", cwd=tmp_path)
    assert done.returncode == 1 and "not a study" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_status_of_a_study_that_never_ran_creates_no_store(tmp_path):
    (tmp_path / "tiny.xitt").write_text(TINY)
    for args in (("status", "tiny.xitt"), ("status",)):
        done = _cli(*args, cwd=tmp_path)
        assert done.returncode == 0 and "nothing has run" in done.stdout, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.xitt"]


def test_report_without_a_store_creates_nothing(tmp_path):
    (tmp_path / "tiny.xitt").write_text(TINY)
    done = _cli("report", "tiny.xitt", cwd=tmp_path)
    assert done.returncode == 1 and "no results to report" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.xitt"]


def test_plan_on_an_empty_store_counts_every_step_as_one_to_run(tmp_path):
    (tmp_path / "tiny.xitt").write_text(TINY)
    done = _cli("plan", "tiny.xitt", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    steps = [line.split("\t") for line in done.stdout.splitlines() if "\t" in line]  # piped: one line per step
    assert len(steps) > 10 and {s[0] for s in steps} == {"run"} and {s[3] for s in steps} == {"new"}
    assert f"{len(steps)} steps: 0 cached, {len(steps)} to run\n" in done.stdout and "may run" not in done.stdout


def test_piped_plan_prints_whole_step_ids_and_names_the_changed_parameter(tiny_study):
    done = _cli("plan", tiny_study, "--set", "similarity.text.samples=16", columns=40)
    assert done.returncode == 0, done.stderr
    rows = {line.split("\t")[1]: line.split("\t") for line in done.stdout.splitlines() if "\t" in line}
    # the old value is the one the step id last ran with (other tests of the shared store run other values)
    assert rows["similarity/text"][0] == "run" and re.search(r"^params changed: .*samples (\d+) -> 16$", rows["similarity/text"][3])
    assert "target/paraphrase/none/seed=1" in rows  # never cut, however narrow


def test_report_path_is_printed_relative_to_the_shell_directory(tiny_study):
    done = _cli("report", tiny_study.name, cwd=tiny_study.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("report: reports/tiny/report.md")
    above = _cli("report", Path(tiny_study.parent.name) / tiny_study.name, cwd=tiny_study.parent.parent)
    assert above.stdout.rstrip().splitlines()[-1].startswith(f"report: {tiny_study.parent.name}/reports/tiny/report.md")


def test_a_set_run_leaves_the_study_report_alone_and_records_its_overrides(tiny_study):
    report = tiny_study.parent / "reports" / "tiny"
    assert _cli("report", tiny_study).returncode == 0
    before = _tree(report)
    done = _cli("run", tiny_study.name, "--quiet", "--set", "similarity.text.samples=28", cwd=tiny_study.parent)
    assert done.returncode == 0, done.stderr
    assert _tree(report) == before  # byte for byte
    apart = tiny_study.parent / "reports" / "tiny--set-similarity.text.samples=28"
    assert "report: reports/tiny--set-similarity.text.samples=28/report.md" in done.stdout
    results = json.loads((apart / "results.json").read_text())
    assert results["origin"] == {"file": "tiny.xitt", "overrides": ["similarity.text.samples=28"]}
    written = json.loads((report / "results.json").read_text())
    assert written["origin"] == {"file": "tiny.xitt", "overrides": []}
    assert results["steps"]["similarity/text"] != written["steps"]["similarity/text"]
    assert results["steps"]["gains"] == written["steps"]["gains"]
    markdown = (apart / "report.md").read_text()
    assert "`--set similarity.text.samples=28` (not the study as written)" in markdown
    assert f"`{results['steps']['similarity/text']}`" in markdown  # the store key of every step read
    assert "`tiny.xitt` as written" in (report / "report.md").read_text()
