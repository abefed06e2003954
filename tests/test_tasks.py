"""Real tasks: the registry, every reader on the real-format samples, schema checks, and
the message a user gets when data is missing. Never reaches the network."""

from __future__ import annotations

import json
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
    assert lookup("tatoeba").protocol.train_on == ("squad_v1",)  # XTREME-R scores it after SQuAD
    assert lookup("tatoeba").protocol_for("XTREME").train_on == ()  # XTREME with no training
    assert lookup("xnli").protocol_for("XTREME") is lookup("xnli").protocol
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


# --- readers on the real-format samples ---------------------------------------------------------

from xitt.tasks.load import Hub, load, local  # noqa: E402
from xitt.tasks.validate import problem  # noqa: E402

F = str(FIXTURES)
SAMPLES = [  # task, language, split, local path, examples expected
    ("xnli", "ar", "test", F + "/xnli/xnli.test.jsonl", 5),
    ("xnli", "de", "test", F + "/xnli/xnli.test.tsv", 1),
    ("xnli_translate_train", "hi", "train", F + "/xnli/translate_train/multinli.train.{language}.tsv", 4),
    ("xnli_translate_train", "en", "train", F + "/xnli/translate_train/multinli.train.{language}.tsv", 4),
    ("pawsx", "en", "train", F + "/pawsx/{language}/train.tsv", 4),
    ("pawsx", "en", "dev", F + "/pawsx/{language}/dev_2k.tsv", 4),
    ("pawsx", "de", "test", F + "/pawsx/{language}/test_2k.tsv", 4),
    ("pawsx_translate_train", "de", "train", F + "/pawsx/{language}/translated_train.tsv", 4),
    ("panx", "en", "train", F + "/panx/{language}.{split}", 1),
    ("panx", "en", "dev", F + "/panx/{language}.{split}", 1),
    ("panx", "en", "test", F + "/panx/{language}.{split}", 1),
    ("udpos", "tl", "test", F + "/udpos/tl_trg-ud-test.conllu", 128),
    ("xquad", "en", "test", F + "/xquad/xquad.{language}.json", 153),
    ("xquad", "de", "test", F + "/xquad/xquad.{language}.json", 153),
    ("mlqa", "de", "test", F + "/mlqa/test-context-en-question-de.json", 1),
    ("tydiqa", "ar", "test", F + "/tydiqa/tydiqa-goldp-v1.1-dev.json", 1),
    ("tydiqa", "fi", "train", F + "/tydiqa/tydiqa-goldp-v1.1-train.json", 2),
    ("xcopa", "et", "dev", F + "/xcopa/val.{language}.jsonl", 100),
    ("xcopa", "sw", "dev", F + "/xcopa/val.{language}.jsonl", 100),
    ("xcopa", "zh", "dev", F + "/xcopa/val.{language}.jsonl", 100),
    ("tatoeba", "de", "test", F + "/tatoeba/tatoeba.{code}-eng", 2000),
    ("tatoeba", "hi", "test", F + "/tatoeba/tatoeba.{code}-eng", 2000),
    ("tatoeba", "sw", "test", F + "/tatoeba/tatoeba.{code}-eng.{code}", 780),
    ("mnli", "en", "train", F + "/mnli/multinli_1.0_train.jsonl", 5),
    ("mnli", "en", "dev", F + "/mnli/multinli_1.0_dev_matched.jsonl", 5),
    ("squad_v2", "en", "train", F + "/squad_v2/train-v2.0.json", 2),
    ("squad_v2", "en", "dev", F + "/squad_v2/dev-v2.0.json", 2),
    ("lareqa", "de", "test", F + "/lareqa/xquad_r.de.json", 153 + 120),  # questions + sentences, each once
]


@needs_fixtures
@pytest.mark.parametrize("task,language,split,path,count", SAMPLES, ids=[f"{s[0]}-{s[1]}-{s[2]}" for s in SAMPLES])
def test_every_reader_reads_its_real_format_sample(task, language, split, path, count):
    loaded = load(task, language, split, local(path))
    assert len(loaded.examples) == count
    assert loaded.info.name == lookup(task).name and str(Path(path.split("{")[0]).parent) in loaded.origin
    for example in loaded.examples:
        assert problem(example, loaded.info.format, loaded.info.num_labels) is None, example


