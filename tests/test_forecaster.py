"""MiniRocketForecaster: accuracy against seasonal naive, intervals that follow
the noise, reproducibility, persistence and bad input."""

import json
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import sknets
from sknets import MiniRocketForecaster
from sknets.forecaster import _conformal_quantile

# one reference and one penalty: 2 candidates instead of the default's 18
QUICK = {"references": ("last",), "alphas": (1.0,), "random_state": 0}


def _seasonal_growth(n, seed=0):
    """Monthly series with a yearly season, growth and multiplicative noise."""
    t = np.arange(n)
    rng = np.random.RandomState(seed)
    log = 0.01 * t + 0.2 * np.sin(2 * np.pi * t / 12) + 0.03 * rng.normal(size=n)
    return 100 * np.exp(log)


def test_beats_seasonal_naive_on_a_growing_seasonal_series():
    y = _seasonal_growth(144)
    train, test = y[:120], y[120:]
    forecaster = MiniRocketForecaster(horizon=24, sp=12, random_state=0).fit(train)
    forecast = forecaster.predict()
    naive = np.tile(train[-12:], 2)
    assert forecaster.log_
    assert np.mean(np.abs(forecast - test)) < 0.5 * np.mean(np.abs(naive - test))
    bounds = forecaster.predict_interval(coverage=0.95)
    assert np.mean((bounds[:, 0] <= test) & (test <= bounds[:, 1])) >= 0.75


def test_intervals_follow_the_noise_of_a_stationary_series():
    y = 5 + np.random.RandomState(1).normal(size=300)
    forecaster = MiniRocketForecaster(horizon=10, log=False, **QUICK).fit(y)
    forecast = forecaster.predict()
    assert not forecaster.log_ and np.all(np.abs(forecast - 5) < 0.6)
    half = {}
    for coverage in (0.8, 0.9, 0.95):
        bounds = forecaster.predict_interval(coverage=coverage)
        np.testing.assert_allclose(bounds.mean(axis=1), forecast)
        half[coverage] = np.median(bounds[:, 1] - bounds[:, 0]) / 2
    # the noise's quantile: 1.645 for 90 %
    assert 1.2 < half[0.9] < 2.4
    assert half[0.8] < half[0.9] < half[0.95]


def test_longer_forecasts_continue_the_horizon_block_by_block():
    y = _seasonal_growth(96)
    forecaster = MiniRocketForecaster(horizon=12, sp=12, **QUICK).fit(y)
    short, long = forecaster.predict(), forecaster.predict(steps=30)
    np.testing.assert_allclose(long[:12], short, rtol=1e-6)
    bounds = forecaster.predict_interval(steps=30, coverage=0.8)
    assert bounds.shape == (30, 2) and np.all(bounds[:, 0] < long)
    assert np.all(long < bounds[:, 1])
    np.testing.assert_allclose(bounds[:12], forecaster.predict_interval(coverage=0.8))


def test_same_seed_same_forecast_from_numpy_or_pandas_and_the_input_untouched():
    y = _seasonal_growth(60)
    kept = y.copy()
    series = pd.Series(y, index=pd.period_range("2000-01", periods=60, freq="M"))
    first = MiniRocketForecaster(horizon=6, sp=12, **QUICK)
    a = first.fit(y).predict()
    b = clone(first).fit(series).predict()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(y, kept)
    assert first.n_values_ == 60 and first.horizon_ == 6
    assert first.pool_ and set(first.pool_) <= set(first.scores_)


def test_each_regressor_fits_at_most_max_windows_of_the_latest(monkeypatch):
    import sknets.forecaster as forecaster_module

    seen = []

    class Recording(forecaster_module.MiniRocketRegressor):
        def fit(self, X, y):
            seen.append(X.copy())
            return super().fit(X, y)

    monkeypatch.setattr(forecaster_module, "MiniRocketRegressor", Recording)
    y = np.arange(1.0, 301.0)
    MiniRocketForecaster(horizon=2, max_windows=30, **QUICK).fit(y)
    assert seen and all(len(X) == 30 for X in seen)
    seen.clear()  # without the cap, the same fits see every window
    MiniRocketForecaster(horizon=2, **QUICK).fit(y)
    assert min(len(X) for X in seen) > 200


def test_a_constant_series_is_forecast_exactly_with_no_width():
    forecaster = MiniRocketForecaster(horizon=4, **QUICK).fit(np.full(40, 3.0))
    np.testing.assert_allclose(forecaster.predict(), 3.0)
    np.testing.assert_allclose(forecaster.predict_interval(), 3.0)


def test_save_and_load_give_identical_forecasts(tmp_path):
    forecaster = MiniRocketForecaster(horizon=6, sp=4, **QUICK)
    forecaster.fit(_seasonal_growth(48))
    sknets.save(forecaster, tmp_path / "f.sknets")
    loaded = sknets.load(tmp_path / "f.sknets")
    assert isinstance(loaded, MiniRocketForecaster)
    np.testing.assert_array_equal(loaded.predict(steps=9), forecaster.predict(steps=9))
    np.testing.assert_array_equal(
        loaded.predict_interval(coverage=0.8), forecaster.predict_interval(coverage=0.8)
    )


