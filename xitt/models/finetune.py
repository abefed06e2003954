"""Phases 2 and 3: train an encoder with fresh heads on one task or a mixture of tasks.

One head per task on one shared encoder; batches come from the tasks as the sampling
says (``mixing``). With dev data and ``select="best"`` the weights that scored best on
dev (mean task score) are the ones kept. The caller keeps ``encoder`` (intermediate
training) or scores the task models (target training).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn
from transformers import PreTrainedTokenizerFast

from xitt.models.batching import Batching, batching_for
from xitt.models.device import compile_mode, compiled, model_device, use_best_attention
from xitt.models.encode import capacity
from xitt.models.evaluate import evaluate
from xitt.models.heads import Reading, TaskModel, make_head
from xitt.models.loop import LoopResult, LoopSettings, Progress, train
from xitt.models.mixing import TaskBatch, default_steps, mixed_batches, task_probabilities
from xitt.models.objectives import Prepared, prepare
from xitt.models.params import Mixing, TrainSettings
from xitt.tasks.formats import Format, TaskInfo

__all__ = ["TrainSettings", "TaskData", "TaskModel", "Trained", "train_task", "train_tasks", "evaluate"]


@dataclass(frozen=True)
class TaskData:
    """A task's training examples, and dev examples per language for checkpoint selection."""

    task: TaskInfo
    train: Sequence[dict]
    dev: dict[str, Sequence[dict]] = field(default_factory=dict)


@dataclass
class Trained:
    models: list[TaskModel]  # one per task, all on the same encoder
    result: LoopResult

    @property
    def encoder(self):
        return self.models[0].encoder


class _Shared(nn.Module):
    """The encoder and every head, so that one optimiser sees each parameter once."""

    def __init__(self, models: list[TaskModel]):
        super().__init__()
        self.encoder = models[0].encoder
        self.heads = nn.ModuleList(m.head for m in models)


def _reading(task: TaskInfo, examples: Sequence[dict], settings: TrainSettings, config) -> Reading:
    allow_empty = task.format is Format.QA and any(not e["answers"]["text"] for e in examples)
    return Reading(min(settings.max_length, capacity(config)), settings.doc_stride, settings.max_answer_length, allow_empty)


def dev_score(models: list[TaskModel], tokenizer: PreTrainedTokenizerFast, tasks: Sequence[TaskData]) -> float:
    """Mean over tasks of the mean score over dev languages."""
    scores = []
    for model, data in zip(models, tasks):
        per_language = [evaluate(model, tokenizer, list(examples), language)["score"] for language, examples in data.dev.items()]
        if per_language:
            scores.append(float(np.mean(per_language)))
    return float(np.mean(scores)) if scores else 0.0


def train_tasks(
    encoder,
    tokenizer: PreTrainedTokenizerFast,
    tasks: Sequence[TaskData],
    settings: TrainSettings,
    progress: Progress | None = None,
    mixing: Mixing = Mixing(),
    batching: Batching | None = None,
) -> Trained:
    """Train ``encoder`` (in place, on its own device) with a fresh head per task.

    The budget is ``settings.steps`` optimiser steps, or ``epochs`` passes over every
    task's data when that is 0; each step takes ``accumulate`` batches. ``batching`` shapes
    the forward passes (default: the device's, ``batching.batching_for``); it changes no
    arithmetic beyond rounding.
    """
    if not tasks:
        raise ValueError("no tasks to train on")
    for data in tasks:
        if not data.task.trainable:
            raise ValueError(f"task {data.task.name!r} ({data.task.format.value}) has no training: it is scored on encoder states only")
    device = model_device(encoder)
    use_best_attention(encoder, device)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    config = encoder.config
    batching = batching or batching_for(device)
    models, prepared = [], []
    for data in tasks:
        reading = _reading(data.task, data.train, settings, config)
        prepared.append(prepare(tokenizer, data.task, data.train, reading, batching))
        head = make_head(data.task, config.hidden_size, config.hidden_dropout_prob, config.initializer_range).to(device)
        models.append(TaskModel(encoder, head, data.task, reading))
    sizes = [len(p.lengths) for p in prepared]
    steps = settings.steps * settings.accumulate or default_steps(sizes, settings.batch, settings.epochs)
    batches = mixed_batches([p.lengths for p in prepared], settings.batch, steps, task_probabilities(sizes, mixing.sampling, mixing.temperature), rng)

    def loss_of(batch: TaskBatch) -> torch.Tensor:
        return prepared[batch.task].loss(models[batch.task], batch.rows, device)

    selecting = settings.select == "best" and any(data.dev for data in tasks)
    loop = LoopSettings(settings.lr, settings.warmup, settings.accumulate, settings.epochs if selecting else 0,
                        settings.patience if selecting else 0)
    words = encoder.get_input_embeddings().weight
    words.requires_grad_(not settings.freeze_embeddings)
    try:
        with compiled(encoder, compile_mode(device)):
            result = train(_Shared(models), batches, loss_of, loop, device, progress,
                           (lambda: dev_score(models, tokenizer, tasks)) if selecting else None, micro_batches(prepared, batching))
    finally:
        words.requires_grad_(True)
    return Trained(models, result)


def micro_batches(prepared: Sequence[Prepared], batching: Batching):
    """The loop's ``split``: each task's batches cut to ``batching``'s token budget (counting
    every encoder row of a unit), with their loss terms; None where there is no budget."""
    if not batching.max_tokens:
        return None
    budgets = [replace(batching, max_tokens=max(1, batching.max_tokens // p.rows_per_unit)) for p in prepared]

    def split(batch: TaskBatch) -> list[tuple[TaskBatch, int]]:
        task = prepared[batch.task]
        return [(TaskBatch(batch.task, rows), task.terms(rows)) for rows in budgets[batch.task].split(batch.rows, task.lengths)]

    return split


def train_task(
    encoder,
    tokenizer: PreTrainedTokenizerFast,
    task: TaskInfo,
    examples: list[dict],
    settings: TrainSettings,
    progress: Progress | None = None,
    dev: dict[str, Sequence[dict]] | None = None,
) -> TaskModel:
    """One task alone: ``train_tasks`` with a single head."""
    return train_tasks(encoder, tokenizer, [TaskData(task, examples, dev or {})], settings, progress).models[0]
