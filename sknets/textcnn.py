"""Convolutional text estimators with max-over-time pooling (Kim, 2014)."""

from __future__ import annotations

from ._budget import Budget
from ._constraints import FRACTION, POSITIVE_INT, positive_ints_of
from ._params import Param
from ._sequence import SequenceEstimator
from ._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin
from .modules.textcnn import TextCNN

__all__ = ["TextCNNClassifier", "TextCNNRegressor"]


class _TextCNN(SequenceEstimator):
    """The :class:`~sknets.modules.TextCNN` network on sequence input."""

    _module = TextCNN
    _family_params = (
        Param(
            "kernel_sizes",
            (3, 4, 5),
            ["array-like"],
            "tuple of int",
            """
            Widths of the parallel convolutions: each looks at windows (n-grams) of
            that many tokens or time steps.""",
            convert=positive_ints_of("width"),
        ),
        Param("num_filters", 100, [POSITIVE_INT], "int", "Filters per width."),
        Param("dropout", 0.5, [FRACTION], "float", "Dropout before the output layer."),
    )
    _defaults = dict(
        lr=1e-3, lr_schedule="constant", clip_grad_norm=None, embedding_dim=128
    )
    _budget = Budget(epochs=10, batch_size=64)


class TextCNNClassifier(NeuralNetClassifierMixin, _TextCNN):
    """Convolutional text classifier with max-over-time pooling (Kim, 2014).

    Token vectors go through parallel convolutions of several widths; each
    filter keeps its maximum over the valid positions of the text, so padding
    is never read. Takes raw text (tokenized by ``tokenizer``), 2D integer
    token ids (from a :class:`TextTokenizer` in a pipeline) and numeric
    sequences, like the recurrent estimators. Trains in parallel over the
    positions, so it is usually much faster than an LSTM on long texts.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

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


class TextCNNRegressor(NeuralNetRegressorMixin, _TextCNN):
    """Convolutional text regressor with max-over-time pooling (Kim, 2014).

    The network of :class:`TextCNNClassifier` with one linear output per
    target, trained with mean squared error on standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

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
