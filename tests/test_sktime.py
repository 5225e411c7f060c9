"""sknets' forecaster behind sktime's interface: sktime's own estimator
checks, and the tools built on them (evaluate, ForecastingGridSearchCV)."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.forecasting.model_selection import ForecastingGridSearchCV  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from sknets import MiniRocketForecaster  # noqa: E402
from sknets.sktime import MiniRocketSktimeForecaster  # noqa: E402

QUICK = {"references": ("last",), "alphas": (1.0,), "random_state": 0}


def test_sktime_check_estimator_passes():
    failed = {
        name: result
        for name, result in check_estimator(MiniRocketSktimeForecaster).items()
        if result != "PASSED"
    }
    assert failed == {}


def test_forecasts_equal_sknets_own_and_keep_the_index():
    y = load_airline()
    fh = [1, 2, 3, 6]
    wrapped = MiniRocketSktimeForecaster(**QUICK).fit(y, fh=fh)
    own = MiniRocketForecaster(horizon=6, **QUICK).fit(y)
    forecast = wrapped.predict()
    np.testing.assert_allclose(
        forecast.to_numpy(), own.predict().to_numpy()[[0, 1, 2, 5]]
    )
    assert list(forecast.index) == list(
        pd.period_range("1961-01", periods=6, freq="M")[[0, 1, 2, 5]]
    )
    intervals = wrapped.predict_interval(coverage=[0.8, 0.95])
    bounds = own.predict_interval(coverage=0.8).to_numpy()[[0, 1, 2, 5]]
    np.testing.assert_allclose(intervals.iloc[:, :2].to_numpy(), bounds)
    quantiles = wrapped.predict_quantiles(alpha=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(quantiles.iloc[:, 1], forecast)
    assert np.all(quantiles.iloc[:, 0] <= quantiles.iloc[:, 2])
    assert wrapped.forecaster_.sp_ == 12


def test_evaluate_and_grid_search_run_on_it():
    y = load_airline()[:96]
    splitter = ExpandingWindowSplitter(initial_window=72, step_length=12, fh=[1, 2, 3])
    results = evaluate(MiniRocketSktimeForecaster(**QUICK), splitter, y)
    assert len(results) == 2 and np.isfinite(results.iloc[:, 0]).all()
    search = ForecastingGridSearchCV(
        MiniRocketSktimeForecaster(**QUICK),
        splitter,
        param_grid={"log": [True, False]},
    )
    search.fit(y, fh=[1, 2, 3])
    assert search.best_params_["log"] in (True, False)
    assert len(search.predict()) == 3


def test_the_calendar_of_y_reaches_the_forecaster():
    # a monthly random walk: no season in its differences, so sp_ is 1, and
    # the members also try the calendar's season of 12
    steps = np.random.RandomState(0).normal(size=96)
    months = pd.period_range("2000-01", periods=96, freq="M")
    y = pd.Series(50 + np.cumsum(steps), index=months)
    wrapped = MiniRocketSktimeForecaster(**QUICK).fit(y, fh=[1, 2, 3])
    assert wrapped.forecaster_.sp_ == 1
    assert ("seasonal_naive", 12) in wrapped.forecaster_.scores_
    # an index of plain integers names no season
    plain = MiniRocketSktimeForecaster(**QUICK).fit(y.reset_index(drop=True), fh=[1])
    assert not any(c[-1] == 12 for c in plain.forecaster_.scores_)