@needs_fixtures
def test_columns_and_labels_land_where_the_release_puts_them():
    xnli = load("xnli", "de", "test", local(F + "/xnli/xnli.test.tsv")).examples[0]
    assert xnli["text_a"].startswith("Nun, daran dachte ich") and xnli["label"] == 2  # contradiction
    assert len(load("xnli", "ar", "test", local(F + "/xnli/xnli.test.tsv")).examples) == 1  # only Arabic rows
    paws = load("pawsx", "en", "train", local(F + "/pawsx/en/train.tsv")).examples
    assert [e["label"] for e in paws] == [0, 1, 0, 1]
    copa = load("xcopa", "et", "dev", local(F + "/xcopa/val.et.jsonl")).examples[0]
    assert copa == {"premise": "Mees keeras kraani lahti.", "question": "effect",
                    "choices": ["Tualett täitus veega.", "Tilast voolas vett."], "label": 1}


@needs_fixtures
def test_tagging_readers_strip_prefixes_and_skip_multiword_tokens(tmp_path):
    panx = load("panx", "en", "train", local(F + "/panx/en.train")).examples[0]
    assert panx["tokens"][:3] == ["R.H.", "Saunders", "("]
    assert [lookup("panx").info.labels[t] for t in panx["tags"][:3]] == ["B-ORG", "I-ORG", "O"]
    ud = load("udpos", "tl", "test", local(F + "/udpos/tl_trg-ud-test.conllu")).examples[0]
    assert ud["tokens"] == ["Gumising", "ang", "bata", "."]
    assert [lookup("udpos").info.labels[t] for t in ud["tags"]] == ["VERB", "ADP", "NOUN", "PUNCT"]
    conllu = tmp_path / "de.conllu"
    conllu.write_text("# text = Zum Haus.\n1-2\tZum\t_\t_\t_\t_\t_\t_\t_\t_\n1\tZu\tzu\tADP\t_\t_\t3\tcase\t_\t_\n"
                      "2\tdem\tder\tDET\t_\t_\t3\tdet\t_\t_\n2.1\tx\tx\tX\t_\t_\t_\t_\t_\t_\n"
                      "3\tHaus\tHaus\tNOUN\t_\t_\t0\troot\t_\t_\n4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n\n")
    (example,) = load("udpos", "de", "test", local(str(conllu))).examples
    assert example["tokens"] == ["Zu", "dem", "Haus", "."]


@needs_fixtures
def test_qa_offsets_point_at_the_answer_text():
    for task, language, path in [("xquad", "de", "/xquad/xquad.de.json"), ("mlqa", "de", "/mlqa/test-context-en-question-de.json"),
                                 ("tydiqa", "ar", "/tydiqa/tydiqa-goldp-v1.1-dev.json")]:
        for example in load(task, language, "test", local(F + path)).examples:
            for text, start in zip(example["answers"]["text"], example["answers"]["answer_start"]):
                assert example["context"][start:start + len(text)] == text
    example = load("xquad", "en", "test", local(F + "/xquad/xquad.en.json")).examples[0]
    assert example["answers"] == {"text": ["308"], "answer_start": [34]}
    moved = dict(example, answers={"text": ["308"], "answer_start": [35]})
    assert "not at offset 35" in problem(moved, Format.QA, 0)


def test_squad_v2_unanswerable_questions_have_empty_answers(tmp_path):
    path = tmp_path / "dev-v2.0.json"
    path.write_text('{"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": "Paris is in France.", '
                    '"qas": [{"id": "a", "question": "Where is Paris?", "answers": [{"text": "France", "answer_start": 12}], '
                    '"is_impossible": false}, {"id": "b", "question": "Where is Rome?", "answers": [], '
                    '"plausible_answers": [{"text": "France", "answer_start": 12}], "is_impossible": true}]}]}]}')
    answered, unanswerable = load("squad_v2", "en", "dev", local(str(path))).examples
    assert answered["answers"] == {"text": ["France"], "answer_start": [12]}
    assert unanswerable["answers"] == {"text": [], "answer_start": []}


