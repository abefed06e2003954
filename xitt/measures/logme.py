"""LogME (You et al. 2021): how well an encoder's features explain a target's labels.

For each class, a Bayesian linear model y = f·w + noise with prior w ~ N(0, 1/alpha) and
noise precision beta; alpha and beta are set by fixed-point evidence maximisation (the
paper's Algorithm 1, in the SVD form of the authors' later release), and the score is
the maximised log evidence per example, averaged over classes. Higher is better.
"""

from __future__ import annotations

import numpy as np

MAX_ITERATIONS = 11  # the reference converges in two or three; it caps the loop at 11
TOLERANCE = 1e-3  # relative change of alpha/beta at which the reference stops
EPSILON = 1e-5  # the reference's guard against division by zero


def logme(features: np.ndarray, labels: np.ndarray) -> float:
    """Mean over classes of the maximum log evidence per example (roughly in [-1, 1])."""
    f = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels)
    n, d = f.shape
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    sigma = s**2
    targets = (y[:, None] == np.arange(int(y.max()) + 1)[None, :]).astype(np.float64)  # (n, classes)
    projected = u.T @ targets  # (k, classes): every class at once
    x2 = projected**2
    residual = (targets**2).sum(0) - x2.sum(0)  # energy outside the features' span
    return float(np.mean([_evidence(sigma, x2[:, c], residual[c], n, d) for c in range(targets.shape[1])]))


def _evidence(sigma: np.ndarray, x2: np.ndarray, residual: float, n: int, d: int) -> float:
    """Fixed-point updates of alpha (prior precision) and beta (noise precision), then the evidence."""
    alpha, beta = 1.0, 1.0
    for _ in range(MAX_ITERATIONS):
        t = alpha / beta
        gamma = (sigma / (sigma + t)).sum()
        m2 = (sigma * x2 / (t + sigma) ** 2).sum()
        res2 = (x2 / (1 + sigma / t) ** 2).sum() + residual
        alpha = gamma / (m2 + EPSILON)
        beta = (n - gamma) / (res2 + EPSILON)
        if abs(alpha / beta - t) / t <= TOLERANCE:
            break
    evidence = (
        d / 2.0 * np.log(alpha)
        + n / 2.0 * np.log(beta)
        - 0.5 * np.sum(np.log(alpha + beta * sigma))
        - beta / 2.0 * res2
        - alpha / 2.0 * m2
        - n / 2.0 * np.log(2 * np.pi)
    )
    return float(evidence / n)
