"""Real tasks: the registry, every reader on the real-format samples, schema checks, and
the message a user gets when data is missing. Never reaches the network."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from xitt.errors import UserError  # noqa: E402
from xitt.tasks.formats import Format  # noqa: E402
from xitt.tasks.registry import get, hub_task, lookup, names  # noqa: E402
from xitt.tasks.spec import columns  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="the shared real-format samples are not here")

PHANG_INTERMEDIATES = ("anli_plus", "mnli", "qqp", "squad_v1", "squad_v2", "hellaswag", "commonsenseqa", "cosmosqa", "ccg")
XTREME_R_TARGETS = ("xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "mewsli_x", "lareqa")


# --- registry ---------------------------------------------------------------------------------


def test_registry_holds_every_benchmark_task():
    registered = set(names())
    assert set(XTREME_R_TARGETS + ("pawsx", "bucc")) <= set(names("target"))
    assert set(PHANG_INTERMEDIATES + ("sst2", "siqa")) <= set(names("intermediate"))
    assert {"xnli_translate_train", "pawsx_translate_train", "squad_translate_train"} <= registered


def test_lookup_by_alias_and_case_and_unknown():
    assert lookup("WikiANN").name == "panx"
    assert lookup("squad").name == "squad_v1"
    assert lookup("no_such_task") is None
    with pytest.raises(UserError, match="unknown task 'xnlii'") as error:
        get("xnlii")
    assert "xnli" in error.value.hint


def test_protocols_follow_the_benchmarks():
    assert lookup("xnli").protocol.train_on == ("mnli",)
    assert lookup("xquad").protocol.train_on == lookup("mlqa").protocol.train_on == ("squad_v1",)
    assert lookup("xcopa").protocol.train_on == ("siqa", "copa")
    assert lookup("bucc").protocol.train_on == ()
    assert lookup("tatoeba").protocol.representation and lookup("bucc").protocol.representation
    for name in names("target"):
        task = lookup(name)
        assert task.protocol is not None, name
        for stage in task.protocol.train_on:  # zero-shot: every training stage has English data
            assert "en" in lookup(stage).languages, f"{name} trains on {stage}, which has no English"
    assert lookup("pawsx").hyper.epochs == 5 and lookup("udpos").hyper.epochs == lookup("panx").hyper.epochs == 10
    assert lookup("xquad").hyper.max_length == 384 and lookup("tatoeba").hyper.max_length == 512
    assert all(lookup(n).hyper.lr == 1e-5 for n in names())


def test_every_task_has_a_way_to_its_data():
    for name in names():
        task = lookup(name)
        assert task.source.hub_id or task.source.local_example, name
        if task.source.hub_id is None:
            assert task.source.local_example, f"{name} has no hub copy and no documented local format"
        assert set(dict(task.source.configs)) <= set(task.languages), name
        for part in task.parts:
            assert lookup(part).format == task.format


def test_hub_task_registers_any_dataset_by_name():
    task = hub_task("my_nli", "someone/some-nli", "pair_classification",
                    columns(text_a="s1", text_b="s2", label="y"), labels=("yes", "no"), configs={"de": "de", "fr": "fr"})
    assert task.languages == ("de", "fr") and task.info.metric == "accuracy" and lookup("my_nli") is None
    with pytest.raises(UserError, match="already a registered task"):
        hub_task("mnli", "x/y", Format.QA, columns(), register=True)
