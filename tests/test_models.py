"""The models package on its own toy data: tokenizer, pretraining, heads, loop, metrics, embeddings.

No mocks: every test trains or runs the real (tiny) models on the CPU.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from xitt.models.batching import Batching
from xitt.models.embed import embed_texts
from xitt.models.evaluate import word_predictions
from xitt.models.encode import IGNORE, encode_words, first_subword_labels
from xitt.errors import UserError
from xitt.models.finetune import TaskData, TrainSettings, evaluate, train_task, train_tasks
from xitt.models.hub import load_pretrained
from xitt.models.io import load_encoder, save_encoder
from xitt.models.loop import LoopSettings, epoch_batches, schedule, step_batches, train
from xitt.models.mixing import mixed_batches, task_probabilities
from xitt.models.params import Mixing
from xitt.models.metrics import bio_spans, span_scores
from xitt.models.score_retrieval import evaluate_retrieval
from xitt.models.pretrain import PretrainSettings, masking_for, mlm_loss, pretrain_mlm
from xitt.models.tiny import tiny_config, tiny_mlm
from xitt.models.tokenizer import SPECIAL_TOKENS, load_tokenizer, train_tokenizer
from xitt.models.toydata import CHOICE, CLASSIFICATION, PAIR, QA, RETRIEVAL, TAGGING, ToyWorld
from xitt.tasks.formats import Format, TaskInfo

REPO = Path(__file__).resolve().parents[1]
TINY = PretrainSettings(layers=1, hidden=32, heads=2, vocab_size=400, pretrain_steps=150, batch=32, lr=2e-3, seed=0, max_length=48)


@pytest.fixture(scope="module", autouse=True)
def _threads():
    """One thread: models this small gain little from a second, and on a loaded machine two
    OpenMP threads that wait for each other measured ~10x slower (benchmarks/train_throughput.py)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def world() -> ToyWorld:
    return ToyWorld(seed=0, filler=200, length=(3, 12))


@pytest.fixture(scope="module")
def corpus(world) -> list[str]:
    return world.corpus(3000, seed=1)


