"""sknets: scikit-learn compatible neural-network estimators on PyTorch and skorch.

CNNs for image arrays, recurrent networks for time series and text, behind the
plain scikit-learn estimator interface (``fit``, ``predict``,
``predict_proba``, ``score``), so they work unchanged in ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``clone`` and ``joblib``.
"""

# _compat comes first: it imports skorch, also under python -OO (see there)
from . import _compat, datasets, modules  # noqa: F401 (_compat)
from ._base import TrainingDivergedWarning
from ._version import __version__
from .cnn import CNNClassifier, CNNRegressor
from .crnn import CRNNClassifier, CRNNRegressor
from .export import export_onnx, onnx_input
from .fcn import FCNClassifier, FCNRegressor
from .forecaster import MiniRocketForecaster
from .gru_forecaster import GRUForecaster
from .inception import InceptionTimeClassifier, InceptionTimeRegressor
from .minirocket_global import MiniRocketGlobalForecaster
from .persistence import load, save
from .plotting import TrainingHistoryDisplay
from .resnet import ResNetClassifier, ResNetRegressor
from .rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from .rocket import MiniRocketClassifier, MiniRocketRegressor
from .tcn import TCNClassifier, TCNRegressor
from .text import TextTokenizer
from .textcnn import TextCNNClassifier, TextCNNRegressor
from .transformer import TransformerClassifier, TransformerRegressor
from .windows import make_windows

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "CRNNClassifier",
    "CRNNRegressor",
    "FCNClassifier",
    "FCNRegressor",
    "GRUClassifier",
    "GRURegressor",
    "InceptionTimeClassifier",
    "InceptionTimeRegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "MiniRocketClassifier",
    "MiniRocketForecaster",
    "MiniRocketGlobalForecaster",
    "GRUForecaster",
    "MiniRocketRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "ResNetClassifier",
    "ResNetRegressor",
    "TCNClassifier",
    "TCNRegressor",
    "TextCNNClassifier",
    "TextCNNRegressor",
    "TextTokenizer",
    "TrainingHistoryDisplay",
    "TransformerClassifier",
    "TransformerRegressor",
    "TrainingDivergedWarning",
    "datasets",
    "load",
    "make_windows",
    "modules",
    "save",
    "export_onnx",
    "onnx_input",
    "__version__",
]
