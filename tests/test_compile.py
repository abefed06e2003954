"""The compiler: step ids and params are stable, sweeps make grids, mixtures make one unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from xitt.compile import compile_program
from xitt.compile.compiler import format_value
from xitt.lang import load_program

REPO = Path(__file__).resolve().parents[1]
QUICKSTART = REPO / "experiments" / "quickstart.xitt"

STUDY = """\
experiment study
world toy(languages: 3, seed: 1)
model base = toy_mlm(layers: 1, hidden: 32)
tasks english = toy.{nli, sentiment} @ en
tasks targets = toy.pos train @ en eval @ *
similarity v = vocabulary()
correlate spearman(similarity.*, gain)
"""


def compiled(tmp_path: Path, text: str, overrides=()):
    path = tmp_path / "study.xitt"
    path.write_text(text)
    return compile_program(load_program(path, overrides))


def test_quickstart_step_ids_are_unchanged():
    """The ids a single-point program had before sweeps existed: caches stay valid."""
    graph = compile_program(load_program(QUICKSTART)).graph
    tasks = ("nli", "paraphrase", "sentiment", "pos", "ner", "qa", "choice")
    units = [u for langs in ("en", "*") for u in (f"mix(nli@{langs},paraphrase@{langs})", *(f"{t}@{langs}" for t in tasks))]
    expected = ["world", "tokenizer", "pretrain/base"]
    expected += [f"intermediate/{u}/seed=1" for u in units]
    expected += [f"target/{t}/{src}/seed=1" for t in ("nli", "paraphrase", "pos", "ner") for src in ("none", *units)]
    expected += ["gains", "similarity/text", "similarity/vocab", "correlate/1", "correlate/2"]
    assert [s.id for s in graph.steps] == expected


def test_single_task_params_keep_their_shape(tmp_path):
    steps = {s.id: s for s in compiled(tmp_path, STUDY).graph.steps}
    intermediate = steps["intermediate/nli@en/seed=1"]
    assert set(intermediate.params) == {"task", "languages", "train", "seed"}
    assert (intermediate.params["task"], intermediate.params["languages"]) == ("nli", ["en"])
    target = steps["target/pos/nli@en/seed=1"]
    assert set(target.params) == {"task", "train_languages", "eval_languages", "train", "seed"}
    assert dict(target.inputs) == {"encoder": "intermediate/nli@en/seed=1", "world": "world"}


def test_a_sweep_makes_one_step_family_per_grid_point(tmp_path):
    result = compiled(tmp_path, STUDY + "train target(lr: [1e-4, 5e-4])\ntrain intermediate(epochs: 1..2)\n")
    ids = [s.id for s in result.graph.steps]
    steps = {s.id: s for s in result.graph.steps}
    assert "intermediate/nli@en/epochs=1/seed=1" in ids and "intermediate/nli@en/epochs=2/seed=1" in ids
    assert steps["target/pos/none/lr=1e-4/seed=1"].params["train"]["lr"] == 1e-4
    run = steps["target/pos/nli@en/epochs=2/lr=5e-4/seed=1"]
    assert run.params["train"]["lr"] == 5e-4
    assert run.inputs["encoder"] == "intermediate/nli@en/epochs=2/seed=1"
    assert [f.label for f in result.families] == ["epochs=1/lr=1e-4", "epochs=1/lr=5e-4", "epochs=2/lr=1e-4", "epochs=2/lr=5e-4"]
    assert result.gains == "gains/epochs=1/lr=1e-4" and result.correlations == ("correlate/1/epochs=1/lr=1e-4",)
    gains = steps["gains/epochs=2/lr=5e-4"]
    assert gains.inputs["baselines"] == ("target/pos/none/lr=5e-4/seed=1",)
    assert gains.inputs["runs"] == ("target/pos/nli@en/epochs=2/lr=5e-4/seed=1", "target/pos/sentiment@en/epochs=2/lr=5e-4/seed=1")
    assert len(ids) == len(set(ids))
    assert sum(i.startswith("similarity/") for i in ids) == 1  # similarity does not depend on training


def test_the_same_parameter_swept_in_both_phases_is_named_by_phase(tmp_path):
    result = compiled(tmp_path, STUDY, ["train.target.lr=[1e-4,2e-4]", "train.intermediate.lr=[1e-3,2e-3]"])
    assert result.families[0].label == "intermediate.lr=1e-3/target.lr=1e-4"


def test_a_mix_is_one_training_step_with_the_agreed_params(tmp_path):
    text = STUDY + "tasks mixed = mix(toy.{nli, sentiment} @ en, sampling: temperature, temperature: 2.5)\n"
    steps = {s.id: s for s in compiled(tmp_path, text).graph.steps}
    step = steps["intermediate/mix[temperature=2.5](nli@en,sentiment@en)/seed=1"]
    assert step.op == "train.intermediate"
    assert {k: v for k, v in step.params.items() if k != "train"} == {
        "tasks": [{"task": "nli", "languages": ["en"]}, {"task": "sentiment", "languages": ["en"]}],
        "sampling": "temperature",
        "temperature": 2.5,
        "seed": 1,
    }
    assert "target/pos/mix[temperature=2.5](nli@en,sentiment@en)/seed=1" in steps
    uniform = compiled(tmp_path, STUDY + "tasks m = mix(toy.{nli, sentiment} @ en, sampling: uniform)\n").graph
    assert "intermediate/mix[uniform](nli@en,sentiment@en)/seed=1" in [s.id for s in uniform.steps]


@pytest.mark.parametrize(("value", "text"), [(1e-4, "1e-4"), (5e-4, "5e-4"), (0.1, "0.1"), (2e-5, "2e-5"), (3, "3"), (True, "true"), (1.5, "1.5"), (1e6, "1e6")])
def test_swept_values_read_as_written(value, text):
    assert format_value(value) == text
