"""CNN+RNN hybrids (CRNN): convolutions for local structure, a recurrent
network for the order of events."""

from __future__ import annotations

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import (
    BaseNeuralNet,
    NeuralNetClassifierMixin,
    NeuralNetRegressorMixin,
    check_channels_param,
    store_params,
)
from ._docstrings import FITTED_ATTRIBUTES, fill_doc, training_params
from .modules.crnn import CRNN
from .sequence import (
    _RNN_CONSTRAINTS,
    _SEQUENCE_ATTRIBUTES,
    _SEQUENCE_INPUT_PARAMS,
    _TEXT_CONSTRAINTS,
    _TEXT_PARAMS,
    _BaseSequence,
)

__all__ = ["CRNNClassifier", "CRNNRegressor"]

_CRNN_PARAMS = """\
channels : tuple of int, default=(32, 64)
    Output channels of each convolution block of the front end. On image
    sequences each block is a 2D convolution and 2x2 pooling applied to
    every frame; on series and tokens it is a 1D convolution and pooling by
    2, so each block halves the sequence the recurrent part reads.

kernel_size : int, default=3
    Width of the convolutions.

pooling : {{'max', 'avg'}}, default='max'
    Pooling after each convolution block.

batch_norm : bool, default=True
    Batch normalisation after each convolution.

frame_features : int, default=128
    Size of the feature vector the frame CNN makes of each frame (image
    sequences only); 0 keeps the pooled feature map.

cell : {{'rnn', 'lstm', 'gru'}}, default='gru'
    Recurrent cell of the back end.

hidden_size : int, default=64
    Features of the hidden state (of each direction).

num_layers : int, default=1
    Number of stacked recurrent layers.

bidirectional : bool, default=True
    Whether the recurrent part also reads the sequence backwards.

dropout : float, default=0.0
    Dropout between stacked recurrent layers and before the output layer.

summary : {{'last', 'mean', 'max', 'attention'}}, default='attention'
    How the recurrent outputs become one vector, as in
    :class:`RNNClassifier`. Attention is the default: it finds an event
    anywhere in a long sequence, where the last hidden state may have
    forgotten it."""

_CRNN_CONSTRAINTS = {
    **_RNN_CONSTRAINTS,
    "channels": ["array-like"],
    "kernel_size": [Interval(Integral, 1, None, closed="left")],
    "pooling": [StrOptions({"max", "avg"})],
    "batch_norm": ["boolean"],
    "frame_features": [Interval(Integral, 0, None, closed="left")],
}

_CRNN_DEFAULTS = dict(max_epochs=100, batch_size=32, lr=3e-3, lr_schedule="cosine")

_CRNN_INPUT = """\
Input: image sequences (n, T, H, W) (grayscale), (n, T, H, W, C)
(``data_format='channels_last'``) or (n, T, C, H, W) ('channels_first'), or
a list of (T_i, H, W[, C]) arrays of varying lengths; uint8 pixels are
scaled to [0, 1]. Also every input of :class:`GRUClassifier`: series
(n, T), (n, T, F) or lists of (T_i, F), token ids and raw text, which the
1D front end shortens by 2 per block before the recurrence. The kind of
input is fixed at fit (``input_kind_``)."""

_CRNN_ATTRIBUTES = """\
frame_shape_ : tuple of int
    (C, H, W) of the frames seen at fit (image sequences only).

max_length_ : int
    Longest sequence seen at fit (frames, steps or tokens)."""


class _BaseCRNN(_BaseSequence):
    _accepts_frames = True

    def _build_module(self, n_outputs, X_t=None):
        return CRNN(
            n_outputs=n_outputs,
            channels=check_channels_param(self.channels),
            kernel_size=self.kernel_size,
            pooling=self.pooling,
            batch_norm=self.batch_norm,
            frame_features=self.frame_features,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            summary=self.summary,
            **self._input_kwargs(X_t),
        )


def _crnn_doc(cls):
    return fill_doc(
        crnn_params=_CRNN_PARAMS,
        input_params=_SEQUENCE_INPUT_PARAMS,
        text_params=_TEXT_PARAMS.format(embedding_dim=64),
        training_params=training_params(**_CRNN_DEFAULTS),
        crnn_input=_CRNN_INPUT,
        crnn_attributes=_CRNN_ATTRIBUTES,
        sequence_attributes=_SEQUENCE_ATTRIBUTES,
        fitted_attributes=FITTED_ATTRIBUTES,
    )(cls)


@_crnn_doc
class CRNNClassifier(NeuralNetClassifierMixin, _BaseCRNN):
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
    {crnn_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {crnn_attributes}

    {sequence_attributes}

    {fitted_attributes}

    See Also
    --------
    CNNClassifier : Single images.
    GRUClassifier, TCNClassifier : Sequences without a convolutional front end,
        or without a recurrence.
    CRNNRegressor : The same network for regression.

    Notes
    -----
    {crnn_input}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_CRNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
        **NeuralNetClassifierMixin._classifier_constraints,
    }

    def __init__(
        self,
        channels=(32, 64),
        kernel_size=3,
        pooling="max",
        batch_norm=True,
        frame_features=128,
        cell="gru",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="attention",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=3e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule="cosine",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        mixed_precision=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        checkpoint_dir=None,
        init_from=None,
        freeze_features=False,
        class_weight=None,
    ):
        store_params(self, locals())


@_crnn_doc
class CRNNRegressor(NeuralNetRegressorMixin, _BaseCRNN):
    """Convolutional-recurrent regressor (CRNN) for image sequences and long
    sequences.

    The network of :class:`CRNNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets.

    Parameters
    ----------
    {crnn_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {crnn_attributes}

    {sequence_attributes}

    {fitted_attributes}

    See Also
    --------
    CRNNClassifier : The same network for classification.

    Notes
    -----
    {crnn_input}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_CRNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
    }

    def __init__(
        self,
        channels=(32, 64),
        kernel_size=3,
        pooling="max",
        batch_norm=True,
        frame_features=128,
        cell="gru",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="attention",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=3e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule="cosine",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        mixed_precision=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        checkpoint_dir=None,
        init_from=None,
        freeze_features=False,
    ):
        store_params(self, locals())
