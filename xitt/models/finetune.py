"""Phases 2 and 3: train an encoder with a fresh head on a task (then keep it, or score it)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast, XLMRobertaModel

from xitt.models import TRAIN
from xitt.models.device import model_device, use_best_attention
from xitt.models.encode import IGNORE, capacity, encode_examples
from xitt.models.evaluate import evaluate
from xitt.models.heads import TaskModel, make_head
from xitt.models.loop import LoopSettings, Progress, epoch_batches, train
from xitt.tasks.formats import TaskInfo

__all__ = ["TrainSettings", "TaskModel", "train_task", "evaluate"]


@dataclass(frozen=True)
class TrainSettings:
    """The ``TRAIN`` parameters of a training block, plus the seed of this run."""

    lr: float = TRAIN["lr"].default
    epochs: int = TRAIN["epochs"].default
    batch: int = TRAIN["batch"].default
    max_length: int = TRAIN["max_length"].default
    warmup: float = TRAIN["warmup"].default
    freeze_embeddings: bool = TRAIN["freeze_embeddings"].default
    seed: int = 0

    @classmethod
    def from_params(cls, params: dict, seed: int) -> "TrainSettings":
        """The settings among ``params`` (unknown keys ignored) with this run's seed."""
        names = {f.name for f in fields(cls)} - {"seed"}
        return cls(**{k: v for k, v in params.items() if k in names}, seed=seed)


def train_task(
    encoder: XLMRobertaModel,
    tokenizer: PreTrainedTokenizerFast,
    task: TaskInfo,
    examples: list[dict],
    settings: TrainSettings,
    progress: Progress | None = None,
) -> TaskModel:
    """Train ``encoder`` (in place, on its own device) with a fresh head for ``task``.

    Sequence tasks read ``<s>``; tagging labels each word's first subword only.
    """
    device = model_device(encoder)
    use_best_attention(encoder, device)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    config = encoder.config
    max_length = min(settings.max_length, capacity(config))
    data = encode_examples(tokenizer, task, examples, max_length)
    head = make_head(task, config.hidden_size, config.hidden_dropout_prob, config.initializer_range).to(device)
    model = TaskModel(encoder, head, task, max_length)
    words = encoder.get_input_embeddings().weight
    words.requires_grad_(not settings.freeze_embeddings)

    def loss_of(rows: np.ndarray) -> torch.Tensor:
        batch = data.batch(rows, device)
        logits = model(batch.ids, batch.mask)
        return torch.nn.functional.cross_entropy(logits.flatten(0, -2).float(), batch.labels.flatten(), ignore_index=IGNORE)

    try:
        train(model, epoch_batches(data.lengths, settings.batch, settings.epochs, rng), loss_of, LoopSettings(settings.lr, settings.warmup), device, progress)
    finally:
        words.requires_grad_(True)
    return model
