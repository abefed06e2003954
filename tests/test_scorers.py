"""The benchmark scorers against the benchmark's own numbers, and readers against its preprocessing.

Two kinds of expected values:

- ``XTREME_VALUES``: what XTREME's own ``evaluate.py`` (google-research/xtreme @ 838c13b)
  prints for its mock predictions in ``../shared/fixtures/xtreme_mock``, obtained by running
  ``evaluate.evaluate_one_task(prediction_file, label_file, task, language)`` on each file
  pair there with seqeval 0.0.12 (the seqeval of XTREME's release; with it the same call on
  XTREME's whole mock set gives exactly the averages its ``evaluate_test.py`` asserts, UD-POS
  F1 70.21746048354693, where seqeval 1.2.2 gives 70.398), divided by 100;
- adversarial cases whose value is derived by hand from the benchmark's code, each
  derivation written beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from xitt.models.ranking import average_precision_at, mean_of_rankings, rank
from xitt.models.retrieval import (
    bucc_candidates, bucc_extract, bucc_predictions, bucc_threshold, mine_pairs, pair_scores, tatoeba_accuracy,
    tatoeba_predictions,
)
from xitt.models.score_retrieval import retrieval_layer
from xitt.models.scorers import SCORERS
from xitt.tasks import conllu, tatoeba
from xitt.tasks.load import load, local
from xitt.tasks.registry import get, names
from xitt.tasks.text import read_lines, split_lines

REPO = Path(__file__).resolve().parents[1]
MOCK = REPO.parent / "shared" / "fixtures" / "xtreme_mock"
needs_mock = pytest.mark.skipif(not MOCK.is_dir(), reason="XTREME mock fixtures not present")

XTREME_VALUES = {  # evaluate.py's output / 100, per (task, language)
    ("bucc2018", "de"): {"f1": 0.5, "precision": 0.5, "recall": 0.5},
    ("bucc2018", "zh"): {"f1": 0.7, "precision": 0.7, "recall": 0.7},
    ("mlqa", "de"): {"exact_match": 0.0, "f1": 0.8571428571428571},
    ("mlqa", "en"): {"exact_match": 0.0, "f1": 0.6},
    ("mlqa", "hi"): {"exact_match": 1.0, "f1": 1.0},
    ("mlqa", "zh"): {"exact_match": 1.0, "f1": 1.0},
    ("panx", "de"): {"f1": 0.5714285714285715, "precision": 0.5, "recall": 0.6666666666666666},
    ("panx", "en"): {"f1": 1.0, "precision": 1.0, "recall": 1.0},
    ("panx", "hi"): {"f1": 1.0, "precision": 1.0, "recall": 1.0},
    ("panx", "zh"): {"f1": 0.3333333333333333, "precision": 0.25, "recall": 0.5},
    ("pawsx", "de"): {"accuracy": 0.5},
    ("pawsx", "en"): {"accuracy": 0.4},
    ("pawsx", "zh"): {"accuracy": 0.4},
    ("tatoeba", "de"): {"accuracy": 0.7},
    ("tatoeba", "hi"): {"accuracy": 0.8},
    ("tatoeba", "zh"): {"accuracy": 0.6},
    ("tydiqa", "en"): {"exact_match": 1.0, "f1": 1.0},
    ("udpos", "de"): {"f1": 0.8205128205128204, "precision": 0.8205128205128204, "recall": 0.8205128205128204},
    ("udpos", "en"): {"f1": 1.0, "precision": 1.0, "recall": 1.0},
    ("udpos", "hi"): {"f1": 0.5945945945945946, "precision": 0.5945945945945946, "recall": 0.5945945945945946},
    ("udpos", "zh"): {"f1": 0.6111111111111113, "precision": 0.6470588235294117, "recall": 0.5789473684210527},
    ("xnli", "de"): {"accuracy": 0.2},
    ("xnli", "en"): {"accuracy": 0.3},
    ("xnli", "hi"): {"accuracy": 0.4},
    ("xnli", "zh"): {"accuracy": 0.1},
    ("xquad", "de"): {"exact_match": 1.0, "f1": 1.0},
    ("xquad", "en"): {"exact_match": 1.0, "f1": 1.0},
    ("xquad", "hi"): {"exact_match": 1.0, "f1": 1.0},
    ("xquad", "zh"): {"exact_match": 0.0, "f1": 0.25},  # MLQA's rules would give 2/3
}
TASK_OF_MOCK = {"bucc2018": "bucc"}


def _labels(path: Path) -> list[str]:
    """evaluate.py ``read_label``."""
    with path.open() as handle:
        return [line.strip() for line in handle]


def _tags(path: Path) -> list[list[str]]:
    """evaluate.py ``read_tag``: blank lines separate sentences."""
    sentences, sentence = [], []
    with path.open() as handle:
        for line in handle:
            if line.strip():
                sentence.append(line.strip())
            else:
                sentences.append(sentence)
                sentence = []
    return sentences + [sentence] if sentence else sentences


def _mock_pair(task: str, language: str):
    """(gold, predicted) for one mock file pair, in what the task's scorer takes."""
    labels, predictions = (MOCK / kind / task for kind in ("labels", "predictions"))
    if task in ("xquad", "mlqa", "tydiqa"):
        data = json.loads((labels / f"test-{language}.json").read_text(encoding="utf-8"))["data"]
        predicted = json.loads((predictions / f"test-{language}.json").read_text(encoding="utf-8"))
        questions = [qa for article in data for paragraph in article["paragraphs"] for qa in paragraph["qas"]]
        return [[a["text"] for a in qa["answers"]] for qa in questions], [predicted[qa["id"]] for qa in questions]
    if task in ("panx", "udpos"):
        return _tags(labels / f"test-{language}.tsv"), _tags(predictions / f"test-{language}.tsv")
    gold, predicted = _labels(labels / f"test-{language}.tsv"), _labels(predictions / f"test-{language}.tsv")
    if task == "bucc2018":
        return [tuple(line.split("\t")) for line in gold], [tuple(line.split("\t")) for line in predicted]
    return gold, predicted


