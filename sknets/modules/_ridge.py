"""Ridge regression with its penalty chosen by exact leave-one-out error, and
the temperature that calibrates its class scores: MiniRocket's closed-form
head, and the linear probe of a transferred network's new head."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

__all__ = ["RIDGE_ALPHAS", "check_alphas", "fit_temperature", "ridge_loo"]


#: the penalties the leave-one-out error chooses among by default, each a
#: multiple of the features' total variance (see :func:`ridge_loo`)
RIDGE_ALPHAS = np.logspace(-7, 2, 19)


def check_alphas(alphas, allow_none=True):
    """The ``alphas`` parameter as a 1-D float array, or None for the default
    (where ``allow_none``)."""
    if alphas is None and allow_none:
        return None
    message = (
        f"alphas must be {'None or ' if allow_none else ''}a non-empty list of "
        "positive numbers (ridge penalties, relative to the features' total "
        f"variance); got {alphas!r}."
    )
    try:
        values = np.atleast_1d(np.asarray(alphas, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if values.ndim != 1 or not len(values) or not np.all(np.isfinite(values)):
        raise ValueError(message)
    if np.any(values <= 0):  # a zero penalty is no ridge: singular when p > n
        raise ValueError(message)
    return values


def ridge_loo(features, targets, sample_weight=None, alphas=None):
    """Ridge regression of ``targets`` (n, k) on ``features`` (n, p) with an
    intercept, its penalty chosen among ``alphas`` by the exact leave-one-out
    error (computed from one eigendecomposition of the n x n Gram matrix, as
    scikit-learn's ``RidgeCV`` does when there are more features than
    samples). Returns the weights (p, k), the intercept (k,) and the
    leave-one-out predictions (n, k).

    Each penalty is a multiple of the features' total variance (the mean
    eigenvalue of their centred Gram matrix), so that a value means the same
    shrinkage whatever the number of features or their scaling: at 1, the
    fit along a direction of average variance is halved. ``alphas``
    defaults to :data:`RIDGE_ALPHAS`; with one value there is nothing to
    choose."""
    alphas = RIDGE_ALPHAS if alphas is None else check_alphas(alphas)
    X, Y = features.double(), targets.double()
    w = torch.ones(len(X), dtype=X.dtype) if sample_weight is None else sample_weight
    w = w.double().to(X.device)
    root = w.sqrt()[:, None]
    x_mean = (w[:, None] * X).sum(0) / w.sum()
    y_mean = (w[:, None] * Y).sum(0) / w.sum()
    Xc, Yc = (X - x_mean) * root, (Y - y_mean) * root
    eigenvalues, Q = torch.linalg.eigh(Xc @ Xc.T)
    eigenvalues = eigenvalues.clamp_min(0)
    total_variance = float(eigenvalues.mean()) or 1.0  # 0: constant features
    QtY = Q.T @ Yc
    squared = Q**2  # the diagonal of the hat matrix is squared @ shrink
    # the intercept's share of the hat matrix: the (weighted) mean
    mean_share = w / w.sum()
    best = None
    for alpha in total_variance * alphas:
        shrink = eigenvalues / (eigenvalues + alpha)
        fitted = Q @ (shrink[:, None] * QtY)
        leverage = mean_share + squared @ shrink  # diagonal of the hat matrix
        residual = (Yc - fitted) / (1 - leverage).clamp_min(1e-12)[:, None]
        error = float((residual**2).sum())
        if best is None or error < best[0]:
            best = (error, alpha, residual)
    _, alpha, residual = best
    dual = Q @ (QtY / (eigenvalues + alpha)[:, None])
    weights = Xc.T @ dual
    intercept = y_mean - x_mean @ weights
    loo = Y - residual / root
    return weights, intercept, loo


def fit_temperature(scores, classes, grid=None):
    """The scale of decision ``scores`` (n, k) whose softmax has the lowest
    cross-entropy against the true ``classes`` (n,), with the targets
    smoothed as Platt (1999) does (each class gets ``k / (n + k)`` of the
    probability spread over all classes), so that perfectly separated scores
    still get a finite scale."""
    if grid is None:
        grid = np.logspace(-1, 3, 81)
    n, k = scores.shape
    targets = F.one_hot(classes, k).float()
    smoothing = k / (n + k)
    targets = targets * (1 - smoothing) + smoothing / k
    losses = [
        float(-(targets * F.log_softmax(float(t) * scores, dim=1)).sum(1).mean())
        for t in grid
    ]
    return float(grid[int(np.argmin(losses))])
