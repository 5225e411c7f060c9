"""Old import path of the sequence estimators; each family has its own
module now: :mod:`sknets.rnn`, :mod:`sknets.tcn`, :mod:`sknets.transformer`
and :mod:`sknets.textcnn`."""

from .rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from .tcn import TCNClassifier, TCNRegressor
from .textcnn import TextCNNClassifier, TextCNNRegressor
from .transformer import TransformerClassifier, TransformerRegressor

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "TCNClassifier",
    "TCNRegressor",
    "TextCNNClassifier",
    "TextCNNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]
