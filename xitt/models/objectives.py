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


def _labelled(data: Encoded) -> LossFn:
    def loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
        batch = data.batch(rows, device)
        logits = model(batch.ids, batch.mask)
        return torch.nn.functional.cross_entropy(logits.flatten(0, -2).float(), batch.labels.flatten(), ignore_index=IGNORE)

    return loss


def prepare(tokenizer: PreTrainedTokenizerFast, task: TaskInfo, examples: Sequence[dict], reading: Reading) -> Prepared:
    """Tokenise ``examples`` of ``task`` for training."""
    if not examples:
        raise ValueError(f"no examples of task {task.name!r}")
    if task.format is Format.QA:
        features = encode_qa(tokenizer, examples, reading.max_length, reading.doc_stride)

        def qa_loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
            batch = features.encoded.batch(rows, device)
            return span_loss(model(batch.ids, batch.mask), batch.mask, batch.labels)

        return Prepared(features.lengths, qa_loss)
    if task.format is Format.MULTIPLE_CHOICE:
        choices = encode_choices(tokenizer, examples, reading.max_length)

        def choice_loss(model: TaskModel, rows: np.ndarray, device: torch.device) -> torch.Tensor:
            labels = torch.from_numpy(choices.labels[rows]).to(device)
            return torch.nn.functional.cross_entropy(choice_scores(model, choices, rows, device), labels)

        return Prepared(choices.lengths, choice_loss)
    data = encode_examples(tokenizer, task, examples, reading.max_length)
    return Prepared(data.lengths, _labelled(data))
