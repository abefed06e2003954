"""TextEmb (Vu et al. 2020): a task is the mean of its examples' pooled encoder states;
two tasks are as similar as the cosine of those means."""

from __future__ import annotations

import numpy as np


def task_vector(example_vectors: np.ndarray) -> np.ndarray:
    """One vector per task: the mean over its examples' vectors."""
    return np.asarray(example_vectors, dtype=np.float64).mean(axis=0)


def cosine_matrix(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row vector with every column vector, in one product."""
    a = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    b = columns / np.linalg.norm(columns, axis=1, keepdims=True)
    return a @ b.T
