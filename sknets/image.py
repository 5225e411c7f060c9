"""Old import path of the CNN estimators; they live in :mod:`sknets.cnn`."""

from .cnn import CNNClassifier, CNNRegressor

__all__ = ["CNNClassifier", "CNNRegressor"]
