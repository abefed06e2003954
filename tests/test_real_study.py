"""A real study by names alone, pointed at local files: registered tasks (MNLI and SQuAD as
intermediates; XNLI, PAN-X, XQuAD and Tatoeba as targets) read from the real-format
samples in ../shared/fixtures, a tiny local XLM-R checkpoint as `hf("ckpt")`, run offline
through the command line. Scores per evaluation language, gains, similarities, no traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

FIXTURES = REPO.parent / "shared" / "fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="needs the real-format samples in ../shared/fixtures")

STUDY = """\
experiment real

model base = hf("ckpt")

tasks english = hub.{mnli, squad_v1} @ en
tasks targets = hub.{xnli @ {en, de, fr}, panx @ {en, de}, xquad @ {en, de}, tatoeba @ {de, sw}} train @ en eval @ *

data mnli     = local("data/mnli/multinli_1.0_{split}.jsonl", dev: "dev_matched")
data squad_v1 = local("data/xquad/xquad.en.json")
data xnli     = local("data/xnli/xnli.{split}.tsv")
data panx     = local("data/panx/{language}.{split}")
data xquad    = local("data/xquad/xquad.{language}.json")
data tatoeba  = local("data/tatoeba/tatoeba.{code}-eng")

train intermediate(lr: 1e-3, epochs: 1, batch: 8, max_length: 128)
train target(lr: 1e-3, epochs: 1, batch: 8, max_length: 128)
seeds 1

similarity text  = text_embedding(pool: mean, samples: 16)
similarity vocab = vocabulary(measure: jensen_shannon)

correlate spearman(similarity.*, gain) per pooled with permutation(100)

report table to "reports/real"
"""

EVAL = {"xnli": {"en", "de", "fr"}, "panx": {"en", "de"}, "xquad": {"en", "de"}, "tatoeba": {"de", "sw"}}


def _texts(folder: Path) -> list[str]:
    """Every line of the copied samples: enough text for a tiny tokenizer's vocabulary."""
    return [line for path in sorted(folder.rglob("*")) if path.is_file() for line in path.read_text(encoding="utf-8").splitlines()]


PANX_DE = """\
de:Angela\tB-PER
de:Merkel\tI-PER
de:besuchte\tO
de:Paris\tB-LOC
de:.\tO

de:Die\tO
de:Deutsche\tB-ORG
de:Bahn\tI-ORG
de:fährt\tO
de:nach\tO
de:Berlin\tB-LOC
de:.\tO

de:Thomas\tB-PER
de:Mann\tI-PER
de:lebte\tO
de:in\tO
de:München\tB-LOC
de:.\tO
"""


def _shorten(data: Path) -> None:
    """Keep the run short: the first paragraphs of XQuAD (whose English copy also stands in
    for SQuAD v1.1's training file, the same format), the first Tatoeba lines, and a German
    PAN-X test file written here (the samples hold English only) for a zero-shot language."""
    for path in (data / "xquad").glob("*.json"):
        squad = json.loads(path.read_text(encoding="utf-8"))
        squad["data"] = [{**squad["data"][0], "paragraphs": squad["data"][0]["paragraphs"][:4]}]
        path.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    for path in (data / "tatoeba").iterdir():
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:150]), encoding="utf-8")
    (data / "panx" / "de.test").write_text(PANX_DE, encoding="utf-8")
    # XNLI's English dev set selects the XNLI model (the samples hold the test file only; the
    # release's dev file has the same columns)
    (data / "xnli" / "xnli.dev.tsv").write_text((data / "xnli" / "xnli.test.tsv").read_text(encoding="utf-8"), encoding="utf-8")


