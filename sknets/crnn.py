"""CNN+RNN hybrids (CRNN): convolutions for local structure, a recurrent
network for the order of events."""

from __future__ import annotations

from sklearn.utils._param_validation import StrOptions

from ._budget import Budget
from ._constraints import FRACTION, NON_NEGATIVE_INT, POSITIVE_INT, positive_ints_of
from ._inputs import FRAMES, SERIES, TOKENS
from ._params import Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.crnn import CRNN
from .rnn import CELL, NUM_LAYERS, SUMMARY

__all__ = ["CRNNClassifier", "CRNNRegressor"]


class _CRNN(SequenceEstimator):
    """The :class:`~sknets.modules.CRNN` network on image sequences, series,
    token ids and text."""

    _input_kinds = (TOKENS, FRAMES, SERIES)
    _module = CRNN
    _family_params = (
        Param(
            "channels",
            (32, 64),
            ["array-like"],
            "tuple of int",
            """
            Output channels of each convolution block of the front end. On image
            sequences each block is a 2D convolution and 2x2 pooling applied to
            every frame; on series and tokens it is a 1D convolution and pooling by
            2, so each block halves the sequence the recurrent part reads.""",
            convert=positive_ints_of("number of channels"),
        ),
        Param("kernel_size", 3, [POSITIVE_INT], "int", "Width of the convolutions."),
        Param(
            "pooling",
            "max",
            [StrOptions({"max", "avg"})],
            "{'max', 'avg'}",
            "Pooling after each convolution block.",
        ),
        Param(
            "batch_norm",
            True,
            ["boolean"],
            "bool",
            "Batch normalisation after each convolution.",
        ),
        Param(
            "frame_features",
            128,
            [NON_NEGATIVE_INT],
            "int",
            """
            Size of the feature vector the frame CNN makes of each frame (image
            sequences only); 0 keeps the pooled feature map.""",
        ),
        CELL,
        Param(
            "hidden_size",
            64,
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
            "Whether the recurrent part also reads the sequence backwards.",
        ),
        Param(
            "dropout",
            0.0,
            [FRACTION],
            "float",
            "Dropout between stacked recurrent layers and before the output layer.",
        ),
        SUMMARY,
    )
    _defaults = dict(cell="gru", lr=3e-3, lr_schedule="cosine")
    _budget = Budget(epochs=100, batch_size=32, work=6_000_000)


class CRNNClassifier(NeuralNetClassifierMixin, _CRNN):
    """Convolutional-recurrent classifier (CRNN) for image sequences and long
    sequences.

    A convolutional front end extracts local patterns, a recurrent back end
    reads them in order. On image sequences (video, gestures) a 2D CNN turns
    every frame into a feature vector and a GRU/LSTM runs over the frames, so
    the model sees motion and the order of events, which no per-frame model
    can. On long 1D sequences and token ids (signals, DNA) 1D convolutions
    shorten the sequence before the recurrence, which makes the recurrent
    part cheaper and its memory reach further. Padding is masked throughout.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    CNNClassifier : Single images.
    GRUClassifier, TCNClassifier : Sequences without a convolutional front end,
        or without a recurrence.
    CRNNRegressor : The same network for regression.

    Notes
    -----
    Input: image sequences (n, T, H, W) (grayscale), (n, T, H, W, C)
    or (n, T, C, H, W) (``data_format``; 'auto' finds the channel axis), or
    a list of (T_i, H, W[, C]) arrays of varying lengths; uint8 pixels are
    scaled to [0, 1]. Also every input of :class:`GRUClassifier`: series
    (n, T), (n, T, F) or lists of (T_i, F), token ids and raw text, which the
    1D front end shortens by 2 per block before the recurrence. The kind of
    input is fixed at fit (``input_kind_``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import CRNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> videos = rng.uniform(size=(20, 6, 8, 8))  # (n, T, H, W)
    >>> y = rng.randint(0, 2, size=20)
    >>> clf = CRNNClassifier(max_epochs=2, random_state=0).fit(videos, y)
    >>> clf.predict_proba(videos[:3]).shape
    (3, 2)
    >>> clf.frame_shape_
    (1, 8, 8)
    """


class CRNNRegressor(NeuralNetRegressorMixin, _CRNN):
    """Convolutional-recurrent regressor (CRNN) for image sequences and long
    sequences.

    The network of :class:`CRNNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    CRNNClassifier : The same network for classification.

    Notes
    -----
    Input: as for :class:`CRNNClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import CRNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 64, 2))  # long series (n, T, F)
    >>> reg = CRNNRegressor(max_epochs=2, random_state=0).fit(X, X[:, :, 0].mean(1))
    >>> reg.predict(X[:2]).shape
    (2,)
    """