@pytest.mark.parametrize(
    "params, y, match",
    [
        (
            {"horizon": 12},
            np.arange(1.0, 17.0),
            "y has 16 values, too few for horizon=12: the backtest forecasts the last "
            "5 and fits on at least 12 before them, so y needs at least 17 values.",
        ),
        ({}, np.ones((30, 2)), "forecasts one series: y must be 1D"),
        ({}, np.r_[np.ones(20), np.nan], "y contains NaN or infinity"),
        ({"log": True}, np.r_[np.ones(20), 0.0], "log=True needs a positive series"),
        ({"references": ["last", "median"]}, np.ones(30), "references must be"),
        ({"references": []}, np.ones(30), "references must be"),
        ({"alphas": [1.0, -1.0]}, np.ones(30), "alphas must be a non-empty list"),
        ({"alphas": []}, np.ones(30), "alphas must be a non-empty list"),
        ({"alphas": [1.0, np.inf]}, np.ones(30), "alphas must be a non-empty list"),
        ({"horizon": 0}, np.ones(30), "'horizon' parameter"),
        # True is an int to Python, never a horizon or a season
        ({"horizon": True}, np.ones(30), "'horizon' parameter"),
        ({"sp": True}, np.ones(30), "'sp' parameter"),
        ({"max_windows": True}, np.ones(30), "'max_windows' parameter"),
        (
            {"horizon": 1},
            [1.0, 2.0],
            "y has 2 values, too few for horizon=1: the backtest forecasts the last "
            "5 and fits on at least 12 before them, so y needs at least 17 values.",
        ),
        ({}, np.arange(30) + 1j, "y holds complex numbers"),
        (
            {},
            np.arange(30).astype("datetime64[D]"),
            "y holds datetime64.D. values, times rather than the values",
        ),
        ({"pool_tolerance": 0.5}, np.ones(30), "'pool_tolerance' parameter"),
        ({}, None, "y is None"),
    ],
)
def test_bad_input_names_the_problem(params, y, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way
        with pytest.raises(
            ValueError, match=match.replace("(", r"\(").replace(")", r"\)")
        ):
            MiniRocketForecaster(**params).fit(y)


def test_bad_prediction_arguments():
    forecaster = MiniRocketForecaster(horizon=3, **QUICK)
    with pytest.raises(NotFittedError):
        forecaster.predict()
    forecaster.fit(np.arange(1.0, 41.0))
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        forecaster.predict(steps=0)
    for coverage in (0.0, 1.0, 95):
        with pytest.raises(ValueError, match="coverage must be a number in"):
            forecaster.predict_interval(coverage=coverage)


@pytest.mark.parametrize("m", [4, 9, 19, 20, 99])
@pytest.mark.parametrize("coverage", [0.5, 0.8, 0.9, 0.95])
def test_the_conformal_quantile_is_the_rank_that_covers(m, coverage):
    # a new score ranks uniformly among m + 1 exchangeable ones: the interval
    # up to the k-th smallest of m covers k / (m + 1) of new scores
    scores = np.random.RandomState(m).permutation(np.arange(1.0, m + 1))
    q = _conformal_quantile(scores, coverage)
    k = int(q)  # the scores are 1..m
    assert k / (m + 1) >= coverage or k == m
    assert k == m or (k - 1) / (m + 1) < coverage  # no larger than needed


@pytest.mark.parametrize(
    "edit, message",
    [
        ("rename", r"its pool names unknown candidates: \[\('lost', "),
        ("drop-models", "its fitted attributes models_ are missing"),
        ("drop-window", "it holds 1 models and 0 windows for 1 pooled candidates"),
    ],
)
def test_a_file_whose_fitted_values_do_not_fit_together_is_refused(
    tmp_path, edit, message
):
    forecaster = MiniRocketForecaster(horizon=6, sp=4, **QUICK)
    forecaster.fit(_seasonal_growth(48))
    path = tmp_path / "f.sknets"
    sknets.save(forecaster, path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("weights.pt")
    fitted = dict(config["fitted"]["__dict__"])
    if edit == "rename":  # a type-valid value: a reference the forecaster lacks
        fitted["pool_"] = [
            {"__tuple__": ["lost", *fitted["pool_"][0]["__tuple__"][1:]]}
        ]
    elif edit == "drop-models":
        del fitted["models_"]
    else:
        fitted["windows_"] = []
    config["fitted"]["__dict__"] = [[k, v] for k, v in fitted.items()]
    broken = tmp_path / "broken.sknets"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)
    with pytest.raises(ValueError, match=message):
        sknets.load(broken)
