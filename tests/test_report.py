"""Reports of a real tiny study: the files, their numbers against the store, and that
`xitt report` reads the store without making a step."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, TINY, run_file
from xitt.measures.kinds import oriented

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _cli(*args, columns: int = 100):
    env = {**os.environ, "COLUMNS": str(columns), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "xitt.cli", *map(str, args)], capture_output=True, text=True, cwd=REPO, env=env)


def _store_snapshot(directory: Path) -> tuple:
    """What a step would change: completion records, artifact directories and their files."""
    from xitt.engine.store import Store

    with Store(directory) as store:
        keys = sorted(store.keys())
    artifacts = directory / ".xitt" / "artifacts"
    files = sorted(str(p.relative_to(artifacts)) for p in artifacts.rglob("*"))
    return keys, files


def _stored(directory: Path, key: str) -> dict:
    from xitt.engine.store import Store

    with Store(directory) as store:
        return store.get(key).result


def _planned_keys(path: Path) -> dict[str, str]:
    """Every step's key as the engine computes it for this program (all cached here)."""
    import xitt.ops  # noqa: F401
    from xitt.compile import compile_program
    from xitt.engine.plan import plan
    from xitt.engine.store import Store
    from xitt.lang import load_program

    with Store(path.parent) as store:
        planned = plan(compile_program(load_program(path)).graph, store)
    assert all(p.cached for p in planned)
    return {p.step.id: p.key for p in planned}


@pytest.fixture(scope="module")
def reported(tiny_study):
    """`xitt report` on the tiny study, with the store's contents before and after."""
    before = _store_snapshot(tiny_study.parent)
    done = _cli("report", tiny_study)
    assert done.returncode == 0, done.stderr
    return done, before, _store_snapshot(tiny_study.parent), tiny_study.parent / "reports" / "tiny"


