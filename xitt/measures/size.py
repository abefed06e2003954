"""Data-size measures: how much training data an intermediate task brings, and how alike
two tasks' lexical variety is (type-token ratio). All pairs at once."""

from __future__ import annotations

from collections import Counter

import numpy as np

from xitt.measures.kinds import Kind, distance, similarity

# "size" and "ratio" are not closeness but the size effect the literature controls for;
# they are declared similarities because more intermediate data is expected to help more.
KINDS: dict[str, Kind] = {
    "size": similarity(0.0, None),
    "ratio": similarity(0.0, None),
    "ttr": distance(0.0, 1.0),
}


def type_token_ratio(counts: Counter) -> float:
    """Distinct types over tokens; 0 for an empty text."""
    tokens = sum(counts.values())
    return len(counts) / tokens if tokens else 0.0


def size_matrix(row_sizes: np.ndarray, column_sizes: np.ndarray) -> np.ndarray:
    """The intermediate's number of training examples, repeated across targets."""
    return np.repeat(np.asarray(row_sizes, dtype=np.float64)[:, None], len(column_sizes), axis=1)


def ratio_matrix(row_sizes: np.ndarray, column_sizes: np.ndarray) -> np.ndarray:
    """Intermediate size over target size."""
    rows, columns = np.asarray(row_sizes, dtype=np.float64), np.asarray(column_sizes, dtype=np.float64)
    if (columns <= 0).any():
        raise ValueError("a target task has no training examples, so a size ratio is undefined")
    return rows[:, None] / columns[None, :]


def ttr_distance(row_ttr: np.ndarray, column_ttr: np.ndarray) -> np.ndarray:
    """|TTR(intermediate) - TTR(target)|, in [0, 1]."""
    return np.abs(np.asarray(row_ttr, dtype=np.float64)[:, None] - np.asarray(column_ttr, dtype=np.float64)[None, :])
