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