@needs_fixtures
def test_retrieval_readers_pair_translations_by_id():
    examples = load("tatoeba", "de", "test", local(F + "/tatoeba/tatoeba.deu-eng")).examples
    english = {e["id"]: e["text"] for e in examples if e["side"] == "query"}  # XTREME searches from English
    german = {e["id"]: e["text"] for e in examples if e["side"] == "candidate"}
    assert len(german) == len(english) == 1000
    assert german["0"].startswith("Maria sagte") and english["0"].startswith("Mary said")
    lareqa = load("lareqa", "de", "test", local(F + "/lareqa/xquad_r.de.json")).examples
    query = next(e for e in lareqa if e["side"] == "query")
    (answer,) = [e for e in lareqa if e["side"] == "candidate" and query["id"] in e["ids"]]
    paragraph = json.loads(Path(F + "/lareqa/xquad_r.de.json").read_text(encoding="utf-8"))["data"][0]["paragraphs"][0]
    start, end = paragraph["sentence_breaks"][0]  # the sentence holding "308", then its whole paragraph
    assert answer["text"] == paragraph["context"][start:end] + paragraph["context"]
    assert answer["uid"] == "de_1_0" and answer["id"] == query["id"]


def test_bucc_gold_pairs_share_an_id_and_others_do_not(tmp_path):
    prefix = tmp_path / "de-en.sample"
    prefix.with_name("de-en.sample.de").write_text("de-000001\tDas Haus ist rot.\nde-000002\tEin anderer Satz.\n")
    prefix.with_name("de-en.sample.en").write_text("en-000007\tThe house is red.\nen-000008\tUnrelated.\n")
    prefix.with_name("de-en.sample.gold").write_text("de-000001\ten-000007\n")
    examples = load("bucc", "de", "dev", local(str(tmp_path / "de-en.{split}"), splits={"dev": "sample"})).examples
    ids = {(e["side"], e["text"]): e["id"] for e in examples}
    assert ids[("query", "Das Haus ist rot.")] == ids[("candidate", "The house is red.")] == "de-000001"
    assert ids[("candidate", "Unrelated.")] == "en-000008"


def test_mewsli_x_mentions_link_to_candidate_entities(tmp_path):
    text = "Erster Satz. Angela Merkel sprach."
    article = {"context": {"language": "de", "text": text,
                           "sentence_spans": [{"start": 0, "end": 12}, {"start": 13, "end": len(text)}]},
               "mentions": [{"example_id": "m1", "entity_id": "Q567", "mention_span": {"text": "Angela Merkel", "start": 13, "end": 26}}]}
    other = {"context": {"language": "ja", "text": "x", "sentence_spans": [{"start": 0, "end": 1}]}, "mentions": []}
    import json

    (tmp_path / "wikinews_mentions-dev.jsonl").write_text(json.dumps(article) + "\n" + json.dumps(other) + "\n")
    (tmp_path / "candidate_set_entities.jsonl").write_text(
        json.dumps({"entity_id": "Q567", "title": "Angela Merkel", "description": "German politician.  Chancellor.",
                    "sentence_spans": [{"start": 0, "end": 18}, {"start": 20, "end": 31}]}) + "\n"
        + json.dumps({"entity_id": "Q1", "title": "Universe", "description": "Everything.",
                      "sentence_spans": [{"start": 0, "end": 11}]}) + "\n")
    examples = load("mewsli_x", "de", "dev", local(str(tmp_path))).examples
    (query,) = [e for e in examples if e["side"] == "query"]
    # utils_mewslix.preprocess_mention: the mention prepended and marked in its one sentence
    assert query == {"id": "Q567", "text": "Angela Merkel: { Angela Merkel } sprach.", "side": "query",
                     "mention": "Angela Merkel"}
    candidates = {e["id"]: e["text"] for e in examples if e["side"] == "candidate"}
    assert candidates == {"Q567": "German politician. Chancellor.", "Q1": "Everything."}  # sentences joined by a space


def test_labels_in_every_spelling(tmp_path):
    mt = tmp_path / "multinli.train.de.tsv"  # XNLI-MT writes "contradictory"; quotes are text in XNLI
    mt.write_text('premise\thypo\tlabel\n"Ja" , sagte er .\tEr schwieg .\tcontradictory\nA\tB\tneutral\n')
    assert [e["label"] for e in load("xnli_translate_train", "de", "train", local(str(mt))).examples] == [2, 1]
    assert load("xnli_translate_train", "de", "train", local(str(mt))).examples[0]["text_a"] == '"Ja" , sagte er .'
    mnli = tmp_path / "mnli.jsonl"  # no gold label ("-"): not an example
    mnli.write_text('{"sentence1": "a", "sentence2": "b", "gold_label": "-"}\n{"sentence1": "a", "sentence2": "b", "gold_label": "entailment"}\n')
    assert [e["label"] for e in load("mnli", "en", "dev", local(str(mnli))).examples] == [0]
    siqa = tmp_path / "siqa.jsonl"  # SIQA numbers answers from 1
    siqa.write_text('{"context": "c", "question": "q", "answerA": "a", "answerB": "b", "answerC": "c", "label": "3"}\n')
    assert load("siqa", "en", "train", local(str(siqa))).examples[0]["label"] == 2
    csqa = tmp_path / "csqa.jsonl"  # CommonsenseQA: nested choices, letter answers
    csqa.write_text('{"question": "q", "choices": {"label": ["A","B","C","D","E"], "text": ["1","2","3","4","5"]}, "answerKey": "D"}\n')
    assert load("commonsenseqa", "en", "train", local(str(csqa))).examples[0] == {
        "premise": "", "question": "q", "choices": ["1", "2", "3", "4", "5"], "label": 3}
    bad = tmp_path / "bad.tsv"
    bad.write_text("premise\thypo\tlabel\nA\tB\tmaybe\n")
    with pytest.raises(UserError, match="unknown label 'maybe'"):
        load("xnli_translate_train", "de", "train", local(str(bad)))


