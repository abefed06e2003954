"""Multi-task data order: which task each batch comes from, fixed in advance from a seed.

Sampling as in multi-task NLP practice (Raffel et al. 2020, Arivazhagan et al. 2019):
``proportional`` to training-set size, ``uniform`` over tasks, or ``temperature``-scaled,
p_i ∝ n_i^(1/T) (T = 1 is proportional, T → ∞ uniform). Each task keeps its own stream
of length-grouped batches through fresh permutations, so no task's rows repeat before
all of them have been seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from xitt.models.loop import epoch_batches
from xitt.models.params import SAMPLINGS


@dataclass(frozen=True)
class TaskBatch:
    """One batch: rows of task ``task``'s training units."""

    task: int
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def task_probabilities(sizes: list[int], sampling: str, temperature: float = 1.0) -> np.ndarray:
    """The chance that a batch comes from each task."""
    n = np.asarray(sizes, dtype=np.float64)
    if sampling == "uniform":
        weights = np.ones_like(n)
    elif sampling == "proportional":
        weights = n
    elif sampling == "temperature":
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        weights = n ** (1.0 / temperature)
    else:
        raise ValueError(f"sampling must be one of {', '.join(SAMPLINGS)}, got {sampling!r}")
    return weights / weights.sum()


def mixed_batches(
    lengths: list[np.ndarray], batch: int, steps: int, probabilities: np.ndarray, rng: np.random.Generator
) -> list[TaskBatch]:
    """``steps`` batches, each from a task drawn with ``probabilities`` (one task: in order)."""
    tasks = np.zeros(steps, dtype=np.int64) if len(lengths) == 1 else rng.choice(len(lengths), size=steps, p=probabilities)
    out: list[TaskBatch] = []
    streams: list[list[np.ndarray]] = []
    for t, task_lengths in enumerate(lengths):
        wanted = int((tasks == t).sum())
        per_epoch = math.ceil(len(task_lengths) / batch)
        streams.append(epoch_batches(task_lengths, batch, math.ceil(wanted / per_epoch) if per_epoch else 0, rng)[:wanted])
    cursor = [0] * len(lengths)
    for t in tasks.tolist():
        out.append(TaskBatch(t, streams[t][cursor[t]]))
        cursor[t] += 1
    return out


def default_steps(sizes: list[int], batch: int, epochs: int) -> int:
    """The budget when none is given: ``epochs`` passes over every task's data."""
    return epochs * sum(math.ceil(n / batch) for n in sizes)
