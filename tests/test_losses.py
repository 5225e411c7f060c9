"""Regression losses: intervals from quantiles and from a Gaussian likelihood
that cover what they claim and widen where the noise does, ordered
quantiles, robust losses, persistence and export, bad input."""

import warnings

import numpy as np
import pytest
from scipy.stats import spearmanr

import sknets
from sknets import (
    LSTMRegressor,
    MiniRocketRegressor,
    TCNRegressor,
    export_onnx,
    onnx_input,
)

FAST = dict(hidden_size=32, lr=1e-2, max_epochs=30, random_state=0)


def heteroscedastic(n, rng, steps=6):
    """Series whose target is a trend of the series plus noise whose spread
    grows with the series' level: returns X (n, steps), y and the noise's
    true standard deviation."""
    level = rng.uniform(0, 1, size=n)
    slope = rng.uniform(-1, 1, size=n)
    X = level[:, None] + slope[:, None] * np.linspace(0, 1, steps)
    X += 0.02 * rng.normal(size=X.shape)
    spread = 0.05 + 0.5 * level
    return X, 2 * slope + spread * rng.normal(size=n), spread


@pytest.mark.parametrize("loss", ["quantile", "gaussian"])
def test_90_percent_intervals_cover_and_follow_the_noise(loss):
    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(3000, rng)
    X_test, y_test, spread = heteroscedastic(5000, rng)
    reg = LSTMRegressor(loss=loss, quantile=[0.05, 0.95], batch_size=64, **FAST)
    reg.fit(X, y)
    if loss == "quantile":
        low, _, high = reg.predict_quantiles(X_test).T
    else:
        mean, std = reg.predict(X_test, return_std=True)
        low, high = mean - 1.645 * std, mean + 1.645 * std
    coverage = np.mean((y_test >= low) & (y_test <= high))
    assert 0.86 <= coverage <= 0.94, coverage
    assert spearmanr(high - low, spread).correlation > 0.8
    assert reg.score(X_test, y_test) > 0.5


def test_quantiles_are_ordered_and_predict_is_their_median():
    rng = np.random.RandomState(1)
    X, y, _ = heteroscedastic(400, rng)
    Y = np.c_[y, -3 * y]  # two targets
    reg = TCNRegressor(
        loss="quantile", quantile=[0.9, 0.1, 0.25], max_epochs=5, random_state=0
    ).fit(X, Y)
    np.testing.assert_array_equal(reg.quantiles_, [0.1, 0.25, 0.5, 0.9])
    quantiles = reg.predict_quantiles(X)
    assert quantiles.shape == (400, 2, 4)
    assert np.all(np.diff(quantiles, axis=2) >= 0)
    np.testing.assert_array_equal(reg.predict(X), quantiles[:, :, 2])
    single = TCNRegressor(loss="quantile", quantile=0.8, max_epochs=2, random_state=0)
    single.fit(X, y)
    np.testing.assert_array_equal(single.quantiles_, [0.8])  # no median added
    np.testing.assert_array_equal(single.predict(X), single.predict_quantiles(X)[:, 0])


def test_one_quantile_is_what_predict_returns_as_in_scikit_learn():
    """scikit-learn's two-model interval (HistGradientBoostingRegressor's
    docs): quantile=0.05 and quantile=0.95 bound a 90 % interval."""
    from sknets import GRURegressor

    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(3000, rng)
    X_test, y_test, _ = heteroscedastic(5000, rng)
    settings = dict(loss="quantile", batch_size=64, **FAST)
    low = GRURegressor(quantile=0.05, **settings).fit(X, y).predict(X_test)
    high = GRURegressor(quantile=0.95, **settings).fit(X, y).predict(X_test)
    assert 0.02 <= np.mean(y_test < low) <= 0.08
    assert 0.02 <= np.mean(y_test > high) <= 0.08
    coverage = np.mean((y_test >= low) & (y_test <= high))
    assert 0.85 <= coverage <= 0.95, coverage


def test_absolute_error_ignores_outliers_that_pull_the_squared_error():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 8))
    y = X[:, :4].sum(axis=1)
    y_train = y.copy()
    y_train[rng.rand(600) < 0.1] += 40.0  # one target in ten far off
    errors = {}
    for loss in ("squared_error", "absolute_error", "huber"):
        reg = LSTMRegressor(loss=loss, **FAST).fit(X, y_train)
        errors[loss] = np.median(np.abs(reg.predict(X) - y))
    assert errors["absolute_error"] < 0.5 * errors["squared_error"], errors
    assert errors["huber"] < 0.5 * errors["squared_error"], errors