def _checkpoint(directory: Path) -> None:
    """A tiny XLM-R masked LM with a BPE-style tokenizer using XLM-R's special tokens,
    saved as a hub checkpoint is (config, safetensors, tokenizer files)."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM

    from xitt.models.tokenizer import load_tokenizer, train_tokenizer

    train_tokenizer(_texts(directory.parent / "data"), 1500, directory / "tokenizer.json")
    tokenizer = load_tokenizer(directory / "tokenizer.json")
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=514, pad_token_id=1, bos_token_id=0, eos_token_id=2)
    XLMRobertaForMaskedLM(config).save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)


@pytest.fixture(scope="module")
def real_study(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("real")
    for folder in ("mnli", "xnli", "panx", "xquad", "tatoeba"):
        shutil.copytree(FIXTURES / folder, root / "data" / folder)
    for path in (root / "data").rglob("*"):  # the samples are read-only; the copies need not be
        path.chmod(0o755 if path.is_dir() else 0o644)
    _shorten(root / "data")
    _checkpoint(root / "ckpt")
    (root / "real.xitt").write_text(STUDY, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", "real.xitt", "--quiet"],
                          capture_output=True, text=True, cwd=root, env=env)
    return root, done


def _results(root: Path) -> dict:
    return json.loads((root / "reports" / "real" / "results.json").read_text(encoding="utf-8"))


def _step_results(root: Path, op: str) -> dict[str, dict]:
    """step id -> result of every finished step of ``op`` in the study's store."""
    found = {}
    for meta in (root / ".xitt").rglob("meta.json"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        if data.get("op") == op:
            found[data["step"]] = json.loads((meta.parent / "result.json").read_text(encoding="utf-8"))
    return found


@pytest.mark.slow
def test_real_study_runs_offline_from_local_files(real_study):
    root, done = real_study
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    targets = _step_results(root, "train.target")
    assert len(targets) == 4 * 3  # four targets, each after no, MNLI and SQuAD intermediate training
    for step, result in targets.items():
        task = result["task"]
        assert set(result["scores"]) == EVAL[task], step
        assert all(0.0 <= s <= 1.0 for s in result["scores"].values()), step
    xnli = next(r for s, r in targets.items() if s.startswith("target/xnli/none/"))
    assert xnli["stages"] == ["mnli"] and xnli["examples"] > 0  # XNLI trains on MNLI
    tatoeba = next(r for s, r in targets.items() if s.startswith("target/tatoeba/none/"))
    assert tatoeba["stages"] == ["squad_v1"]  # XTREME-R scores Tatoeba after SQuAD training
    xquad = next(r for s, r in targets.items() if s.startswith("target/xquad/none/"))
    for metrics in xquad["metrics"].values():  # the benchmark averages EM and F1
        assert metrics["score"] == pytest.approx((metrics["exact_match"] + metrics["f1"]) / 2)
    panx = next(r for s, r in targets.items() if s.startswith("target/panx/none/"))
    assert {"precision", "recall", "f1"} <= set(panx["metrics"]["en"])  # seqeval spans for NER


@pytest.mark.slow
def test_real_study_computes_gains_and_similarities(real_study):
    root, done = real_study
    assert done.returncode == 0, done.stdout + done.stderr
    gains = _step_results(root, "stats.gains")
    assert len(gains) == 1
    results = _results(root)
    summary = {(r["intermediate"], r["target"]) for r in results["gains"]["summary"]}
    assert summary == {(i, t) for i in ("mnli@en", "squad_v1@en") for t in EVAL}  # every target has a zero-shot language
    assert set(results["similarities"]) == {"text", "vocab"}
    for similarity in results["similarities"].values():
        assert set(similarity["values"]) == {"mnli@en", "squad_v1@en"}
        assert all(set(row) == set(EVAL) for row in similarity["values"].values())
    text = results["similarities"]["text"]["values"]
    assert all(-1.0 <= v <= 1.0 + 1e-6 for row in text.values() for v in row.values())
    vocab = results["similarities"]["vocab"]["measured"]  # XNLI is compared through its own English test data, not MNLI's
    assert results["similarities"]["vocab"]["values"]["mnli@en"]["xnli"] == -vocab["mnli@en"]["xnli"]  # a distance, read negated
    assert 0.0 < vocab["mnli@en"]["xnli"] < 1.0 and 0.0 < vocab["squad_v1@en"]["tatoeba"] < 1.0


PANX_DE_MORE = "de:Anna\tB-PER\nde:lacht\tO\nde:.\tO\n"


@pytest.mark.slow
def test_editing_one_language_data_file_reruns_exactly_the_steps_that_read_it(real_study):
    """A sentence added to the German PAN-X test file: plan names the file, and the run
    executes its load step and what depends on it, nothing else; the new sentence is read."""
    from tests.conftest import run_file
    from xitt.compile import compile_program
    from xitt.lang import load_program

    root, done = real_study
    assert done.returncode == 0, done.stdout + done.stderr
    path = root / "data" / "panx" / "de.test"
    original = path.read_text(encoding="utf-8")
    graph = compile_program(load_program(root / "real.xitt")).graph
    assert ("data/panx/de/test", (str(path),)) in {(s.id, s.external) for s in graph}
    downstream = {"data/panx/de/test"}
    for step in graph:  # every step that reads the file's load step, directly or not
        if downstream & set(step.input_ids()):
            downstream.add(step.id)
    try:
        path.write_text(original + "\n" + PANX_DE_MORE, encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "250"}
        planned = subprocess.run([sys.executable, "-m", "xitt.cli", "plan", "real.xitt"], capture_output=True, text=True,
                                 cwd=root, env=env)
        assert "input changed: data/panx/de.test" in planned.stdout, planned.stdout
        assert "1 to run" in planned.stdout
        summary = run_file(root / "real.xitt")
        assert "data/panx/de/test" in summary.executed and set(summary.executed) <= downstream
        assert {s for s in downstream if s.startswith("target/panx/")} <= set(summary.executed)
        from xitt.engine.store import Store

        with Store(root) as store:
            assert store.get(summary.keys["data/panx/de/test"]).result["examples"] == 4  # three sentences and the new one
    finally:
        path.write_text(original, encoding="utf-8")  # the same content again: the old keys, cached


@pytest.mark.slow
def test_status_verify_catches_a_data_file_replaced_behind_the_same_size_and_mtime(real_study):
    root, done = real_study
    assert done.returncode == 0, done.stdout + done.stderr
    path = root / "data" / "panx" / "de.test"
    original, stat = path.read_text(encoding="utf-8"), path.stat()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "250"}

    def status(*extra):
        return subprocess.run([sys.executable, "-m", "xitt.cli", "status", "real.xitt", *extra], capture_output=True,
                              text=True, cwd=root, env=env)

    try:
        assert status().returncode == 0
        path.write_text(original.replace("Angela", "Angelo"), encoding="utf-8")  # same length
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: only the content tells
        fooled = status()
        assert fooled.returncode == 0 and "replaced" not in fooled.stdout  # the fast path trusts size and mtime
        verified = status("--verify")
        assert verified.returncode == 1, verified.stdout + verified.stderr
        assert "replaced" in verified.stdout and "de.test" in verified.stdout
        assert "input changed data/panx/de.test (read by data/panx/de/test)" in verified.stdout
    finally:
        path.write_text(original, encoding="utf-8")  # a new mtime: hashed again, the old keys come back


