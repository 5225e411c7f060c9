"""Recurrent estimators (RNN, LSTM, GRU) for time series and text."""

from __future__ import annotations

import functools
import math

from sklearn.base import is_classifier
from sklearn.utils._param_validation import StrOptions

from ._augment import AUGMENTATIONS
from ._budget import Budget
from ._constraints import FRACTION, NON_NEGATIVE_INT, POSITIVE_INT
from ._inputs import input_kind
from ._params import Attribute, Param
from ._predicting import power_of_two
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules import ConvFront1d, RecurrentNet

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
]

# outputs of the recurrent layer (steps x features) in one prediction batch, at
# most: 2**21 float32 values, 8 MB, about what a core's share of the cache holds
# (an LSTM of 256 features on 30 steps: 256 series per batch)
RECURRENT_OUTPUTS = 2**21
# window='auto' on long numeric series: 8 steps of the convolution blocks'
# output (32-64 steps after them), each a few dozen steps of the series
AUTO_WINDOW = 8
# series longer than this get conv_blocks='auto' blocks, window='auto'
# windows and, for a classifier, augment='auto' time warping and slicing
SHORT_SERIES = 64

CELL = Param(
    "cell",
    "rnn",
    [StrOptions({"rnn", "lstm", "gru"})],
    "{'rnn', 'lstm', 'gru'}",
    "Recurrent cell: Elman RNN (tanh), LSTM or GRU.",
)
NUM_LAYERS = Param(
    "num_layers", 1, [POSITIVE_INT], "int", "Number of stacked recurrent layers."
)
SUMMARY = Param(
    "summary",
    "attention",
    [StrOptions({"last", "mean", "max", "attention"})],
    "{'last', 'mean', 'max', 'attention'}",
    """
    How the per-step outputs become one vector for the head: the final
    hidden state (of each direction), the mean or maximum over the valid
    time steps, or a weighted sum of the steps' outputs whose weights a small
    attention layer learns (additive attention, Bahdanau et al. 2015), so
    that the model picks the steps that matter wherever they are, where the
    final state may have forgotten them. Padding never counts.""",
)


