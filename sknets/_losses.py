"""Regression losses and what each one's outputs mean.

Every regressor trains on standardised targets ``(y - mean) / scale`` (see
``NeuralNetRegressorMixin``); a loss decides how many values the network
gives per target (its width), how they are scored, and how they become
predictions. With k targets the module's output (n, width * k) is read as
(n, width, k): one row of k values per quantile, or the means and then the
raw variances of the Gaussian loss.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "LOSSES",
    "GaussianNLL",
    "PredictionHead",
    "QuantileLoss",
    "check_quantiles",
    "gaussian_parts",
    "loss_width",
    "point_quantile",
    "regression_loss",
]

LOSSES = ("squared_error", "absolute_error", "huber", "quantile", "gaussian")
MIN_VARIANCE = 1e-6  # of the standardised target, so that the likelihood stays finite


def check_quantiles(quantile, name="quantile"):
    """The sorted quantiles a ``quantile`` parameter asks for: a float q
    gives [q] (``predict`` returns it, as scikit-learn's quantile regressors
    do); a non-empty list of floats gets the median added (``predict``
    returns it). Each strictly between 0 and 1."""
    values = np.atleast_1d(np.asarray(quantile, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{name} must be a float or a non-empty list of floats; got {quantile!r}."
        )
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a float or a list of floats; got {quantile!r}."
        ) from None
    if not np.all((values > 0) & (values < 1)):
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {quantile!r}.")
    if np.ndim(quantile) == 0:
        return values
    return np.unique(np.r_[values, 0.5])


def point_quantile(quantiles):
    """The index among ``quantiles`` of what ``predict`` returns: the only
    one, or the median of several."""
    return 0 if len(quantiles) == 1 else int(np.searchsorted(quantiles, 0.5))


class QuantileLoss(nn.Module):
    """The pinball loss of each quantile (Koenker and Bassett, 1978): for a
    quantile q and a residual r = y - prediction, ``max(q r, (q - 1) r)``,
    whose minimiser is the q-quantile of y given the input."""

    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer(
            "quantiles", torch.as_tensor(quantiles, dtype=torch.float32)
        )

    def forward(self, prediction, target):
        prediction = prediction.unflatten(1, (len(self.quantiles), -1))
        residual = target.view(len(target), 1, -1) - prediction
        q = self.quantiles.view(1, -1, 1)
        return torch.maximum(q * residual, (q - 1) * residual)


def gaussian_parts(output, k):
    """Means and variances, each (n, k), of a Gaussian loss's raw output."""
    mean, raw = output.unflatten(1, (2, k)).unbind(1)
    return mean, F.softplus(raw) + MIN_VARIANCE


class GaussianNLL(nn.Module):
    """The negative log-likelihood of the target under a normal distribution
    whose mean and variance the network predicts (the variance through a
    softplus, as DeepAR does; Salinas et al., 2020), without its constant."""

    def forward(self, prediction, target):
        target = target.view(len(target), -1)
        mean, variance = gaussian_parts(prediction, target.shape[1])
        return 0.5 * (torch.log(variance) + (target - mean) ** 2 / variance)


def regression_loss(loss, quantiles=None):
    """The criterion (with ``reduction='none'``) for the name ``loss``."""
    if loss == "absolute_error":
        return nn.L1Loss(reduction="none")
    if loss == "huber":
        return nn.HuberLoss(reduction="none", delta=1.0)
    if loss == "quantile":
        return QuantileLoss(quantiles)
    if loss == "gaussian":
        return GaussianNLL()
    return nn.MSELoss(reduction="none")


def loss_width(loss, quantiles=None):
    """Values the network gives per target under ``loss``."""
    if loss == "quantile":
        return len(quantiles)
    return 2 if loss == "gaussian" else 1


class PredictionHead(nn.Module):
    """The module's output to ``predict``'s values on the scale of y, as a
    torch module (``predict`` runs it in float64, the ONNX export in
    float32): the quantile ``predict`` returns (the only one, or the median)
    of the ordered quantiles, the Gaussian mean, or the
    output itself, times the scale plus the mean of the training targets.
    :meth:`quantiles` gives every quantile."""

    def __init__(
        self, mean, scale, loss="squared_error", quantiles=None, dtype=torch.float32
    ):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=dtype))
        self.register_buffer("scale", torch.tensor(scale, dtype=dtype))
        self.loss = loss
        self.width = loss_width(loss, quantiles)
        self.point = 0 if quantiles is None else point_quantile(quantiles)

    def quantiles(self, out):
        """Every quantile, ordered so that none crosses another, on the scale
        of y: (n, n_quantiles, k)."""
        ordered = out.unflatten(1, (self.width, self.mean.numel())).sort(dim=1).values
        return ordered * self.scale + self.mean

    def forward(self, out):
        if self.loss == "quantile":
            return self.quantiles(out)[:, self.point]
        if self.loss == "gaussian":
            out = out.unflatten(1, (2, self.mean.numel()))[:, 0]
        return out * self.scale + self.mean
