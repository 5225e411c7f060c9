"""MiniRocketForecaster: accuracy against seasonal naive, intervals that follow
the noise, reproducibility, persistence and bad input."""

import json
import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import sknets
from sknets import MiniRocketForecaster
from sknets._backtest import conformal_quantile

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
    unchecked = (
        "Forecasting 30 steps, beyond the 12 lead times the backtest checks on a "
        "series of 96 values: the forecasts and intervals past lead 12 are "
        "extrapolated, unchecked. Fit with horizon=30 to have them checked."
    )
    with pytest.warns(UserWarning, match=unchecked):
        short, long = forecaster.predict(), forecaster.predict(steps=30)
    np.testing.assert_allclose(long[:12], short, rtol=1e-6)
    with pytest.warns(UserWarning, match=unchecked):
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
    with pytest.warns(UserWarning, match="beyond the 6 lead times"):
        np.testing.assert_array_equal(
            loaded.predict(steps=9), forecaster.predict(steps=9)
        )
    np.testing.assert_array_equal(
        loaded.predict_interval(coverage=0.8), forecaster.predict_interval(coverage=0.8)
    )


@pytest.mark.parametrize(
    "params, y, match",
    [
        ({}, np.ones((30, 2)), "forecasts one series: y must be 1D"),
        ({}, np.r_[np.ones(20), np.nan], "y contains NaN or infinity at row 20;"),
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
            "y has 2 values; a forecast needs at least 3 (two to see a change, one "
            "to check it on).",
        ),
        ({}, [5.0], "y has 1 value; a forecast needs at least 3"),
        (
            {},
            np.r_[np.ones(5), np.nan, np.ones(5)],
            "y contains NaN or infinity at row 5;",
        ),
        (
            {},
            pd.Series(
                np.r_[np.ones(5), np.nan, np.ones(5)],
                index=pd.period_range("2001-01", periods=11, freq="M"),
            ),
            "y contains NaN or infinity at 2001-06;",
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


def test_covariates_are_refused_not_ignored():
    with pytest.raises(ValueError, match="reads no covariates; X must be None"):
        MiniRocketForecaster(**QUICK).fit(np.arange(1.0, 41.0), X=np.ones((40, 2)))


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
    q = conformal_quantile(scores, coverage)
    k = int(q)  # the scores are 1..m
    assert k / (m + 1) >= coverage or k == m
    assert k == m or (k - 1) / (m + 1) < coverage  # no larger than needed


@pytest.mark.parametrize(
    "edit, message",
    [
        ("rename", r"its pool names unknown candidates: \[\('lost', "),
        ("drop-models", "its fitted attributes models_ are missing"),
        (
            "drop-window",
            "it holds 1 models and 0 windows for 1 pooled MiniRocket candidates",
        ),
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


MONTHS = pd.period_range("2000-01", periods=48, freq="M")


@pytest.mark.parametrize(
    "index, future",
    [
        (MONTHS, pd.period_range("2004-01", periods=6, freq="M")),
        (
            MONTHS.to_timestamp(how="end").normalize(),
            pd.date_range("2004-01-31", periods=6, freq=pd.offsets.MonthEnd()),
        ),
        (  # no freq set: inferred from the times
            pd.DatetimeIndex(list(pd.date_range("2001-01-01", periods=48, freq="W"))),
            pd.date_range("2001-12-09", periods=6, freq="W"),
        ),
        (
            pd.date_range("2001-01-01", periods=48, freq="h", tz="Europe/Berlin"),
            pd.date_range("2001-01-03", periods=6, freq="h", tz="Europe/Berlin"),
        ),
        (pd.Index(1950 + 2 * np.arange(48)), pd.RangeIndex(2046, 2058, 2)),
        (pd.RangeIndex(48), pd.RangeIndex(48, 54)),
    ],
)
def test_the_forecasts_continue_the_series_time_index(tmp_path, index, future):
    y = pd.Series(_seasonal_growth(48), index=index, name="sales")
    forecaster = MiniRocketForecaster(horizon=6, sp=4, **QUICK).fit(y)
    forecast = forecaster.predict()
    assert isinstance(forecast, pd.Series) and forecast.name == "sales"
    pd.testing.assert_index_equal(forecast.index, future)
    numpy = clone(forecaster).fit(y.to_numpy())
    np.testing.assert_array_equal(forecast.to_numpy(), numpy.predict())
    bounds = forecaster.predict_interval(coverage=0.8)
    assert list(bounds.columns) == ["lower", "upper"]
    pd.testing.assert_index_equal(bounds.index, future)
    np.testing.assert_array_equal(
        bounds.to_numpy(), numpy.predict_interval(coverage=0.8)
    )
    sknets.save(forecaster, tmp_path / "f.sknets")
    pd.testing.assert_series_equal(
        sknets.load(tmp_path / "f.sknets").predict(), forecast
    )


def test_a_pandas_index_of_labels_is_read_in_the_order_given():
    y = pd.Series(_seasonal_growth(48), index=[f"t{i}" for i in range(48)])
    forecaster = MiniRocketForecaster(horizon=6, sp=4, **QUICK).fit(y)
    assert forecaster.index_ is None and isinstance(forecaster.predict(), np.ndarray)


@pytest.mark.parametrize(
    "index, message",
    [
        (
            MONTHS[::-1],
            "y's index does not run forward: 47 time(s) follow a later one, "
            "2003-11, 2003-10, 2003-09, 2003-08, 2003-07 and 42 more. Sort it "
            "first: y.sort_index().",
        ),
        (
            MONTHS.insert(10, MONTHS[9])[:48],
            "y's index repeats 1 time(s): 2000-10; a series holds one value per time",
        ),
        (
            MONTHS.delete([20, 30]).append(
                pd.period_range("2004-01", periods=2, freq="M")
            ),
            "y's index is not a regular grid of step 'M': it jumps from 2001-08 to "
            "2001-10, 2002-06 to 2002-08. A forecaster reads values at regular times",
        ),
        (
            pd.DatetimeIndex(
                list(pd.date_range("2001-01-01", periods=49, freq="D"))
            ).delete(7),
            "y's index is not a regular grid of step 'D': it jumps from 2001-01-07 "
            "00:00:00 to 2001-01-09 00:00:00.",
        ),
        (
            pd.Index(np.r_[np.arange(40), np.arange(42, 50)]),
            "y's index is not a regular grid of step 1: it jumps from 39 to 42.",
        ),
        (
            pd.MultiIndex.from_product([["a", "b"], range(24)]),
            "y has a MultiIndex, the layout of several series",
        ),
    ],
)
def test_an_index_out_of_order_with_repeats_or_gaps_is_refused(index, message):
    y = pd.Series(_seasonal_growth(48), index=index)
    with pytest.raises(ValueError, match=re.escape(message)):
        MiniRocketForecaster(horizon=6, sp=4, **QUICK).fit(y)


def test_a_horizon_the_backtest_cannot_check_is_told_at_fit():
    with pytest.warns(
        UserWarning,
        match=re.escape(
            "Forecasting 30 steps, beyond the 16 lead times the backtest checks on a "
            "series of 48 values: the forecasts and intervals past lead 16 are "
            "extrapolated, unchecked. Keep the horizon within a third of the series."
        ),
    ):
        forecaster = MiniRocketForecaster(horizon=30, **QUICK).fit(_seasonal_growth(48))
    with pytest.warns(UserWarning, match="beyond the 16 lead times"):
        assert forecaster.predict().shape == (30,)


def _random_walk(n, seed=0):
    return 50 + np.cumsum(np.random.RandomState(seed).normal(size=n))


@pytest.mark.parametrize("n", [3, 4, 5, 7, 10, 13, 16, 17, 25])
@pytest.mark.parametrize("sp", [1, 4])
def test_every_series_of_three_values_or_more_gets_a_forecast(n, sp):
    y = _random_walk(n, seed=n)
    short = n < 17  # 17 values leave 12 before the last 5 the backtest reads
    with warnings.catch_warnings():
        # a short series is no warning; a longer one warns that the horizon
        # passes the lead times its backtest reaches
        warnings.simplefilter("error" if short else "ignore")
        forecaster = MiniRocketForecaster(horizon=6, sp=sp, **QUICK).fit(y)
        forecast = forecaster.predict()
        lower, upper = forecaster.predict_interval(coverage=0.8).T
    assert forecast.shape == (6,) and np.isfinite(forecast).all()
    assert np.all(lower <= forecast) and np.all(forecast <= upper)
    assert np.all(upper - lower > 0)
    assert (forecaster.fallback_ is not None) == short
    if short:
        assert set(forecaster.fallback_) <= {
            "naive", "mean", "drift", "seasonal_naive", "damped", "theta"
        }  # fmt: skip
        assert set(forecaster.pool_) <= set(forecaster.scores_)


def test_a_short_series_is_forecast_by_the_member_its_backtest_prefers(tmp_path):
    line = 3.0 + 2.0 * np.arange(12)  # drift continues it exactly
    forecaster = MiniRocketForecaster(horizon=4, sp=1, log=False, **QUICK).fit(line)
    assert forecaster.fallback_ == ["drift"]
    np.testing.assert_allclose(forecaster.predict(), 3.0 + 2.0 * np.arange(12, 16))
    season = np.tile([1.0, 5.0, 2.0, 8.0], 3)  # seasonal naive repeats it
    forecaster = MiniRocketForecaster(horizon=4, sp=4, **QUICK).fit(season)
    # seasonal naive repeats it; the damped trend and Theta on the series
    # less its seasonal indices (a constant) too
    assert forecaster.fallback_ == ["seasonal_naive", "damped", "theta"]
    np.testing.assert_allclose(forecaster.predict(), [1.0, 5.0, 2.0, 8.0])
    # with fewer than 5 backtest errors, intervals from the step changes,
    # widening as a random walk's
    tiny = MiniRocketForecaster(horizon=3, sp=1, **QUICK).fit([10.0, 12.0, 11.0])
    lower, upper = tiny.predict_interval().T
    assert np.all(np.diff(upper - lower) > 0)
    sknets.save(tiny, tmp_path / "tiny.sknets")
    loaded = sknets.load(tmp_path / "tiny.sknets")
    np.testing.assert_array_equal(loaded.predict_interval(), tiny.predict_interval())


def test_log_auto_leaves_a_short_series_on_its_own_scale():
    """A positive series too short for the MiniRocket backtest is forecast on
    its own scale: its drift continues as a line, where compounded on the
    log scale it ran away ([1, 2, 3] reached 518 twelve steps ahead). A long
    positive series is still read on the log scale."""
    short = MiniRocketForecaster(horizon=12, **QUICK).fit([1.0, 2.0, 3.0])
    assert not short.log_ and short.fallback_ == ["drift"]
    np.testing.assert_allclose(short.predict(), np.arange(4.0, 16.0))
    assert (
        MiniRocketForecaster(horizon=12, log=True, **QUICK)
        .fit([1.0, 2.0, 3.0])
        .predict()[-1]
        > 500
    )  # compounded: as before
    long = MiniRocketForecaster(horizon=4, sp=1, **QUICK).fit(_seasonal_growth(60))
    assert long.log_ and long.fallback_ is None


def test_sp_auto_finds_the_season_from_the_calendar_and_the_series():
    months = pd.period_range("1949-01", periods=144, freq="M")
    seasonal = pd.Series(_seasonal_growth(144), index=months)  # as airline
    indexed = MiniRocketForecaster(horizon=12, **QUICK).fit(seasonal)
    assert indexed.sp_ == 12
    array = seasonal.to_numpy()
    assert MiniRocketForecaster(horizon=12, **QUICK).fit(array).sp_ == 12
    walk = pd.Series(
        _random_walk(120), index=pd.period_range("2000-01", periods=120, freq="M")
    )
    plain = MiniRocketForecaster(**QUICK).fit(walk)
    assert plain.sp_ == 1
    assert plain.horizon_ == 12  # one year of a monthly series by default
    assert MiniRocketForecaster(**QUICK).fit(walk.to_numpy()).horizon_ == 1
    assert MiniRocketForecaster(sp=4, **QUICK).fit(walk).sp_ == 4  # as given


@pytest.mark.parametrize(
    "make, described, expected",
    [
        # quarterly data with a season, as an array and with its calendar
        (lambda t, e: 10 + np.sin(np.pi * t / 2) + 0.3 * e, None, 4),
        (lambda t, e: 10 + np.sin(np.pi * t / 2) + 0.3 * e, "Q", 4),
        # a trend and a random walk have no season, whatever the calendar says
        (lambda t, e: 10 + 0.1 * t + e, "M", 1),
        (lambda t, e: 100 + np.cumsum(e), "M", 1),
        (lambda t, e: 100 + np.cumsum(np.cumsum(e)) * 0.1, None, 1),
        # weekly season of daily data
        (lambda t, e: 10 + (t % 7 == 5) * 3.0 + 0.5 * e, "D", 7),
    ],
)
def test_find_season(make, described, expected):
    from sknets._time import find_season, read_index

    t = np.arange(200)
    y = make(t, np.random.RandomState(0).normal(size=200))
    if described is not None:
        y = pd.Series(
            y, index=pd.period_range("2000-01-01", periods=200, freq=described)
        )
    assert find_season(np.asarray(y), read_index(y)) == expected


def test_a_forecaster_saved_before_sp_auto_loads_and_forecasts_the_same(tmp_path):
    forecaster = MiniRocketForecaster(horizon=6, sp=4, **QUICK)
    forecaster.fit(_seasonal_growth(48))
    path = tmp_path / "f.sknets"
    sknets.save(forecaster, path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("weights.pt")
    fitted = dict(config["fitted"]["__dict__"])
    del fitted["sp_"], fitted["fallback_"]  # what an earlier version wrote
    fitted["pool_"] = [{"__tuple__": c["__tuple__"][:3]} for c in fitted["pool_"]]
    scores = fitted["scores_"]["__dict__"]
    fitted["scores_"] = {
        "__dict__": [[{"__tuple__": k["__tuple__"][:3]}, v] for k, v in scores]
    }
    config["fitted"]["__dict__"] = [[k, v] for k, v in fitted.items()]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)
    loaded = sknets.load(path)
    assert loaded.sp_ == 4 and loaded.fallback_ is None
    np.testing.assert_array_equal(loaded.predict(), forecaster.predict())