def test_ccg_takes_its_tag_set_from_the_training_split(tmp_path):
    (tmp_path / "ccg.train").write_text("The\tNP/N\ncat\tN\nsleeps\tS\\NP\n\nDogs\tN\n")
    (tmp_path / "ccg.dev").write_text("A\tNP/N\ndog\tN\n")
    dev = load("ccg", "en", "dev", local(str(tmp_path / "ccg.{split}")))
    assert dev.info.labels == ("N", "NP/N", "S\\NP")
    assert dev.examples == [{"tokens": ["A", "dog"], "tags": [1, 0]}]


# --- the hub path, offline: a dataset saved by save_to_disk ---------------------------------------


def test_hub_path_reads_a_saved_dataset_directory(tmp_path):
    import datasets

    rows = {"premise": ["Er kam.", "Sie ging."], "hypothesis": ["Er war da.", "Sie blieb."], "label": [0, 2]}
    datasets.DatasetDict({"test": datasets.Dataset.from_dict(rows)}).save_to_disk(str(tmp_path / "xnli-de"))
    loaded = load("xnli", "de", "test", Hub(str(tmp_path / "xnli-{language}")))
    assert [e["label"] for e in loaded.examples] == [0, 2] and "xnli-de" in loaded.origin
    with pytest.raises(UserError, match="no labelled|split 'validation'"):
        load("xnli", "de", "dev", Hub(str(tmp_path / "xnli-de")))


def test_any_hub_dataset_by_name_with_a_column_mapping(tmp_path):
    import datasets

    task = hub_task("hellaswag_like", str(tmp_path / "hs"), "multiple_choice",
                    columns(premise="ctx", question="=", choices="endings", label="label"),
                    labels=("a", "b", "c", "d"))
    datasets.Dataset.from_dict({"ctx": ["He opens the door"], "endings": [["and sleeps.", "and walks in.", "x", "y"]],
                                "label": ["1"]}).save_to_disk(str(tmp_path / "hs"))
    (example,) = load(task, "en", "train", Hub(str(tmp_path / "hs"))).examples
    assert example == {"premise": "He opens the door", "question": "", "choices": ["and sleeps.", "and walks in.", "x", "y"], "label": 1}


def test_parquet_local_files_with_the_hubs_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"sentence": ["good film", "bad film"], "label": [1, 0]}), tmp_path / "train.parquet")
    assert load("sst2", "en", "train", local(str(tmp_path / "{split}.parquet"))).examples == [
        {"text": "good film", "label": 1}, {"text": "bad film", "label": 0}]


# --- what a user sees when data is missing -------------------------------------------------------


def test_missing_local_files_name_the_task_the_path_and_the_format(tmp_path):
    with pytest.raises(UserError) as error:
        load("xnli", "de", "test", local(str(tmp_path / "xnli.{split}.tsv")))
    assert "cannot load task 'xnli'" in error.value.message and "xnli.test.tsv does not exist" in error.value.message
    assert "sentence1, sentence2, gold_label" in error.value.hint


def test_unreachable_hub_names_the_task_the_dataset_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache: nothing to fall back on
    with pytest.raises(UserError) as error:
        load("pawsx", "de", "test")
    message = error.value.message
    assert "cannot load task 'pawsx'" in message and "google-research-datasets/paws-x (config de)" in message
    assert "save_to_disk" in error.value.hint and "local(" in error.value.hint
    assert "Traceback" not in message