def test_gaussian_std_has_the_shape_of_y_and_the_unit_of_y():
    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(500, rng)
    Y = np.c_[y, 1000 * y]
    reg = LSTMRegressor(loss="gaussian", **FAST).fit(X, Y)
    mean, std = reg.predict(X, return_std=True)
    assert mean.shape == std.shape == (500, 2) and np.all(std > 0)
    np.testing.assert_array_equal(mean, reg.predict(X))
    np.testing.assert_allclose(std[:, 1] / std[:, 0], 1000, rtol=0.5)


def test_minirocket_trains_its_head_for_other_losses():
    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(300, rng, steps=20)
    closed = MiniRocketRegressor(num_features=168, random_state=0).fit(X, y)
    assert closed.n_iter_ == 0  # the ridge solution: the squared error's
    reg = MiniRocketRegressor(
        loss="quantile", quantile=[0.1, 0.9], num_features=168, random_state=0
    ).fit(X, y)
    assert reg.n_iter_ > 0
    low, _, high = reg.predict_quantiles(X).T
    assert 0.65 < np.mean((y >= low) & (y <= high)) < 0.95


@pytest.mark.parametrize("loss", ["quantile", "gaussian"])
def test_save_load_and_export_give_the_same_predictions(loss, tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(100, rng)
    reg = LSTMRegressor(
        loss=loss, quantile=[0.2, 0.7], hidden_size=8, max_epochs=2, random_state=0
    ).fit(X, y)
    sknets.save(reg, tmp_path / "model.sknets")
    loaded = sknets.load(tmp_path / "model.sknets")
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    if loss == "quantile":
        np.testing.assert_array_equal(
            loaded.predict_quantiles(X), reg.predict_quantiles(X)
        )
    else:
        np.testing.assert_array_equal(
            loaded.predict(X, return_std=True)[1], reg.predict(X, return_std=True)[1]
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's exporter deprecation notes
        export_onnx(reg, str(tmp_path / "model.onnx"))
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    got = session.run(None, {"X": onnx_input(reg, X)})[0]
    np.testing.assert_allclose(got.ravel(), reg.predict(X), rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "quantile, error, message",
    [
        (1.5, ValueError, "'quantile' parameter of LSTMRegressor must be"),
        (0.0, ValueError, "'quantile' parameter of LSTMRegressor must be"),
        ([], ValueError, "quantile must be a float or a non-empty list of floats"),
        ([0.1, 1.2], ValueError, "quantile must lie strictly between 0 and 1"),
        ([[0.1, 0.9]], ValueError, "quantile must be a float or a non-empty list"),
        (["low"], TypeError, "quantile must be a float or a list of floats"),
    ],
)
def test_bad_quantiles_are_refused_naming_the_parameter(quantile, error, message):
    X, y = np.ones((8, 4)), np.arange(8.0)
    reg = LSTMRegressor(loss="quantile", quantile=quantile, max_epochs=1)
    with pytest.raises(error, match=message):
        reg.fit(X, y)


def test_std_and_quantiles_need_the_loss_that_gives_them():
    X, y = np.random.RandomState(0).normal(size=(20, 4)), np.arange(20.0)
    reg = LSTMRegressor(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="return_std=True needs a model trained"):
        reg.predict(X, return_std=True)
    with pytest.raises(ValueError, match="predict_quantiles needs a model trained"):
        reg.predict_quantiles(X)
    # what predict reads is the loss the model was trained with
    reg.set_params(loss="gaussian")
    with pytest.raises(ValueError, match="trained with loss='squared_error'"):
        reg.predict(X, return_std=True)


def test_a_continued_fit_cannot_change_the_loss():
    X, y = np.random.RandomState(0).normal(size=(20, 4)), np.arange(20.0)
    reg = LSTMRegressor(max_epochs=1, warm_start=True, random_state=0).fit(X, y)
    reg.set_params(loss="quantile")
    with pytest.raises(ValueError, match="loss"):
        reg.fit(X, y)


@pytest.mark.parametrize("loss", ["quantile", "gaussian", "absolute_error"])
def test_the_validation_score_is_the_r2_of_the_point_prediction(loss):
    from sklearn.metrics import r2_score

    rng = np.random.RandomState(0)
    X, y, _ = heteroscedastic(300, rng)
    X_val, y_val, _ = heteroscedastic(100, rng)
    Y, Y_val = np.c_[y, X[:, -1]], np.c_[y_val, X_val[:, -1]]  # two targets
    reg = LSTMRegressor(loss=loss, quantile=[0.1, 0.9], **{**FAST, "max_epochs": 5})
    reg.fit(X, Y, X_val=X_val, y_val=Y_val)
    # the best epoch's weights are kept: its score is that of predict
    best = reg.validation_scores_[reg.best_epoch_ - 1]
    assert best == pytest.approx(r2_score(Y_val, reg.predict(X_val)), abs=1e-4)
