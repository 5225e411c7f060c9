"""MiniRocket estimators: random convolution features, a trained linear head
(Dempster, Schmidt and Webb, 2021)."""

from __future__ import annotations

from ._augment import AUGMENT, AugmentedMixin
from ._base import BaseNeuralNet
from ._batching import n_samples
from ._budget import Budget
from ._constraints import POSITIVE_INT, POSITIVE_REAL
from ._inputs import SERIES
from ._params import Param
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules._ridge import RIDGE_ALPHAS, check_alphas
from .modules.rocket import MiniRocket

__all__ = ["MiniRocketClassifier", "MiniRocketRegressor"]

RIDGE_SAMPLES = 4096  # the largest data whose head is solved in closed form


class _MiniRocket(AugmentedMixin, BaseNeuralNet):
    """The :class:`~sknets.modules.MiniRocket` network on numeric series."""

    _input_kinds = (SERIES,)
    _extra_params = (AUGMENT,)
    _module = MiniRocket
    _family_params = (
        Param(
            "num_features",
            10_000,
            [POSITIVE_INT],
            "int",
            """
            Number of convolution features (rounded down to a multiple of 84, the
            number of kernels); MiniRocket's default.""",
        ),
        Param(
            "max_dilations",
            32,
            [POSITIVE_INT],
            "int",
            "Most dilations per kernel, spread exponentially up to the series length.",
        ),
        Param(
            "alphas",
            None,
            [None, "array-like", POSITIVE_REAL],
            "float, array-like of float or None",
            f"""
            Penalties of the ridge head (when it is solved in closed form),
            each a multiple of the features' total variance so that a value
            means the same whatever ``num_features`` and the data: at 1, the
            fit along a direction of average variance is halved. The
            leave-one-out error chooses among them; one value fixes the
            penalty (for samples that are not independent, such as
            overlapping windows of one series, whose leave-one-out error
            favours too little penalty: choose it on later data, as the
            forecasting recipe in the user guide does). ``None``: {len(RIDGE_ALPHAS)}
            values from {RIDGE_ALPHAS[0]:g} to {RIDGE_ALPHAS[-1]:g}.""",
        ),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=100, batch_size=16)
    _untrained_fit = (
        f"on up to {RIDGE_SAMPLES:,} training series without early stopping or "
        "augmentation (and for regression with the squared error), where the "
        "ridge head is solved in closed form"
    )

    def _epochs_for(self, batch, batch_size, n=None):
        n = n_samples(batch) if n is None else n
        if self.max_epochs == "auto" and self._closed_form(n):
            return 0  # the ridge head is the fit
        return super()._epochs_for(batch, batch_size, n)

    def _closed_form(self, n):
        """Whether the head is solved in closed form: up to RIDGE_SAMPLES
        samples, without early stopping or augmentation, and for regression
        with the squared error (otherwise it trains by SGD)."""
        squared = getattr(self, "loss", "squared_error") == "squared_error"
        small = n <= RIDGE_SAMPLES and not self.early_stopping_
        return small and squared and not self.augment

    def _training_input(self, batch, max_bytes=2**30):
        if self.augment:  # features of augmented series: computed batch by batch
            max_bytes = 0
        return super()._training_input(batch, max_bytes=max_bytes)

    def _initialize_head(self, data):
        features = data.X.get("features")
        if features is None or not self._closed_form(len(features)):
            return
        targets, classes = self._target_.ridge_targets(data.y)
        weight = None if data.sample_weight is None else data.sample_weight.cpu()
        module = self.net_.module_
        before = module.feature_scale.clone()
        module.fit_head(features.cpu(), targets, weight, classes, self.alphas)
        # fit_head chose the features' weighting: epochs after it (an explicit
        # max_epochs) train on the features as the module now computes them
        features.mul_((before / module.feature_scale).to(features))

    def _network_settings(self, inputs):
        """The declared settings, and the longest series seen at fit (the
        dilations reach across it); ``alphas`` checked for the head."""
        check_alphas(self.alphas)
        return super()._network_settings(inputs) | {"input_length": self.max_length_}


class MiniRocketClassifier(NeuralNetClassifierMixin, _MiniRocket):
    """MiniRocket classifier for time series: fixed convolutions and a linear
    head (Dempster, Schmidt and Webb, 2021).

    84 fixed kernels of length 9, applied at dilations spread up to the
    length of the series, with biases drawn from the training data; each
    bias gives one feature, the proportion of positive values (PPV) of the
    convolution output. A linear layer on the standardised features
    classifies. The features take a few seconds to compute on a CPU and
    need no training: on up to 4,096 training series (and without early
    stopping) the head is the ridge regression of the classes on them, its
    penalty chosen by leave-one-out error and its scale fitted so that the
    leave-one-out probabilities have the lowest log loss (MiniRocket's
    ``RidgeClassifierCV``, with probabilities); on more data, or with an
    explicit ``max_epochs``, the head trains with cross-entropy like every
    sknets network (from the ridge solution when there is one). Takes series
    of fixed or variable length (each series' features read its own steps
    only), univariate or multivariate (each kernel reads a random subset of
    the channels), channels-first or channels-last.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    InceptionTimeClassifier, FCNClassifier : Convolutional networks whose
        kernels are learned.
    MiniRocketRegressor : The same features for regression.

    Notes
    -----
    Dempster, Schmidt and Webb, "MiniRocket: A Very Fast (Almost)
    Deterministic Transform for Time Series Classification", KDD 2021. The
    features equal those of the authors' code (and of sktime's
    ``MiniRocket``) for the same biases; sktime's version adds no head.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import MiniRocketClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 50))
    >>> y = (X[:, :10].sum(axis=1) > 0).astype(int)
    >>> clf = MiniRocketClassifier(random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> clf.n_iter_  # the head was solved, not trained by epochs
    0
    """


class MiniRocketRegressor(NeuralNetRegressorMixin, _MiniRocket):
    """MiniRocket regressor for time series: fixed convolutions and a linear
    head.

    The features of :class:`MiniRocketClassifier` and one linear output per
    target. On up to 4,096 training series the head is the ridge regression
    of the (standardised) targets on the features, its penalty chosen by
    leave-one-out error; on more data, or with an explicit ``max_epochs``,
    it trains with mean squared error.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MiniRocketClassifier : The same features for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import MiniRocketRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30, 2))
    >>> reg = MiniRocketRegressor(random_state=0).fit(X, X[:, :5, 0].sum(axis=1))
    >>> reg.predict(X[:2]).shape
    (2,)
    """
