"""Recurrent estimators for time series: RNN, LSTM and GRU."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from skorch.callbacks import GradientNormClipping

from ._base import (
    BaseNeuralNet,
    NeuralNetClassifierMixin,
    NeuralNetRegressorMixin,
    store_params,
)
from ._data import SEQUENCE_FORMATS, check_sequences
from ._docstrings import FITTED_ATTRIBUTES, fill_doc, training_params
from .modules.rnn import RecurrentNet
from .modules.tcn import TCN, receptive_field
from .modules.textcnn import TextCNN
from .modules.transformer import TransformerNet
from .text import TextTokenizer, align_vectors, corpus_embeddings

__all__ = [
    "RNNClassifier",
    "RNNRegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "GRUClassifier",
    "GRURegressor",
    "TextCNNClassifier",
    "TextCNNRegressor",
    "TCNClassifier",
    "TCNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]

_TEXT_PARAMS = """\
embedding_dim : int, default={embedding_dim}
    Size of the token vectors, for token-id and text input (a 2D integer
    array, or strings). The number of tokens is learned at fit.

embeddings : 'corpus', array-like of shape (n_tokens, dim), dict or None, \
default=None
    Initial token vectors. None draws them at random. 'corpus' learns them
    from the training texts themselves before training, without labels:
    positive pointwise mutual information of tokens within 5 positions,
    reduced to ``embedding_dim`` by a truncated SVD (Levy, Goldberg and
    Dagan, 2015); a cheap (about a second for 10,000 short texts) and often
    large gain on text when no pretrained vectors are at hand. Pretrained
    vectors: a matrix whose row ``i`` is the vector of token id ``i`` (row 0
    padding, row 1 unknown; see :meth:`TextTokenizer.embedding_matrix`), or,
    for raw text input, a dict of token to vector aligned with the fitted
    tokenizer's vocabulary; their size replaces ``embedding_dim``.

freeze_embeddings : bool, default=False
    Keep the initial ``embeddings`` fixed (True) or fine-tune them (False).

tokenizer : TextTokenizer or None, default=None
    Tokenizer for raw text input (a list, array or Series of str), cloned and
    fitted at fit as ``tokenizer_``; None uses ``TextTokenizer()``."""

_SEQUENCE_INPUT_PARAMS = """\
data_format : {{'channels_last', 'channels_first'}}, default='channels_last'
    Layout of 3D input and of the samples of a list: (n, T, F) and (T_i, F)
    time-major, as torch (batch_first) and Keras use them, or (n, F, T) and
    (F, T_i), as sktime's ``numpy3D`` gives them. 2D input is always (n, T)
    univariate series.

standardize : bool, default=True
    Whether to centre and scale each feature (channel) by its mean and
    standard deviation over all time steps seen at fit. Unscaled signals are
    the most common reason a recurrent network does not learn.

clip_grad_norm : float or None, default=1.0
    Maximum norm of the gradient of all parameters (gradient-norm clipping,
    which keeps recurrent training from exploding); None turns it off.\
"""

_RNN_PARAMS = """\
cell : {{'rnn', 'lstm', 'gru'}}, default='{cell}'
    Recurrent cell: Elman RNN (tanh), LSTM or GRU.

hidden_size : int, default=128
    Features of the hidden state (of each direction).

num_layers : int, default=1
    Number of stacked recurrent layers.

bidirectional : bool, default=True
    Whether to also run each sequence backwards and concatenate both
    directions. The whole input sequence is known when a prediction is made
    (also for a forecast from a window of past values), so reading it both
    ways is the stronger default.

dropout : float, default=0.0
    Dropout between stacked layers and before the output layer.

summary : {{'last', 'mean', 'max', 'attention'}}, default='last'
    How the per-step outputs become one vector for the head: the final
    hidden state (of each direction), the mean or maximum over the valid
    time steps, or a weighted sum of the steps' outputs whose weights a small
    attention layer learns (additive attention, Bahdanau et al. 2015), so
    that the model picks the steps that matter. Padding never counts."""

_SEQUENCE_ATTRIBUTES = """\
input_kind_ : {{'series', 'tokens', 'text'}}
    What X was at fit: numeric series, a 2D integer array of token ids, or
    raw text.

