"""scikit-learn's own estimator checks on every public sknets estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknets import (
    CNNClassifier,
    CNNRegressor,
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

# Small, fast settings: the checks fit each estimator dozens of times on tiny
# data. They still must learn (check_classifiers_train asks for 0.83 accuracy).
FAST = dict(max_epochs=20, batch_size=32, random_state=0, device="cpu")

RNN = dict(hidden_size=32, lr=1e-2, **{**FAST, "max_epochs": 40})

ESTIMATORS = [
    CNNClassifier(channels=(16,), dense_units=32, dropout=0.0, lr=5e-3, **FAST),
    CNNRegressor(channels=(16,), dense_units=32, dropout=0.0, lr=5e-3, **FAST),
    RNNClassifier(**RNN),
    RNNRegressor(**RNN),
    LSTMClassifier(**RNN),
    LSTMRegressor(**RNN),
    GRUClassifier(**RNN),
    GRURegressor(**RNN),
]

# Every entry carries its reason.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch SGD: a weight of 2 doubles a sample's gradient inside its "
        "batch, while a duplicated sample changes which samples share batches; "
        "the two fits cannot give the same weights"
    ),
}


RECURRENT_EXPECTED_FAILED_CHECKS = {
    **EXPECTED_FAILED_CHECKS,
    "check_methods_subset_invariance": (
        "float32 recurrent layers: the matrix products of a batch of 20 and of "
        "a batch of 1 round differently, so predictions differ by about 1e-7 "
        "while the check allows 1e-7 (padding and batch neighbours do not "
        "change a prediction beyond that: tests/test_sequence.py)"
    ),
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, (RNNClassifier, RNNRegressor)):
        return RECURRENT_EXPECTED_FAILED_CHECKS
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
