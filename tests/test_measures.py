"""Similarity measures on inputs with a known answer: published reference values, hand
computations, and the invariants each measure promises. No mocks."""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from xitt.measures import MEASURES, inputs_of, kind_of
from xitt.measures.cka import linear_cka, linear_cka_matrix
from xitt.measures.logme import logme
from xitt.measures.size import ratio_matrix, size_matrix, ttr_distance, type_token_ratio
from xitt.measures.transferability import fit_probe, h_score, leep, probe_probabilities
from xitt.measures.typology import mixture_distances, world_distances
from xitt.measures.vocabulary import (
    KINDS,
    bhattacharyya,
    compare,
    count_matrices,
    distributions,
    jensen_shannon,
    renyi,
    word_counts,
)


@pytest.fixture(scope="module")
def reference():
    """The issue's constructed case, whose scores the reference implementations give."""
    rng = np.random.default_rng(0)
    n, d = 200, 16
    y = rng.integers(0, 3, n)
    means = rng.standard_normal((3, d))
    f = means[y] + rng.standard_normal((n, d))
    w = rng.standard_normal((d, 4))
    logits = f @ w
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    g = f @ rng.standard_normal((d, 8)) + 0.5 * rng.standard_normal((n, 8))
    return f, y, p, g


# --- model-level: reference values -----------------------------------------------------------


def test_reference_values(reference):
    f, y, p, g = reference
    assert logme(f, y) == pytest.approx(-0.100203, abs=1e-5)
    assert leep(p, y) == pytest.approx(-0.745975, abs=1e-5)
    assert h_score(f, y) == pytest.approx(1.663685, abs=1e-5)
    assert linear_cka(f, g) == pytest.approx(0.707364, abs=1e-5)


def test_logme_prefers_features_that_predict_the_labels(reference):
    f, y, _, _ = reference
    rng = np.random.default_rng(1)
    perfect = np.eye(3)[y] + 0.01 * rng.standard_normal((len(y), 3))
    noise = rng.standard_normal(f.shape)
    assert logme(perfect, y) > logme(f, y) > logme(noise, y)
    assert logme(f, y) == logme(f.astype(np.float32), y) or abs(logme(f, y) - logme(f.astype(np.float32), y)) < 1e-5


def test_logme_is_invariant_to_an_orthogonal_rotation_of_features(reference):
    f, y, _, _ = reference
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((16, 16)))
    assert logme(f @ q, y) == pytest.approx(logme(f, y), abs=1e-8)


def test_cka_is_one_for_identical_and_invariant_to_rotation_and_scaling(reference):
    f, _, _, g = reference
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((8, 8)))
    assert linear_cka(f, f) == pytest.approx(1.0)
    assert linear_cka(f, 3.7 * g @ q) == pytest.approx(linear_cka(f, g), abs=1e-10)
    assert linear_cka(f, g + 5.0) == pytest.approx(linear_cka(f, g), abs=1e-10)  # centring
    assert 0.0 <= linear_cka(f, np.random.default_rng(4).standard_normal((200, 8))) < 0.3


def test_cka_matrix_equals_each_pair(reference):
    f, _, _, g = reference
    rng = np.random.default_rng(5)
    rows, columns = [f, g, rng.standard_normal((200, 3))], [g, f[:, :5]]
    expected = np.array([[linear_cka(a, b) for b in columns] for a in rows])
    np.testing.assert_allclose(linear_cka_matrix(rows, columns), expected, atol=1e-12)


def test_leep_is_zero_when_source_labels_determine_the_target(reference):
    _, y, p, _ = reference
    assert leep(np.eye(3)[y], y) == pytest.approx(0.0)
    assert leep(p, y) < 0
    uniform = np.full((len(y), 4), 0.25)  # an uninformative source: the label prior's log-likelihood
    prior = np.bincount(y) / len(y)
    assert leep(uniform, y) == pytest.approx(float(np.mean(np.log(prior[y]))))


