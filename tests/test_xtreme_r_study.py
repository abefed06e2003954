"""A study through every XTREME-R target, run offline through the command line: a tiny
XLM-R-shaped checkpoint (made here), MNLI and SQuAD as intermediate tasks, and the ten targets
read from files in their release formats, with dev-set selection and one language whose
file is missing (the study runs on the rest and says so).

The files are the real-format samples of ../shared/fixtures, shortened, and, where the
samples hold no file a target needs, small files written here in the same format (noted
where they are written): English UD and TyDiQA training data, SIQA/COPA rows, a Mewsli-X
directory, SQuAD splits cut from XQuAD's English article, dev files copied from test files.
The numbers of a model this small mean nothing; the test checks that each target reports
its own benchmark score for each language that loaded.
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
from tests.test_real_study import _checkpoint, _step_results

FIXTURES = REPO.parent / "shared" / "fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="needs the real-format samples in ../shared/fixtures")

STUDY = """\
experiment xtreme_r

model base = hf("ckpt")

tasks english = hub.{mnli, squad_v1} @ en
tasks targets = hub.{xnli @ {en, de}, xcopa @ {et, sw}, udpos @ {en, tl}, panx @ {en, de, fr}, xquad @ {en, de},
                     mlqa @ {en, de}, tydiqa @ {en, ar}, tatoeba @ {de, hi, sw}, mewsli_x @ {en, de}, lareqa @ {de}}
                train @ en eval @ *

data mnli     = local("data/mnli/multinli_1.0_{split}.jsonl", dev: "dev_matched")
data squad_v1 = local("data/squad/{split}-v1.1.json")
data siqa     = local("data/siqa/{split}.jsonl")
data copa     = local("data/copa/{split}.jsonl")
data xnli     = local("data/xnli/xnli.{split}.tsv")
data xcopa    = local("data/xcopa/val.{language}.jsonl")
data udpos    = local("data/ud/{language}-ud-{split}.conllu")
data panx     = local("data/panx/{language}.{split}")
data xquad    = local("data/xquad/xquad.{language}.json")
data mlqa     = local("data/mlqa/{split}/{split}-context-{language}-question-{language}.json")
data tydiqa   = local("data/tydiqa/tydiqa-goldp-v1.1-{split}.json", test: "dev")
data tatoeba  = local("data/tatoeba/tatoeba.{code}-eng")
data mewsli_x = local("data/mewsli-x")
data lareqa   = local("data/lareqa/{language}.json")

train intermediate(lr: 1e-3, epochs: 2, batch: 8, max_length: 64)
train target(lr: 1e-3, epochs: 2, batch: 8, max_length: 64, patience: 1)
seeds 1

similarity vocab = vocabulary(measure: jensen_shannon)
correlate spearman(similarity.*, gain) per pooled with permutation(100)

