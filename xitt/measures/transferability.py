"""Label-based transferability scores of a source model on a target's labelled inputs.

LEEP (Nguyen et al. 2020) reads the source head's label distribution; H-score (Bao et
al. 2019) reads the features. Both are higher-is-better and need target labels.
"""

from __future__ import annotations

import numpy as np


def leep(source_probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean log-likelihood of the target labels under the empirical predictor
    P(y|x) = sum_z P(y|z) p(z|x), with P(y|z) estimated from the same data. At most 0."""
    p = np.asarray(source_probabilities, dtype=np.float64)
    y = np.asarray(labels)
    onehot = (y[:, None] == np.arange(int(y.max()) + 1)[None, :]).astype(np.float64)  # (n, C)
    joint = onehot.T @ p / len(y)  # (C, Z): P(y, z)
    conditional = joint / joint.sum(0, keepdims=True)  # P(y | z)
    predicted = (p @ conditional.T)[np.arange(len(y)), y]
    return float(np.mean(np.log(predicted)))


def _covariance(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(0, keepdims=True)
    return centred.T @ centred / (len(x) - 1)


def h_score(features: np.ndarray, labels: np.ndarray) -> float:
    """tr(cov(f)^+ cov(E[f|y])): between-class over total feature variance. In [0, classes - 1]."""
    f = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels)
    classes, index = np.unique(y, return_inverse=True)
    sums = np.zeros((len(classes), f.shape[1]))
    np.add.at(sums, index, f)
    class_means = sums / np.bincount(index)[:, None]
    return float(np.trace(np.linalg.pinv(_covariance(f), rcond=1e-15) @ _covariance(class_means[index])))


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_probe(features: np.ndarray, labels: np.ndarray, classes: int, l2: float = 1e-3) -> np.ndarray:
    """A multinomial logistic regression (weights with the bias as last row), by L-BFGS.

    LEEP needs the source model's label distribution; intermediate training keeps the
    encoder but not its head, so the head is refitted as this linear probe on the source
    task's own features. Features are used as given (standardise them beforehand)."""
    from scipy.optimize import minimize

    x = np.hstack([np.asarray(features, dtype=np.float64), np.ones((len(features), 1))])
    onehot = np.eye(classes)[np.asarray(labels)]

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(x.shape[1], classes)
        p = softmax(x @ w)
        value = -np.sum(onehot * np.log(np.clip(p, 1e-300, None))) / len(x) + l2 / 2 * np.sum(w[:-1] ** 2)
        grad = x.T @ (p - onehot) / len(x)
        grad[:-1] += l2 * w[:-1]
        return value, grad.ravel()

    result = minimize(loss, np.zeros(x.shape[1] * classes), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x.reshape(x.shape[1], classes)


def probe_probabilities(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """The probe's label distribution for each row of ``features``."""
    x = np.hstack([np.asarray(features, dtype=np.float64), np.ones((len(features), 1))])
    return softmax(x @ weights)