@pytest.fixture(scope="module")
def tokenizer(world, corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    train_tokenizer(corpus, TINY.vocab_size, path)
    return load_tokenizer(path)


@pytest.fixture(scope="module")
def pretrained(tokenizer, corpus):
    """A tiny MLM after a short pretraining, and the losses it reported on the way."""
    losses: list[float] = []
    model = pretrain_mlm(tokenizer, corpus, TINY, lambda step, total, m: losses.append(m["loss"]))
    return model, losses


def fresh_encoder(tokenizer, seed: int = 0, layers: int = 1, hidden: int = 32):
    torch.manual_seed(seed)
    return tiny_mlm(tiny_config(tokenizer, layers, hidden, 2, 48)).roberta


# --- tokenizer -----------------------------------------------------------------------------

_TRAIN_IN_CHILD = """
import sys
from pathlib import Path
from xitt.models.tokenizer import train_tokenizer
from xitt.models.toydata import ToyWorld
train_tokenizer(ToyWorld(0, filler=300).corpus(2000, seed=4), 700, Path(sys.argv[1]))
"""


def test_tokenizer_is_byte_identical_across_processes(tmp_path):
    """Separate processes get different hash seeds (Rust's and Python's): the bytes must not care."""
    digests = set()
    for i in range(2):
        path = tmp_path / f"tokenizer{i}.json"
        subprocess.run([sys.executable, "-c", _TRAIN_IN_CHILD, str(path)], check=True, cwd=REPO)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_tokenizer_special_tokens_and_templates(tokenizer, corpus):
    assert [tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == [0, 1, 2, 3, 4]
    assert (tokenizer.bos_token, tokenizer.pad_token, tokenizer.eos_token, tokenizer.unk_token, tokenizer.mask_token) == SPECIAL_TOKENS
    assert (tokenizer.cls_token, tokenizer.sep_token) == ("<s>", "</s>")
    text, other = corpus[0], corpus[1]
    single = tokenizer(text)["input_ids"]
    assert single[0] == tokenizer.bos_token_id and single[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(single, skip_special_tokens=True) == text
    pair = tokenizer(text, other)["input_ids"]
    a, b = tokenizer(text, add_special_tokens=False)["input_ids"], tokenizer(other, add_special_tokens=False)["input_ids"]
    assert pair == [0, *a, 2, 2, *b, 2]  # XLM-R: <s> A </s></s> B </s>
    words = text.split()
    masked = " ".join([words[0], "<mask>", *words[1:]])
    ids = tokenizer(masked)["input_ids"]
    assert ids.count(tokenizer.mask_token_id) == 1
    assert tokenizer.decode(ids) == f"<s> {masked} </s>"
    assert tokenizer.convert_ids_to_tokens(tokenizer("xqxq")["input_ids"]) == ["<s>", "<unk>", "</s>"]


def test_a_separator_written_in_the_corpus_keeps_its_reserved_id(tmp_path):
    """Parallel lines carry "</s>" in their text: training must not learn it as a word (which
    would move </s> off id 2), and encoding reads it as the separator."""
    path = tmp_path / "tok.json"
    train_tokenizer(["the cat sat </s> le chat", "a dog ran </s> un chien"] * 20, 80, path)
    tok = load_tokenizer(path)
    assert [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == [0, 1, 2, 3, 4]
    assert tok("the cat </s> le chat")["input_ids"].count(tok.sep_token_id) == 2


def test_tokenizer_splits_words_into_subwords(tokenizer, world):
    pieces = [tokenizer.tokenize(w) for w in world.filler + world.places]
    assert any(len(p) > 1 for p in pieces), "a toy vocabulary this small must split some words"
    assert all(not p[0].startswith("##") and all(q.startswith("##") for q in p[1:]) for p in pieces)
    capital = world.first_names[0][0]  # capitals only ever start a word in the corpus
    assert tokenizer.unk_token not in tokenizer.tokenize(f"ka{capital}{capital}")


# --- pretraining ---------------------------------------------------------------------------


def test_settings_take_declared_keys_only():
    """One policy for unknown keys everywhere: an error naming them, never silently dropped."""
    from xitt.signature import UnknownParams

    settings = PretrainSettings.from_params({"layers": 3, "hidden": 48})
    assert (settings.layers, settings.hidden, settings.max_length) == (3, 48, 64)
    train = TrainSettings.from_params({"lr": 1e-3, "epochs": 2}, seed=7)
    assert (train.lr, train.epochs, train.batch, train.seed, train.freeze_embeddings) == (1e-3, 2, 32, 7, False)
    assert train.to_params() == {**TrainSettings().to_params(), "lr": 1e-3, "epochs": 2}  # the seed is no param
    with pytest.raises(UnknownParams, match="name, world"):
        PretrainSettings.from_params({"layers": 3, "world": "toy", "name": "base"})
    with pytest.raises(UnknownParams, match="task"):
        TrainSettings.from_params({"lr": 1e-3, "task": "nli"}, seed=7)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        TrainSettings(epochs=0)


def test_pretraining_lowers_mlm_loss(pretrained):
    model, losses = pretrained
    assert len(losses) >= 10
    assert np.mean(losses[-3:]) < np.mean(losses[:2]) - 0.5, losses
    config = model.config
    assert (config.intermediate_size, config.max_position_embeddings, config.type_vocab_size) == (128, 48 + 2, 1)


def test_pretraining_is_seeded(tokenizer, corpus):
    settings = PretrainSettings(layers=1, hidden=16, heads=2, pretrain_steps=5, batch=8, seed=3, max_length=32)
    a, b = (pretrain_mlm(tokenizer, corpus[:200], settings) for _ in range(2))
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_masking_is_80_10_10_of_15_percent_and_spares_specials(tokenizer, corpus):
    masking = masking_for(tokenizer)
    enc = tokenizer(corpus[:2000], truncation=True, max_length=48)["input_ids"]
    width = max(map(len, enc))
    ids = np.full((len(enc), width), tokenizer.pad_token_id)
    for i, row in enumerate(enc):
        ids[i, : len(row)] = row
    lengths = np.array([len(r) for r in enc])
    corrupted, chosen = masking.corrupt(ids, lengths, np.random.default_rng(0))
    real = (np.arange(width)[None] < lengths[:, None]) & ~np.isin(ids, masking.special_ids)
    assert not (chosen & ~real).any()
    assert chosen.sum() / real.sum() == pytest.approx(0.15, abs=0.01)
    masked = (corrupted == tokenizer.mask_token_id) & chosen
    kept = (corrupted == ids) & chosen
    assert masked.sum() / chosen.sum() == pytest.approx(0.8, abs=0.02)
    assert kept.sum() / chosen.sum() == pytest.approx(0.1 + 0.1 / len(masking.replacement_ids), abs=0.02)
    assert not np.isin(corrupted[chosen & ~masked & ~kept], masking.special_ids).any()


def test_loss_on_chosen_positions_matches_full_hf_loss(tokenizer):
    torch.manual_seed(0)
    model = tiny_mlm(tiny_config(tokenizer, 1, 32, 2, 48)).eval()
    ids = torch.randint(5, len(tokenizer), (4, 10))
    mask = torch.ones_like(ids)
    mask[2:, 7:] = 0
    ids[mask == 0] = tokenizer.pad_token_id
    chosen = (torch.rand(ids.shape) < 0.3) & mask.bool()
    chosen[0, 1] = True
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
    with torch.no_grad():
        ours = mlm_loss(model, ids, mask, ids, chosen)
        theirs = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-5)


# --- saving and loading --------------------------------------------------------------------


def test_save_load_encoder_gives_identical_outputs(pretrained, tokenizer, corpus, tmp_path):
    model, _ = pretrained
    save_encoder(model, tmp_path / "enc")
    assert sorted(p.name for p in (tmp_path / "enc").iterdir()) == ["config.json", "model.safetensors"]
    assert json.loads((tmp_path / "enc" / "config.json").read_text())["architectures"] == ["XLMRobertaModel"]
    loaded = load_encoder(tmp_path / "enc", device=torch.device("cpu"))
    batch = tokenizer(corpus[:5], padding=True, return_tensors="pt")
    model.eval()
    with torch.inference_mode():
        before = model.roberta(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        after = loaded(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    assert torch.equal(before, after)
    save_encoder(loaded, tmp_path / "again")  # a bare encoder saves the same weights
    assert (tmp_path / "again" / "model.safetensors").read_bytes() == (tmp_path / "enc" / "model.safetensors").read_bytes()


# --- fine-tuning and evaluation ------------------------------------------------------------

FAST = TrainSettings(lr=3e-3, epochs=8, batch=32, max_length=48, warmup=0.1, seed=1)


@pytest.mark.parametrize(
    "task,make,threshold",
    [(CLASSIFICATION, "classification", 0.7), (PAIR, "pair", 0.7), (TAGGING, "tagging", 0.6)],
    ids=["classification", "pair", "tagging"],
)
def test_train_task_learns_well_above_chance(tokenizer, world, task, make, threshold):
    train, held_out = getattr(world, make)(500, seed=2), getattr(world, make)(200, seed=3)
    reports: list[tuple[int, int, dict]] = []
    model = train_task(fresh_encoder(tokenizer), tokenizer, task, train, FAST, lambda s, t, m: reports.append((s, t, m)))
    total = reports[-1][1]
    assert reports[-1][0] == total == FAST.epochs * -(-500 // FAST.batch)
    assert set(reports[-1][2]) == {"loss", "examples_per_s", "eta_s"}
    result = evaluate(model, tokenizer, held_out)
    assert result["score"] == result[task.metric]
    assert result["score"] > threshold, result  # chance: 0.5 accuracy, span F1 near 0; measured ~0.8 over 5 seeds
    assert not model.encoder.training and model.encoder.get_input_embeddings().weight.requires_grad


def test_train_task_is_seeded_and_freezes_embeddings(tokenizer, world):
    examples = world.classification(64, seed=5)
    settings = TrainSettings(epochs=1, batch=16, freeze_embeddings=True, seed=4)
    encoder = fresh_encoder(tokenizer)
    frozen = encoder.get_input_embeddings().weight.detach().clone()
    a = train_task(copy.deepcopy(encoder), tokenizer, CLASSIFICATION, examples, settings)
    b = train_task(copy.deepcopy(encoder), tokenizer, CLASSIFICATION, examples, settings)
    assert torch.equal(a.encoder.get_input_embeddings().weight, frozen)
    assert not torch.equal(a.encoder.encoder.layer[0].output.dense.weight, encoder.encoder.layer[0].output.dense.weight)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_first_subword_labels_by_hand():
    # <s> w0 w0' w1 w2 w2' w2'' </s>
    assert first_subword_labels([None, 0, 0, 1, 2, 2, 2, None], [5, 6, 7]) == [IGNORE, 5, IGNORE, 6, 7, IGNORE, IGNORE, IGNORE]


def test_first_subword_alignment_with_the_real_tokenizer(tokenizer, world):
    long = next(w for w in world.filler if len(tokenizer.tokenize(w)) >= 2)
    short = next(w for w in world.filler if len(tokenizer.tokenize(w)) == 1)
    data = encode_words(tokenizer, [[short, long, short]], [[1, 2, 3]], max_length=48)
    n_long = len(tokenizer.tokenize(long))
    assert data.labels[0, : data.lengths[0]].tolist() == [IGNORE, 1, 2, *[IGNORE] * (n_long - 1), 3, IGNORE]
    cut = encode_words(tokenizer, [[short, long, short]], [[1, 2, 3]], max_length=4)  # <s> short long[0] </s>
    assert cut.labels[0, : cut.lengths[0]].tolist() == [IGNORE, 1, 2, IGNORE]


def test_word_predictions_map_first_subwords_back_to_words(tokenizer, world):
    long = next(w for w in world.filler if len(tokenizer.tokenize(w)) >= 2)
    short = next(w for w in world.filler if len(tokenizer.tokenize(w)) == 1)
    words, tags = [[short, "", long, short]], [[1, 2, 3, 4]]  # the empty word has no subword
    data = encode_words(tokenizer, words, tags, max_length=48)
    gold_through = np.where(data.labels == IGNORE, 0, data.labels)
    assert word_predictions(data, gold_through, [4], fill=9) == [[1, 9, 3, 4]]
    cut = encode_words(tokenizer, words, tags, max_length=4)  # <s> short long[0] </s>
    assert word_predictions(cut, np.where(cut.labels == IGNORE, 0, cut.labels), [4], fill=9) == [[1, 9, 3, 9]]


def test_evaluate_tagging_with_truncation_reports_every_word(tokenizer, world):
    task = TaskInfo("toy_ner", Format.TAGGING, ("B-PER", "O"), "f1")
    words = world.filler[:30]
    model = train_task(fresh_encoder(tokenizer), tokenizer, task, [{"tokens": words[:5], "tags": [1] * 5}], TrainSettings(epochs=1, max_length=8, seed=0))
    result = evaluate(model, tokenizer, [{"tokens": words, "tags": [1] * 30}])
    assert set(result) == {"score", "accuracy", "precision", "recall", "f1"}
    assert result["score"] == result["f1"]


def test_nothing_is_printed(tokenizer, world, tmp_path, capfd):
    """The engine draws a live display: the models package must not write to stdout or stderr."""
    encoder = fresh_encoder(tokenizer)
    save_encoder(encoder, tmp_path / "enc")
    encoder = load_encoder(tmp_path / "enc")
    model = train_task(encoder, tokenizer, CLASSIFICATION, world.classification(40, seed=1), TrainSettings(epochs=1, seed=0))
    evaluate(model, tokenizer, world.classification(20, seed=2))
    embed_texts(model.encoder, tokenizer, ["a b c"])
    assert capfd.readouterr() == ("", "")


# --- span F1 -------------------------------------------------------------------------------


def test_bio_spans_by_hand():
    assert bio_spans(["B-PER", "I-PER", "O", "B-LOC"]) == [(0, 2, "PER"), (3, 4, "LOC")]
    assert bio_spans(["I-PER", "I-PER", "B-PER", "I-LOC", "O"]) == [(0, 2, "PER"), (2, 3, "PER"), (3, 4, "LOC")]
    assert bio_spans(["O", "O"]) == []
    assert bio_spans(["B-LOC", "B-LOC", "I-LOC"]) == [(0, 1, "LOC"), (1, 3, "LOC")]


def test_bio_spans_follow_seqeval_on_type_changes():
    assert bio_spans(["B-PER", "I-LOC", "I-LOC"]) == [(0, 1, "PER"), (1, 3, "LOC")]


def test_span_f1_with_a_boundary_error_by_hand():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    predicted = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]  # PER cut short: a miss and a false hit
    scores = span_scores(gold, predicted)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    assert span_scores(gold, gold)["f1"] == 1.0
    assert span_scores([["O"]], [["O"]]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    one_extra = span_scores([["B-PER", "O"]], [["B-PER", "B-LOC"]])
    assert (one_extra["precision"], one_extra["recall"], one_extra["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))


# --- the loop's schedule and batching ------------------------------------------------------


def test_schedule_warms_up_then_decays_to_zero():
    factor = schedule(total=10, warmup_steps=2)
    values = [factor(s) for s in range(10)]
    assert values[0] < values[1] < values[2] == 1.0
    assert all(a > b for a, b in zip(values[2:], values[3:]))
    assert values[-1] == pytest.approx(1 / 8) and factor(10) == 0.0


def test_batches_cover_each_row_once_per_epoch_and_are_seeded():
    lengths = np.random.default_rng(0).integers(3, 40, size=1000)
    batches = epoch_batches(lengths, 32, 2, np.random.default_rng(1))
    assert len(batches) == 2 * 32
    first = np.concatenate(batches[:32])
    assert sorted(first.tolist()) == list(range(1000))
    again = epoch_batches(lengths, 32, 2, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    padding = np.mean([lengths[b].max() - lengths[b].mean() for b in batches])
    assert padding < 3  # grouped by length: little padding
    steps = step_batches(lengths, 64, 40, np.random.default_rng(2))
    assert len(steps) == 40 and all(len(b) == 64 for b in steps)


# --- embeddings ----------------------------------------------------------------------------


@pytest.mark.parametrize("pool", ["mean", "cls"])
def test_embed_texts_ignores_padding(pretrained, tokenizer, corpus, pool):
    encoder = pretrained[0].roberta
    short = min(corpus[:50], key=len)
    long = max(corpus[:50], key=len)
    alone = embed_texts(encoder, tokenizer, [short], pool=pool)
    batched = embed_texts(encoder, tokenizer, [long, short], pool=pool, batch=2)
    assert alone.shape == (1, 32) and batched.shape == (2, 32) and batched.dtype == np.float32
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-5)
    assert not np.allclose(batched[0], batched[1])
    layer0 = embed_texts(encoder, tokenizer, [short, long], pool=pool, layer=0)
    assert not np.allclose(layer0[0], alone[0])
    assert embed_texts(encoder, tokenizer, [], pool=pool).shape == (0, 32)


# --- the CUDA path (bf16 autocast, fused AdamW, SDPA), where there is a GPU ----------------


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_train_and_evaluate_on_cuda(tokenizer, world):
    encoder = fresh_encoder(tokenizer).to("cuda")
    train, held_out = world.classification(500, seed=2), world.classification(200, seed=3)
    model = train_task(encoder, tokenizer, CLASSIFICATION, train, FAST)
    assert evaluate(model, tokenizer, held_out)["score"] > 0.7
    vectors = embed_texts(model.encoder, tokenizer, [e["text"] for e in held_out[:10]])
    assert vectors.dtype == np.float32 and np.isfinite(vectors).all()


# --- every head: QA and multiple choice, multi-task, selection, accumulation ------------------


def test_train_qa_head_finds_answer_spans(pretrained, tokenizer, world):
    """The QA head (doc stride windows, n-best decoding) learns to point at a name or a place."""
    train, held_out = world.qa(600, seed=2), world.qa(150, seed=3)
    settings = TrainSettings(lr=1e-2, epochs=6, batch=32, max_length=32, doc_stride=16, seed=1)
    model = train_task(copy.deepcopy(pretrained[0].roberta), tokenizer, QA, train, settings)
    assert max(len(tokenizer(e["question"], e["context"])["input_ids"]) for e in held_out) > 32  # some contexts need several windows
    result = evaluate(model, tokenizer, held_out)
    assert set(result) == {"score", "exact_match", "f1"} and result["score"] == result["f1"]
    assert result["f1"] > 0.45, result  # measured 0.58; after a single step 0.17


def test_train_choice_head_picks_the_marked_choice(tokenizer, world):
    train, held_out = world.choice(600, seed=2), world.choice(150, seed=3)
    model = train_task(fresh_encoder(tokenizer), tokenizer, CHOICE, train, FAST)
    result = evaluate(model, tokenizer, held_out)
    assert result["score"] == result["accuracy"] > 0.6, result  # chance: 1/3


def test_task_probabilities_by_hand():
    sizes = [100, 400]
    assert task_probabilities(sizes, "proportional") == pytest.approx([0.2, 0.8])
    assert task_probabilities(sizes, "uniform") == pytest.approx([0.5, 0.5])
    assert task_probabilities(sizes, "temperature", 2.0) == pytest.approx([1 / 3, 2 / 3])  # sqrt: 10 and 20
    assert task_probabilities(sizes, "temperature", 1.0) == pytest.approx([0.2, 0.8])
    with pytest.raises(ValueError, match="sampling must be one of"):
        task_probabilities(sizes, "round_robin")


def test_mixed_batches_follow_the_sampling_and_cover_each_task():
    lengths = [np.arange(64) % 7 + 3, np.arange(256) % 5 + 3]
    batches = mixed_batches(lengths, 8, 400, task_probabilities([64, 256], "uniform"), np.random.default_rng(0))
    tasks = np.array([b.task for b in batches])
    assert len(batches) == 400 and abs((tasks == 0).mean() - 0.5) < 0.08
    first_epoch = np.concatenate([b.rows for b in batches if b.task == 0][:8])  # 64 rows / 8 = one epoch of task 0
    assert sorted(first_epoch.tolist()) == list(range(64))
    again = mixed_batches(lengths, 8, 400, task_probabilities([64, 256], "uniform"), np.random.default_rng(0))
    assert all(a.task == b.task and np.array_equal(a.rows, b.rows) for a, b in zip(batches, again, strict=True))


def test_multitask_training_shares_the_encoder_and_learns_both(pretrained, tokenizer, world):
    tasks = [TaskData(CLASSIFICATION, world.classification(400, seed=2)), TaskData(TAGGING, world.tagging(400, seed=2))]
    settings = TrainSettings(lr=3e-3, batch=32, max_length=48, steps=200, seed=1)
    reports: list = []
    trained = train_tasks(copy.deepcopy(pretrained[0].roberta), tokenizer, tasks, settings, lambda s, t, m: reports.append((s, t)), Mixing("uniform"))
    assert reports[-1] == (200, 200)  # the step budget, not epochs, decides
    assert trained.models[0].encoder is trained.models[1].encoder is trained.encoder
    assert evaluate(trained.models[0], tokenizer, world.classification(200, seed=3))["score"] > 0.65
    assert evaluate(trained.models[1], tokenizer, world.tagging(200, seed=3))["score"] > 0.4
    assert not any("head" in name or "out." in name for name in trained.encoder.state_dict())  # the encoder moves on alone


def _linear_run(batches, settings, select=None):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    data = torch.randn(64, 4)
    target = data @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1

    def loss_of(rows):
        return torch.nn.functional.mse_loss(model(data[rows]).squeeze(-1), target[rows])

    result = train(model, batches, loss_of, settings, torch.device("cpu"), select=select(model) if select else None)
    return model, result


def test_gradient_accumulation_equals_one_big_batch():
    rows = np.arange(32)
    big, _ = _linear_run([rows], LoopSettings(lr=0.05, warmup=0.0))
    halves, _ = _linear_run([rows[:16], rows[16:]], LoopSettings(lr=0.05, warmup=0.0, accumulate=2))
    torch.testing.assert_close(big.weight, halves.weight)
    torch.testing.assert_close(big.bias, halves.bias)
    two_steps, _ = _linear_run([rows[:16], rows[16:]], LoopSettings(lr=0.05, warmup=0.0))
    assert not torch.allclose(big.weight, two_steps.weight)


def test_batching_widths_splits_and_evaluation_batches_by_hand():
    b = Batching((32, 64, 128), max_tokens=256, eval_rows=4, eval_tokens=256)
    assert [b.width(n) for n in (1, 32, 33, 128, 129, 300)] == [32, 32, 64, 128, 256, 512]
    assert Batching().width(37) == 37  # no buckets: each batch to its own longest row
    lengths = np.array([10, 60, 20, 40, 5, 30])
    assert [r.tolist() for r in b.split(np.array([0, 2, 4, 5]), lengths)] == [[0, 2, 4, 5]]  # 4 x 32 fits in 256
    parts = b.split(np.arange(6), lengths)  # 6 x 64 = 384 > 256: two parts of 3, sorted by length
    assert [p.tolist() for p in parts] == [[4, 0, 2], [5, 3, 1]]
    assert sorted(np.concatenate(parts).tolist()) == list(range(6))
    # Evaluation: sorted by length, at most 4 rows, and rows x width within 256 tokens.
    assert [r.tolist() for r in b.evaluation(lengths)] == [[4, 0, 2, 5], [3, 1]]
    assert [r.tolist() for r in Batching(eval_rows=4).evaluation(lengths)] == [[4, 0, 2, 5], [3, 1]]
    assert [r.tolist() for r in Batching((128,), eval_tokens=256).evaluation(lengths)] == [[4, 0], [2, 5], [3, 1]]
    assert [r.tolist() for r in Batching((128,), eval_tokens=64).evaluation(lengths)] == [[4], [0], [2], [5], [3], [1]]


def _two_task_losses(tokenizer, world, batching, device="cpu"):
    """Losses and models of 4 steps of a classification + tagging run, dropout off (so that
    runs of different shapes draw alike)."""
    tasks = [TaskData(CLASSIFICATION, world.classification(96, seed=2)), TaskData(TAGGING, world.tagging(96, seed=3))]
    settings = TrainSettings(lr=3e-3, batch=32, max_length=48, steps=4, select="last", seed=1)
    encoder = fresh_encoder(tokenizer).to(device)
    encoder.config.hidden_dropout_prob = encoder.config.attention_probs_dropout_prob = 0.0
    for module in encoder.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    losses: list[float] = []
    trained = train_tasks(encoder, tokenizer, tasks, settings, lambda s, t, m: losses.append(m["loss"]), batching=batching)
    return losses, trained


def test_bucketed_loop_gives_the_plain_loops_losses(tokenizer, world):
    """A few steps of a two-task run (classification and tagging) with batches padded to fixed
    buckets and cut into micro-batches by a token budget: the same losses and weights as the
    plain loop (each batch at its own width, one pass)."""
    plain, plain_model = _two_task_losses(tokenizer, world, Batching())
    bucketed, bucketed_model = _two_task_losses(tokenizer, world, Batching((16, 40, 64), max_tokens=300))
    assert len(Batching((16, 40, 64), max_tokens=300).split(np.arange(32), np.full(32, 30))) == 5  # 32 x 40 > 300: 5 passes
    assert len(plain) == 4 and np.isfinite(plain).all()
    np.testing.assert_allclose(bucketed, plain, rtol=1e-5)
    for a, b in zip(plain_model.models, bucketed_model.models):
        for (name, x), y in zip(a.named_parameters(), b.parameters()):
            torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5, msg=name)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("compile_mode", ["", "1"])
def test_bucketed_loop_on_cuda_gives_the_plain_loops_losses_to_bf16_tolerance(tokenizer, world, monkeypatch, compile_mode):
    """On CUDA (bf16 autocast, flash/efficient SDPA): the device's buckets with a token budget
    small enough to split, eager and under torch.compile, against one pass per batch at its
    own width, eager."""
    from xitt.models.batching import CUDA

    plain, _ = _two_task_losses(tokenizer, world, Batching(), "cuda")
    monkeypatch.setenv("XITT_COMPILE", compile_mode)
    bucketed, trained = _two_task_losses(tokenizer, world, replace(CUDA, max_tokens=400), "cuda")
    assert len(plain) == 4 and np.isfinite(plain).all()
    np.testing.assert_allclose(bucketed, plain, rtol=3e-2)
    assert "forward" not in vars(trained.encoder)  # compiled only while training: the plain forward again


def test_best_checkpoint_selection_keeps_the_best_dev_weights():
    """Dev scores 0.1, 0.9, 0.3 at the three evaluations: the run ends with the second's weights."""
    scores, seen = iter([0.1, 0.9, 0.3]), []

    def select(model):
        def score():
            seen.append({k: v.clone() for k, v in model.state_dict().items()})
            return next(scores)

        return score

    batches = [np.arange(i, i + 8) for i in range(0, 64, 8)] * 3  # 24 steps: evaluations after 8, 16, 24
    model, result = _linear_run(batches, LoopSettings(lr=0.05, warmup=0.1, evaluations=3), select)
    assert (result.best_score, result.best_step, len(seen)) == (0.9, 16, 3)
    assert all(torch.equal(v, seen[1][k]) for k, v in model.state_dict().items())
    assert not torch.equal(model.weight, seen[2]["weight"])


def test_train_task_selects_on_dev_data(tokenizer, world):
    dev = {"en": world.classification(60, seed=4)}
    settings = TrainSettings(lr=3e-3, epochs=3, batch=32, max_length=48, seed=1)
    trained = train_tasks(fresh_encoder(tokenizer), tokenizer, [TaskData(CLASSIFICATION, world.classification(200, seed=2), dev)], settings)
    assert trained.result.best_step in {7, 14, 21}  # one evaluation per epoch of 7 steps
    assert evaluate(trained.models[0], tokenizer, dev["en"])["score"] == pytest.approx(trained.result.best_score)
    last = train_tasks(fresh_encoder(tokenizer), tokenizer, [TaskData(CLASSIFICATION, world.classification(200, seed=2), dev)], replace(settings, select="last"))
    assert last.result.best_step is None


def test_untrained_formats_are_refused_with_a_clear_message(tokenizer, world):
    with pytest.raises(ValueError, match="scored on encoder states only"):
        train_task(fresh_encoder(tokenizer), tokenizer, RETRIEVAL, [{"id": "a", "text": "x"}], FAST)


# --- retrieval on an encoder ------------------------------------------------------------------


def test_evaluate_retrieval_finds_translations(pretrained, tokenizer, world):
    first, second = world.retrieval(60, seed=5, unmatched=10)
    encoder = pretrained[0].roberta
    result = evaluate_retrieval(encoder, tokenizer, first, second, layer=0)  # bag of words: the embeddings match
    assert result["score"] == result["accuracy"] > 0.8
    shuffled = [{"id": c["id"], "text": t["text"]} for c, t in zip(second, second[1:] + second[:1])]
    assert evaluate_retrieval(encoder, tokenizer, first, shuffled, layer=0)["score"] < 0.2  # ids no longer match texts


# --- hf("name"): local checkpoints only --------------------------------------------------------


def test_load_pretrained_from_a_local_directory(pretrained, tokenizer, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model, _ = pretrained
    model.save_pretrained(tmp_path / "ckpt", safe_serialization=True)  # an MLM checkpoint, as on the hub
    tokenizer.save_pretrained(tmp_path / "ckpt")
    encoder, loaded_tokenizer = load_pretrained(str(tmp_path / "ckpt"))
    assert not any(name.startswith("lm_head") for name in encoder.state_dict())
    text = "a b c"
    assert loaded_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"]
    ids = torch.tensor([tokenizer(text)["input_ids"]])
    model.eval()
    with torch.inference_mode():
        torch.testing.assert_close(encoder(input_ids=ids).last_hidden_state, model.roberta(input_ids=ids).last_hidden_state)
    with pytest.raises(UserError, match="neither a checkpoint directory nor in the Hugging Face cache"):
        load_pretrained("no-such-org/no-such-model-xitt")


# --- one bf16 training step on CUDA ----------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_one_bf16_training_step_on_cuda(tokenizer, world):
    """Autocast runs the encoder's matmuls in bf16, the loss is float32 and finite, fused AdamW
    moves the weights, and TF32 is on for what autocast leaves in float32."""
    encoder = fresh_encoder(tokenizer).to("cuda")
    dtypes: list[torch.dtype] = []
    encoder.encoder.layer[0].attention.self.query.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    before = encoder.encoder.layer[0].output.dense.weight.detach().clone()
    losses: list[float] = []
    settings = TrainSettings(lr=1e-3, batch=16, max_length=48, steps=1, select="last", seed=0)
    train_task(encoder, tokenizer, CLASSIFICATION, world.classification(16, seed=1), settings, lambda s, t, m: losses.append(m["loss"]))
    assert dtypes == [torch.bfloat16] and len(losses) == 1 and np.isfinite(losses[0])
    assert not torch.equal(encoder.encoder.layer[0].output.dense.weight, before)
    assert encoder.encoder.layer[0].output.dense.weight.dtype == torch.float32
    assert torch.backends.cuda.matmul.allow_tf32


@pytest.mark.slow
def test_gpu_script_dry_run_writes_its_summary(tmp_path):
    """benchmarks/gpu.sh --dry-run: the GPU script's stages at toy size on the CPU, through to
    the summary that the GPU run writes (its logic, not the GPU's speed)."""
    env = {**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable}
    done = subprocess.run(["bash", str(REPO / "benchmarks" / "gpu.sh"), "--dry-run", "base"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "gpu.json").read_text())
    assert summary["stages"] == {"base": "0"}
    base = summary["shapes"]["base"]
    assert base["xitt_examples_per_s"] > 0 and base["hf_trainer_examples_per_s"] > 0 and base["xitt_mfu"] > 0
    assert "base " in done.stdout and (tmp_path / "gpu.log").read_text().count("exit 0") == 1
    bad = subprocess.run(["bash", str(REPO / "benchmarks" / "gpu.sh"), "--dry-run", "nonsense"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown argument" in bad.stderr


# --- the training ops through the real engine -------------------------------------------------


@pytest.mark.slow
def test_ops_train_a_mixture_and_score_qa_and_retrieval_targets(tiny_study, tmp_path):
    """On a copy of the tiny study's store (world, tokenizer and pretraining cached): a
    temperature-sampled mixture keeps only its encoder; a QA target is trained, selected on
    English dev data and scored per language; a retrieval target is scored untrained."""
    import shutil

    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.compile import compile_program
    from xitt.engine.graph import Graph, Step
    from xitt.engine.scheduler import run
    from xitt.engine.store import Store
    from xitt.lang import load_program

    shutil.copytree(tiny_study.parent, tmp_path / "study", symlinks=True)
    steps = compile_program(load_program(tiny_study)).graph.steps
    base = [s for s in steps if s.op in ("world.generate", "model.tokenizer", "model.pretrain")]
    encoder = next(s.id for s in base if s.op == "model.pretrain")
    target = next(s for s in steps if s.op == "train.target")
    train, languages = dict(target.params["train"]), list(target.params["eval_languages"])
    parts = [{"task": "nli", "languages": ["en"]}, {"task": "qa", "languages": ["en"]}]
    mix = Step("intermediate/mix", "train.intermediate", {"tasks": parts, "sampling": "temperature", "temperature": 2.0, "train": train, "seed": 1},
               {"encoder": encoder, "world": "world"})
    targets = [
        Step(f"target/{task}", "train.target", {"task": task, "train_languages": ["en"], "eval_languages": languages, "train": train, "seed": 1},
             {"encoder": mix.id, "world": "world"})
        for task in ("qa", "retrieval")
    ]
    with Store(tmp_path / "study") as store:
        summary = run(Graph((*base, mix, *targets)), store)
        assert sorted(summary.executed) == ["intermediate/mix", "target/qa", "target/retrieval"]
        mixed, qa, retrieval = (store.get(summary.keys[s]) for s in ("intermediate/mix", "target/qa", "target/retrieval"))
    assert [t["task"] for t in mixed.result["tasks"]] == ["nli", "qa"] and mixed.result["best_step"] is not None
    assert sorted(p.name for p in mixed.file("encoder").iterdir()) == ["config.json", "model.safetensors"]
    assert set(qa.result["scores"]) == set(languages) and qa.result["metric"] == "f1"  # the world scores QA by F1
    assert all(set(m) == {"score", "exact_match", "f1"} for m in qa.result["metrics"].values())
    assert 0 < qa.result["best_step"] and qa.result["examples_per_s"] > 0
    assert set(retrieval.result["scores"]) == set(languages) - {"en"} and retrieval.result["examples"] == 0
    assert all(0.0 <= s <= 1.0 for s in retrieval.result["scores"].values())


@pytest.mark.slow
def test_hf_op_keeps_a_local_checkpoint_as_an_encoder_that_targets_train_on(pretrained, tokenizer, tiny_study, tmp_path, monkeypatch):
    import shutil

    import xitt.ops  # noqa: F401  (registers the ops)
    from xitt.compile import compile_program
    from xitt.engine.graph import Graph, Step
    from xitt.engine.scheduler import StepFailed, run
    from xitt.engine.store import Store
    from xitt.lang import load_program

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pretrained[0].save_pretrained(tmp_path / "ckpt", safe_serialization=True)
    tokenizer.save_pretrained(tmp_path / "ckpt")
    shutil.copytree(tiny_study.parent, tmp_path / "study", symlinks=True)
    world = next(s for s in compile_program(load_program(tiny_study)).graph.steps if s.op == "world.generate")
    hub = Step("model/ckpt", "model.hf", {"name": str(tmp_path / "ckpt")})
    target = Step("target/paraphrase", "train.target", {"task": "paraphrase", "train_languages": ["en"], "eval_languages": ["en"],
                  "train": {"epochs": 1, "batch": 32}, "seed": 1}, {"encoder": hub.id, "world": world.id})
    with Store(tmp_path / "study") as store:
        summary = run(Graph((world, hub, target)), store)
        kept, scored = store.get(summary.keys[hub.id]), store.get(summary.keys[target.id])
        assert kept.result["architecture"] == "XLMRobertaModel" and kept.result["parameters"] == pretrained[0].roberta.num_parameters()
        assert sorted(p.name for p in kept.file("encoder").iterdir()) == ["config.json", "model.safetensors"]
        assert 0.0 <= scored.result["scores"]["en"] <= 1.0
        missing = Step("model/missing", "model.hf", {"name": str(tmp_path / "nowhere")})
        with pytest.raises(StepFailed):
            run(Graph((missing,)), store)