def test_h_score_is_classes_minus_one_for_one_hot_features(reference):
    _, y, _, _ = reference
    assert h_score(np.eye(3)[y], y) == pytest.approx(2.0)
    assert 0 <= h_score(np.random.default_rng(6).standard_normal((200, 16)), y) < 0.5


def test_probe_recovers_separable_labels(reference):
    f, y, _, _ = reference
    weights = fit_probe(np.eye(3)[y] * 5, y, 3, l2=1e-4)
    assert (probe_probabilities(weights, np.eye(3)[y] * 5).argmax(1) == y).all()


# --- data-level ------------------------------------------------------------------------------

A = Counter({"the": 5, "cat": 2, "sat": 1})
B = Counter({"a": 3, "dog": 1})


def _pair(a: Counter, b: Counter, measure: str, **settings) -> float:
    rows, columns = count_matrices([a], [b])
    options = {"top_k": 1000, "alpha": 0.99, "smoothing": 0.0} | settings
    return float(compare(measure, rows, columns, **options)[0, 0])


@pytest.mark.parametrize(
    "measure, identical, disjoint",
    [
        ("jaccard", 1.0, 0.0),
        ("langrank", 0.5, 0.0),
        ("jensen_shannon", 0.0, 1.0),
        ("cosine", 1.0, 0.0),
        ("l1", 0.0, 2.0),
        ("bhattacharyya", 0.0, np.inf),
        ("renyi", 0.0, np.inf),
    ],
)
def test_identical_and_disjoint_vocabularies(measure, identical, disjoint):
    assert _pair(A, A, measure) == pytest.approx(identical, abs=1e-12)
    assert _pair(A, B, measure) == pytest.approx(disjoint)
    kind = KINDS[measure]
    best = kind.high if kind.direction == "similarity" else kind.low
    assert identical == best  # identical tasks get the declared maximum similarity


def test_jensen_shannon_is_the_square_of_scipys_distance():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 5, (3, 40)).astype(float)
    others = rng.integers(0, 5, (4, 40)).astype(float)
    p, q = distributions(counts), distributions(others)
    expected = np.array([[jensenshannon(a, b, base=2) ** 2 for b in q] for a in p])
    np.testing.assert_allclose(jensen_shannon(p, q), expected, atol=1e-12)


def test_renyi_by_hand_and_its_kl_limit():
    p, q = np.array([[0.5, 0.25, 0.25]]), np.array([[0.25, 0.25, 0.5]])
    half = -2 * np.log(np.sum(np.sqrt(p * q)))
    assert renyi(p, q, 0.5)[0, 0] == pytest.approx(half)
    assert renyi(p, q, 0.5)[0, 0] == pytest.approx(2 * bhattacharyya(p, q)[0, 0])  # D_1/2 = 2 * Bhattacharyya
    kl = float(np.sum(p * np.log(p / q)))
    assert renyi(p, q, 0.999)[0, 0] == pytest.approx(kl, rel=1e-2)
    with pytest.raises(ValueError):
        renyi(p, q, 1.0)


def test_jaccard_top_k_keeps_only_the_most_frequent_types():
    a = Counter({"x": 9, "y": 8, "rare": 1})
    b = Counter({"x": 9, "y": 8, "other": 1})
    assert _pair(a, b, "jaccard", top_k=2) == 1.0
    assert _pair(a, b, "jaccard", top_k=3) == pytest.approx(2 / 4)
    assert _pair(a, b, "langrank") == pytest.approx(2 / 6)


def test_smoothing_makes_divergences_of_disjoint_tasks_finite():
    assert np.isfinite(_pair(A, B, "bhattacharyya", smoothing=1e-6))


def test_word_counts_split_on_whitespace():
    assert word_counts(["a b a", "c"]) == Counter({"a": 2, "b": 1, "c": 1})


