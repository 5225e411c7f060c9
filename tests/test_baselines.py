"""The simple forecasting members, pooled beside MiniRocket's candidates,
and the calibration of the forecasters' conformal intervals."""

import re
import warnings

import numpy as np
import pytest

import sknets
from sknets import MiniRocketForecaster
from sknets import _baselines as baselines

QUICK = {"references": ("last",), "alphas": (1.0,), "random_state": 0}


def test_theta_continues_a_line_at_half_its_slope():
    # Hyndman and Billah (2003): on a line, simple exponential smoothing's
    # best weight is 1 (the last value) and the drift is half the slope
    line = 3.0 + 2.0 * np.arange(30)
    forecast = baselines.forecast("theta", line, 4, 1)
    np.testing.assert_allclose(forecast[0], line[-1] + 1.0 * np.arange(1, 5))


def test_the_damped_trend_follows_a_line_and_flattens():
    line = 3.0 + 2.0 * np.arange(30)
    steps = np.diff(np.r_[line[-1], baselines.forecast("damped", line, 20, 1)[0]])
    assert 1.5 < steps[0] <= 2.0 + 1e-9
    assert np.all(np.diff(steps) < 0)  # the trend is damped


@pytest.mark.parametrize("member", ["damped", "theta"])
@pytest.mark.parametrize("sp", [4, 7, 12])
def test_a_season_on_a_constant_is_taken_out_and_put_back(member, sp):
    season = np.random.RandomState(sp).normal(size=sp)
    history = np.stack([10.0 + np.tile(season, 5), -2.0 + np.tile(season, 5)])
    indices = baselines.seasonal_indices(history, sp)
    np.testing.assert_allclose(indices, np.tile(season - season.mean(), (2, 1)))
    forecast = baselines.forecast(member, history, 2 * sp, sp)
    np.testing.assert_allclose(
        forecast, history[:, -sp:].repeat(1, 0)[:, [*range(sp)] * 2]
    )


def test_too_short_a_history_has_no_seasonal_indices():
    history = np.arange(7.0)[None, :]
    assert not baselines.seasonal_indices(history, 4).any()


def _walk(n, seed):
    return 50 + np.cumsum(np.random.RandomState(seed).normal(size=n))


def test_members_are_backtested_and_pooled_beside_minirocket(tmp_path):
    y = _walk(80, seed=3)
    # every candidate pooled: the MiniRocket candidates' mean counts as one
    # forecast beside each member's
    forecaster = MiniRocketForecaster(
        horizon=6, sp=4, log=False, pool_tolerance=100.0, **QUICK
    ).fit(y)
    members = [c for c in forecaster.pool_ if len(c) == 2]
    learned = [c for c in forecaster.pool_ if len(c) == 4]
    assert {m for m, _ in members} == {"theta", "damped", "seasonal_naive"}
    assert all(sp == 4 for _, sp in members) and learned
    assert set(forecaster.pool_) == set(forecaster.scores_)
    assert len(forecaster.models_) == len(learned)
    only = MiniRocketForecaster(horizon=6, sp=4, log=False, members=(), **QUICK)
    only.set_params(pool_tolerance=100.0).fit(y)
    assert only.pool_ == learned
    expected = np.mean(
        [only.predict()] + [baselines.forecast(m, y, 6, sp)[0] for m, sp in members],
        axis=0,
    )
    np.testing.assert_allclose(forecaster.predict(), expected)
    sknets.save(forecaster, tmp_path / "mixed.sknets")
    loaded = sknets.load(tmp_path / "mixed.sknets")
    np.testing.assert_array_equal(loaded.predict(), forecaster.predict())
    np.testing.assert_array_equal(
        loaded.predict_interval(coverage=0.8),
        forecaster.predict_interval(coverage=0.8),
    )


