"""What training needs of a task in any trainable format: examples tokenised once into
units (rows, windows or choice groups) with a length each, and the loss of a batch of units.

Training code batches over ``lengths`` and calls ``loss``; it never looks at the format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from xitt.models.batching import CPU, Batching
from xitt.models.choice import choice_scores, encode_choices
from xitt.models.encode import IGNORE, Encoded, encode_examples
from xitt.models.heads import Reading, TaskModel
from xitt.models.qa import encode_qa, span_loss
from xitt.tasks.formats import Format, TaskInfo

LossFn = Callable[[TaskModel, np.ndarray, torch.device], torch.Tensor]


@dataclass(frozen=True)
class Prepared:
    lengths: np.ndarray  # tokens of each training unit; batches are index arrays into these
    loss: LossFn
    rows_per_unit: int = 1  # encoder rows a unit takes (a multiple-choice example: its choices)
    labels: np.ndarray | None = None  # per-token labels (tagging): the loss is a mean over labelled tokens

    def terms(self, rows: np.ndarray) -> int:
        """How many terms the mean loss of ``rows`` averages: labelled tokens, or rows."""
        return int((self.labels[rows] != IGNORE).sum()) if self.labels is not None else len(rows)


def _labelled(data: Encoded, batching: Batching) -> LossFn:
    def loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
        batch = data.batch(rows, device, batching)
        logits = model(batch.ids, batch.mask)
        return torch.nn.functional.cross_entropy(logits.flatten(0, -2).float(), batch.labels.flatten(), ignore_index=IGNORE)

    return loss


def prepare(tokenizer: PreTrainedTokenizerFast, task: TaskInfo, examples: Sequence[dict], reading: Reading, batching: Batching = CPU) -> Prepared:
    """Tokenise ``examples`` of ``task`` for training; batches are shaped as ``batching`` says."""
    if not examples:
        raise ValueError(f"no examples of task {task.name!r}")
    if task.format is Format.QA:
        features = encode_qa(tokenizer, examples, reading.max_length, reading.doc_stride)

        def qa_loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
            batch = features.encoded.batch(rows, device, batching)
            return span_loss(model(batch.ids, batch.mask), batch.mask, batch.labels)

        return Prepared(features.lengths, qa_loss)
    if task.format is Format.MULTIPLE_CHOICE:
        choices = encode_choices(tokenizer, examples, reading.max_length)

        def choice_loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
            labels = torch.from_numpy(choices.labels[rows]).to(device)
            return torch.nn.functional.cross_entropy(choice_scores(model, choices, rows, device, batching), labels)

        return Prepared(choices.lengths, choice_loss, choices.rows.shape[1])
    data = encode_examples(tokenizer, task, examples, reading.max_length)
    return Prepared(data.lengths, _labelled(data, batching), labels=data.labels if data.labels.ndim == 2 else None)