def test_report_writes_plots_tables_results_and_markdown(reported):
    _, _, _, directory = reported
    plots = ["gains.png", "similarity_text.png", "similarity_vocab.png", "scatter_text.png", "scatter_vocab.png",
             "languages_paraphrase.png", "languages_pos.png"]
    for name in plots:
        data = (directory / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000, name
    markdown = (directory / "report.md").read_text()
    assert all(f"]({name})" in markdown for name in plots)
    for name in ("gains.csv", "gains_per_language.csv", "best_per_language.csv", "similarities.csv", "correlations.csv", "ranking.csv"):
        assert len((directory / name).read_text().splitlines()) > 1, name
    assert (directory / "results.json").is_file()


def test_results_json_numbers_equal_the_stored_step_results(reported, tiny_study):
    _, _, _, directory = reported
    results = json.loads((directory / "results.json").read_text())
    keys = _planned_keys(tiny_study)
    assert results["steps"] == {step_id: keys[step_id] for step_id in results["steps"]}
    sources = results["sources"]
    assert sources["gains"] == "gains" and sources["correlations"] == ["correlate/1"]
    assert results["gains"] == _stored(tiny_study.parent, keys["gains"])
    assert results["correlations"] == [_stored(tiny_study.parent, keys[s]) for s in sources["correlations"]]
    assert set(results["similarities"]) == {"text", "vocab"}
    for name, step_id in sources["similarities"].items():
        stored = _stored(tiny_study.parent, keys[step_id])
        assert results["similarities"][name] == oriented(stored)  # higher = closer; the values as measured beside them
        assert results["similarities"][name]["measured"] == stored["values"]


def test_best_configuration_is_arithmetic_on_the_stored_gains(reported, tiny_study):
    _, _, _, directory = reported
    results = json.loads((directory / "results.json").read_text())
    gains = _stored(tiny_study.parent, _planned_keys(tiny_study)["gains"])
    for best in results["derived"]["best_configurations"]:
        summary = [r for r in gains["summary"] if r["target"] == best["target"]]
        assert best["gain"] == max(r["gain"] for r in summary)
        rows = [r for r in gains["table"] if r["target"] == best["target"] and r["intermediate"] == best["intermediate"]]
        for language, score in best["scores"].items():
            assert score == pytest.approx(np.mean([r["score"] for r in rows if r["language"] == language]))


def test_report_makes_no_new_steps(reported, tiny_study):
    done, before, after, _ = reported
    assert after == before
    assert "0 steps ran" in done.stdout
    assert run_file(tiny_study).executed == []


def test_terminal_summary_at_100_columns_has_every_table_and_ends_with_the_report_path(reported, tiny_study):
    done, _, _, _ = reported
    text = done.stdout
    for heading in ("zero-shot gain over no intermediate step", "per-language score of the best intermediate task",
                    "correlation of similarity with gain", "ranking quality of each measure"):
        assert heading in text
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "95% CI" in text and "nli@en" in text
    # the study lies outside the shell's directory here, so the path is absolute
    assert text.rstrip().splitlines()[-1].startswith(f"report: {tiny_study.parent}/reports/tiny/report.md")


def test_report_json_format_prints_only_the_machine_readable_summary(tiny_study):
    done = _cli("report", tiny_study, "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["experiment"] == "tiny" and summary["steps_ran"] == 0
    assert summary["report"] == "reports/tiny/report.md"
    correlation = _stored(tiny_study.parent, _planned_keys(tiny_study)["correlate/1"])
    rows = summary["studies"][0]["correlations"][0]["rows"]
    assert [r["r"] for r in rows] == [r["r"] for r in correlation["rows"]]
    assert [r["significant"] for r in rows] == [r["p_adjusted"] is not None and r["p_adjusted"] < 0.05 for r in correlation["rows"]]


def test_run_json_format_for_scripts(tiny_study):
    done = _cli("run", tiny_study, "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["steps_ran"] == 0 and summary["steps_cached"] > 10
    assert {r["intermediate"] for r in summary["studies"][0]["gains"]} == {"nli@en", "sentiment@en"}


def test_report_of_an_uncached_step_names_it_and_computes_nothing(tiny_study):
    path = tiny_study.parent / "report_uncached.xitt"
    path.write_text(TINY.replace("samples: 32", "samples: 20"))
    before = _store_snapshot(tiny_study.parent)
    done = _cli("report", path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())  # rich wraps lines at the console width
    assert "similarity/text" in message and "correlate/1" in message and "never computes" in message
    assert _store_snapshot(tiny_study.parent) == before


def test_report_without_a_store_is_a_clear_error(tmp_path):
    path = tmp_path / "fresh.xitt"
    path.write_text(TINY)
    done = _cli("report", path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no store" in " ".join(done.stderr.split())
    assert not (tmp_path / ".xitt").exists()


def test_fitted_line_and_band_match_ordinary_least_squares():
    from scipy import stats

    from xitt.report.results import fit_line

    rng = np.random.default_rng(3)
    x = rng.normal(size=12)
    y = 0.5 * x + rng.normal(scale=0.3, size=12)
    fit = fit_line(x, y)
    reference = stats.linregress(x, y)
    assert fit.slope == pytest.approx(reference.slope) and fit.intercept == pytest.approx(reference.intercept)
    assert np.all(fit.low < fit.y) and np.all(fit.y < fit.high)
    # the band is narrowest at the mean of x
    widths = fit.high - fit.low
    assert abs(fit.x[np.argmin(widths)] - x.mean()) <= (fit.x[1] - fit.x[0])
    assert fit_line([1, 1, 1], [1, 2, 3]) is None and fit_line([1, 2], [1, 2]) is None


def test_heatmap_colours_stay_ordered_in_grayscale():
    """Printed in grayscale, a larger value must still look lighter: lightness rises monotonically."""
    from matplotlib import colormaps

    from xitt.report.plots import COLORMAP

    red, green, blue, _ = colormaps[COLORMAP](np.linspace(0, 1, 64)).T
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    assert np.all(np.diff(luminance) > 0) and luminance[-1] - luminance[0] > 0.7


@pytest.mark.slow
def test_english_vs_multilingual_comparison_is_reported(tiny_study):
    """A multilingual intermediate set beside the English one: the comparison table, its CSV, markers by set."""
    path = tiny_study.parent / "compare.xitt"
    path.write_text(TINY.replace("tasks targets", "tasks multilingual = toy.{nli, sentiment} @ *\ntasks targets")
                    .replace("correlate spearman(similarity.*, gain) per pooled with permutation(100)",
                             "correlate spearman(similarity.*, gain) per pooled with permutation(100)\ncompare english vs multilingual")
                    .replace('"reports/tiny"', '"reports/compare"'))
    done = _cli("run", path, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "does the correlation change? english vs multilingual" in done.stdout
    directory = tiny_study.parent / "reports" / "compare"
    with (directory / "comparisons.csv").open() as handle:
        comparisons = list(csv.DictReader(handle))
    assert sorted(c["similarity"] for c in comparisons) == ["text", "vocab"]
    assert all(c["left"] == "english" and c["right"] == "multilingual" and c["p_adjusted"] for c in comparisons)
    results = json.loads((directory / "results.json").read_text())
    assert results["sets"] == {"english": ["nli@en", "sentiment@en"], "multilingual": ["nli@*", "sentiment@*"]}
    assert "english vs multilingual" in (directory / "report.md").read_text()


def test_plots_drawn_by_worker_processes_equal_those_drawn_in_process(tiny_study, tmp_path, monkeypatch):
    """Many measures' plots are drawn in parallel (spawned workers); the files must not differ."""
    from xitt.cli import _studies
    from xitt.compile import compile_program
    from xitt.engine.store import Store
    from xitt.lang import load_program
    from xitt.report import files

    compiled = compile_program(load_program(tiny_study))
    with Store(tiny_study.parent) as store:
        (study,) = _studies(compiled, _planned_keys(tiny_study), store)
    (tmp_path / "alone").mkdir()
    (tmp_path / "workers").mkdir()
    alone = files.draw(tmp_path / "alone", study)
    monkeypatch.setattr(files, "PARALLEL_FROM", 2)
    workers = files.draw(tmp_path / "workers", study)
    assert {k: [p.name for p in v] for k, v in alone.items()} == {k: [p.name for p in v] for k, v in workers.items()}
    names = [p.name for paths in alone.values() for p in paths]
    assert len(names) >= 5
    for name in names:
        assert (tmp_path / "alone" / name).read_bytes() == (tmp_path / "workers" / name).read_bytes(), name