class _Recurrent(SequenceEstimator):
    """The :class:`~sknets.modules.RecurrentNet` network on sequence input."""

    _module = RecurrentNet
    _family_params = (
        CELL,
        Param(
            "hidden_size",
            128,
            [POSITIVE_INT],
            "int",
            "Features of the hidden state (of each direction).",
        ),
        NUM_LAYERS,
        Param(
            "bidirectional",
            True,
            ["boolean"],
            "bool",
            """
            Whether to also run each sequence backwards and concatenate both
            directions. The whole input sequence is known when a prediction is made
            (also for a forecast from a window of past values), so reading it both
            ways is the stronger default.""",
        ),
        Param(
            "dropout",
            0.0,
            [FRACTION],
            "float",
            "Dropout between stacked layers and before the output layer.",
        ),
        SUMMARY,
        Param(
            "conv_blocks",
            "auto",
            [NON_NEGATIVE_INT, StrOptions({"auto"})],
            "int or 'auto'",
            """
            Convolution blocks before the recurrent layers, each a convolution of
            width 7 with 64 filters, batch norm, ReLU and max pooling by 2
            (:class:`~sknets.modules.ConvFront1d`): they find local shapes and
            halve the sequence, which a recurrent layer alone reads slowly and
            forgets over hundreds of steps. 'auto' uses as many as bring the
            longest training sequence to at most 64 steps (none for shorter
            sequences); 0 reads the input directly (``conv_blocks_``).""",
        ),
        Param(
            "window",
            "auto",
            [POSITIVE_INT, None, StrOptions({"auto"})],
            "int, None or 'auto'",
            """
            When set, the recurrent layers read overlapping windows of this many
            steps (after the convolution blocks), half a window apart, instead of
            the whole sequence; each window is summarised as ``summary`` says,
            and the model keeps the maximum and the mean of the windows'
            summaries. It then finds a local shape wherever it occurs, as a
            convolutional network does, where a recurrent layer that reads a
            whole long series can learn the few training series by heart (see
            the time-series guide). None reads each sequence whole. 'auto' uses
            windows of 8 steps on numeric series that the convolution blocks
            shorten (``conv_blocks_`` > 0: series longer than 64 steps), and
            None on shorter series and on text (``window_``).""",
        ),
    )
    _family_attributes = (
        Attribute(
            "conv_blocks_", "int", "Convolution blocks before the recurrent layers."
        ),
        Attribute(
            "window_",
            "int or None",
            "Steps in each window the recurrent layers read; None: whole sequences.",
        ),
    )
    _defaults = dict(lr=3e-3, lr_schedule="cosine")
    _budget = Budget(epochs=100, batch_size=32, steps=1000, work=6_000_000, augmented=3)

    def _auto_augment(self):
        """Time warping and window slicing for a classifier of numeric
        series longer than SHORT_SERIES steps: the class of a shape does not
        change when parts of it are stretched or compressed a little or its
        ends cropped, and the few dozen training series of a long-series
        task are otherwise learnt by heart. Not for a regressor, whose
        target may depend on the exact timing."""
        if (
            is_classifier(self)
            and input_kind(self).numeric
            and self.max_length_ > SHORT_SERIES
        ):
            return {
                name: AUGMENTATIONS[name].default
                for name in ("time_warp", "window_slice")
            }
        return {}

    def _prediction_batch_size(self, batch):
        """As for every family, and at most RECURRENT_OUTPUTS values of the
        recurrent layer's outputs (steps x hidden features) per batch."""
        rows = super()._prediction_batch_size(batch)
        x = batch.get("x")
        steps = x.shape[1] if x is not None and x.dim() > 1 else 1
        steps = math.ceil(steps / 2 ** getattr(self, "conv_blocks_", 0))
        if getattr(self, "window_", None):
            steps *= 2  # windows half a window apart read every step twice
        width = self.hidden_size * (2 if self.bidirectional else 1)
        cap = power_of_two(RECURRENT_OUTPUTS // max(1, steps * width))
        return max(self.batch_size_, min(rows, cap))

    def _resolve_network(self):
        """``conv_blocks`` and ``window`` from the longest training sequence
        (``conv_blocks_``, ``window_``)."""
        blocks = self.conv_blocks
        if blocks == "auto":
            blocks = max(math.ceil(math.log2(self.max_length_ / SHORT_SERIES)), 0)
        self.conv_blocks_ = int(blocks)
        window = self.window
        if window == "auto":
            long_series = self.conv_blocks_ > 0 and input_kind(self).numeric
            window = AUTO_WINDOW if long_series else None
        self.window_ = window

    def _network_settings(self, inputs):
        """The declared settings, with the resolved window; the convolution
        blocks become the module's ``front``."""
        front = None
        if self.conv_blocks_:
            channels = (64,) * self.conv_blocks_
            front = functools.partial(ConvFront1d, channels=channels, kernel_size=7)
        settings = super()._network_settings(inputs)
        return settings | {"window": self.window_, "front": front}


class RNNClassifier(NeuralNetClassifierMixin, _Recurrent):
    """Recurrent neural network classifier for time series.

    Reads each sequence step by step with an RNN, LSTM or GRU cell, keeps a
    memory of earlier steps in its hidden state, and classifies the summary of
    the sequence. Sequences may have different lengths: they are padded and
    each is read within its own length, so padding never changes a result.
    :class:`LSTMClassifier` and :class:`GRUClassifier` are this estimator
    with another default ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LSTMClassifier, GRUClassifier : The same estimator with an LSTM or GRU cell.
    RNNRegressor : Recurrent regression.

    Notes
    -----
    Input: (n, T) univariate series, (n, T, F) multivariate series, (n, F, T)
    (sktime's ``numpy3D``; ``data_format='auto'`` tells the two apart), sktime's
    ``nested_univ`` and ``pd-multiindex`` DataFrames, or a list of arrays (T_i,) or
    (T_i, F) of varying lengths; token ids and raw text. A model fitted on
    series of one length predicts on series of any length.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 12, 2))
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = RNNClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _defaults = {"augment": "auto"}


class RNNRegressor(NeuralNetRegressorMixin, _Recurrent):
    """Recurrent neural network regressor for time series.

    The network of :class:`RNNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets. y may be 2D, for
    example the next ``horizon`` values of a series (see
    :func:`sknets.make_windows`). :class:`LSTMRegressor` and
    :class:`GRURegressor` are this estimator with another default ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LSTMRegressor, GRURegressor : The same estimator with an LSTM or GRU cell.
    RNNClassifier : Recurrent classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 12))
    >>> reg = RNNRegressor(max_epochs=2, random_state=0).fit(X, X.sum(axis=1))
    >>> reg.predict(X[:3]).shape
    (3,)
    """


class LSTMClassifier(RNNClassifier):
    """LSTM classifier for time series: :class:`RNNClassifier` with ``cell='lstm'``.

    Long short-term memory cells gate what they keep and forget, which lets
    them carry information over many steps. ``cell`` stays a parameter, so a
    grid search can still compare 'rnn', 'lstm' and 'gru'.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RNNClassifier, GRUClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(t, 3)) for t in rng.randint(5, 15, size=30)]
    >>> y = [int(x[:, 0].mean() > 0) for x in X]
    >>> clf = LSTMClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    """

    _defaults = {"cell": "lstm"}


class GRUClassifier(RNNClassifier):
    """GRU classifier for time series: :class:`RNNClassifier` with ``cell='gru'``.

    Gated recurrent units keep a memory like an LSTM with fewer parameters and
    often train faster. ``cell`` stays a parameter.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RNNClassifier, LSTMClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import GRUClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 10, 2))
    >>> y = (X[:, -1, 0] > 0).astype(int)
    >>> GRUClassifier(max_epochs=2, random_state=0).fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _defaults = {"cell": "gru"}


class LSTMRegressor(RNNRegressor):
    """LSTM regressor for time series: :class:`RNNRegressor` with ``cell='lstm'``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RNNRegressor, GRURegressor

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import LSTMRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 10))
    >>> LSTMRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0]).predict(X[:2]).shape
    (2,)
    """

    _defaults = {"cell": "lstm"}


class GRURegressor(RNNRegressor):
    """GRU regressor for time series: :class:`RNNRegressor` with ``cell='gru'``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RNNRegressor, LSTMRegressor

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import GRURegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 10))
    >>> GRURegressor(max_epochs=2, random_state=0).fit(X, X[:, -1]).predict(X[:2]).shape
    (2,)
    """

    _defaults = {"cell": "gru"}