@needs_mock
@pytest.mark.parametrize("task,language", sorted(XTREME_VALUES), ids=[f"{t}-{lang}" for t, lang in sorted(XTREME_VALUES)])
def test_each_scorer_equals_xtremes_evaluate_on_its_mock_files(task, language):
    scorer = SCORERS[get(TASK_OF_MOCK.get(task, task)).info.scorer]
    result = scorer(*_mock_pair(task, language), language)
    expected = XTREME_VALUES[(task, language)]
    assert {key: result[key] for key in expected} == pytest.approx(expected, abs=1e-12)
    if "exact_match" in expected:  # XTREME's QA number is the mean of the two
        assert result["score"] == pytest.approx((expected["exact_match"] + expected["f1"]) / 2)
    else:
        assert result["score"] == pytest.approx(expected.get("f1", expected.get("accuracy")))


def test_every_registered_task_names_a_scorer_that_fits_its_format():
    for name in names():
        task = get(name)
        assert task.info.scorer in SCORERS, name
        assert task.format in SCORERS[task.info.scorer].formats, name
    assert {n: get(n).info.scorer for n in ("xquad", "tydiqa", "mlqa", "udpos", "panx", "tatoeba", "bucc")} == {
        "xquad": "squad_v1", "tydiqa": "squad_v1", "mlqa": "mlqa", "udpos": "upos_seqeval", "panx": "seqeval",
        "tatoeba": "tatoeba", "bucc": "bucc"}
    assert get("lareqa").info.scorer == get("mewsli_x").info.scorer == "map@20"


# --- QA: SQuAD v1.1 for XQuAD and TyDiQA, MLQA's rules for MLQA only ---------------------------

V1, MLQA, V2 = SCORERS["squad_v1"], SCORERS["mlqa"], SCORERS["squad_v2"]


