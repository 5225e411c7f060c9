"""sknets: scikit-learn compatible neural-network estimators on PyTorch and skorch.

CNNs for image arrays, recurrent networks for time series and text, behind the
plain scikit-learn estimator interface (``fit``, ``predict``,
``predict_proba``, ``score``), so they work unchanged in ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``clone`` and ``joblib``.
"""

from ._base import TrainingDivergedWarning
from .export import export_onnx, onnx_input
from .forecasting import make_windows
from .hybrid import CRNNClassifier, CRNNRegressor
from .image import CNNClassifier, CNNRegressor
from .persistence import load, save
from .plotting import TrainingHistoryDisplay
from .sequence import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TCNClassifier,
    TCNRegressor,
    TextCNNClassifier,
    TextCNNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)
from .text import TextTokenizer

__version__ = "0.1.0"

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "CRNNClassifier",
    "CRNNRegressor",
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
    "TextTokenizer",
    "TrainingHistoryDisplay",
    "TransformerClassifier",
    "TransformerRegressor",
    "TrainingDivergedWarning",
    "load",
    "make_windows",
    "save",
    "export_onnx",
    "onnx_input",
    "__version__",
]
