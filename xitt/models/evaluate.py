"""Score a trained task model on examples of its task, in any trained format.

A task with a ``scorer`` (every registered real task) is scored by that benchmark scorer
(``scorers.py``) on the decoded predictions: ``score`` is the benchmark's number, the
other keys its parts and, for UD-POS, the conventional token accuracy beside it.

The synthetic world's tasks (no scorer) keep their own metrics: accuracy for
classification and multiple choice; per-word accuracy (POS) and seqeval span
precision/recall/F1 (NER, metric "f1") for tagging; for QA, EM and F1 with MLQA's
normalisation for any language code and SQuAD 2.0's empty-answer rule (metric "em_f1"
scores F1).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.batching import Batching, batching_for
from xitt.models.device import attention_kernels, model_device, use_best_attention
from xitt.models.encode import Encoded, encode_examples
from xitt.models.heads import TaskModel
from xitt.models.loop import autocast
from xitt.models.choice import choice_scores, encode_choices
from xitt.models.metrics import accuracy, span_scores
from xitt.models.qa import decode, encode_qa
from xitt.models.scorers import get as get_scorer
from xitt.models.squad import lenient_tokens, qa_scores
from xitt.tasks.formats import Format


def _eval_mode(model: TaskModel) -> tuple[torch.device, Batching]:
    """The model's device, and how to batch there (large length-sorted batches on CUDA)."""
    device = model_device(model)
    use_best_attention(model.encoder, device)
    model.eval()
    return device, batching_for(device)


def predict(model: TaskModel, data: Encoded) -> np.ndarray:
    """Argmax labels: (n,) for sequence tasks, (n, width) for tagging."""
    device, batching = _eval_mode(model)
    shape = data.ids.shape if model.task.format is Format.TAGGING else (len(data),)
    predicted = np.zeros(shape, dtype=np.int64)
    with torch.inference_mode(), autocast(device), attention_kernels(device):
        for rows in batching.evaluation(data.lengths):
            batch = data.batch(rows, device, batching)
            labels = model(batch.ids, batch.mask).argmax(-1).cpu().numpy()
            if labels.ndim == 2:
                width = min(labels.shape[1], shape[1])  # bucket padding may run past the data's width
                predicted[rows, :width] = labels[:, :width]
            else:
                predicted[rows] = labels
    return predicted


def word_predictions(data: Encoded, predicted: np.ndarray, words: list[int], fill: int) -> list[list[int]]:
    """Per sentence, the label predicted at each word's first subword; ``fill`` for words
    without one (cut off by truncation, or empty after normalisation)."""
    out = []
    for i, count in enumerate(words):
        labels = [fill] * count
        positions = np.flatnonzero(data.words[i] >= 0)
        for word, label in zip(data.words[i][positions].tolist(), predicted[i][positions].tolist()):
            labels[word] = label
        out.append(labels)
    return out


def qa_answers(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict]) -> list[str]:
    """The decoded answer of each QA example (best span over its windows, or "")."""
    reading = model.reading
    features = encode_qa(tokenizer, examples, reading.max_length, reading.doc_stride)
    device, batching = _eval_mode(model)
    logits: list[np.ndarray] = [np.zeros(0)] * len(features)
    with torch.inference_mode(), autocast(device), attention_kernels(device):
        for rows in batching.evaluation(features.lengths):
            batch = features.encoded.batch(rows, device, batching)
            out = model(batch.ids, batch.mask).float().cpu().numpy()
            for k, row in enumerate(rows.tolist()):
                logits[row] = out[k, : features.lengths[row]]
    return decode(features, logits, [e["context"] for e in examples], reading.max_answer_length, reading.allow_empty)


def choices_predicted(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict]) -> np.ndarray:
    """The index of the best-scoring choice of each example."""
    data = encode_choices(tokenizer, examples, model.max_length)
    device, batching = _eval_mode(model)
    choices = data.rows.shape[1]  # encoder rows per example: the budgets count rows, not examples
    per_example = replace(batching, eval_rows=max(1, batching.eval_rows // choices), eval_tokens=batching.eval_tokens // choices)
    predicted = np.zeros(len(data), dtype=np.int64)
    with torch.inference_mode(), autocast(device), attention_kernels(device):
        for rows in per_example.evaluation(data.lengths):
            predicted[rows] = choice_scores(model, data, rows, device, batching).argmax(-1).cpu().numpy()
    return predicted


METRIC_KEYS = {"em_f1": "f1"}  # a task metric naming several scores: the one that is ``score``


def evaluate(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict], language: str = "en") -> dict[str, float]:
    """``score`` is the task's benchmark score (its scorer's) or, in the world, its metric;
    see the module's docstring for the other keys."""
    task = model.task
    if task.format is Format.QA:
        golds, answers = [e["answers"]["text"] for e in examples], qa_answers(model, tokenizer, examples)
        if task.scorer:
            return get_scorer(task.scorer)(golds, answers, language)
        return _with_score(task, qa_scores(golds, answers, partial(lenient_tokens, language=language), empty_matches_empty=True))
    if task.format is Format.MULTIPLE_CHOICE:
        gold, predicted = [e["label"] for e in examples], choices_predicted(model, tokenizer, examples).tolist()
        if task.scorer:
            return get_scorer(task.scorer)(gold, predicted, language)
        return _with_score(task, {"accuracy": accuracy(gold, predicted)})
    data = encode_examples(tokenizer, task, examples, model.max_length)
    predicted = predict(model, data)
    if task.format is not Format.TAGGING:
        gold = [e["label"] for e in examples]
        if task.scorer:
            return get_scorer(task.scorer)(gold, predicted.tolist(), language)
        return _with_score(task, {"accuracy": accuracy(gold, predicted.tolist())})
    fill = task.labels.index("O") if "O" in task.labels else 0
    words = word_predictions(data, predicted, [len(e["tags"]) for e in examples], fill)
    names = task.labels
    gold_tags, predicted_tags = [[names[t] for t in e["tags"]] for e in examples], [[names[t] for t in s] for s in words]
    if task.scorer:
        return get_scorer(task.scorer)(gold_tags, predicted_tags, language)
    result = {"accuracy": accuracy([t for e in examples for t in e["tags"]], [t for s in words for t in s])}
    if task.metric == "f1":
        result |= span_scores(gold_tags, predicted_tags)
    return _with_score(task, result)


def _with_score(task, result: dict[str, float]) -> dict[str, float]:
    key = METRIC_KEYS.get(task.metric, task.metric)
    if key not in result:
        raise ValueError(f"task {task.name!r} asks for metric {task.metric!r}, which {task.format.value} evaluation does not compute")
    return {"score": result[key], **result}