@pytest.mark.parametrize("gold,predicted,language,v1,mlqa", [
    # zh: v1 splits on spaces only, ["京"] vs ["京都"] share nothing; MLQA splits characters: P 1, R 1/2
    ("京都", "京", "zh", (0.0, 0.0), (0.0, 2 / 3)),
    # «» are Unicode punctuation (Pi, Pf), not ASCII: v1 keeps them in the token
    ("Berlin", "«Berlin»", "de", (0.0, 0.0), (1.0, 1.0)),
    # the Devanagari danda U+0964 (Po) likewise
    ("दिल्ली", "दिल्ली।", "hi", (0.0, 0.0), (1.0, 1.0)),
    # MLQA strips every "ال" in Arabic; v1 does not
    ("الكتاب", "كتاب", "ar", (0.0, 0.0), (1.0, 1.0)),
    # U+00A0 is whitespace to str.split in both
    ("New York", "New\u00a0York", "en", (1.0, 1.0), (1.0, 1.0)),
    # English articles go in v1 in every language; MLQA's German list lacks "the"
    ("the Reichstag", "Reichstag", "de", (1.0, 1.0), (0.0, 2 / 3)),
])
def test_qa_normalisation_by_benchmark(gold, predicted, language, v1, mlqa):
    assert (V1([[gold]], [predicted], language)["exact_match"], V1([[gold]], [predicted], language)["f1"]) == pytest.approx(v1)
    result = MLQA([[gold]], [predicted], language)
    assert (result["exact_match"], result["f1"]) == pytest.approx(mlqa)


def test_qa_best_over_several_gold_answers_and_the_empty_answer_rule():
    # pred tokens [eiffel, tower, paris]; gold 1 [eiffel, tower]: P 2/3 R 1 F1 0.8; gold 2 [eiffel, tower, in, paris]: P 1 R 3/4 F1 6/7
    result = V1([["the Eiffel Tower", "Eiffel Tower in Paris"]], ["Eiffel tower, Paris"], "fr")
    assert result == pytest.approx({"score": 3 / 7, "em_f1": 3 / 7, "exact_match": 0.0, "f1": 6 / 7})
    # both normalise to nothing: EM 1 in every script; F1 0 in v1 and MLQA (no common token), 1 in SQuAD 2.0
    assert V1([["The"]], ["a"], "en") == pytest.approx({"score": 0.5, "em_f1": 0.5, "exact_match": 1.0, "f1": 0.0})
    assert MLQA([["The"]], ["a"], "en")["f1"] == 0.0
    assert V2([["The"]], ["a"], "en")["f1"] == 1.0
    assert V2([[]], ["something"], "en")["f1"] == 0.0 and V2([[]], [""], "en")["exact_match"] == 1.0
    with pytest.raises(ValueError, match="MLQA's normalisation"):
        MLQA([["x"]], ["x"], "fr")  # MLQA's script raises for languages it does not know


# --- UD-POS: seqeval over UPOS tags, token accuracy beside it ------------------------------------

POS = SCORERS["upos_seqeval"]


@pytest.mark.parametrize("gold,predicted,f1,accuracy", [
    # chunks (seqeval reads "PROPN" as prefix P, type ROPN): gold ROPN[0-1] ERB UNCT, predicted ROPN OUN ERB UNCT;
    # 2 right of 4 predicted, 3 gold: P 1/2, R 2/3
    (["PROPN", "PROPN", "VERB", "PUNCT"], ["PROPN", "NOUN", "VERB", "PUNCT"], 4 / 7, 0.75),
    # gold NOUN NOUN is one chunk; predicted NOUN VERB two, neither equal to it
    (["NOUN", "NOUN"], ["NOUN", "VERB"], 0.0, 0.5),
    # SCONJ is an S- (single) tag: gold two chunks, predicted SCONJ and X: one of two right each way
    (["SCONJ", "SCONJ"], ["SCONJ", "X"], 0.5, 0.5),
    # seqeval 0.0.12 types a chunk by the whole tag: CCONJ is not SCONJ (seqeval >= 0.0.13 would give both "CONJ": F1 1)
    (["CCONJ"], ["SCONJ"], 0.0, 0.0),
])
def test_udpos_benchmark_number_is_seqeval_over_upos_with_accuracy_beside_it(gold, predicted, f1, accuracy):
    result = POS([gold], [predicted])
    assert result["score"] == result["f1"] == pytest.approx(f1)
    assert result[POS.conventional] == pytest.approx(accuracy)
    assert "XTREME" in POS.score_label and "conventional" in POS.conventional_label


