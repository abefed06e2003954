"""The study-level protocol of real benchmarks (issue 19): what `check` catches before
training, retrieval targets scored inside a study (BUCC, LAReQA, Mewsli-X), dev-set
selection, translate-train intermediates and studies on partial data."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import REPO
from xitt.errors import ProgramError

FIXTURES = REPO.parent / "shared" / "fixtures"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="the shared real-format samples are not here")


def _check(tmp_path, text: str):
    from xitt.compile import compile_program
    from xitt.lang import load_program

    path = tmp_path / "study.xitt"
    path.write_text(text, encoding="utf-8")
    return compile_program(load_program(path))


def _errors(tmp_path, text: str) -> str:
    with pytest.raises(ProgramError) as error:
        _check(tmp_path, text)
    errors = getattr(error.value, "errors", [error.value])
    return "\n".join(f"{e.message} | {e.hint}" for e in errors)


HEAD = 'experiment s\nmodel base = hf("xlm-roberta-large")\ntasks i = hub.mnli @ en\n'


# --- mAP@20 (LAReQA, Mewsli-X) --------------------------------------------------------------------

def test_average_precision_by_hand():
    from xitt.models.ranking import average_precision_at, mean_average_precision

    scores = np.array([[0.9, 0.1, 0.8, 0.3], [0.2, 0.2, 0.2, 0.9]])
    # query 0: ranking 0, 2, 3, 1; relevant 2 and 3 at ranks 2 and 3: (1/2 + 2/3) / 2
    assert average_precision_at([0, 2, 3, 1], {2, 3}) == pytest.approx(7 / 12)
    assert average_precision_at([0, 2, 3, 1], {2, 3}, k=2) == pytest.approx(0.5 / 2)  # cut at 2: only rank 2
    # query 1: ties keep the earlier candidate first: 3, 0, 1, 2; one relevant (1) at rank 3: Mewsli-X's 1/rank
    assert mean_average_precision(scores, [{2, 3}, {1}]) == pytest.approx((7 / 12 + 1 / 3) / 2)
    assert mean_average_precision(scores, [{2, 3}, {1}], k=2) == pytest.approx((0.25 + 0) / 2)  # rank 3 > k
    assert average_precision_at([0, 1], set()) == 0.0 and mean_average_precision(scores[:0], []) == 0.0


# --- what check catches before training -------------------------------------------------------------

def test_xnli_trained_in_german_says_it_trains_on_english_mnli(tmp_path):
    text = _errors(tmp_path, HEAD + "tasks t = hub.xnli train @ de eval @ *\n")
    assert "XNLI trains on English MNLI" in text and "unknown language code" not in text
    text = _errors(tmp_path, HEAD + "tasks t = hub.xcopa train @ et eval @ *\n")
    assert "XCOPA trains on English SIQA, then COPA" in text


def test_xcopa_read_from_files_needs_its_stages_files(tmp_path):
    text = _errors(tmp_path, HEAD + 'tasks t = hub.xcopa train @ en eval @ *\ndata xcopa = local("x/{language}.jsonl")\n')
    assert "'siqa' and 'copa' have no data statement" in text
    assert 'data siqa = local("data/siqa/{split}.jsonl")' in text
    ok = (HEAD + 'tasks t = hub.xcopa train @ en eval @ *\ndata xcopa = local("x/{language}.jsonl")\n'
          'data siqa = local("siqa.jsonl")\ndata copa = local("copa.jsonl")\n')
    assert _check(tmp_path, ok).graph


def test_every_xtreme_r_target_has_a_metric_the_study_computes(tmp_path):
    from xitt.tasks.registry import SCORED_METRICS, lookup

    for name in ("xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "mewsli_x", "lareqa", "bucc", "pawsx"):
        assert lookup(name).info.metric in SCORED_METRICS, name
    assert _check(tmp_path, HEAD + "tasks t = hub.{lareqa, mewsli_x, bucc} train @ en eval @ *\n").graph


def test_bucc_reads_its_dev_split_for_the_threshold(tmp_path):
    steps = {s.id: s for s in _check(tmp_path, HEAD + "tasks t = hub.bucc train @ en eval @ {de}\n").graph.steps}
    assert steps["target/bucc/none/seed=1"].inputs["eval"] == ("data/bucc/de/dev", "data/bucc/de/test")


@needs_fixtures
def test_english_translate_train_pawsx_reads_the_original_with_the_documented_template():
    from xitt.tasks import load, local

    source = local(str(FIXTURES / "pawsx" / "{language}" / "translated_train.tsv"))
    english = load("pawsx_translate_train", "en", "train", source)
    assert english.origin.endswith("en/train.tsv") and len(english.examples) == 4
    assert load("pawsx_translate_train", "de", "train", source).origin.endswith("de/translated_train.tsv")


# --- dev sets select the weights (the zero-shot protocol: English dev) ------------------------------

def test_training_steps_read_the_english_dev_set_their_protocol_selects_on(tmp_path):
    text = HEAD + "tasks m = hub.xnli_translate_train @ {en, de}\ntasks t = hub.{xnli, xquad, xcopa, tydiqa, panx, tatoeba} train @ en eval @ *\n"
    steps = {s.id: s for s in _check(tmp_path, text).graph.steps}
    dev = {step.split("/")[1]: steps[step].inputs.get("dev") for step in steps if step.startswith("target/") and "/none/" in step}
    assert dev == {"xnli": ("data/xnli/en/dev",),  # XNLI's own English dev set, though it trains on MNLI
                   "xquad": ("data/squad_v1/en/dev",),  # no dev set of its own: SQuAD's
                   "xcopa": ("data/copa/en/dev",),  # its last stage's
                   "tydiqa": None, "tatoeba": None,  # the benchmark selects nothing (TyDiQA's dev set is its test set)
                   "panx": ("data/panx/en/dev",)}
    assert steps["intermediate/mnli@en/seed=1"].inputs["dev"] == ("data/mnli/en/dev",)
    assert steps["intermediate/xnli_translate_train@en+de/seed=1"].inputs["dev"] == ("data/xnli_translate_train/en/dev",)
    last = _check(tmp_path, text.replace("tasks t =", "train target(select: last)\ntasks t ="))
    assert all("dev" not in s.inputs for s in last.graph.steps if s.op == "train.target")


def test_files_without_a_split_in_their_path_give_no_dev_set(tmp_path):
    text = HEAD + 'tasks t = hub.panx train @ en eval @ *\ndata mnli = local("mnli.jsonl")\ndata panx = local("panx/{language}.{split}")\n'
    steps = {s.id: s for s in _check(tmp_path, text).graph.steps}
    assert "dev" not in steps["intermediate/mnli@en/seed=1"].inputs  # one file for every split: nothing to select on
    assert steps["target/panx/none/seed=1"].inputs["dev"] == ("data/panx/en/dev",)
    text = text.replace('local("mnli.jsonl")', 'local("mnli.jsonl", dev: "mnli_dev.jsonl")')
    assert {s.id: s for s in _check(tmp_path, text).graph.steps}["intermediate/mnli@en/seed=1"].inputs["dev"] == ("data/mnli/en/dev",)


def test_early_stopping_ends_the_run_and_keeps_the_best_weights():
    import torch

    from xitt.models.loop import LoopSettings, train

    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    batches = [np.arange(4)] * 10
    x, y = torch.randn(4, 2), torch.randn(4, 1)
    scores = iter([0.5, 0.9, 0.7, 0.6, 0.8])  # best at the 2nd evaluation, then two worse ones
    kept = {}

    def select() -> float:
        score = next(scores)
        kept[score] = model.weight.detach().clone()
        return score

    loss = lambda rows: torch.nn.functional.mse_loss(model(x[rows]), y[rows])  # noqa: E731
    result = train(model, batches, loss, LoopSettings(1e-2, 0.0, evaluations=5, patience=2), torch.device("cpu"), select=select)
    assert (result.best_score, result.best_step, result.stopped_step) == (0.9, 4, 8)  # evaluations at steps 2, 4, 6, 8
    assert torch.equal(model.weight, kept[0.9])
    result = train(model, batches, loss, LoopSettings(1e-2, 0.0, evaluations=5), torch.device("cpu"),
                   select=lambda: 0.0)
    assert result.stopped_step is None  # no patience: runs to the end


def test_patience_at_its_default_changes_no_step_key(tmp_path):
    from tests.conftest import TINY

    steps = _check(tmp_path, TINY).graph.steps
    assert all("patience" not in s.params.get("train", {}) for s in steps)
    patient = _check(tmp_path, TINY.replace("train target(lr: 1e-3,", "train target(patience: 2, lr: 1e-3,")).graph.steps
    assert any(s.params.get("train", {}).get("patience") == 2 for s in patient)


# --- partial data: plan says what is missing, the study runs on the rest ----------------------------

PARTIAL = """\
experiment partial
model base = hf("ckpt")
tasks english = hub.{mnli, ccg} @ en
tasks multi = hub.xnli_translate_train @ {en, de, fr}
tasks targets = hub.{panx @ {en, de, fr}, xquad @ {en, de, zh}, tatoeba @ {de}} train @ en eval @ *
data mnli = local("data/mnli_{split}.jsonl")
data xnli_translate_train = local("data/mt.{language}.tsv")
data squad_v1 = local("data/squad_{split}.json")
data panx = local("data/panx.{language}.{split}")
data xquad = local("data/xquad.{language}.json")
data tatoeba = local("data/tatoeba.{code}-eng")
"""


def _partial(tmp_path):
    for name in ("mnli_train.jsonl", "mt.en.tsv", "mt.de.tsv", "squad_train.json", "panx.en.train", "panx.en.dev",
                 "panx.en.test", "panx.de.test", "xquad.en.json", "xquad.de.json"):
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / name).write_text("", encoding="utf-8")
    (tmp_path / "partial.xitt").write_text(PARTIAL, encoding="utf-8")
    from xitt.compile.coverage import data_probe, restrict
    from xitt.lang import load_program

    program = load_program(tmp_path / "partial.xitt")
    return program, *restrict(program, data_probe(program))


def test_missing_data_is_listed_and_the_study_narrowed_to_the_rest(tmp_path):
    from xitt.compile import compile_program

    program, narrowed, coverage = _partial(tmp_path)
    missing = {(m.task, m.language, m.split) for m in coverage.missing}
    assert missing == {("ccg", "en", "train"),  # no hub copy, no data statement
                       ("mnli", "en", "dev"), ("squad_v1", "en", "dev"),  # dev sets: the last weights are kept
                       ("xnli_translate_train", "fr", "train"),
                       ("panx", "fr", "test"), ("xquad", "zh", "test"),
                       ("tatoeba", "de", "test")}  # the pair of files is not there
    assert all("does not exist" in m.reason or "no hub copy" in m.reason for m in coverage.missing)
    assert coverage.targets["panx"] == {"status": "partial", "why": "scored on 2 of 3 languages", "missing": ["panx fr test"],
                                        "languages": ["en", "de"]}
    assert coverage.targets["tatoeba"]["status"] == "not run"
    assert coverage.units["ccg@en"]["status"] == "not run"
    assert coverage.units["xnli_translate_train@en+de+fr"]["status"] == "partial"
    assert set(coverage.selection) == {"unit mnli@en", "target xquad"}
    steps = {s.id: s for s in compile_program(narrowed, coverage).graph.steps}
    assert steps["target/panx/none/seed=1"].params["eval_languages"] == ["en", "de"]
    assert steps["target/xquad/none/seed=1"].params["eval_languages"] == ["en", "de"]
    assert "dev" not in steps["target/xquad/none/seed=1"].inputs  # SQuAD's dev file is missing: no selection
    assert steps["target/panx/none/seed=1"].inputs["dev"] == ("data/panx/en/dev",)
    assert not any(s.startswith(("target/tatoeba", "intermediate/ccg")) for s in steps)
    assert steps["intermediate/xnli_translate_train@en+de/seed=1"].params["languages"] == ["en", "de"]
    assert steps["gains"].params["coverage"] == coverage.to_json()
    complete = compile_program(program)  # without a coverage the compiler makes every step
    assert any(s.id.startswith("target/tatoeba") for s in complete.graph.steps)
    assert "coverage" not in {s.id: s for s in complete.graph.steps}["gains"].params


def test_plan_lists_what_is_missing_and_all_or_nothing_refuses(tmp_path):
    import os
    import subprocess
    import sys

    _partial(tmp_path)
    env = {**os.environ, "COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    plan = subprocess.run([sys.executable, "-m", "xitt.cli", "plan", "partial.xitt"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "missing: 7 pieces of data" in plan.stdout
    assert "panx fr test: " in plan.stdout and "target tatoeba: not run" in plan.stdout
    refused = subprocess.run([sys.executable, "-m", "xitt.cli", "run", "partial.xitt", "--all-or-nothing"], cwd=tmp_path,
                             env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    flat = " ".join((refused.stdout + refused.stderr).split())
    assert "study partial is missing 7 pieces of data" in flat and "xquad zh test" in flat
    assert not (tmp_path / ".xitt").exists() or not any((tmp_path / ".xitt").rglob("meta.json"))  # nothing ran


def test_the_report_says_what_was_left_out():
    from xitt.report.coverage import coverage_notes

    gains = {"train_languages": {"panx": ["en"], "xnli": ["en"]}, "no_zero_shot": ["panx"],
             "coverage": {"targets": {"xnli": {"status": "partial", "why": "scored on 2 of 3 languages",
                                               "missing": ["xnli fr test"], "languages": ["en", "de"]}},
                          "units": {"ccg@en": {"status": "not run", "why": "no training data", "missing": ["ccg en train"]}},
                          "selection": {"target xquad": ["squad_v1 en dev"]}}}
    notes = coverage_notes(gains)
    assert notes == [
        "target xnli: scored on en, de only (its score averages these languages; missing: xnli fr test)",
        "intermediate ccg@en: not run, no training data: ccg en train",
        "target xquad: no dev set (squad_v1 en dev), the last weights are kept",
        "target panx: no zero-shot language was scored (only en, which it trains on), so it has no gain",
    ]
    assert coverage_notes({"train_languages": {}}) == []


def test_a_target_scored_in_no_zero_shot_language_is_named_by_the_gains_step():
    from xitt.ops.statistics import _unscored

    runs = [{"task": "panx", "scores": {"en": 0.5}}, {"task": "xnli", "scores": {"en": 0.5, "de": 0.4}}]
    assert _unscored(runs, [], {"panx": ["en"], "xnli": ["en"]}) == {"no_zero_shot": ["panx"]}
    assert _unscored(runs[1:], [], {"xnli": ["en"]}) == {}


# --- the mission's study on every XTREME-R target ------------------------------------------------

def test_the_mission_study_checks_and_plans_offline(tmp_path):
    import os
    import subprocess
    import sys

    study = tmp_path / "xtreme_r_multilingual.xitt"
    study.write_text((REPO / "experiments" / "xtreme_r_multilingual.xitt").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "COLUMNS": "200"}
    for command in ("check", "plan"):
        done = subprocess.run([sys.executable, "-m", "xitt.cli", command, study.name], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    per_op = done.stdout[done.stdout.index("steps per op"):]
    counts = {line.split("│")[1].strip(): int(line.split("│")[2]) for line in per_op.splitlines() if line.startswith("│")}
    # no Mewsli-X files here: nine targets run, each after no intermediate and after each of the 12 units that
    # have data (CCG's files are not here either), for three seeds
    assert counts["train.target"] == 9 * 13 * 3 and counts["train.intermediate"] == 12 * 3
    assert counts["stats.correlate"] == 2 and sum(op.startswith("similarity.") for op in counts) == 5
    assert "target mewsli_x: not run" in done.stdout and "ccg en train" in done.stdout


def test_the_mission_study_compares_english_with_multilingual_intermediate_tasks(tmp_path):
    compiled = _check(tmp_path, (REPO / "experiments" / "xtreme_r_multilingual.xitt").read_text(encoding="utf-8"))
    targets = {s.params["task"] for s in compiled.graph.steps if s.op == "train.target"}
    assert targets == {"xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "mewsli_x", "lareqa"}
    assert len(compiled.sets["english"]) == 9 and len(compiled.sets["multilingual"]) == 3
    xnli_mt = next(u for u in compiled.units.values() if getattr(u, "task", None) == "xnli_translate_train")
    assert len(xnli_mt.languages) == 15  # every language XTREME translated MNLI into, and English
    correlate = [s for s in compiled.graph.steps if s.op == "stats.correlate"]
    assert {s.params["per"] for s in correlate} == {"target", "pooled"}
    assert all(s.params["compare"] == [["english", "multilingual"]] for s in correlate)


# --- LAReQA and Mewsli-X train a dual encoder (XTREME-R's run_retrieval_qa.py) ----------------------

def test_dual_encoder_pairs_and_in_batch_loss_by_hand():
    import math

    import torch

    from xitt.models.dual_encoder import LOGIT_SCALE, answer_sentence, in_batch_loss, training_pairs
    from xitt.tasks.formats import Format, TaskInfo

    context = "Paris is in France. It has 2 million people! Berlin is big."
    assert answer_sentence(context, context.index("2 million")) == "It has 2 million people!"
    assert answer_sentence(context, 0) == "Paris is in France." and answer_sentence(context, len(context) - 2) == "Berlin is big."
    qa = TaskInfo("squad_v1", Format.QA, (), "em_f1")
    example = {"id": "q", "question": "How many?", "context": context, "answers": {"text": ["2 million"], "answer_start": [context.index("2 million")]}}
    assert training_pairs(qa, [example]) == [("How many?", "It has 2 million people!" + context)]
    retrieval = TaskInfo("mewsli_x", Format.RETRIEVAL, (), "map@20")
    rows = [{"id": "Q1", "text": "m1", "side": "query"}, {"id": "Q9", "text": "lost", "side": "query"},
            {"id": "Q1", "text": "entity one", "side": "candidate"}]
    assert training_pairs(retrieval, rows) == [("m1", "entity one")]  # a query without its entity gives no pair
    # two pairs at right angles, each query equal to its candidate: logits 100 on the diagonal, 0 off it
    q = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    expected = math.log(1 + math.exp(-LOGIT_SCALE))  # -log softmax of the right candidate
    assert in_batch_loss(q, q).item() == pytest.approx(expected, abs=1e-6)
    assert in_batch_loss(q, q.flip(0)).item() == pytest.approx(LOGIT_SCALE + expected, rel=1e-6)  # every query's wrong one first


def test_lareqa_and_mewsli_x_targets_train_a_dual_encoder(tmp_path):
    text = HEAD + "tasks t = hub.{lareqa, mewsli_x, tatoeba} train @ en eval @ *\n"
    steps = {s.id: s for s in _check(tmp_path, text).graph.steps}
    assert steps["target/lareqa/none/seed=1"].params["objective"] == "dual_encoder"
    assert steps["target/lareqa/none/seed=1"].inputs["data"] == ("data/squad_v1/en/train",)
    assert steps["target/mewsli_x/none/seed=1"].inputs["data"] == ("data/mewsli_x/en/train",)
    assert "objective" not in steps["target/tatoeba/none/seed=1"].params  # Tatoeba: SQuAD as extractive QA


def test_a_study_left_with_no_target_is_one_clear_error(tmp_path):
    from xitt.compile.coverage import data_probe, restrict
    from xitt.errors import UserError
    from xitt.lang import load_program

    path = tmp_path / "s.xitt"
    path.write_text(HEAD + 'tasks t = hub.panx train @ en eval @ *\ndata panx = local("nowhere/{language}.{split}")\n'
                    'data mnli = local("nowhere/mnli.jsonl")\n', encoding="utf-8")
    program = load_program(path)
    with pytest.raises(UserError, match="cannot run: no intermediate task has its data") as error:
        restrict(program, data_probe(program))
    assert "mnli en train" in error.value.message


def test_a_missing_dev_set_matters_only_where_weights_are_selected(tmp_path):
    program, _, coverage = _partial(tmp_path)
    assert set(coverage.selection) == {"unit mnli@en", "target xquad"}
    path = tmp_path / "partial.xitt"
    path.write_text(PARTIAL + "train intermediate(select: last)\ntrain target(select: last)\n", encoding="utf-8")
    from xitt.compile.coverage import data_probe, restrict
    from xitt.lang import load_program

    program = load_program(path)
    _, coverage = restrict(program, data_probe(program))
    assert coverage.selection == {} and not any(m.split == "dev" for m in coverage.missing)


@needs_fixtures
def test_a_path_without_its_language_for_a_task_kept_per_language_is_an_error(tmp_path):
    """PAWS-X keeps each language in its own folder: a `local(...)` path naming no {language}
    would score English test data as every language's. plan stops with one clear paragraph."""
    import os
    import subprocess
    import sys

    (tmp_path / "nolang.xitt").write_text(
        'experiment nolang\nmodel base = hf("xlm-roberta-base")\ntasks english = hub.{mnli} @ en\n'
        "tasks targets = hub.{pawsx} train @ en eval @ *\n"
        f'data pawsx = local("{FIXTURES}/pawsx/en/{{split}}.tsv", dev: "dev_2k", test: "test_2k")\n'
        "train intermediate(lr: 1e-5, epochs: 1, batch: 8)\ntrain target(lr: 1e-5, epochs: 1, batch: 8)\nseeds 1\n")
    env = {**os.environ, "COLUMNS": "200", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "plan", "nolang.xitt"], cwd=tmp_path, env=env, capture_output=True, text=True)
    flat = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0 and "Traceback" not in flat
    assert "every language would read the same file" in flat and "write {language}" in flat