def test_size_measures_by_hand():
    np.testing.assert_allclose(size_matrix(np.array([100, 300]), np.array([50, 10, 20])), [[100] * 3, [300] * 3])
    np.testing.assert_allclose(ratio_matrix(np.array([100, 300]), np.array([50, 100])), [[2, 1], [6, 3]])
    assert type_token_ratio(Counter({"a": 2, "b": 2})) == 0.5
    np.testing.assert_allclose(ttr_distance(np.array([0.5, 0.2]), np.array([0.5, 0.1])), [[0.0, 0.4], [0.3, 0.1]])
    with pytest.raises(ValueError):
        ratio_matrix(np.array([1]), np.array([0]))


# --- language-level --------------------------------------------------------------------------

FEATURES = ("S_SVO", "S_SOV", "M_CASE", "W_NON_LATIN")
TYPOLOGY = {"en": (1, 0, 0, 0), "qaa": (0, 1, 1, 1), "qab": (1, 0, 1, 0)}


def test_world_distances_are_shares_of_differing_features():
    langs = ["en", "qaa", "qab"]
    np.testing.assert_allclose(world_distances(TYPOLOGY, FEATURES, "syntactic", langs), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    np.testing.assert_allclose(world_distances(TYPOLOGY, FEATURES, "featural", langs)[0], [0, 1.0, 0.25])
    with pytest.raises(ValueError):
        world_distances(TYPOLOGY, FEATURES, "genetic", langs)


def test_mixture_distance_weights_languages_by_data_share():
    langs = ["en", "qaa", "qab"]
    pairwise = world_distances(TYPOLOGY, FEATURES, "featural", langs)
    rows = [{"en": 100}, {"en": 300, "qaa": 100}]
    columns = [{"en": 1}, {"qaa": 60, "qab": 60}]
    out = mixture_distances(rows, columns, langs, pairwise)
    assert out[0, 0] == 0.0
    assert out[0, 1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.25)
    assert out[1, 0] == pytest.approx(0.25 * 1.0)
    by_hand = sum(wa * wb * pairwise[langs.index(a), langs.index(b)] for a, wa in {"en": 0.75, "qaa": 0.25}.items() for b, wb in {"qaa": 0.5, "qab": 0.5}.items())
    assert out[1, 1] == pytest.approx(by_hand)


def test_uriel_syntactic_distance_english_french():
    from xitt.measures.typology import uriel_distances

    matrix = uriel_distances("syntactic", ["en", "fra", "en"])
    assert matrix[0, 1] == pytest.approx(0.4204, abs=1e-4)
    assert matrix[0, 2] == 0.0
    with pytest.raises(ValueError, match="qaa"):
        uriel_distances("syntactic", ["en", "qaa"])


@pytest.mark.parametrize("family", ["syntactic", "phonological", "inventory", "featural", "genetic", "geographic", "script"])
def test_uriel_distances_are_symmetric_with_a_zero_diagonal(family):
    from xitt.measures.typology import uriel_distances

    matrix = uriel_distances(family, ["en", "fr", "de", "hi"])
    np.testing.assert_allclose(matrix, matrix.T)
    assert (np.diag(matrix) == 0).all()  # a language mix is at distance 0 from itself
    assert ((matrix >= 0) & (matrix <= 1)).all()


def test_uriel_loads_offline_and_leaves_the_root_logger_alone(tmp_path):
    """A fresh process in which every socket raises: URIEL+ still answers, from its own files."""
    import subprocess
    import sys

    script = tmp_path / "offline.py"
    script.write_text(
        "import logging, socket\n"
        "def refuse(*a, **k):\n    raise OSError('network touched')\n"
        "socket.socket = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from xitt.measures.typology import uriel_distances\n"
        "print(round(float(uriel_distances('syntactic', ['en', 'fr'])[0, 1]), 4))\n"
        "print(len(logging.getLogger().handlers))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.4204", "0"]


# --- declarations ----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", sorted(MEASURES))
def test_every_measure_declares_a_kind_and_a_registered_op(measure):
    import xitt.ops  # noqa: F401
    from xitt.engine.registry import registered_ops
    from xitt.signature import with_defaults

    params = with_defaults(MEASURES[measure], {})
    kind = kind_of(measure, params)
    assert kind.direction in ("similarity", "distance")
    assert f"similarity.{measure}" in registered_ops()
    assert inputs_of(measure, params) <= {"encoder", "intermediate_models"}


def test_a_measure_declared_in_one_module_is_checked_compiled_and_run(tiny_study):
    """finetuned_embedding was added as one module of measures/declared and one line in its
    MODULES: the language checks its params, the compiler takes its op and inputs from the
    declaration, and the generic op runs it (on the warm tiny study: only it and correlate run)."""
    import xitt.ops  # noqa: F401
    from tests.conftest import TINY, run_file
    from xitt.compile import compile_program
    from xitt.engine.registry import get_op
    from xitt.engine.store import Store
    from xitt.errors import ProgramError
    from xitt.lang import load_program

    path = tiny_study.parent / "tuned.xitt"
    path.write_text(TINY.replace("similarity vocab = vocabulary(measure: jensen_shannon)",
                                 "similarity tuned = finetuned_embedding(samples: 16, pool: mean)"))
    step = compile_program(load_program(path)).graph.by_id()["similarity/tuned"]
    assert step.op == "similarity.finetuned_embedding" and step.inputs["encoder"] == "pretrain/base"
    assert (step.params["samples"], step.params["epochs"], step.params["lr"]) == (16, 1, 5e-4)
    op = get_op(step.op)
    assert "xitt.measures.declared.finetuned_embedding" in {name for name, _ in op.modules}  # in its version
    summary = run_file(path)
    assert set(summary.executed) == {"similarity/tuned", "correlate/1"}
    with Store(path.parent) as store:
        result = store.get(summary.keys["similarity/tuned"]).result
    values = np.array([[result["values"][i][t] for t in result["targets"]] for i in result["intermediates"]])
    assert values.shape == (2, 2) and np.isfinite(values).all() and (np.abs(values) <= 1 + 1e-9).all()
    assert (result["direction"], result["range"]) == ("similarity", [-1.0, 1.0])
    path.write_text(TINY.replace("vocabulary(measure: jensen_shannon)", "finetuned_embedding(pool: max)"))
    with pytest.raises(ProgramError, match="pool"):
        load_program(path)


def test_subword_vocabulary_needs_the_encoder_and_word_vocabulary_does_not():
    assert inputs_of("vocabulary", {"unit": "subwords"}) == {"encoder"}
    assert inputs_of("vocabulary", {"unit": "words"}) == frozenset()


# --- SEmb: any encoder from local files ------------------------------------------------------

TEXTS_A = ["the cat sat on the mat", "a dog ran in the park", "the cat ate"]
TEXTS_B = ["zz qq xx", "qq zz", "xx xx zz qq"]


@pytest.fixture(scope="module")
def local_encoder(tmp_path_factory):
    """A tiny Hugging Face encoder saved as any checkpoint folder is (config, weights, tokenizer),
    with a sentence-transformers pooling config that asks for the CLS token."""
    import json

    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from xitt.models.tokenizer import load_tokenizer, train_tokenizer

    folder = tmp_path_factory.mktemp("sentence_encoder")
    train_tokenizer(TEXTS_A + TEXTS_B, 60, folder / "tok.json")
    load_tokenizer(folder / "tok.json").save_pretrained(folder)
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=80, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=40, pad_token_id=1)
    XLMRobertaModel(config, add_pooling_layer=False).save_pretrained(folder)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}))
    return folder


