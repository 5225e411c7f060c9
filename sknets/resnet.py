"""Residual network estimators for time series (Wang et al., 2017)."""

from __future__ import annotations

from ._budget import Budget
from ._constraints import positive_ints_of
from ._params import Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.resnet import ResNet

__all__ = ["ResNetClassifier", "ResNetRegressor"]


class _ResNet(SequenceEstimator):
    """The :class:`~sknets.modules.ResNet` network on sequence input."""

    _module = ResNet
    _family_params = (
        Param(
            "channels",
            (64, 128, 128),
            ["array-like"],
            "tuple of int",
            "Filters of each residual block; one block per entry.",
            convert=positive_ints_of("number of channels"),
        ),
        Param(
            "kernel_sizes",
            (8, 5, 3),
            ["array-like"],
            "tuple of int",
            """
            Widths of the convolutions inside every residual block (one
            convolution per entry).""",
            convert=positive_ints_of("width"),
        ),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=1500, batch_size=16, steps=1000, work=2_600_000)


class ResNetClassifier(NeuralNetClassifierMixin, _ResNet):
    """Residual network classifier for time series.

    Three residual blocks, each of three 1D convolutions (batch norm, ReLU)
    with a shortcut connection, then global average pooling over time and a
    linear layer (Wang, Yan and Oates, 2017); with FCN and InceptionTime,
    the strongest deep models of the review of Ismail Fawaz et al. (2019).
    Takes series of fixed or variable length (padding is masked out of every
    block), multivariate series, token ids and raw text.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FCNClassifier, InceptionTimeClassifier : Other convolutional networks.
    ResNetRegressor : The same network for regression.

    Notes
    -----
    Wang, Yan and Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017; Ismail Fawaz et al.,
    "Deep learning for time series classification: a review", Data Mining
    and Knowledge Discovery, 2019 (1,500 epochs at batch size 16 there).

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import ResNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30))
    >>> y = (X[:, :10].sum(axis=1) > 0).astype(int)
    >>> ResNetClassifier(max_epochs=2, random_state=0).fit(X, y).predict(X[:3]).shape
    (3,)
    """


class ResNetRegressor(NeuralNetRegressorMixin, _ResNet):
    """Residual network regressor for time series.

    The network of :class:`ResNetClassifier` with one linear output per
    target, trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    ResNetClassifier : The same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import ResNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 20))
    >>> reg = ResNetRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """
