"""Shapes of batches: how wide a batch is padded, and how many rows go into one forward pass.

The recipe fixes how many examples an optimiser step sees (``batch``); this module decides
only how those rows are cut into forward passes, so the arithmetic of a step does not
change (up to float rounding):

- *buckets*: a batch is padded to the smallest of a few fixed widths that holds its
  longest row, so that a run sees a handful of shapes. On CUDA each new shape costs a new
  kernel plan (cuDNN attention measured 2.7 ms of CPU per call when it re-planned for
  nearly every batch) and a recompilation under ``torch.compile``; on the CPU padding is
  pure extra work, so there each batch is cut to its own longest row (no buckets).
- *token budget*: a micro-batch holds at most ``max_tokens`` padded tokens; a batch that
  holds more is split into micro-batches of similar length whose gradients add up to the
  step's (gradient accumulation only where the budget needs it).
- evaluation batches: length-sorted rows, as many as ``eval_rows`` and ``eval_tokens`` allow.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

# Padded widths on CUDA: multiples of 32 up to 128, then of 64 and 128 (tensor cores like
# multiples of 8; each step up wastes at most a quarter of the row on padding past 128).
BUCKETS = (32, 64, 96, 128, 192, 256, 320, 384, 512)
BEYOND = 256  # past the last bucket, widths are rounded up to a multiple of this


@dataclass(frozen=True)
class Batching:
    """How batches are shaped on one device.

    ``buckets``: padded widths in tokens, ascending; empty: each batch to its own longest row.
    ``max_tokens``: most padded tokens (rows x width) per training micro-batch; 0: no limit.
    ``eval_rows``/``eval_tokens``: most rows, and padded tokens (0: no limit), per
    evaluation or embedding batch.
    """

    buckets: tuple[int, ...] = ()
    max_tokens: int = 0
    eval_rows: int = 128
    eval_tokens: int = 0

    def width(self, longest: int) -> int:
        """The padded width of a batch whose longest row has ``longest`` tokens."""
        if not self.buckets:
            return longest
        for bucket in self.buckets:
            if bucket >= longest:
                return bucket
        return BEYOND * math.ceil(longest / BEYOND)

    def split(self, rows: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        """``rows`` (indices into ``lengths``) as micro-batches within the token budget.

        One micro-batch when the whole batch fits; otherwise the rows, sorted by length, cut
        into the fewest near-equal parts that each fit (every part keeps at least one row)."""
        if not self.max_tokens or len(rows) * self.width(int(lengths[rows].max())) <= self.max_tokens:
            return [rows]
        rows = rows[np.argsort(lengths[rows], kind="stable")]
        parts = 1
        while True:
            parts += 1
            chunks = np.array_split(rows, min(parts, len(rows)))
            if all(len(c) * self.width(int(lengths[c].max())) <= self.max_tokens for c in chunks) or parts >= len(rows):
                return chunks

    def evaluation(self, lengths: np.ndarray, rows: int | None = None) -> Iterator[np.ndarray]:
        """Row indices in length-sorted batches of at most ``rows`` (default ``eval_rows``) rows
        and ``eval_tokens`` padded tokens, shortest first."""
        most = rows or self.eval_rows
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            end = min(start + most, len(order))
            if self.eval_tokens:  # rows are sorted, so rows x width grows with each row taken
                widths = np.array([self.width(int(n)) for n in lengths[order[start:end]]])
                fits = np.arange(1, end - start + 1) * widths <= self.eval_tokens
                end = start + max(1, int(fits.sum()))
            yield order[start:end]
            start = end

CPU = Batching()
CUDA = Batching(BUCKETS, max_tokens=32 * 512, eval_rows=1024, eval_tokens=64 * 1024)


def batching_for(device: torch.device) -> Batching:
    """Exact widths and the recipe's batches on the CPU; buckets and token budgets on CUDA."""
    return CUDA if device.type == "cuda" else CPU


def by_length(lengths: np.ndarray, batch: int) -> Iterator[np.ndarray]:
    """Row indices in batches of ``batch`` rows of similar length, so little of each batch is padding."""
    return CPU.evaluation(lengths, batch)
