"""Task heads on top of the encoder, and the encoder-plus-head model that training returns."""

from __future__ import annotations

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


def make_head(task: TaskInfo, hidden: int, dropout: float, initializer_range: float) -> nn.Module:
    """A fresh head for the task's format, initialised as HF initialises its heads."""
    if task.format in (Format.CLASSIFICATION, Format.PAIR_CLASSIFICATION):
        head: nn.Module = SequenceHead(hidden, task.num_labels, dropout)
    elif task.format is Format.TAGGING:
        head = TokenHead(hidden, task.num_labels, dropout)
    else:
        raise ValueError(f"format {task.format.value!r} has no head yet")
    for module in head.modules():
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=initializer_range)
            nn.init.zeros_(module.bias)
    return head


class TaskModel(nn.Module):
    """An encoder with a task head; ``encoder`` is what intermediate training keeps."""

    def __init__(self, encoder: XLMRobertaModel, head: nn.Module, task: TaskInfo, max_length: int):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.task = task
        self.max_length = max_length  # inputs are cut to this many tokens, in training and evaluation

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits: (batch, labels) for sequence tasks, (batch, tokens, labels) for tagging."""
        return self.head(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state)