report table to "reports/xtreme_r"
"""

# what each target is scored in (PAN-X's French test file is missing on purpose)
SCORED = {"xnli": {"en", "de"}, "xcopa": {"et", "sw"}, "udpos": {"en", "tl"}, "panx": {"en", "de"}, "xquad": {"en", "de"},
          "mlqa": {"en", "de"}, "tydiqa": {"en", "ar"}, "tatoeba": {"de", "hi", "sw"}, "mewsli_x": {"en", "de"},
          "lareqa": {"de"}}
# the benchmark's score of each (xitt/tasks/targets.py), and the dev set it selects on
METRIC = {"xnli": "accuracy", "xcopa": "accuracy", "udpos": "f1", "panx": "f1", "xquad": "em_f1", "mlqa": "em_f1",
          "tydiqa": "em_f1", "tatoeba": "retrieval_accuracy", "mewsli_x": "map@20", "lareqa": "map@20"}
SELECTED = {"xnli", "xcopa", "udpos", "panx", "xquad", "mlqa"}  # TyDiQA-GoldP and retrieval select nothing

UD_EN = [("The", "DET"), ("child", "NOUN"), ("woke", "VERB"), ("up", "ADP"), (".", "PUNCT")], \
        [("Mary", "PROPN"), ("wrote", "VERB"), ("a", "DET"), ("long", "ADJ"), ("letter", "NOUN"), (".", "PUNCT")], \
        [("We", "PRON"), ("quickly", "ADV"), ("read", "VERB"), ("two", "NUM"), ("books", "NOUN"), ("!", "PUNCT")]


def _conllu(sentences) -> str:
    return "".join("".join(f"{i}\t{w}\t{w.lower()}\t{t}\t_\t_\t0\t_\t_\t_\n" for i, (w, t) in enumerate(s, 1)) + "\n"
                   for s in sentences)


def _head(path: Path, lines: int) -> None:
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]), encoding="utf-8")


def _squad(paragraphs: list, prefix: str = "") -> dict:
    """SQuAD v1.1 JSON of ``paragraphs``; question ids prefixed (TyDiQA names the language so)."""
    return {"version": "1.1", "data": [{"title": "t", "paragraphs": [
        {**p, "qas": [{**q, "id": prefix + q["id"]} for q in p["qas"]]} for p in paragraphs]}]}


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")


def _data(data: Path) -> None:
    for folder in ("mnli", "xnli", "xcopa", "panx", "xquad", "tatoeba", "lareqa"):
        shutil.copytree(FIXTURES / folder, data / folder)
    for path in data.rglob("*"):  # the samples are read-only; the copies need not be
        path.chmod(0o755 if path.is_dir() else 0o644)
    for path in (*(data / "xcopa").iterdir(), *(data / "tatoeba").iterdir()):
        _head(path, 40)
    (data / "xnli" / "xnli.dev.tsv").write_text((data / "xnli" / "xnli.test.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    _write(data / "panx" / "de.test", "de:Angela\tB-PER\nde:Merkel\tI-PER\nde:besuchte\tO\nde:Paris\tB-LOC\nde:.\tO\n")
    english = [p for a in json.loads((FIXTURES / "xquad" / "xquad.en.json").read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]]
    for language in ("en", "de"):
        article = json.loads((data / "xquad" / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"][0]
        _write(data / "xquad" / f"xquad.{language}.json", _squad(article["paragraphs"][:2]))
    _write(data / "squad" / "train-v1.1.json", _squad(english[4:7]))  # SQuAD's format; XQuAD's English article
    _write(data / "squad" / "dev-v1.1.json", _squad(english[7:9]))
    for split in ("dev", "test"):  # MLQA's format: the sample's en/de file stands in for each language's
        (data / "mlqa" / split).mkdir(parents=True)
        for language in ("en", "de"):
            shutil.copy(FIXTURES / "mlqa" / "test-context-en-question-de.json",
                        data / "mlqa" / split / f"{split}-context-{language}-question-{language}.json")
    train = json.loads((FIXTURES / "tydiqa" / "tydiqa-goldp-v1.1-train.json").read_text(encoding="utf-8"))
    dev = json.loads((FIXTURES / "tydiqa" / "tydiqa-goldp-v1.1-dev.json").read_text(encoding="utf-8"))
    # the samples hold no English TyDiQA: English paragraphs in its format ("english-" ids) join them
    train["data"] += _squad(english[9:12], "english-")["data"]
    dev["data"] += _squad(english[12:13], "english-")["data"]
    _write(data / "tydiqa" / "tydiqa-goldp-v1.1-train.json", train)
    _write(data / "tydiqa" / "tydiqa-goldp-v1.1-dev.json", dev)
    tagalog = (FIXTURES / "udpos" / "tl_trg-ud-test.conllu").read_text(encoding="utf-8").split("\n\n")[:20]
    _write(data / "ud" / "tl-ud-test.conllu", "\n\n".join(tagalog) + "\n\n")
    for split in ("train", "dev", "test"):  # no English UD sample: three sentences written here
        _write(data / "ud" / f"en-ud-{split}.conllu", _conllu(UD_EN))
    shutil.copy(data / "lareqa" / "xquad_r.de.json", data / "lareqa" / "de.json")
    siqa = [{"context": f"Tracy went to store {i}.", "question": "What will Tracy want to do next?", "answerA": "buy food",
             "answerB": "sleep on the floor", "answerC": "fly away", "label": str(1 + i % 3)} for i in range(8)]
    copa = [{"premise": f"The man broke toe {i}.", "choice1": "He dropped a hammer on his foot.",
             "choice2": "He got a hole in his sock.", "question": "cause" if i % 2 else "effect", "label": i % 2, "idx": i}
            for i in range(8)]
    for name, rows in (("siqa", siqa), ("copa", copa)):  # the hub's columns; no samples exist
        for split in ("train", "dev"):
            _write(data / name / f"{split}.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    _mewsli(data / "mewsli-x")


def _mewsli(directory: Path) -> None:
    """Mewsli-X's files as get-mewsli-x.sh makes them: WikiNews mentions per language, the
    candidate entities and the English training pairs (written here: no sample exists)."""
    entities = [("Q64", "Berlin", "Berlin is the capital of Germany."), ("Q90", "Paris", "Paris is the capital of France."),
                ("Q567", "Angela Merkel", "Angela Merkel is a German politician."), ("Q1", "Universe", "The universe is everything.")]
    articles = []
    for language, sentence in (("en", "Angela Merkel visited Paris and Berlin."), ("de", "Angela Merkel besuchte Paris und Berlin.")):
        mentions = [{"example_id": f"{language}-{qid}", "entity_id": qid,
                     "mention_span": {"text": name, "start": sentence.index(name), "end": sentence.index(name) + len(name)}}
                    for qid, name, _ in entities[:3]]
        articles.append({"context": {"language": language, "text": sentence, "sentence_spans": [{"start": 0, "end": len(sentence)}]},
                         "mentions": mentions})
    for split in ("dev", "test"):
        _write(directory / f"wikinews_mentions-{split}.jsonl", "".join(json.dumps(a) + "\n" for a in articles))
    def entity(qid: str, title: str, description: str) -> dict:
        return {"entity_id": qid, "title": title, "description": description, "description_language": "en",
                "description_url": f"https://en.wikipedia.org/wiki/{title}", "sentence_spans": [{"start": 0, "end": len(description)}]}

    _write(directory / "candidate_set_entities.jsonl", "".join(json.dumps(entity(*e)) + "\n" for e in entities))
    pairs = []  # the English Wikipedia (mention, entity) pairs its dual encoder trains on
    for qid, name, description in entities:
        text = f"Yesterday {name} was in the news."
        span = {"text": name, "start": text.index(name), "end": text.index(name) + len(name)}
        pairs.append({"contextual_mention": {"context": {"language": "en", "text": text, "sentence_spans": [{"start": 0, "end": len(text)}]},
                                             "mention": {"example_id": f"w-{qid}", "entity_id": qid, "mention_span": span}},
                      "entity": entity(qid, name, description)})
    _write(directory / "wikipedia_pairs-train.jsonl", "".join(json.dumps(p) + "\n" for p in pairs))


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("xtreme_r")
    _data(root / "data")
    _checkpoint(root / "ckpt")
    (root / "xtreme_r.xitt").write_text(STUDY, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", "xtreme_r.xitt", "--quiet"], capture_output=True,
                          text=True, cwd=root, env=env)
    return root, done


@pytest.mark.slow
def test_every_xtreme_r_target_reports_its_benchmark_score_per_language(study):
    root, done = study
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in output, output
    targets = _step_results(root, "train.target")
    assert len(targets) == 10 * 3  # each target after no intermediate step, after MNLI and after SQuAD
    for step, result in targets.items():
        task = result["task"]
        assert result["metric"] == METRIC[task], step
        assert set(result["scores"]) == SCORED[task], step
        assert all(0.0 <= s <= 1.0 for s in result["scores"].values()), step
        for language, metrics in result["metrics"].items():
            assert metrics["score"] == result["scores"][language]
            if METRIC[task] == "em_f1":  # XTREME-R's QA score: the mean of EM and F1
                assert metrics["score"] == pytest.approx((metrics["exact_match"] + metrics["f1"]) / 2)
            elif METRIC[task] == "map@20":
                assert metrics["map@20"] == metrics["score"]
            elif METRIC[task] == "f1":
                assert {"precision", "recall", "f1"} <= set(metrics) and metrics["score"] == metrics["f1"]
            if task == "udpos":  # XTREME's seqeval F1 over UPOS, with token accuracy beside it
                assert 0.0 <= metrics["accuracy"] <= 1.0
        assert (result.get("best_dev_score") is not None) == (task in SELECTED), step
    xnli = next(r for s, r in targets.items() if s.startswith("target/xnli/none/"))
    assert xnli["stages"] == ["mnli"]  # XNLI trains on MNLI and selects on XNLI's English dev set
    assert next(r for s, r in targets.items() if s.startswith("target/xcopa/none/"))["stages"] == ["siqa", "copa"]
    for task, stage in (("lareqa", "squad_v1"), ("mewsli_x", "mewsli_x")):  # XTREME-R's dual encoders
        trained = next(r for s, r in targets.items() if s.startswith(f"target/{task}/none/"))
        assert trained["objective"] == "dual_encoder" and trained["stages"] == [stage] and trained["examples"] > 0
    intermediates = _step_results(root, "train.intermediate")
    assert len(intermediates) == 2 and all(r["best_dev_score"] is not None for r in intermediates.values())  # MNLI's dev_matched, SQuAD's dev


@pytest.mark.slow
def test_the_missing_file_is_named_and_the_report_marks_what_was_left_out(study):
    root, done = study
    assert done.returncode == 0, done.stdout + done.stderr
    flat = " ".join(done.stdout.split())
    assert "missing: 1 piece of data (" in flat and "panx fr test" in flat
    results = json.loads((root / "reports" / "xtreme_r" / "results.json").read_text(encoding="utf-8"))
    coverage = results["gains"]["coverage"]
    assert coverage["targets"]["panx"]["status"] == "partial" and coverage["targets"]["panx"]["languages"] == ["en", "de"]
    assert {r["target"] for r in results["gains"]["summary"]} == set(SCORED)  # every target has a zero-shot language
    report = (root / "reports" / "xtreme_r" / "report.md").read_text(encoding="utf-8")
    assert "## Left out (missing data)" in report and "target panx: scored on en, de only" in report