def test_semb_task_vector_averages_unit_sentence_vectors():
    from xitt.measures.sentence_embedding import task_vector

    vectors = np.array([[3.0, 0.0], [0.0, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(task_vector(vectors), [1 / 3, 1 / 3])  # lengths do not weigh; a zero row adds nothing


def test_semb_reads_any_local_encoder_and_its_pooling(local_encoder, tmp_path):
    from xitt.measures.sentence_embedding import load_sentence_encoder, pooling_of, task_vector
    from xitt.measures.text_embedding import cosine_matrix
    from xitt.models.embed import embed_texts

    encoder, tokenizer, folder = load_sentence_encoder(str(local_encoder))
    assert pooling_of(folder, "auto") == "cls" and pooling_of(folder, "mean") == "mean"
    assert pooling_of(tmp_path, "auto") == "mean"
    tasks = np.stack([task_vector(embed_texts(encoder, tokenizer, texts, pool="mean")) for texts in (TEXTS_A, TEXTS_B, TEXTS_A)])
    values = cosine_matrix(tasks, tasks)
    assert values[0, 2] == pytest.approx(1.0)  # identical tasks: the maximum
    assert values[0, 1] < 1.0 - 1e-6
    with pytest.raises(FileNotFoundError, match="no encoder"):
        load_sentence_encoder(str(tmp_path / "missing"))


def test_semb_needs_the_study_encoder_only_when_it_uses_it():
    assert inputs_of("sentence_embedding", {"model": "encoder"}) == {"encoder"}
    assert inputs_of("sentence_embedding", {"model": "/models/sbert"}) == frozenset()


# --- TaskEmb ---------------------------------------------------------------------------------


def _task_model(local_encoder, task_name: str):
    import torch

    from xitt.measures.sentence_embedding import load_sentence_encoder
    from xitt.models.heads import TaskModel, make_head
    from xitt.world.catalog import TASKS

    encoder, tokenizer, _ = load_sentence_encoder(str(local_encoder))
    torch.manual_seed(1)
    task = TASKS[task_name]
    return TaskModel(encoder, make_head(task, 16, 0.1, 0.2), task, 32), tokenizer


SENTIMENT = [{"text": t, "label": i % 2} for i, t in enumerate(TEXTS_A + TEXTS_B)]
TAGGED = [{"tokens": t.split(), "tags": [i % 3 for i, _ in enumerate(t.split())]} for t in TEXTS_A + TEXTS_B]


@pytest.mark.parametrize("task_name, examples", [("sentiment", SENTIMENT), ("pos", TAGGED)])
def test_output_fisher_in_batches_equals_one_example_at_a_time(local_encoder, task_name, examples):
    from xitt.measures.task_embedding import fisher_diagonal

    model, tokenizer = _task_model(local_encoder, task_name)
    batched = fisher_diagonal(model, tokenizer, examples, "outputs")
    single = np.mean([fisher_diagonal(model, tokenizer, [e], "outputs") for e in examples], axis=0)
    assert batched.shape == (2 * 16,)  # (embeddings + 1 layer) x hidden
    np.testing.assert_allclose(batched, single, rtol=1e-6, atol=1e-14)
    assert (batched >= 0).all() and batched.sum() > 0


@pytest.mark.parametrize("task_name, examples, which", [("sentiment", SENTIMENT, "last_layer"), ("sentiment", SENTIMENT, "encoder"), ("pos", TAGGED, "encoder")])
def test_parameter_fisher_is_the_mean_squared_gradient(local_encoder, task_name, examples, which):
    """The vectorised per-example gradients equal one plain backward per example, on
    batches whose rows are padded to different lengths."""
    import torch

    from xitt.measures.task_embedding import chosen_parameters, fisher_diagonal
    from xitt.measures.text_embedding import cosine_matrix
    from xitt.models.encode import IGNORE, encode_examples

    model, tokenizer = _task_model(local_encoder, task_name)
    fisher = fisher_diagonal(model, tokenizer, examples, which)
    params = chosen_parameters(model, which)
    by_hand = []
    for example in examples:
        data = encode_examples(tokenizer, model.task, [example], 32)
        batch = data.batch(np.array([0]), torch.device("cpu"))
        log_probs = torch.log_softmax(model(batch.ids, batch.mask), -1)[0]
        if task_name == "pos":
            words = batch.labels[0] != IGNORE
            log_likelihood = log_probs[words].gather(1, batch.labels[0][words, None]).sum()
        else:
            log_likelihood = log_probs[example["label"]]
        grads = torch.autograd.grad(log_likelihood, params, allow_unused=True)  # an unused pooler gets 0
        by_hand.append(torch.cat([(torch.zeros_like(p) if g is None else g).flatten() ** 2 for p, g in zip(params, grads)]).numpy())
    assert len({len(t.split()) for t in TEXTS_A + TEXTS_B}) > 1  # rows of one batch are padded
    np.testing.assert_allclose(fisher, np.mean(by_hand, axis=0), rtol=1e-4, atol=1e-12)
    assert fisher.sum() > 0
    vectors = np.stack([fisher, fisher])
    assert cosine_matrix(vectors, vectors)[0, 1] == pytest.approx(1.0)  # identical tasks: the maximum


# --- every measure through the real engine -------------------------------------------------

_EVERY_MEASURE = """\
similarity text     = text_embedding(samples: 32)
similarity semb     = sentence_embedding(samples: 32)
similarity jaccard  = vocabulary(measure: jaccard)
similarity langrank = vocabulary(measure: langrank, unit: subwords)
similarity js       = vocabulary(measure: jensen_shannon)
similarity renyi    = vocabulary(measure: renyi, smoothing: 1e-6)
similarity cosine   = vocabulary(measure: cosine)
similarity l1       = vocabulary(measure: l1)
similarity bhatt    = vocabulary(measure: bhattacharyya, smoothing: 1e-6)
similarity ratio    = size(measure: ratio)
similarity ttr      = size(measure: ttr)
similarity lang     = typology(features: syntactic, target_languages: train)
similarity fisher   = task_embedding(samples: 32, parameters: outputs)
similarity cka      = cka(samples: 32)
similarity logme    = logme(samples: 32)
similarity hscore   = h_score(samples: 32)
similarity leep     = leep(samples: 32)
similarity ftemb    = finetuned_embedding(samples: 32)
"""


def _every_measure_study() -> str:
    """The shared tiny study with nli @ en both as an intermediate and as a target, and every measure."""
    from tests.conftest import TINY

    head, tail = TINY.split("similarity text", 1)
    tail = tail[tail.index("correlate"):]
    head = head.replace("toy.{paraphrase, pos} train", "toy.{nli, pos} train")
    assert "toy.{nli, sentiment} @ en" in head and "toy.{nli, pos} train" in head
    return head + _EVERY_MEASURE + "\n" + tail


# the declared best value that the identical pair (nli @ en as intermediate and as target) reaches
IDENTICAL_BEST = {"text": 1.0, "semb": 1.0, "jaccard": 1.0, "langrank": 0.5, "js": 0.0, "renyi": 0.0, "cosine": 1.0,
                  "l1": 0.0, "bhatt": 0.0, "ttr": 0.0, "lang": 0.0, "fisher": 1.0, "ratio": 1.0, "ftemb": 1.0}


@pytest.mark.slow
def test_every_measure_runs_in_a_study_and_identical_tasks_get_the_best_value(tmp_path):
    from tests.conftest import run_file
    from xitt.engine.store import Store

    path = tmp_path / "every.xitt"
    path.write_text(_every_measure_study())
    summary = run_file(path)
    with Store(tmp_path) as store:
        results = {step.split("/")[1]: store.get(key).result for step, key in summary.keys.items() if step.startswith("similarity/")}
    assert set(results) == set(IDENTICAL_BEST) | {"cka", "logme", "hscore", "leep"}
    for name, result in results.items():
        low, high = result["range"]
        values = np.array([[result["values"][i][t] for t in result["targets"]] for i in result["intermediates"]])
        assert values.shape == (2, 2) and np.isfinite(values).all(), name
        assert (low is None or (values >= low - 1e-9).all()) and (high is None or (values <= high + 1e-9).all()), name
        if name in IDENTICAL_BEST:
            same = result["values"]["nli@en"]["nli"]  # nli @ en, read as intermediate and as target
            assert same == pytest.approx(IDENTICAL_BEST[name], abs=1e-6), name
            if name != "ratio":  # the best value the measure's declared kind allows
                assert same == pytest.approx(high if result["direction"] == "similarity" else low, abs=1e-6), name