def test_hf_checkpoint_in_the_experiment_folder_is_read_from_there(tmp_path):
    """`hf("ckpt")` means the experiment's ckpt folder wherever xitt runs; a hub id stays one."""
    from xitt.compile import compile_program
    from xitt.lang import load_program

    (tmp_path / "ckpt").mkdir()
    path = tmp_path / "s.xitt"
    path.write_text('experiment s\nmodel base = hf("ckpt")\ntasks i = hub.mnli @ en\ntasks t = hub.xnli train @ en eval @ en\n', encoding="utf-8")
    steps = {s.op: s for s in compile_program(load_program(path)).graph.steps}
    assert steps["model.hf"].params["name"] == str(tmp_path / "ckpt")
    path.write_text('experiment s\nmodel base = hf("org/model")\ntasks i = hub.mnli @ en\ntasks t = hub.xnli train @ en eval @ en\n', encoding="utf-8")
    steps = {s.op: s for s in compile_program(load_program(path)).graph.steps}
    assert steps["model.hf"].params["name"] == "org/model"


@pytest.mark.slow
def test_world_measures_compare_a_retrieval_target_through_its_test_sentences(tiny_study, tmp_path):
    """The world's retrieval task has no training data: data-level measures read its test
    sentences (in its training language) instead of failing."""
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.compile import compile_program
    from xitt.engine.graph import Graph, Step
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store
    from xitt.lang import load_program

    shutil.copytree(tiny_study.parent, tmp_path / "study", symlinks=True)
    steps = compile_program(load_program(tiny_study)).graph.steps
    vocab = next(s for s in steps if s.op == "similarity.vocabulary")
    targets = [*vocab.params["targets"], {"label": "retrieval", "task": "retrieval", "languages": ["en"], "eval_languages": ["en", "qaa"]}]
    measures = [Step(f"similarity/{name}", f"similarity.{name}", {**params, "intermediates": vocab.params["intermediates"], "targets": targets},
                     {**vocab.inputs, **extra})
                for name, params, extra in (("vocabulary", {k: v for k, v in vocab.params.items() if k not in ("intermediates", "targets")}, {}),
                                            ("typology", {"features": "syntactic", "source": "world", "target_languages": "train"}, {}))]
    world = next(s for s in steps if s.op == "world.generate")
    with Store(tmp_path / "study") as store:
        summary = run(Graph((world, *measures)), store)
        values = {m.id: store.get(summary.keys[m.id]).result["values"] for m in measures}
    for result in values.values():
        assert all(0.0 <= row["retrieval"] <= 1.0 for row in result.values())
    assert values["similarity/typology"]["nli@en"]["retrieval"] == 0.0  # English against English


