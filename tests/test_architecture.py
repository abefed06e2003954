"""The layers keep their promises: the language and the compiler load no torch nor numpy,
and every op declares the type of its params, which reads back exactly what the compiler
passes (so what an op reads is written down once, not inferred from dict keys)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from xitt.compile import compile_program
from xitt.engine.keys import canonical_json
from xitt.engine.registry import get_op
from xitt.lang import load_program
from xitt.measures import MEASURES

# every measure, a mixture with temperature sampling, a sweep: every op of a toy study
EVERY_OP = """\
experiment every_op
world toy(languages: 3, seed: 1)
model base = toy_mlm(layers: 1, hidden: 32)
tasks english = toy.{nli, sentiment} @ en
tasks mixed = mix(toy.{nli, sentiment} @ *, sampling: temperature, temperature: 3)
tasks targets = toy.{pos, nli} train @ en eval @ *
train intermediate(epochs: [1, 2])
train target(patience: 2)
seeds 1, 2
""" + "".join(f"similarity s_{name} = {name}()\n" for name in MEASURES) + """\
correlate spearman, kendall(similarity.*, gain) per pooled with permutation(100), adjust(bh)
compare english vs mixed
"""

# registered real tasks read from local files: task.load, model.hf, benchmark stages
REAL = """\
experiment real
model base = hf("xlm-roberta-large")
tasks english = hub.{mnli, squad_v1} @ en
tasks targets = hub.{xnli, pawsx, tatoeba} train @ en eval @ *
data xnli = local("files/xnli.{split}.tsv", dev: "dev")
train target(epochs: 3)
"""


def test_the_language_and_the_compiler_load_neither_torch_nor_numpy():
    code = ("import sys, xitt.lang, xitt.compile, xitt.study; "
            "print(sorted(m for m in ('torch', 'numpy', 'scipy', 'transformers') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert loaded.strip() == "[]"


def _graphs(tmp_path):
    for name in ("quickstart", "phang2020", "xtreme_r_multilingual"):
        yield compile_program(load_program(REPO / "experiments" / f"{name}.xitt")).graph
    for name, text in (("every_op", EVERY_OP), ("real", REAL)):
        path = tmp_path / f"{name}.xitt"
        path.write_text(text)
        yield compile_program(load_program(path)).graph


def test_every_op_declares_the_params_the_compiler_passes(tmp_path):
    import xitt.ops  # noqa: F401  (registers the ops)

    seen = set()
    for graph in _graphs(tmp_path):
        for step in graph.steps:
            declared = get_op(step.op).params
            assert declared is not None, f"op {step.op} declares no params type"
            again = declared.from_json(step.params).to_json()
            assert canonical_json(again) == canonical_json(dict(step.params)), step.id
            seen.add(step.op)
    assert {f"similarity.{name}" for name in MEASURES} <= seen
    assert {"world.generate", "model.tokenizer", "model.pretrain", "model.hf", "task.load", "train.intermediate",
            "train.target", "stats.gains", "stats.correlate"} <= seen


def test_a_params_type_rejects_a_key_it_does_not_declare():
    import xitt.ops  # noqa: F401

    from xitt.signature import UnknownParams

    with pytest.raises(UnknownParams, match="lr_typo"):
        get_op("train.target").params.from_json(
            {"task": "pos", "train_languages": ["en"], "eval_languages": ["en"], "train": {"lr_typo": 1.0}, "seed": 1})
