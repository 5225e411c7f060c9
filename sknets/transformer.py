"""Self-attention (Transformer encoder) estimators for sequences and text."""

from __future__ import annotations

import math

from sklearn.utils._param_validation import StrOptions

from ._budget import Budget
from ._constraints import FRACTION, POSITIVE_INT
from ._inputs import input_kind
from ._params import Attribute, Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.transformer import TransformerNet

__all__ = ["TransformerClassifier", "TransformerRegressor"]


class _Transformer(SequenceEstimator):
    """The :class:`~sknets.modules.TransformerNet` network on sequence input."""

    _module = TransformerNet
    _family_params = (
        Param(
            "d_model",
            64,
            [POSITIVE_INT],
            "int",
            "Width of the encoder (the input is projected to it).",
        ),
        Param(
            "nhead",
            4,
            [POSITIVE_INT],
            "int",
            "Attention heads; must divide ``d_model``.",
        ),
        Param("num_layers", 2, [POSITIVE_INT], "int", "Encoder layers."),
        Param(
            "dim_feedforward",
            128,
            [POSITIVE_INT],
            "int",
            "Width of the feed-forward part of each layer.",
        ),
        Param("dropout", 0.1, [FRACTION], "float", "Dropout inside the encoder."),
        Param(
            "summary",
            "mean",
            [StrOptions({"last", "mean", "max"})],
            "{'mean', 'max', 'last'}",
            """
            How the per-step outputs become one vector for the head: the mean or
            maximum over the valid steps, or the output at the last valid step.""",
        ),
        Param(
            "patch_size",
            "auto",
            [POSITIVE_INT, StrOptions({"auto"})],
            "int or 'auto'",
            """
            Time steps per token: the encoder reads runs of ``patch_size``
            steps, each projected to one token (PatchTST, Nie et al. 2023), so
            attention over a long series costs (T / patch_size)**2, not T**2,
            and each token carries a local shape rather than one value. 'auto'
            makes at most 64 tokens of the longest training series (1, steps
            as tokens, for series up to 64 steps and for token ids and text)
            (``patch_size_``).""",
        ),
    )
    _family_attributes = (
        Attribute("patch_size_", "int", "Time steps per token of the encoder."),
    )
    _defaults = dict(lr=1e-3, lr_schedule="cosine")
    _budget = Budget(epochs=100, batch_size=32, work=6_000_000)

    def _resolve_network(self):
        """``patch_size='auto'``: 1 on token ids, else patches that leave at
        most 64 tokens of the longest training series (``patch_size_``)."""
        if self.d_model % self.nhead:
            raise ValueError(
                f"nhead={self.nhead} must divide d_model={self.d_model}; change one "
                "of them."
            )
        patch = self.patch_size
        if patch == "auto":
            tokens = not input_kind(self).numeric
            patch = 1 if tokens else max(math.ceil(self.max_length_ / 64), 1)
        self.patch_size_ = int(patch)

    def _network_settings(self, inputs):
        """The declared settings, with the resolved ``patch_size_``."""
        return super()._network_settings(inputs) | {"patch_size": self.patch_size_}


class TransformerClassifier(NeuralNetClassifierMixin, _Transformer):
    """Self-attention (Transformer encoder) classifier for sequences and text.

    Each step is projected to ``d_model`` features, given a sinusoidal
    position encoding, and passed through a Transformer encoder in which
    every step attends to every valid step of its sequence: long-range
    dependencies are one attention step away. Padding is masked out of the
    attention and of the summary. Takes series of fixed or variable length,
    token ids and raw text.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TCNClassifier, LSTMClassifier : Convolutional and recurrent models of the
        same inputs.

    Notes
    -----
    Vaswani et al., "Attention Is All You Need", 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import TransformerClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 12, 2))
    >>> y = (X[:, 0, 0] > 0).astype(int)
    >>> clf = TransformerClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """


class TransformerRegressor(NeuralNetRegressorMixin, _Transformer):
    """Self-attention (Transformer encoder) regressor for sequences and text.

    The network of :class:`TransformerClassifier` with one linear output per
    target, trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TransformerClassifier : The same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import TransformerRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 10))
    >>> reg = TransformerRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """
