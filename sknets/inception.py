"""InceptionTime estimators for time series (Ismail Fawaz et al., 2020)."""

from __future__ import annotations

from ._batching import n_samples
from ._budget import Budget
from ._constraints import NON_NEGATIVE_INT, POSITIVE_INT
from ._params import Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.inception import InceptionTime

__all__ = ["InceptionTimeClassifier", "InceptionTimeRegressor"]


class _InceptionTime(SequenceEstimator):
    """The :class:`~sknets.modules.InceptionTime` ensemble on sequence input."""

    _module = InceptionTime
    _family_params = (
        Param(
            "n_networks",
            1,
            [POSITIVE_INT],
            "int",
            """
            Networks in the ensemble. They start from different random weights
            and train independently on the same batches; predictions average
            their outputs. The published InceptionTime is an ensemble of 5, at
            five times the cost of one network: on a GPU, set 5; the default
            trains one (with ``max_epochs='auto'``, the epochs of an ensemble
            are divided among its networks, so that its fit takes about as
            long).""",
        ),
        Param(
            "num_filters",
            32,
            [POSITIVE_INT],
            "int",
            "Filters of each branch of a module (which outputs 4 times as many).",
        ),
        Param("depth", 6, [POSITIVE_INT], "int", "Inception modules per network."),
        Param(
            "kernel_size",
            40,
            [POSITIVE_INT],
            "int",
            """
            Width of the widest convolution of a module; the others are half and a
            quarter as wide.""",
        ),
        Param(
            "bottleneck_size",
            32,
            [NON_NEGATIVE_INT],
            "int",
            "Channels of the 1x1 bottleneck before the convolutions; 0 for none.",
        ),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=1500, batch_size=16, steps=600, work=1_300_000)

    def _epochs_for(self, batch, batch_size, n=None):
        # the budget is shared by the networks: each counts as more samples
        n = n_samples(batch) if n is None else n
        return super()._epochs_for(batch, batch_size, n * self.n_networks)


class InceptionTimeClassifier(NeuralNetClassifierMixin, _InceptionTime):
    """InceptionTime classifier for time series: an ensemble of Inception
    networks (Ismail Fawaz et al., 2020).

    Each network stacks inception modules (a 1x1 bottleneck, then
    convolutions of three widths and a max-pooling branch side by side),
    with a residual connection around every three, global average pooling
    over time and a linear layer. Convolutions of widths 40, 20 and 10 see
    patterns at several scales at once. Takes series of fixed or variable
    length (padding is masked out of every module), multivariate series,
    token ids and raw text.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FCNClassifier, ResNetClassifier : Simpler convolutional networks.
    InceptionTimeRegressor : The same network for regression.

    Notes
    -----
    Ismail Fawaz et al., "InceptionTime: Finding AlexNet for Time Series
    Classification", Data Mining and Knowledge Discovery, 2020 (5 networks of
    6 modules, 1,500 epochs at batch size 64 there, on a GPU).

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import InceptionTimeClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30))
    >>> y = (X[:, :10].sum(axis=1) > 0).astype(int)
    >>> clf = InceptionTimeClassifier(n_networks=2, max_epochs=2, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:3]).shape
    (3, 2)
    """


class InceptionTimeRegressor(NeuralNetRegressorMixin, _InceptionTime):
    """InceptionTime regressor for time series.

    The ensemble of :class:`InceptionTimeClassifier` with one linear output
    per target in each network, trained with mean squared error on
    standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    InceptionTimeClassifier : The same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import InceptionTimeRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 20))
    >>> reg = InceptionTimeRegressor(n_networks=1, max_epochs=2, random_state=0)
    >>> reg.fit(X, X[:, 0]).predict(X[:2]).shape
    (2,)
    """