n_channels_ : int or None
    Features per time step seen at fit (None for tokens and text).

n_tokens_ : int or None
    Number of token ids the embedding holds (None for series). Larger ids at
    predict time read as unknown.

tokenizer_ : TextTokenizer
    The tokenizer fitted on raw text (only after a fit on text).

channel_mean_, channel_scale_ : ndarray of shape (`n_channels_`,) or None
    Per-channel statistics used by ``standardize`` (None when it is False).\
"""

_RNN_CONSTRAINTS = {
    "cell": [StrOptions({"rnn", "lstm", "gru"})],
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    "num_layers": [Interval(Integral, 1, None, closed="left")],
    "bidirectional": ["boolean"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "summary": [StrOptions({"last", "mean", "max", "attention"})],
    "data_format": [StrOptions(set(SEQUENCE_FORMATS))],
    "standardize": ["boolean"],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}

_TEXT_CONSTRAINTS = {
    "embedding_dim": [Interval(Integral, 1, None, closed="left")],
    "embeddings": [StrOptions({"corpus"}), "array-like", dict, None],
    "freeze_embeddings": ["boolean"],
    "tokenizer": [HasMethods(["fit", "transform"]), None],
}

_RNN_DEFAULTS = dict(max_epochs=100, batch_size=32, lr=3e-3, lr_schedule="cosine")


class _BaseSequence(BaseNeuralNet):
    """Sequence input (series of fixed or variable length, token ids, raw
    text), token embeddings and gradient clipping."""

    _accepts_frames = False  # image sequences (n, T, H, W[, C]): CRNN only

    def _validate_input(self, X, y=None, *, reset):
        X_t, y = check_sequences(
            self,
            X,
            y,
            reset=reset,
            data_format=self.data_format,
            standardize=self.standardize,
            tokenizer=self.tokenizer if self.tokenizer is not None else TextTokenizer(),
            frames=self._accepts_frames,
            **self._y_check_params,
        )
        if reset:
            self.max_length_ = int(
                X_t["lengths"].max() if isinstance(X_t, Mapping) else X_t.shape[1]
            )
        return X_t, y

    def _input_kwargs(self, X_t=None):
        """Keyword arguments that tell a module what its input is; ``X_t``,
        the training input, feeds ``embeddings='corpus'`` (None when a saved
        model is rebuilt: its own vectors are loaded afterwards)."""
        if self.input_kind_ == "series":
            return {"input_size": self.n_channels_}
        if self.input_kind_ == "frames":
            return {"input_size": self.n_channels_, "frame_shape": self.frame_shape_}
        weights = self.embeddings
        if weights is None:
            return {
                "input_size": 1,
                "vocab_size": self.n_tokens_,
                "embedding_dim": self.embedding_dim,
            }
        name = type(self).__name__
        if isinstance(weights, str):  # 'corpus': learned from the training ids
            shape = (self.n_tokens_, self.embedding_dim)
            weights = (
                np.zeros(shape, dtype=np.float32)  # rebuilt: vectors loaded later
                if X_t is None
                else corpus_embeddings(X_t["x"], *shape)
            )
        elif isinstance(weights, Mapping):
            if self.input_kind_ != "text":
                raise ValueError(
                    f"{name} got embeddings as a dict of token vectors, which needs "
                    "raw text input (its own tokenizer). With token ids from a "
                    "TextTokenizer in a pipeline, pass the matrix "
                    "tokenizer.embedding_matrix(vectors) instead."
                )
            weights = align_vectors(
                weights, self.tokenizer_.vocabulary_, self.n_tokens_
            )
        weights = np.asarray(weights, dtype=np.float32)
        if weights.ndim != 2 or weights.shape[0] < self.n_tokens_:
            raise ValueError(
                f"embeddings of shape {weights.shape} do not cover the input's "
                f"{self.n_tokens_} token ids; {name} needs a 2D matrix with one "
                "row per id (row 0 padding, row 1 unknown)."
            )
        self.n_tokens_ = weights.shape[0]
        return {
            "input_size": 1,
            "vocab_size": weights.shape[0],
            "embedding_dim": weights.shape[1],
            "embeddings": weights,
            "freeze_embeddings": self.freeze_embeddings,
        }

    def _extra_callbacks(self):
        if self.clip_grad_norm is None:
            return []
        return [
            (
                "clip_grad_norm",
                GradientNormClipping(gradient_clip_value=self.clip_grad_norm),
            )
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class _BaseRNN(_BaseSequence):
    def _build_module(self, n_outputs, X_t=None):
        return RecurrentNet(
            n_outputs=n_outputs,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            summary=self.summary,
            **self._input_kwargs(X_t),
        )


def _rnn_doc(cell):
    return fill_doc(
        rnn_params=_RNN_PARAMS.format(cell=cell),
        text_params=_TEXT_PARAMS.format(embedding_dim=64),
        input_params=_SEQUENCE_INPUT_PARAMS,
        training_params=training_params(**_RNN_DEFAULTS),
        sequence_attributes=_SEQUENCE_ATTRIBUTES,
        fitted_attributes=FITTED_ATTRIBUTES,
    )


@_rnn_doc("rnn")
class RNNClassifier(NeuralNetClassifierMixin, _BaseRNN):
    """Recurrent neural network classifier for time series.

    Reads each sequence step by step with an RNN, LSTM or GRU cell, keeps a
    memory of earlier steps in its hidden state, and classifies the summary of
    the sequence. Sequences may have different lengths: they are padded and
    each is read within its own length, so padding never changes a result.
    :class:`LSTMClassifier` and :class:`GRUClassifier` are this estimator
    with another default ``cell``.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, as in scikit-learn's classifiers;
        multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {sequence_attributes}

    {fitted_attributes}

    See Also
    --------
    LSTMClassifier, GRUClassifier : The same estimator with an LSTM or GRU cell.
    RNNRegressor : Recurrent regression.

    Notes
    -----
    Input: (n, T) univariate series, (n, T, F) multivariate series, (n, F, T)
    with ``data_format='channels_first'``, or a list of arrays (T_i,) or
    (T_i, F) of varying lengths. A model fitted on series of one length
    predicts on series of any length.

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_RNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
        **NeuralNetClassifierMixin._classifier_constraints,
    }

    def __init__(
        self,
        cell="rnn",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


@_rnn_doc("rnn")
class RNNRegressor(NeuralNetRegressorMixin, _BaseRNN):
    """Recurrent neural network regressor for time series.

    The network of :class:`RNNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets. y may be 2D, for
    example the next ``horizon`` values of a series (see
    :func:`sknets.make_windows`). :class:`LSTMRegressor` and
    :class:`GRURegressor` are this estimator with another default ``cell``.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {sequence_attributes}

    {fitted_attributes}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_RNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
    }

    def __init__(
        self,
        cell="rnn",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


@_rnn_doc("lstm")
class LSTMClassifier(RNNClassifier):
    """LSTM classifier for time series: :class:`RNNClassifier` with ``cell='lstm'``.

    Long short-term memory cells gate what they keep and forget, which lets
    them carry information over many steps. ``cell`` stays a parameter, so a
    grid search can still compare 'rnn', 'lstm' and 'gru'.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {sequence_attributes}

    {fitted_attributes}

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

    def __init__(
        self,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


@_rnn_doc("gru")
class GRUClassifier(RNNClassifier):
    """GRU classifier for time series: :class:`RNNClassifier` with ``cell='gru'``.

    Gated recurrent units keep a memory like an LSTM with fewer parameters and
    often train faster. ``cell`` stays a parameter.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {sequence_attributes}

    {fitted_attributes}

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

    def __init__(
        self,
        cell="gru",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


@_rnn_doc("lstm")
class LSTMRegressor(RNNRegressor):
    """LSTM regressor for time series: :class:`RNNRegressor` with ``cell='lstm'``.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {sequence_attributes}

    {fitted_attributes}

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

    def __init__(
        self,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


@_rnn_doc("gru")
class GRURegressor(RNNRegressor):
    """GRU regressor for time series: :class:`RNNRegressor` with ``cell='gru'``.

    Parameters
    ----------
    {rnn_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {sequence_attributes}

    {fitted_attributes}

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

    def __init__(
        self,
        cell="gru",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        summary="last",
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


_TEXTCNN_PARAMS = """\
kernel_sizes : tuple of int, default=(3, 4, 5)
    Widths of the parallel convolutions: each looks at windows (n-grams) of
    that many tokens or time steps.

num_filters : int, default=100
    Filters per width.

dropout : float, default=0.5
    Dropout before the output layer."""

_TEXTCNN_CONSTRAINTS = {
    "kernel_sizes": ["array-like"],
    "num_filters": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "data_format": [StrOptions(set(SEQUENCE_FORMATS))],
    "standardize": ["boolean"],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}

_TEXTCNN_DEFAULTS = dict(max_epochs=10, batch_size=64, lr=1e-3, lr_schedule="constant")


class _BaseTextCNN(_BaseSequence):
    def _build_module(self, n_outputs, X_t=None):
        kernel_sizes = tuple(int(k) for k in self.kernel_sizes)
        if not kernel_sizes or min(kernel_sizes) < 1:
            raise ValueError(
                f"kernel_sizes must hold at least one positive width, got "
                f"{self.kernel_sizes!r}."
            )
        return TextCNN(
            n_outputs=n_outputs,
            kernel_sizes=kernel_sizes,
            num_filters=self.num_filters,
            dropout=self.dropout,
            **self._input_kwargs(X_t),
        )


def _textcnn_doc(cls):
    return fill_doc(
        textcnn_params=_TEXTCNN_PARAMS,
        input_params=_SEQUENCE_INPUT_PARAMS.replace("default=1.0", "default=None"),
        text_params=_TEXT_PARAMS.format(embedding_dim=128),
        training_params=training_params(**_TEXTCNN_DEFAULTS),
        sequence_attributes=_SEQUENCE_ATTRIBUTES,
        fitted_attributes=FITTED_ATTRIBUTES,
    )(cls)


@_textcnn_doc
class TextCNNClassifier(NeuralNetClassifierMixin, _BaseTextCNN):
    """Convolutional text classifier with max-over-time pooling (Kim, 2014).

    Token vectors go through parallel convolutions of several widths; each
    filter keeps its maximum over the valid positions of the text, so padding
    is never read. Takes raw text (tokenized by ``tokenizer``), 2D integer
    token ids (from a :class:`TextTokenizer` in a pipeline) and numeric
    sequences, like the recurrent estimators. Trains in parallel over the
    positions, so it is usually much faster than an LSTM on long texts.

    Parameters
    ----------
    {textcnn_params}

    {text_params}

    {input_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {sequence_attributes}

    {fitted_attributes}

    See Also
    --------
    LSTMClassifier : A recurrent model of the same inputs.
    TextTokenizer : The tokenizer used for raw text.

    Notes
    -----
    Kim, "Convolutional Neural Networks for Sentence Classification", EMNLP
    2014.

    Examples
    --------
    >>> from sknets import TextCNNClassifier
    >>> texts = ["a fine film", "a dull film", "fine acting", "dull plot"] * 5
    >>> labels = ["pos", "neg", "pos", "neg"] * 5
    >>> clf = TextCNNClassifier(max_epochs=2, random_state=0).fit(texts, labels)
    >>> clf.predict(["fine plot"]).shape
    (1,)
    """

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TEXTCNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
        **NeuralNetClassifierMixin._classifier_constraints,
    }

    def __init__(
        self,
        kernel_sizes=(3, 4, 5),
        num_filters=100,
        dropout=0.5,
        embedding_dim=128,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=None,
        max_epochs=10,
        batch_size=64,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule="constant",
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


@_textcnn_doc
class TextCNNRegressor(NeuralNetRegressorMixin, _BaseTextCNN):
    """Convolutional text regressor with max-over-time pooling (Kim, 2014).

    The network of :class:`TextCNNClassifier` with one linear output per
    target, trained with mean squared error on standardised targets.

    Parameters
    ----------
    {textcnn_params}

    {text_params}

    {input_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {sequence_attributes}

    {fitted_attributes}

    See Also
    --------
    TextCNNClassifier : The same network for classification.

    Examples
    --------
    >>> from sknets import TextCNNRegressor
    >>> texts = ["one star", "five stars", "three stars", "two stars"] * 5
    >>> reg = TextCNNRegressor(max_epochs=2, random_state=0)
    >>> reg.fit(texts, [1.0, 5.0, 3.0, 2.0] * 5).predict(["four stars"]).shape
    (1,)
    """

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TEXTCNN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
    }

    def __init__(
        self,
        kernel_sizes=(3, 4, 5),
        num_filters=100,
        dropout=0.5,
        embedding_dim=128,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=None,
        max_epochs=10,
        batch_size=64,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule="constant",
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


_TCN_PARAMS = """\
num_channels : int, default=64
    Channels of every residual block.

num_levels : int or 'auto', default='auto'
    Number of residual blocks; level ``i`` dilates its convolutions by
    ``2**i``. 'auto' takes the fewest levels (at least 2, at most 10) whose
    receptive field covers the longest sequence seen at fit.

kernel_size : int, default=5
    Width of each causal convolution. The receptive field of the network is
    ``1 + 2 * (kernel_size - 1) * (2**num_levels - 1)`` steps
    (``receptive_field_``).

dropout : float, default=0.1
    Dropout after each convolution.

batch_norm : bool, default=True
    Batch normalisation after each convolution.

summary : {{'max', 'mean', 'last'}}, default='max'
    How the per-step outputs become one vector for the head: the maximum or
    mean over the valid steps (global pooling, as in FCN and ResNet for time
    series), or the output at the last valid step (which sees the last
    ``receptive_field_`` steps)."""

_TCN_CONSTRAINTS = {
    "num_channels": [Interval(Integral, 1, None, closed="left")],
    "num_levels": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "kernel_size": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    "summary": [StrOptions({"last", "mean", "max"})],
    "data_format": [StrOptions(set(SEQUENCE_FORMATS))],
    "standardize": ["boolean"],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}

_TCN_DEFAULTS = dict(max_epochs=100, batch_size=32, lr=1e-3, lr_schedule="cosine")

_TCN_ATTRIBUTES = """\
num_levels_ : int
    Residual blocks of the fitted network.

receptive_field_ : int
    Time steps that one output step of the network sees.

max_length_ : int
    Longest sequence seen at fit.\
"""


class _BaseTCN(_BaseSequence):
    def _build_module(self, n_outputs, X_t=None):
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
        return TCN(
            n_outputs=n_outputs,
            num_channels=self.num_channels,
            num_levels=levels,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            summary=self.summary,
            **self._input_kwargs(X_t),
        )


def _tcn_doc(cls):
    return fill_doc(
        tcn_params=_TCN_PARAMS,
        input_params=_SEQUENCE_INPUT_PARAMS,
        text_params=_TEXT_PARAMS.format(embedding_dim=64),
        training_params=training_params(**_TCN_DEFAULTS),
        tcn_attributes=_TCN_ATTRIBUTES,
        sequence_attributes=_SEQUENCE_ATTRIBUTES,
        fitted_attributes=FITTED_ATTRIBUTES,
    )(cls)


@_tcn_doc
class TCNClassifier(NeuralNetClassifierMixin, _BaseTCN):
    """Temporal convolutional network classifier (Bai, Kolter and Koltun, 2018).

    Residual blocks of dilated causal 1D convolutions: each level doubles the
    dilation, so a few levels see hundreds of steps, and all steps are
    computed in parallel (no recurrence). Takes the same input as the
    recurrent estimators: series of fixed or variable length, token ids and
    raw text. Causal convolutions and summaries over the valid steps make
    predictions independent of padding.

    Parameters
    ----------
    {tcn_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {tcn_attributes}

    {sequence_attributes}

    {fitted_attributes}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TCN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
        **NeuralNetClassifierMixin._classifier_constraints,
    }

    def __init__(
        self,
        num_channels=64,
        num_levels="auto",
        kernel_size=5,
        dropout=0.1,
        batch_norm=True,
        summary="max",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
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


@_tcn_doc
class TCNRegressor(NeuralNetRegressorMixin, _BaseTCN):
    """Temporal convolutional network regressor (Bai, Kolter and Koltun, 2018).

    The network of :class:`TCNClassifier` with one linear output per target,
    trained with mean squared error on standardised targets.

    Parameters
    ----------
    {tcn_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {tcn_attributes}

    {sequence_attributes}

    {fitted_attributes}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TCN_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
    }

    def __init__(
        self,
        num_channels=64,
        num_levels="auto",
        kernel_size=5,
        dropout=0.1,
        batch_norm=True,
        summary="max",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
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


_TRANSFORMER_PARAMS = """\
d_model : int, default=64
    Width of the encoder (the input is projected to it).

nhead : int, default=4
    Attention heads; must divide ``d_model``.

num_layers : int, default=2
    Encoder layers.

dim_feedforward : int, default=128
    Width of the feed-forward part of each layer.

dropout : float, default=0.1
    Dropout inside the encoder.

summary : {{'mean', 'max', 'last'}}, default='mean'
    How the per-step outputs become one vector for the head: the mean or
    maximum over the valid steps, or the output at the last valid step."""

_TRANSFORMER_CONSTRAINTS = {
    "d_model": [Interval(Integral, 1, None, closed="left")],
    "nhead": [Interval(Integral, 1, None, closed="left")],
    "num_layers": [Interval(Integral, 1, None, closed="left")],
    "dim_feedforward": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "summary": [StrOptions({"last", "mean", "max"})],
    "data_format": [StrOptions(set(SEQUENCE_FORMATS))],
    "standardize": ["boolean"],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}

_TRANSFORMER_DEFAULTS = dict(
    max_epochs=100, batch_size=32, lr=1e-3, lr_schedule="cosine"
)


class _BaseTransformer(_BaseSequence):
    def _build_module(self, n_outputs, X_t=None):
        if self.d_model % self.nhead:
            raise ValueError(
                f"nhead={self.nhead} must divide d_model={self.d_model}; change one "
                "of them."
            )
        return TransformerNet(
            n_outputs=n_outputs,
            d_model=self.d_model,
            nhead=self.nhead,
            num_layers=self.num_layers,
            dim_feedforward=self.dim_feedforward,
            dropout=self.dropout,
            summary=self.summary,
            **self._input_kwargs(X_t),
        )


def _transformer_doc(cls):
    return fill_doc(
        transformer_params=_TRANSFORMER_PARAMS,
        input_params=_SEQUENCE_INPUT_PARAMS,
        text_params=_TEXT_PARAMS.format(embedding_dim=64),
        training_params=training_params(**_TRANSFORMER_DEFAULTS),
        sequence_attributes=_SEQUENCE_ATTRIBUTES,
        fitted_attributes=FITTED_ATTRIBUTES,
    )(cls)


@_transformer_doc
class TransformerClassifier(NeuralNetClassifierMixin, _BaseTransformer):
    """Self-attention (Transformer encoder) classifier for sequences and text.

    Each step is projected to ``d_model`` features, given a sinusoidal
    position encoding, and passed through a Transformer encoder in which
    every step attends to every valid step of its sequence: long-range
    dependencies are one attention step away. Padding is masked out of the
    attention and of the summary. Takes series of fixed or variable length,
    token ids and raw text.

    Parameters
    ----------
    {transformer_params}

    {input_params}

    {text_params}

    {training_params}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss; multiplied with ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {sequence_attributes}

    {fitted_attributes}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TRANSFORMER_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
        **NeuralNetClassifierMixin._classifier_constraints,
    }

    def __init__(
        self,
        d_model=64,
        nhead=4,
        num_layers=2,
        dim_feedforward=128,
        dropout=0.1,
        summary="mean",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
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


@_transformer_doc
class TransformerRegressor(NeuralNetRegressorMixin, _BaseTransformer):
    """Self-attention (Transformer encoder) regressor for sequences and text.

    The network of :class:`TransformerClassifier` with one linear output per
    target, trained with mean squared error on standardised targets.

    Parameters
    ----------
    {transformer_params}

    {input_params}

    {text_params}

    {training_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {sequence_attributes}

    {fitted_attributes}

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

    _parameter_constraints = {
        **BaseNeuralNet._parameter_constraints,
        **_TRANSFORMER_CONSTRAINTS,
        **_TEXT_CONSTRAINTS,
    }

    def __init__(
        self,
        d_model=64,
        nhead=4,
        num_layers=2,
        dim_feedforward=128,
        dropout=0.1,
        summary="mean",
        data_format="channels_last",
        standardize=True,
        clip_grad_norm=1.0,
        embedding_dim=64,
        embeddings=None,
        freeze_embeddings=False,
        tokenizer=None,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
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
