"""Temporal convolutional network estimators (Bai, Kolter and Koltun, 2018)."""

from __future__ import annotations

from sklearn.utils._param_validation import StrOptions

from ._budget import Budget
from ._constraints import FRACTION, POSITIVE_INT
from ._params import Attribute, Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.tcn import TCN, receptive_field

__all__ = ["TCNClassifier", "TCNRegressor"]


class _TCN(SequenceEstimator):
    """The :class:`~sknets.modules.TCN` network on sequence input."""

    _module = TCN
    _family_params = (
        Param(
            "num_channels",
            64,
            [POSITIVE_INT],
            "int",
            "Channels of every residual block.",
        ),
        Param(
            "num_levels",
            "auto",
            [POSITIVE_INT, StrOptions({"auto"})],
            "int or 'auto'",
            """
            Number of residual blocks; level ``i`` dilates its convolutions by
            ``2**i``. 'auto' takes the fewest levels (at least 2, at most 10) whose
            receptive field covers the longest sequence seen at fit.""",
        ),
        Param(
            "kernel_size",
            5,
            [POSITIVE_INT],
            "int",
            """
            Width of each causal convolution. The receptive field of the network is
            ``1 + 2 * (kernel_size - 1) * (2**num_levels - 1)`` steps
            (``receptive_field_``).""",
        ),
        Param("dropout", 0.1, [FRACTION], "float", "Dropout after each convolution."),
        Param(
            "batch_norm",
            True,
            ["boolean"],
            "bool",
            "Batch normalisation after each convolution.",
        ),
        Param(
            "summary",
            "max",
            [StrOptions({"last", "mean", "max"})],
            "{'max', 'mean', 'last'}",
            """
            How the per-step outputs become one vector for the head: the maximum or
            mean over the valid steps (global pooling, as in FCN and ResNet for time
            series), or the output at the last valid step (which sees the last
            ``receptive_field_`` steps).""",
        ),
    )
    _family_attributes = (
        Attribute("num_levels_", "int", "Residual blocks of the fitted network."),
        Attribute(
            "receptive_field_",
            "int",
            "Time steps that one output step of the network sees.",
        ),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=100, batch_size=32, work=6_000_000)

    def _resolve_network(self):
        """``num_levels='auto'``: the fewest levels (2 to 10) whose receptive
        field covers the longest training sequence (``num_levels_``,
        ``receptive_field_``)."""
        if self.num_levels == "auto":
            levels = 2
            while (
                levels < 10
                and receptive_field(self.kernel_size, levels) < self.max_length_
            ):
                levels += 1
        else:
            levels = int(self.num_levels)
        self.num_levels_ = levels
        self.receptive_field_ = receptive_field(self.kernel_size, levels)

    def _network_settings(self, inputs):
        """The declared settings, with the resolved ``num_levels_``."""
        return super()._network_settings(inputs) | {"num_levels": self.num_levels_}


class TCNClassifier(NeuralNetClassifierMixin, _TCN):
    """Temporal convolutional network classifier (Bai, Kolter and Koltun, 2018).

    Residual blocks of dilated causal 1D convolutions: each level doubles the
    dilation, so a few levels see hundreds of steps, and all steps are
    computed in parallel (no recurrence). Takes the same input as the
    recurrent estimators: series of fixed or variable length, token ids and
    raw text. Causal convolutions and summaries over the valid steps make
    predictions independent of padding.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    GRUClassifier, LSTMClassifier : Recurrent models of the same inputs.
    TCNRegressor : The same network for regression.

    Notes
    -----
    Bai, Kolter and Koltun, "An Empirical Evaluation of Generic Convolutional
    and Recurrent Networks for Sequence Modeling", 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import TCNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30, 2))
    >>> y = (X[:, :5, 0].sum(axis=1) > 0).astype(int)
    >>> clf = TCNClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.receptive_field_ >= 30
    True
    """


class TCNRegressor(NeuralNetRegressorMixin, _TCN):
    """Temporal convolutional network regressor (Bai, Kolter and Koltun, 2018).

    The network of :class:`TCNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TCNClassifier : The same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import TCNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 20))
    >>> TCNRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0]).predict(X[:2]).shape
    (2,)
    """