XCOPA_STUDY = """\
experiment xc
model base = hf("ckpt")
tasks english = hub.copa @ en
tasks targets = hub.{xcopa @ {et, sw}} train @ en eval @ *
data siqa  = local("data/siqa.jsonl")
data copa  = local("data/copa.jsonl")
data xcopa = local("data/xcopa/val.{language}.jsonl")
train intermediate(lr: 1e-3, epochs: 1, batch: 8, max_length: 64)
train target(lr: 1e-3, epochs: 1, batch: 8, max_length: 64)
"""


@pytest.mark.slow
def test_xcopa_trains_on_siqa_then_copa(real_study, tmp_path):
    """XTREME-R's XCOPA protocol: SIQA (3 answers), then COPA (2), then zero-shot XCOPA;
    SIQA's files are declared though no task set names it (it is XCOPA's training data).
    SIQA and COPA rows are written here in the hub's columns (no samples exist)."""
    root, _ = real_study
    shutil.copytree(root / "ckpt", tmp_path / "ckpt")
    shutil.copytree(FIXTURES / "xcopa", tmp_path / "data" / "xcopa")
    for path in (tmp_path / "data").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
        if path.is_file():
            path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:30]), encoding="utf-8")
    siqa = [{"context": f"Tracy went to store {i}.", "question": "What will Tracy want to do next?", "answerA": "buy food",
             "answerB": "sleep on the floor", "answerC": "fly away", "label": str(1 + i % 3)} for i in range(12)]
    copa = [{"premise": f"The man broke toe {i}.", "choice1": "He dropped a hammer on his foot.", "choice2": "He got a hole in his sock.",
             "question": "cause" if i % 2 else "effect", "label": i % 2, "idx": i} for i in range(12)]
    for name, rows in (("siqa", siqa), ("copa", copa)):
        (tmp_path / "data" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "xc.xitt").write_text(XCOPA_STUDY, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", "xc.xitt", "--quiet"], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    targets = _step_results(tmp_path, "train.target")
    assert len(targets) == 2
    for result in targets.values():
        assert result["stages"] == ["siqa", "copa"] and result["examples"] == 24
        assert set(result["scores"]) == {"et", "sw"} and all(0.0 <= s <= 1.0 for s in result["scores"].values())