def test_tasks_without_a_hub_copy_say_so():
    with pytest.raises(UserError, match="'mewsli_x' has no hub copy") as error:
        load("mewsli_x", "de", "test")
    assert "wikinews_mentions" in error.value.hint


def test_a_wrong_mapping_lists_the_columns_the_files_have(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"s1": "a", "s2": "b", "y": 0}\n')
    with pytest.raises(UserError, match="no column 'sentence1'.*s1, s2, y"):
        load("xnli", "de", "test", local(str(path)))
    assert load("xnli", "de", "test", local(str(path), columns=columns(text_a="s1", text_b="s2", label="y"))).examples


def test_wrong_language_or_split_is_the_users_error():
    with pytest.raises(UserError, match="no language 'xx'"):
        load("xnli", "xx", "test")
    with pytest.raises(UserError, match="no split 'validation'"):
        load("xnli", "de", "validation")


def test_the_tasks_package_imports_no_engine_compiler_or_language():
    for path in (REPO / "xitt" / "tasks").glob("*.py"):
        source = path.read_text()
        for layer in ("xitt.engine", "xitt.compile", "xitt.lang", "xitt.ops"):
            assert layer not in source, f"{path.name} imports {layer}"


# --- real tasks in a study: language, compiler, plan and run ---------------------------------

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from xitt.errors import ProgramError  # noqa: E402

REAL_STUDY = """\
experiment real
model base = hf("xlm-roberta-large")
tasks english = hub.{anli_plus, squad} @ en
tasks multilingual = mix(hub.{xnli_translate_train @ {de, fr}, mnli @ en})
tasks targets = hub.{xnli, xcopa, bucc, pawsx} train @ en eval @ *
train target(lr: 1e-5)
"""


def _compile(tmp_path, text: str):
    from xitt.compile import compile_program
    from xitt.lang import load_program

    path = tmp_path / "study.xitt"
    path.write_text(text)
    return compile_program(load_program(path))


def test_a_study_of_real_tasks_follows_the_benchmarks_protocols(tmp_path):
    graph = _compile(tmp_path, REAL_STUDY).graph
    steps = {step.id: step for step in graph.steps}
    assert "world" not in steps and steps["checkpoint/base"].op == "model.hf"
    xnli = steps["target/xnli/none/seed=1"]
    assert xnli.inputs["data"] == ("data/mnli/en/train",)  # XNLI trains on MNLI
    assert xnli.inputs["eval"] == tuple(f"data/xnli/{lang}/test" for lang in lookup("xnli").languages)
    xcopa = steps["target/xcopa/none/seed=1"]
    assert xcopa.inputs["data"] == ("data/siqa/en/train", "data/copa/en/train")  # SIQA, then COPA
    assert "data" not in steps["target/bucc/none/seed=1"].inputs  # BUCC: no target training
    anli = steps["intermediate/anli_plus@en/seed=1"]
    assert anli.inputs["data"] == ("data/anli/en/train", "data/mnli/en/train", "data/snli/en/train")
    mix = next(s for s in graph.steps if s.id.startswith("intermediate/mix("))
    assert mix.inputs["data"] == ("data/xnli_translate_train/de/train", "data/xnli_translate_train/fr/train",
                                  "data/mnli/en/train")
    assert steps["data/mnli/en/train"].op == "task.load"  # one step, shared by every reader
    assert sum(s.id == "data/mnli/en/train" for s in graph.steps) == 1
    # jiant's per-task epochs and lengths fill what the study leaves at the defaults
    assert steps["target/pawsx/none/seed=1"].params["train"]["epochs"] == 5
    assert steps["target/xnli/none/seed=1"].params["train"]["max_length"] == 256
    assert steps["intermediate/squad_v1@en/seed=1"].params["train"]["max_length"] == 384
    assert steps["target/xnli/none/seed=1"].params["train"]["lr"] == 1e-5


