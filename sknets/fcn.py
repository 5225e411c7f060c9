"""Fully convolutional network estimators for time series (Wang et al., 2017)."""

from __future__ import annotations

from ._budget import Budget
from ._constraints import positive_ints_of
from ._params import Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.fcn import FCN

__all__ = ["FCNClassifier", "FCNRegressor"]


class _FCN(SequenceEstimator):
    """The :class:`~sknets.modules.FCN` network on sequence input."""

    _module = FCN
    _family_params = (
        Param(
            "channels",
            (128, 256, 128),
            ["array-like"],
            "tuple of int",
            "Filters of each convolution block; one block per entry.",
            convert=positive_ints_of("number of channels"),
        ),
        Param(
            "kernel_sizes",
            (8, 5, 3),
            ["array-like"],
            "tuple of int",
            "Width of each block's convolution, one per entry of ``channels``.",
            convert=positive_ints_of("width"),
        ),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=1500, batch_size=16, steps=2000, work=6_000_000)


class FCNClassifier(NeuralNetClassifierMixin, _FCN):
    """Fully convolutional network classifier for time series.

    Three blocks of 1D convolution, batch normalisation and ReLU, without
    pooling, then global average pooling over time and a linear layer
    (Wang, Yan and Oates, 2017): a strong, simple baseline of the
    time-series classification literature. Takes series of fixed or variable
    length (padding is masked out of every block, so it never changes a
    result), multivariate series, token ids and raw text.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    ResNetClassifier, InceptionTimeClassifier : Deeper convolutional networks.
    FCNRegressor : The same network for regression.

    Notes
    -----
    Wang, Yan and Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017. The published setting
    trains 2,000 epochs at batch size 16 with Adam.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import FCNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30))
    >>> y = (X[:, :10].sum(axis=1) > 0).astype(int)
    >>> clf = FCNClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """


class FCNRegressor(NeuralNetRegressorMixin, _FCN):
    """Fully convolutional network regressor for time series.

    The network of :class:`FCNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FCNClassifier : The same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import FCNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 20, 2))
    >>> reg = FCNRegressor(max_epochs=2, random_state=0).fit(X, X[:, :, 0].mean(1))
    >>> reg.predict(X[:2]).shape
    (2,)
    """