@pytest.mark.parametrize(
    "members, message",
    [
        (
            ["theta", "arima"],
            "members must be a list of 'naive', 'mean', 'drift', 'seasonal_naive', "
            "'damped', 'theta'; got ['theta', 'arima'].",
        ),
        ([1], "members must be a list of 'naive', 'mean',"),
        ("theta", "The 'members' parameter of MiniRocketForecaster must be"),
    ],
)
def test_unknown_members_are_refused(members, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        MiniRocketForecaster(members=members, **QUICK).fit(_walk(40, 0))


def _coverage(make, n=72, h=8, series=20):
    """Share of held-out values inside the 80 % and 95 % intervals, and the
    mean 80 % half-widths at the first and the last lead."""
    inside, first, last = {0.8: [], 0.95: []}, [], []
    for seed in range(series):
        y = make(n + h, np.random.RandomState(seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = MiniRocketForecaster(horizon=h, sp=4, log=False, **QUICK).fit(y[:n])
        for coverage in inside:
            lower, upper = f.predict_interval(coverage=coverage).T
            inside[coverage].extend((y[n:] >= lower) & (y[n:] <= upper))
            if coverage == 0.8:
                first.append((upper - lower)[0] / 2)
                last.append((upper - lower)[-1] / 2)
    return {c: np.mean(v) for c, v in inside.items()}, np.mean(first), np.mean(last)


def _season(t):
    return 2 * np.sin(np.pi * t / 2)


def test_intervals_cover_a_random_walk_as_nominal_and_widen_with_the_lead():
    # a season on a random walk of unit steps: the h-step error's spread is
    # sqrt(h), its 80 % half-width 1.28 sqrt(h)
    coverage, first, last = _coverage(
        lambda n, rng: 20 + _season(np.arange(n)) + np.cumsum(rng.normal(size=n))
    )
    assert 0.75 <= coverage[0.8] <= 0.9
    assert 0.9 <= coverage[0.95] <= 1.0
    assert 1.0 < first < 2.0  # 1.28
    assert 2.5 < last < 4.6  # 1.28 sqrt(8) = 3.62


def test_intervals_on_white_noise_are_never_too_narrow():
    # a season plus unit white noise: the error's spread does not grow. The
    # intervals assume a random walk's growth past the leads the backtest
    # reaches often: too wide at the far leads, never too narrow
    coverage, first, last = _coverage(
        lambda n, rng: 20 + _season(np.arange(n)) + rng.normal(size=n)
    )
    assert coverage[0.8] >= 0.75 and coverage[0.95] >= 0.9
    assert 1.0 < first < 2.0  # 1.28
    assert last < 3.2


def test_conformal_corrections_widen_or_narrow_each_lead_to_cover():
    from sknets._backtest import conformal_corrections

    rng = np.random.RandomState(0)
    actual = rng.normal(size=(199, 3)) * [1.0, 2.0, 0.5]
    lower, upper = -np.ones_like(actual), np.ones_like(actual)
    width = conformal_corrections(lower, upper, actual, 0.8)
    # lower - width <= actual <= upper + width for 80 % of each lead's values
    inside = (actual >= lower - width) & (actual <= upper + width)
    np.testing.assert_allclose(inside.mean(axis=0), 0.8, atol=0.01)
    assert width[1] > 0 > width[2]  # too narrow for lead 2, too wide for 3
    # a lead with fewer than 5 values takes every lead's scores
    actual[4:, 0] = np.nan
    pooled = conformal_corrections(lower, upper, actual, 0.8)
    assert pooled[0] != width[0] and pooled[1] == width[1]


def test_fit_warnings_point_at_the_callers_line():
    # sklearn's fit wrapper adds a frame: a warning attributed to it would
    # show sklearn/base.py as its place
    with pytest.warns(UserWarning, match="beyond the 16 lead times") as record:
        MiniRocketForecaster(horizon=30, **QUICK).fit(_walk(48, 0))
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="Too few windows") as record:
        sknets.GRUForecaster(horizon=3, max_epochs=1).fit(_walk(20, 0))
    assert record[0].filename == __file__


def test_conformal_widths_borrow_shorter_leads_and_never_narrow():
    from sknets._backtest import conformal_quantile, conformal_width

    # lead 1's errors are large; lead 2's few and small: its own quantile
    # alone would narrow the interval at the further lead
    errors = np.full((12, 2), np.nan)
    errors[:, 0] = np.linspace(-4, 4, 12)
    errors[:6, 1] = 0.1
    width = conformal_width(errors, 3, 0.8)
    first = np.abs(errors[:, 0])
    assert width[0] == conformal_quantile(first, 0.8)
    pooled = np.r_[first * np.sqrt(2), np.full(6, 0.1)]
    assert width[1] == conformal_quantile(pooled, 0.8) > 10 * 0.1
    # past the leads the backtest reached: both leads, scaled to lead 3
    pooled = np.r_[first * np.sqrt(3), np.full(6, 0.1 * np.sqrt(3 / 2))]
    assert width[2] == conformal_quantile(pooled, 0.8)
    assert np.all(np.diff(width) >= 0)