# --- retrieval ----------------------------------------------------------------------------------


def test_tatoeba_searches_from_english_as_xtreme_does(tmp_path):
    """XTREME indexes the other language and looks up each English sentence. Here English
    e0 = (1, .1) and e1 = (1, .2) both find x0 = (1, 0) before x1 = (0, 1): 1 of 2 right. The
    other direction (x0 finds e0, x1 finds e1) would score 1.0."""
    vectors = {"x0": [1.0, 0.0], "x1": [0.0, 1.0], "e0": [1.0, 0.1], "e1": [1.0, 0.2]}
    prefix = tmp_path / "tatoeba.deu-eng"
    prefix.with_name("tatoeba.deu-eng.deu").write_text("x0\nx1\n", encoding="utf-8")
    prefix.with_name("tatoeba.deu-eng.eng").write_text("e0\ne1\n", encoding="utf-8")
    rows = tatoeba.read(prefix, "deu")
    queries = [r for r in rows if r["side"] == "query"]
    candidates = [r for r in rows if r["side"] == "candidate"]
    assert [q["text"] for q in queries] == ["e0", "e1"]
    q = np.array([vectors[r["text"]] for r in queries])
    c = np.array([vectors[r["text"]] for r in candidates])
    assert tatoeba_accuracy(q, [r["id"] for r in queries], c, [r["id"] for r in candidates]) == 0.5
    assert tatoeba_predictions(q, c).tolist() == [0, 0]
    assert SCORERS["tatoeba"](["0", "1"], tatoeba_predictions(q, c).tolist())["score"] == 0.5


