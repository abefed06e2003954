"""Linear CKA (Kornblith et al. 2019): how alike two representations of the same inputs are.

CKA(X, Y) = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) with column-centred X and Y.
It is 1 for identical representations, invariant to orthogonal maps and isotropic
scaling, and in [0, 1]. A similarity.
"""

from __future__ import annotations

import numpy as np


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """CKA of two (n, d1) and (n, d2) representations of the same n inputs."""
    return float(linear_cka_matrix([x], [y])[0, 0])


def linear_cka_matrix(rows: list[np.ndarray], columns: list[np.ndarray]) -> np.ndarray:
    """CKA of every row representation with every column one, all on the same n inputs.

    Each representation is centred and scaled once by ||Xc^T Xc||_F^(1/2); then one product
    of the stacked features gives every cross-covariance block, and a pair's CKA is its
    block's squared Frobenius norm. Cost: one (sum d) x n x (sum d) product, no n x n Gram.
    """
    a, a_widths = _stacked(rows)
    b, b_widths = _stacked(columns)
    blocks = (a.T @ b) ** 2
    row_ends, column_ends = np.cumsum(a_widths), np.cumsum(b_widths)
    summed = np.add.reduceat(np.add.reduceat(blocks, row_ends - a_widths, axis=0), column_ends - b_widths, axis=1)
    return summed


def _stacked(representations: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    scaled = [_scaled(x) for x in representations]
    return np.concatenate(scaled, axis=1), np.array([x.shape[1] for x in scaled])


def _scaled(x: np.ndarray) -> np.ndarray:
    """Centred columns, scaled so that ||X^T X||_F = 1."""
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(0, keepdims=True)
    return centred / np.sqrt(np.linalg.norm(centred.T @ centred))
