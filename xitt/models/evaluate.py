"""Score a trained task model on examples: accuracy, and span F1 for metric "f1" (NER)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.device import model_device, use_best_attention
from xitt.models.encode import Encoded, encode_examples
from xitt.models.heads import TaskModel
from xitt.models.loop import autocast
from xitt.models.metrics import accuracy, span_scores
from xitt.tasks.formats import Format

EVAL_BATCH = 128


def by_length(lengths: np.ndarray, batch: int) -> Iterator[np.ndarray]:
    """Row indices in batches of similar length, so little of each batch is padding."""
    order = np.argsort(lengths, kind="stable")
    for i in range(0, len(order), batch):
        yield order[i : i + batch]


def predict(model: TaskModel, data: Encoded) -> np.ndarray:
    """Argmax labels: (n,) for sequence tasks, (n, width) for tagging."""
    device = model_device(model)
    use_best_attention(model.encoder, device)
    model.eval()
    shape = data.ids.shape if model.task.format is Format.TAGGING else (len(data),)
    predicted = np.zeros(shape, dtype=np.int64)
    with torch.inference_mode(), autocast(device):
        for rows in by_length(data.lengths, EVAL_BATCH):
            batch = data.batch(rows, device)
            labels = model(batch.ids, batch.mask).argmax(-1).cpu().numpy()
            if labels.ndim == 2:
                predicted[rows, : labels.shape[1]] = labels
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


def evaluate(model: TaskModel, tokenizer: PreTrainedTokenizerFast, examples: list[dict]) -> dict[str, float]:
    """``score`` is the task's metric; ``accuracy`` always (per word for tagging); span
    ``precision``/``recall``/``f1`` when the metric is "f1"."""
    task = model.task
    data = encode_examples(tokenizer, task, examples, model.max_length)
    predicted = predict(model, data)
    if task.format is not Format.TAGGING:
        result = {"accuracy": accuracy([e["label"] for e in examples], predicted.tolist())}
    else:
        fill = task.labels.index("O") if "O" in task.labels else 0
        words = word_predictions(data, predicted, [len(e["tags"]) for e in examples], fill)
        gold = [t for e in examples for t in e["tags"]]
        result = {"accuracy": accuracy(gold, [t for sentence in words for t in sentence])}
        if task.metric == "f1":
            names = task.labels
            result |= span_scores([[names[t] for t in e["tags"]] for e in examples], [[names[t] for t in s] for s in words])
    if task.metric not in result:
        raise ValueError(f"task {task.name!r} asks for metric {task.metric!r}, which {task.format.value} evaluation does not compute")
    return {"score": result[task.metric], **result}