def _unit_targets(cosines: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Sources e_i and unit targets whose cosine with e_i is ``cosines[i][j]``."""
    c = np.asarray(cosines)
    sources = np.eye(c.shape[0], c.shape[0] + 1)
    rest = np.sqrt(1 - (c ** 2).sum(axis=0))
    return sources, np.vstack([c, rest]).T


def test_bucc_mining_is_one_to_one_best_first():
    """cos = [[.6, .2], [.5, .3]], k = 2: forward means .4, .4; backward .55, .25. Margins
    m00 = .6/.475, m01 = .2/.325, m10 = .5/.475, m11 = .3/.325. Source 1's best is target 0
    (1.053 > 0.923), but target 0 went to source 0 (1.263) first, so source 1 gets target 1."""
    sources, targets = _unit_targets([[0.6, 0.2], [0.5, 0.3]])
    pairs = mine_pairs(sources, targets, k=4)  # k = min(4, 2 sentences)
    assert [(s, t) for s, t, _ in pairs] == [(0, 0), (1, 1)]
    assert [m for _, _, m in pairs] == pytest.approx([0.6 / 0.475, 0.3 / 0.325])


def test_bucc_mining_drops_margins_at_or_below_zero():
    """cos = [[.9, .9, .9], [-.3, -.2, -.1]], k = 3 forward, 2 backward: forward means .9, -.2;
    backward .3, .35, .4. Source 0 takes target 0 (.9/.6 = 1.5); source 1's best is target 2
    with margin -.1/((-.2 + .4)/2) = -1, which is free but not > 0: not a pair."""
    sources, targets = _unit_targets([[0.9, 0.9, 0.9], [-0.3, -0.2, -0.1]])
    assert mine_pairs(sources, targets) == [(0, 0, pytest.approx(1.5))]


def test_bucc_candidates_map_texts_to_ids_and_never_predict_a_repeated_text():
    """The one-to-one example again, with source text "A" written twice: mining runs on
    distinct texts (same pairs), but "A" has two ids, so read_sent2id gives it none."""
    sources, targets = _unit_targets([[0.6, 0.2], [0.5, 0.3]])
    x = np.vstack([sources, sources[:1]])
    candidates = bucc_candidates(x, ["A", "B", "A"], ["de-1", "de-2", "de-3"], targets, ["S", "T"], ["en-1", "en-2"])
    assert candidates == {("de-2", "en-2"): pytest.approx(0.3 / 0.325)}


def test_bucc_threshold_ties_and_extraction_at_or_above_it():
    """bucc_optimize over a 0.9, b 0.8, c 0.8, d 0.5 with gold {a, b}: F1 2/3 after a, 1 after
    b (threshold (0.8 + 0.8) / 2 = 0.8), then lower. Extracting >= 0.8 takes c too: P 2/3, R 1."""
    candidates = {("a", "1"): 0.9, ("b", "2"): 0.8, ("c", "3"): 0.8, ("d", "4"): 0.5}
    gold = {("a", "1"), ("b", "2")}
    assert bucc_threshold(candidates, gold) == pytest.approx(0.8)
    extracted = bucc_extract(candidates, 0.8)
    assert extracted == {("a", "1"), ("b", "2"), ("c", "3")}
    assert pair_scores(gold, extracted) == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8})
    test = {("a", "1"): 0.85, ("e", "5"): 0.79}
    predicted, threshold = bucc_predictions(candidates, gold, test)  # dev's threshold applied to test
    assert threshold == pytest.approx(0.8) and predicted == {("a", "1")}
    assert SCORERS["bucc"]({("a", "1"), ("e", "5")}, predicted)["score"] == pytest.approx(2 / 3)
    assert bucc_threshold({("x", "1"): 0.9}, {("a", "1")}) == 0.0  # nothing right: XTREME's initial 0
    assert bucc_threshold({("a", "1"): 0.9}, {("a", "1")}) == 0.9  # best at the last candidate (XTREME fails)


def test_map_at_20_by_hand():
    """utils_lareqa.average_precision_at_k: precision at each new relevant rank, over min(|R|, k)."""
    assert average_precision_at(["c1", "c2", "c3"], {"c1", "c3"}) == pytest.approx((1 + 2 / 3) / 2)
    many = [f"c{i}" for i in range(25)]
    assert average_precision_at(many, set(many)) == 1.0  # divided by min(25, 20)
    assert average_precision_at(["x", "y", "e"], {"e"}) == pytest.approx(1 / 3)  # Mewsli-X: reciprocal rank
    assert average_precision_at([*many[:20], "e"], {"e"}) == 0.0  # below rank 20
    assert average_precision_at(["e", "e"], {"e", "f"}) == 0.5  # a repeated id counts once
    assert mean_of_rankings([{"a"}, {"b"}], [["a"], ["x", "b"]]) == pytest.approx(0.75)
    assert SCORERS["map@20"]([{"a"}, {"b"}], [["a"], ["x", "b"]])["score"] == pytest.approx(0.75)


def test_ranking_ties_follow_each_benchmark():
    scores = np.array([[0.7, 0.7, 0.0]])
    assert rank(scores, ties="first").tolist() == [[0, 1, 2]]  # faiss's exact search: lower index first
    assert rank(scores, ties="lareqa").tolist() == [[1, 0, 2]]  # utils_lareqa: argsort()[::-1]


def test_pooled_layer_is_xtremes():
    """run_tatoeba.sh: hidden_states[-12:][7] of 12 layers, [-24:][13] of 24; run_bucc2018.sh:
    [-12:][7] for every model (num_layers left at 12)."""
    assert [retrieval_layer(n) for n in (12, 24, 6, 2, 1)] == [8, 14, 5, 2, 1]
    assert [retrieval_layer(n, "bucc") for n in (12, 24, 6)] == [8, 20, 5]
    assert [retrieval_layer(n, "world") for n in (2, 1, 12)] == [1, 1, 7]  # the world's own rule, unchanged


# --- readers: line breaks, byte order marks, withheld UD text -------------------------------------


def test_only_newline_and_crlf_end_lines():
    text = "a\u2028b\nc\r\nd\re\u0085f\u001cg\u001dh\u001ei\u2029j\n"
    assert split_lines(text) == ["a\u2028b", "c", "d\re\u0085f\u001cg\u001dh\u001ei\u2029j"]
    assert split_lines("x") == ["x"] and split_lines("") == [] and split_lines("x\n\n") == ["x", ""]


def test_tatoeba_keeps_its_alignment_across_unicode_line_separators_and_a_bom(tmp_path):
    prefix = tmp_path / "tatoeba.deu-eng"
    prefix.with_name("tatoeba.deu-eng.deu").write_bytes("\ufeffeins\nzwei\u2028zwei\ndrei\r\nvier\n".encode())
    prefix.with_name("tatoeba.deu-eng.eng").write_text("one\ntwo\u0085two\nthree\nfour\n", encoding="utf-8")
    rows = tatoeba.read(prefix, "deu")
    assert len(rows) == 8
    german = [r["text"] for r in rows if r["side"] == "candidate"]
    assert german == ["eins", "zwei\u2028zwei", "drei", "vier"]
    assert read_lines(prefix.with_name("tatoeba.deu-eng.eng"))[1] == "two\u0085two"


def test_jsonl_and_json_readers_accept_a_bom(tmp_path):
    jsonl = tmp_path / "mnli.jsonl"
    jsonl.write_bytes('\ufeff{"sentence1": "a\u2028b", "sentence2": "c", "gold_label": "neutral"}\n'.encode())
    assert load("mnli", "en", "dev", local(str(jsonl))).examples[0]["text_a"] == "a\u2028b"
    squad = tmp_path / "xquad.de.json"
    squad.write_bytes(("\ufeff" + json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "Das Haus.", "qas": [
        {"id": "q", "question": "Was?", "answers": [{"text": "Haus", "answer_start": 4}]}]}]}]})).encode())
    assert load("xquad", "de", "test", local(str(squad))).examples[0]["answers"]["text"] == ["Haus"]


def _word(number: int, form: str, tag: str) -> str:
    return f"{number}\t{form}\t_\t{tag}\t_\t_\t0\troot\t_\t_"


def test_ud_sentences_without_their_text_are_dropped_and_counted(tmp_path):
    """udpos_preprocess keeps a sentence when num_empty == 0 or num_empty < len - 1."""
    sentences = [
        [("_", "DET"), ("_", "NOUN"), ("_", "PUNCT")],  # all withheld: dropped
        [("_", "DET"), ("_", "NOUN"), ("Haus", "NOUN")],  # 2 >= 3 - 1: dropped
        [("Das", "DET"), ("_", "NOUN"), ("Haus", "NOUN")],  # 1 < 2: kept
        [("Ja", "INTJ")],  # no "_": kept
        [("ab\u200ccd e", "NOUN"), ("!", "PUNCT")],  # ZWNJ and spaces leave the form
    ]
    text = "\ufeff" + "\r\n\r\n".join("# sent_id = s\r\n" + "\r\n".join(_word(i + 1, f, t) for i, (f, t) in enumerate(s))
                                      for s in sentences) + "\r\n"
    path = tmp_path / "de-ud-test.conllu"
    path.write_bytes(text.encode("utf-8"))
    assert [conllu.withheld([f for f, _ in s]) for s in sentences] == [True, True, False, False, False]
    loaded = load("udpos", "de", "test", local(str(path)))
    assert loaded.withheld == 2
    assert [e["tokens"] for e in loaded.examples] == [["Das", "_", "Haus"], ["Ja"], ["abcde", "!"]]


# --- the encoder-level entry points a study calls ---------------------------------------------------


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    """A randomly initialised 2-layer XLM-R-shaped encoder and a tokenizer trained on a few words."""
    import torch

    from xitt.models.tiny import tiny_config, tiny_mlm
    from xitt.models.tokenizer import load_tokenizer, train_tokenizer

    words = "das haus ist rot the house is red ein baum a tree blau blue grün green katze cat hund dog".split()
    corpus = [" ".join(words[i:] + words[:i]) for i in range(len(words))] * 20
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    train_tokenizer(corpus, 300, path)
    tokenizer = load_tokenizer(path)
    torch.manual_seed(0)
    return tiny_mlm(tiny_config(tokenizer, layers=2, hidden=32, heads=2, max_length=64)).roberta, tokenizer


def _bucc_files(directory: Path, split: str, pairs: list[tuple[str, str]], alone_de: list[str], alone_en: list[str]) -> None:
    de = [f"de-{split}-{i}\t{text}" for i, (text, _) in enumerate(pairs)] + [f"de-{split}-x{i}\t{t}" for i, t in enumerate(alone_de)]
    en = [f"en-{split}-{i}\t{text}" for i, (_, text) in enumerate(pairs)] + [f"en-{split}-x{i}\t{t}" for i, t in enumerate(alone_en)]
    (directory / f"de-en.{split}.de").write_text("\n".join(de) + "\n", encoding="utf-8")
    (directory / f"de-en.{split}.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    (directory / f"de-en.{split}.gold").write_text("".join(f"de-{split}-{i}\ten-{split}-{i}\n" for i in range(len(pairs))),
                                                   encoding="utf-8")


def test_evaluate_bucc_mines_identical_sentences_through_the_reader(tmp_path, tiny_encoder):
    """Gold pairs are the same text on both sides (equal vectors at layer 0, the embeddings),
    so mining finds each; the test split is dev's sentences in another order, so dev's
    threshold keeps its unpaired sentences out and every gold pair in."""
    from xitt.models.score_retrieval import evaluate_bucc

    encoder, tokenizer = tiny_encoder
    same = ["das haus ist rot", "ein baum", "katze hund", "blau grün rot", "the house is red"]
    _bucc_files(tmp_path, "sample", [(t, t) for t in same], ["hund hund hund"], ["tree tree tree"])
    _bucc_files(tmp_path, "training", [(t, t) for t in reversed(same)], ["hund hund hund"], ["tree tree tree"])
    read = {split: load("bucc", "de", split, local(str(tmp_path / "de-en.{split}"), splits={"dev": "sample", "test": "training"})).examples
            for split in ("dev", "test")}
    result = evaluate_bucc(encoder, tokenizer, read["dev"], read["test"], layer=0)
    assert result["score"] == result["f1"] == 1.0 and result["threshold"] > 0, result


@needs_mock
def test_evaluate_ranking_scores_lareqa_through_the_reader(tiny_encoder):
    from xitt.models.score_retrieval import evaluate_ranking, sides

    encoder, tokenizer = tiny_encoder
    rows = load("lareqa", "de", "test", local(str(REPO.parent / "shared" / "fixtures" / "lareqa" / "xquad_r.de.json"))).examples
    queries, candidates = sides(rows)
    result = evaluate_ranking(encoder, tokenizer, queries[:20], candidates)
    assert set(result) == {"score", "map@20"} and 0.0 <= result["score"] <= 1.0
    # a candidate that is its question's text is found first: AP 1 for each such query
    planted = [{"id": q["id"], "ids": [q["id"]], "uid": f"p{i}", "text": q["text"], "side": "candidate"}
               for i, q in enumerate(queries[:5])]
    assert evaluate_ranking(encoder, tokenizer, queries[:5], planted)["score"] == 1.0


def test_mewsli_x_texts_as_xtreme_preprocesses_them():
    from xitt.tasks.mewsli_x import description_text, mention_text

    context = {"text": "A {b} c.\nSmith  won. Later.", "sentence_spans": [{"start": 0, "end": 8}, {"start": 9, "end": 20}]}
    mention = {"mention_span": {"start": 9, "end": 14, "text": "Smith"}, "entity_id": "Q1"}
    # one sentence, the mention marked and prepended; then .replace("  ", " ") once: the right side
    # " " + "  won." is three spaces, which become two (preprocess_mention)
    assert mention_text(context, mention) == "Smith: { Smith }  won."
    left = {"mention_span": {"start": 6, "end": 7, "text": "c"}, "entity_id": "Q2"}
    assert mention_text(context, left) == "c: A (b) { c } ."  # braces already in the text become parentheses
    assert mention_text({"text": "Smith won."}, mention | {"mention_span": {"start": 0, "end": 5, "text": "Smith"}}) == \
        "Smith: { Smith } won."  # no sentence spans: the text is one sentence
    assert description_text({"description": "One.\nTwo.", "sentence_spans": [{"start": 0, "end": 4}, {"start": 5, "end": 9}]}) == "One. Two."
