"""Old import path of the CRNN estimators; they live in :mod:`sknets.crnn`."""

from .crnn import CRNNClassifier, CRNNRegressor

__all__ = ["CRNNClassifier", "CRNNRegressor"]
