"""Validation data given to fit (X_val, y_val, sample_weight_val), as
HistGradientBoosting takes it, directly and routed through a Pipeline; early
stopping on a scorer."""

import numpy as np
import pytest
import sklearn
import torch
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknets import LSTMClassifier, LSTMRegressor
from sknets.modules import SequenceModule


class _Recorder(SequenceModule):
    """Keeps the inputs it reads in training and in evaluation mode."""

    def __init__(self, input_size, n_outputs):
        super().__init__()
        self.proj = torch.nn.Linear(input_size, 4)
        self.head = torch.nn.Linear(4, n_outputs)
        self.seen = {True: [], False: []}

    def forward_features(self, x, lengths=None):
        self.seen[self.training].append(x.detach().clone())
        return torch.relu(self.proj(x)).mean(dim=1)


def _data(n, rng, offset=0.0):
    X = offset + rng.normal(size=(n, 6))
    return X, (X[:, :3].sum(axis=1) > 3 * offset).astype(int)


def test_given_validation_data_replaces_the_held_out_part():
    rng = np.random.RandomState(0)
    X, y = _data(60, rng)
    X_val, y_val = _data(20, rng, offset=100.0)  # recognisable values
    clf = LSTMClassifier(module=_Recorder, standardize=False, max_epochs=3)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert clf.early_stopping_  # on with validation data, even for 60 samples
    seen = clf.net_.module_.seen
    trained = torch.cat(seen[True])
    assert len(trained) == 3 * 60  # every training sample, every epoch
    assert trained.max() < 50
    # evaluation: the two-sample probe of the module, then X_val each epoch,
    # and after it the training guard's check of two training samples (and
    # once more at the end of the fit)
    evaluated = seen[False][1:]
    probes = [x for x in evaluated if x.max() < 50]
    assert [len(x) for x in probes] == [2, 2, 2, 2]
    validated = torch.cat([x for x in evaluated if x.min() > 50])
    assert len(validated) == 3 * 20
    assert len(clf.validation_loss_curve_) == 3


def test_validation_data_picks_the_best_epoch():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 8))
    y = X[:, :2].sum(axis=1)
    X_val = rng.normal(size=(100, 8))
    y_val = X_val[:, :2].sum(axis=1)
    reg = LSTMRegressor(hidden_size=16, max_epochs=15, random_state=0)
    reg.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=np.ones(100))
    assert reg.best_epoch_ == int(np.argmin(reg.validation_loss_curve_)) + 1
    assert reg.score(X_val, y_val) > 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(X_val=np.ones((4, 6))), "got X_val without y_val"),
        (dict(y_val=np.ones(4)), "got y_val without X_val"),
        (dict(sample_weight_val=np.ones(4)), "sample_weight_val is given without"),
        (
            dict(X_val=np.ones((4, 6)), y_val=[0, 1, 0, 7]),
            r"y_val holds labels that are not in y: \[7\]",
        ),
        (
            dict(X_val=np.ones((4, 6, 2)), y_val=[0, 1, 0, 1]),
            "^X_val has 2 features per time step, but LSTMClassifier was fitted",
        ),
        (
            dict(X_val=np.r_[np.ones((3, 6)), np.full((1, 6), np.nan)], y_val=[0] * 4),
            "^Sample 3 of X_val holds only NaN",
        ),
        (
            dict(X_val=np.ones((4, 6)), y_val=[[0, 1]] * 4),
            "y_val",
        ),
    ],
)
def test_bad_validation_data_is_refused(kwargs, message):
    rng = np.random.RandomState(0)
    X, y = _data(30, rng)
    with pytest.raises(ValueError, match=message):
        LSTMClassifier(max_epochs=1).fit(X, y, **kwargs)


def test_validation_data_needs_early_stopping():
    rng = np.random.RandomState(0)
    X, y = _data(30, rng)
    clf = LSTMClassifier(early_stopping=False, max_epochs=1)
    with pytest.raises(ValueError, match="early_stopping=False turns off"):
        clf.fit(X, y, X_val=X[:5], y_val=y[:5])


def test_a_pipeline_routes_and_transforms_the_validation_data():
    rng = np.random.RandomState(0)
    X, y = _data(60, rng)
    X_val, y_val = _data(20, rng)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LSTMClassifier(module=_Recorder, standardize=False, max_epochs=2)
        clf.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("model", clf)], transform_input=["X_val"]
        )
        pipe.fit(X, y, X_val=X_val, y_val=y_val)
    scaler = pipe.named_steps["scale"]
    validated = pipe.named_steps["model"].net_.module_.seen[False][1]
    expected = scaler.transform(X_val)
    order = np.argsort(expected[:, 0])
    got = validated[:, :, 0].numpy()
    np.testing.assert_allclose(
        got[np.argsort(got[:, 0])], expected[order], rtol=1e-5, atol=1e-6
    )


def _imbalanced(n, rng):
    X = rng.normal(size=(n, 8))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 1.0).astype(int)  # about 1 in 5


@pytest.mark.parametrize(
    "scoring, metric",
    [
        ("f1_macro", lambda est, X, y: f1_score(y, est.predict(X), average="macro")),
        ("roc_auc", lambda est, X, y: roc_auc_score(y, est.predict_proba(X)[:, 1])),
    ],
)
def test_early_stopping_on_a_classification_score(scoring, metric):
    rng = np.random.RandomState(0)
    X, y = _imbalanced(300, rng)
    X_val, y_val = _imbalanced(150, rng)
    clf = LSTMClassifier(hidden_size=16, max_epochs=8, scoring=scoring, random_state=0)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    scores = clf.validation_scores_
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1
    # the best epoch's weights are kept: the recorded score is the model's
    assert scores[clf.best_epoch_ - 1] == pytest.approx(metric(clf, X_val, y_val))


def test_early_stopping_on_a_regression_scorer_or_a_callable():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 8))
    y = 10 * X[:, :2].sum(axis=1)
    X_val = rng.normal(size=(100, 8))
    y_val = 10 * X_val[:, :2].sum(axis=1)

    def median_error(estimator, X, y):
        return -np.median(np.abs(estimator.predict(X) - y))

    for scoring in ("neg_mean_absolute_error", median_error):
        reg = LSTMRegressor(hidden_size=16, max_epochs=6, scoring=scoring)
        reg.set_params(random_state=0).fit(X, y, X_val=X_val, y_val=y_val)
        best = reg.validation_scores_[reg.best_epoch_ - 1]
        expected = -np.abs(reg.predict(X_val) - y_val)
        expected = expected.mean() if isinstance(scoring, str) else np.median(expected)
        assert best == pytest.approx(expected, rel=1e-4)
        assert best == max(reg.validation_scores_)


def test_an_unknown_scorer_is_refused():
    rng = np.random.RandomState(0)
    X, y = _imbalanced(60, rng)
    clf = LSTMClassifier(scoring="f1_micro_typo", early_stopping=True, max_epochs=1)
    with pytest.raises(ValueError, match="'f1_micro_typo' is not a valid scoring"):
        clf.fit(X, y)
