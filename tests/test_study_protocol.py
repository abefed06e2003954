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
