"""scikit-learn's own estimator checks on every public sknets estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    CRNNRegressor,
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
    TextTokenizer,
    TransformerClassifier,
    TransformerRegressor,
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
    CRNNClassifier(channels=(16,), **RNN),
    CRNNRegressor(channels=(16,), **RNN),
    TCNClassifier(num_channels=16, dropout=0.0, lr=1e-2, **FAST),
    TCNRegressor(num_channels=16, dropout=0.0, lr=1e-2, **FAST),
    TransformerClassifier(
        d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, lr=1e-2, **FAST
    ),
    TransformerRegressor(
        d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, lr=1e-2, **FAST
    ),
    TextCNNClassifier(num_filters=16, dropout=0.0, lr=1e-2, **FAST),
    TextCNNRegressor(num_filters=16, dropout=0.0, lr=1e-2, **FAST),
    TextTokenizer(),
]

# Every entry carries its reason.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch SGD: a weight of 2 doubles a sample's gradient inside its "
        "batch, while a duplicated sample changes which samples share batches; "
        "the two fits cannot give the same weights"
    ),
}


SEQUENCE_EXPECTED_FAILED_CHECKS = {
    **EXPECTED_FAILED_CHECKS,
    "check_methods_subset_invariance": (
        "float32 recurrent and 1D-convolution layers: the matrix products of a "
        "batch of 20 and of a batch of 1 round differently, so predictions "
        "differ by about 1e-7 while the check allows 1e-7 (padding and batch "
        "neighbours do not change a prediction beyond that: "
        "tests/test_sequence.py, tests/test_text.py)"
    ),
}
TEXTCNN_REGRESSOR_EXPECTED_FAILED_CHECKS = {
    **SEQUENCE_EXPECTED_FAILED_CHECKS,
    "check_regressors_train": (
        "max-over-time pooling makes a TextCNN blind to where a pattern occurs; "
        "the check's data carry their signal in one fixed column of a 10-step "
        "series, which such a model cannot single out (R2 < 0.5)"
    ),
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, TextCNNRegressor):
        return TEXTCNN_REGRESSOR_EXPECTED_FAILED_CHECKS
    if isinstance(
        estimator,
        (
            RNNClassifier,
            RNNRegressor,
            CRNNClassifier,
            CRNNRegressor,
            TextCNNClassifier,
            TCNClassifier,
            TCNRegressor,
            TransformerClassifier,
            TransformerRegressor,
        ),
    ):
        return SEQUENCE_EXPECTED_FAILED_CHECKS
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