def test_a_written_value_wins_over_the_tasks_registered_default(tmp_path):
    """`epochs: 3` is the language's default and PAWS-X registers 5: written, 3 is trained."""
    from xitt.models.finetune import TrainSettings

    text = REAL_STUDY.replace("train target(lr: 1e-5)", "train target(lr: 1e-5, epochs: 3, max_length: 64)")
    steps = {s.id: s for s in _compile(tmp_path, text).graph.steps}
    pawsx = steps["target/pawsx/none/seed=1"].params
    assert (pawsx["train"]["epochs"], pawsx["train"]["max_length"]) == (3, 64)
    settings = TrainSettings.from_params(dict(pawsx["train"]), seed=pawsx["seed"])
    assert (settings.epochs, settings.max_length) == (3, 64)  # what the training loop is given
    # the intermediate phase wrote nothing: it takes each task's registered values, jiant's
    # learning rate among them (not the toy world's 5e-4)
    assert steps["intermediate/squad_v1@en/seed=1"].params["train"]["max_length"] == 384
    assert steps["intermediate/squad_v1@en/seed=1"].params["train"]["lr"] == 1e-5
    # a --set is written too
    path = tmp_path / "study.xitt"
    path.write_text(REAL_STUDY)
    from xitt.compile import compile_program
    from xitt.lang import load_program

    program = load_program(path, ["train.target.epochs=3"])
    assert program.written["target"] == {"lr", "epochs"} and program.written["intermediate"] == frozenset()
    steps = {s.id: s for s in compile_program(program).graph.steps}
    assert steps["target/pawsx/none/seed=1"].params["train"]["epochs"] == 3


def test_real_task_names_and_languages_are_checked_against_the_registry(tmp_path):
    bad = REAL_STUDY.replace("hub.{xnli, xcopa", "hub.{xnlii, xcopa").replace("{de, fr}", "{de, wo}")
    with pytest.raises(ProgramError) as error:
        _compile(tmp_path, bad)
    text = "\n".join(f"{e.message} | {e.hint}" for e in error.value.errors)
    assert "unknown task 'xnlii'" in text and "did you mean 'xnli'?" in text
    assert "unknown language code 'wo' for task 'xnli_translate_train'" in text


def test_data_statements_point_real_tasks_at_local_files(tmp_path):
    text = REAL_STUDY + 'data xnli = local("files/xnli.{split}.tsv")\n'
    steps = {s.id: s for s in _compile(tmp_path, text).graph.steps}
    assert steps["data/xnli/de/test"].params["local"] == {"path": str(tmp_path / "files/xnli.{split}.tsv"), "splits": {}}
    assert steps["data/mnli/en/train"].params["local"] is None  # from the hub


@needs_fixtures
def test_the_load_step_writes_examples_through_the_engine(tmp_path):
    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.engine.graph import Graph, Step
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store

    step = Step("data/xnli/de/test", "task.load", {"task": "xnli", "language": "de", "split": "test",
                                                     "local": {"path": F + "/xnli/xnli.test.tsv", "splits": {}}})
    with Store(tmp_path) as store:
        summary = run(Graph((step,)), store)
        artifact = store.get(summary.keys[step.id])
    lines = artifact.file("examples.jsonl").read_text().splitlines()
    assert [json.loads(line)["label"] for line in lines] == [2]
    assert artifact.result["examples"] == 1 and "xnli.test.tsv" in artifact.result["origin"]


def _xitt(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(cwd / "hf"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "xitt.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_phang2020_plans_offline_with_step_counts_per_op(tmp_path):
    study = tmp_path / "phang2020.xitt"
    study.write_text((REPO / "experiments" / "phang2020.xitt").read_text())
    result = _xitt("plan", str(study), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    per_op = result.stdout[result.stdout.index("steps per op"):]
    counts = {line.split("│")[1].strip(): int(line.split("│")[2]) for line in per_op.splitlines()
              if line.startswith("│")}
    # CCGbank is not on the hub and its files are not here: plan says so, and the study runs without it
    assert "ccg en train: " in " ".join(result.stdout.split()) and "does not exist" in result.stdout
    assert counts["model.hf"] == 1 and counts["train.intermediate"] == 9  # eight tasks, and their mixture without CCG
    assert counts["train.target"] == 9 * 10  # nine targets, after no / each of nine intermediate units
    assert counts["task.load"] > 100


@pytest.mark.slow
def test_run_with_absent_real_data_is_one_clear_paragraph(tmp_path):
    """Neither the checkpoint nor the data is here (an empty hub cache): with --keep-going
    every failed step says what it tried and what to do, and nothing shows a traceback."""
    (tmp_path / "study.xitt").write_text('experiment absent\nmodel base = hf("xlm-roberta-large")\n'
                                         'tasks i = hub.sst2 @ en\ntasks t = hub.pawsx train @ en eval @ {de}\n')
    result = _xitt("run", "study.xitt", "--keep-going", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    flat = " ".join(output.split())
    assert "cannot load task 'pawsx' from hub dataset google-research-datasets/paws-x (config en), split train" in flat
    assert "save_to_disk" in flat and 'local("data/pawsx/{language}/{split}.tsv")' in flat
