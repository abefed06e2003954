"""Task heads on top of the encoder, and the encoder-plus-head model that training returns."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import XLMRobertaModel

from xitt.tasks.formats import Format, TaskInfo


class SequenceHead(nn.Module):
    """XLM-R's classification head, read from ``<s>``: dropout, dense, tanh, dropout, out."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        x = self.dropout(states[:, 0])
        return self.out(self.dropout(torch.tanh(self.dense(x))))


class TokenHead(nn.Module):
    """A label per token: dropout then a linear layer, as XLM-R's token classifier."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(states))


class SpanHead(nn.Module):
    """Start and end logits per token, as XLM-R's QA head (one linear layer, no dropout)."""

    def __init__(self, hidden: int):
        super().__init__()
        self.out = nn.Linear(hidden, 2)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.out(states)


def make_head(task: TaskInfo, hidden: int, dropout: float, initializer_range: float) -> nn.Module:
    """A fresh head for the task's format, initialised as HF initialises its heads.

    Multiple choice scores each (context, choice) row with a one-output sequence head."""
    if task.format in (Format.CLASSIFICATION, Format.PAIR_CLASSIFICATION):
        head: nn.Module = SequenceHead(hidden, task.num_labels, dropout)
    elif task.format is Format.MULTIPLE_CHOICE:
        head = SequenceHead(hidden, 1, dropout)
    elif task.format is Format.TAGGING:
        head = TokenHead(hidden, task.num_labels, dropout)
    elif task.format is Format.QA:
        head = SpanHead(hidden)
    else:
        raise ValueError(f"format {task.format.value!r} has no head: it is scored without training")
    for module in head.modules():
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=initializer_range)
            nn.init.zeros_(module.bias)
    return head


@dataclass(frozen=True)
class Reading:
    """How a model reads its inputs, the same in training and evaluation."""

    max_length: int  # inputs are cut (QA: windowed) to this many tokens
    doc_stride: int = 32  # QA: tokens shared by neighbouring context windows
    max_answer_length: int = 30  # QA: longest span decoded, in tokens
    allow_empty: bool = False  # QA: may answer "" (trained on unanswerable questions, SQuAD 2.0)


class TaskModel(nn.Module):
    """An encoder with a task head; ``encoder`` is what intermediate training keeps."""

    def __init__(self, encoder: XLMRobertaModel, head: nn.Module, task: TaskInfo, reading: Reading | int):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.task = task
        self.reading = reading if isinstance(reading, Reading) else Reading(reading)

    @property
    def max_length(self) -> int:
        return self.reading.max_length

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits: (batch, labels) for sequence tasks, (batch, tokens, labels) for tagging,
        (batch, tokens, 2) start/end for QA, (batch, 1) per choice row for multiple choice."""
        return self.head(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state)
