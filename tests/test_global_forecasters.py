"""The global forecasters (GRUForecaster, MiniRocketGlobalForecaster): one
model across a panel of series, in the layouts users bring (statsforecast's
long frame, sktime's pd-multiindex, one series), with covariates, conformal
intervals, persistence and clear refusals."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import sknets
from sknets import GRUForecaster, MiniRocketGlobalForecaster

FAST = dict(max_epochs=3, hidden_size=16, random_state=0)
SETTINGS = {
    GRUForecaster: FAST,
    MiniRocketGlobalForecaster: dict(num_features=840, random_state=0),
}


@pytest.fixture(params=list(SETTINGS), ids=lambda cls: cls.__name__)
def make(request):
    """A global forecaster of each family, with fast settings."""
    cls = request.param
    return lambda **params: cls(**{**SETTINGS[cls], **params})


def _panel(n_series=6, length=60, promo=False, seed=0):
    rng = np.random.RandomState(seed)
    frames = []
    for i in range(n_series):
        t = np.arange(length)
        flag = (rng.rand(length) < 0.2).astype(float)
        level = rng.uniform(10, 50)
        y = level * (
            1 + 0.2 * np.sin(2 * np.pi * t / 7) + 0.03 * rng.normal(size=length)
        )
        if promo:
            y = y * (1 + flag)
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"s{i}",
                    "ds": pd.date_range("2021-01-01", periods=length, freq="D"),
                    "y": y,
                    "promo": flag,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_a_long_panel_is_forecast_in_its_own_layout_and_round_trips(make, tmp_path):
    panel = _panel().drop(columns="promo")
    forecaster = make(horizon=5).fit(panel)
    forecast = forecaster.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert len(forecast) == 6 * 5 and np.isfinite(forecast["y"]).all()
    first = forecast[forecast["unique_id"] == "s0"]["ds"]
    assert list(first) == list(pd.date_range("2021-03-02", periods=5, freq="D"))
    intervals = forecaster.predict_interval(coverage=0.8)
    assert np.all(intervals["lower"] <= forecast["y"])
    assert np.all(forecast["y"] <= intervals["upper"])
    assert len(forecaster.predict(steps=2)) == 6 * 2
    sknets.save(forecaster, tmp_path / "g.sknets")
    loaded = sknets.load(tmp_path / "g.sknets")
    pd.testing.assert_frame_equal(loaded.predict(), forecast)
    assert clone(forecaster).get_params() == forecaster.get_params()


def test_sktime_multiindex_and_single_series_come_back_in_their_layout(make):
    panel = _panel(n_series=3).drop(columns="promo")
    multi = panel.set_index(["unique_id", "ds"])
    forecast = make(horizon=3).fit(multi).predict()
    assert forecast.index.names == ["unique_id", "ds"] and list(forecast) == ["y"]
    assert len(forecast) == 9
    months = pd.period_range("2000-01", periods=48, freq="M")
    series = pd.Series(10 + np.sin(np.arange(48)), index=months, name="sales")
    forecaster = make().fit(series)
    assert forecaster.horizon_ == 12  # one year of a monthly series
    forecast = forecaster.predict()
    assert forecast.name == "sales" and forecast.index[0] == pd.Period("2004-01", "M")
    array = make(horizon=3).fit(series.to_numpy()).predict()
    assert isinstance(array, np.ndarray) and array.shape == (3,)


def test_past_and_static_covariates_and_a_multiindex_series(make):
    panel = _panel(n_series=3)
    panel["temperature"] = np.random.RandomState(1).normal(size=len(panel))
    panel["store"] = panel["unique_id"].str[1:].astype(float)
    forecaster = make(
        horizon=3, past_covariates=["temperature"], static_covariates=["store"]
    ).fit(panel)
    n_features = forecaster.model_.n_features_in_
    assert n_features == 3  # the series, the past covariate, the static one
    assert len(forecaster.predict()) == 9
    series = panel.set_index(["unique_id", "ds"])["y"]  # a Series, as sktime's
    forecast = make(horizon=2).fit(series).predict()
    assert forecast.index.names == ["unique_id", "ds"] and len(forecast) == 6
    varying = panel.copy()
    varying.loc[3, "store"] = 9.0
    with pytest.raises(ValueError, match="Series 's0' has 2 different values of"):
        make(static_covariates=["store"]).fit(varying)


def test_series_of_different_lengths_and_starts_are_forecast(make):
    panel = _panel(n_series=4).drop(columns="promo")
    panel = pd.concat(  # s0 whole, s3 from its 31st day
        part.iloc[int(key[1:]) * 10 :] for key, part in panel.groupby("unique_id")
    )
    short = pd.DataFrame(
        {"unique_id": "new", "ds": pd.date_range("2021-02-20", periods=5), "y": 1.0}
    )
    forecaster = make(horizon=4).fit(pd.concat([panel, short]))
    forecast = forecaster.predict()
    assert set(forecast["unique_id"]) == {"s0", "s1", "s2", "s3", "new"}
    assert np.isfinite(forecast["y"]).all()
    # new series at predict time, without refitting: a scaled copy of s0
    # gets s0's forecast, scaled
    copy = panel[panel["unique_id"] == "s0"].assign(unique_id="copy")
    copy["y"] *= 3.0
    again = forecaster.predict(y=copy)
    assert list(again["unique_id"].unique()) == ["copy"]
    s0 = forecast[forecast["unique_id"] == "s0"]["y"].to_numpy()
    np.testing.assert_allclose(again["y"].to_numpy(), 3.0 * s0, rtol=1e-5)


@pytest.mark.parametrize(
    "Forecaster, settings",
    [
        (GRUForecaster, dict(max_epochs=30, hidden_size=32)),
        (MiniRocketGlobalForecaster, dict(num_features=2016)),
    ],
    ids=["GRUForecaster", "MiniRocketGlobalForecaster"],
)
def test_a_future_covariate_that_drives_the_series_pays(Forecaster, settings):
    panel = _panel(n_series=40, length=80, promo=True)
    train = panel.groupby("unique_id").head(73)
    test = panel.groupby("unique_id").tail(7)
    settings = dict(horizon=7, random_state=0, **settings)
    errors = {}
    for covariates in (["promo"], None):
        forecaster = Forecaster(future_covariates=covariates, **settings)
        forecaster.fit(train if covariates else train.drop(columns="promo"))
        X = test[["unique_id", "ds", "promo"]] if covariates else None
        merged = test.merge(forecaster.predict(X=X), on=["unique_id", "ds"])
        errors[bool(covariates)] = np.mean(np.abs(merged["y_x"] - merged["y_y"]))
    assert errors[True] < 0.7 * errors[False], errors


def test_bad_panels_and_arguments_name_the_problem(make):
    panel = _panel(n_series=2)
    with pytest.raises(ValueError, match="a panel is a long frame with the columns"):
        make().fit(panel.drop(columns="unique_id"))
    broken = panel.copy()
    broken.loc[5, "y"] = np.nan
    with pytest.raises(
        ValueError, match="Series 's0' holds NaN or infinity at 2021-01-06"
    ):
        make().fit(broken)
    one = pd.Series(np.r_[1.0, 2.0, np.nan, 4.0, 5.0])  # one series, as any forecaster
    with pytest.raises(ValueError, match="y contains NaN or infinity at 2;"):
        make().fit(one)
    with pytest.raises(ValueError, match="quantiles must lie strictly between 0 and"):
        make(quantiles=[0.1, 1.5]).fit(one.fillna(3.0))
    repeated = pd.concat([panel, panel.iloc[[3]]])
    with pytest.raises(ValueError, match="series 's0''s index repeats 1 time"):
        make().fit(repeated)
    with pytest.raises(ValueError, match=r"Series \['tiny'\] hold fewer than 3 values"):
        tiny = pd.DataFrame({"unique_id": "tiny", "ds": [1, 2], "y": [1.0, 2.0]})
        make().fit(pd.concat([panel, tiny]))
    with pytest.raises(ValueError, match=r"The future covariates \['price'\] are not"):
        make(future_covariates=["price"]).fit(panel)
    forecaster = make(horizon=3, future_covariates=["promo"]).fit(panel)
    with pytest.raises(ValueError, match="pass their values for the next 3 steps"):
        forecaster.predict()
    ahead = pd.DataFrame(
        {
            "unique_id": ["s0"] * 3 + ["s1"] * 2,
            "ds": list(pd.date_range("2021-03-02", periods=3)) * 1
            + list(pd.date_range("2021-03-02", periods=2)),
            "promo": 0.0,
        }
    )
    with pytest.raises(ValueError, match="of series 's1' at 2021-03-04"):
        forecaster.predict(X=ahead)
    with pytest.raises(ValueError, match="steps=4 is beyond the horizon of 3 steps"):
        forecaster.predict(steps=4, X=ahead)
    plain = make(horizon=3).fit(panel.drop(columns="promo"))
    with pytest.raises(ValueError, match="The quantile 0.25 is not forecast"):
        plain.predict_interval(coverage=0.5)


def test_the_networks_intervals_are_conformalized_to_cover_as_nominal(tmp_path):
    # 40 series of a weekly season and 5 % noise; a network trained for a few
    # epochs forecasts poorly, and the conformal corrections learned by a
    # second network on each series' last origins make its 80 % and 95 %
    # intervals cover about as nominal all the same
    h, panel = 7, _panel(n_series=40, length=120, seed=3).drop(columns="promo")
    test = panel.groupby("unique_id").tail(h)
    train = panel.drop(index=test.index)
    forecaster = GRUForecaster(horizon=h, **FAST).fit(train)
    assert forecaster.conformal_.shape == (len(forecaster.quantiles_), h)
    covered = {}
    for coverage in (0.8, 0.95):
        bounds = forecaster.predict_interval(coverage=coverage)
        inside = (test["y"].to_numpy() >= bounds["lower"].to_numpy()) & (
            test["y"].to_numpy() <= bounds["upper"].to_numpy()
        )
        covered[coverage] = inside.mean()
    assert 0.7 <= covered[0.8] <= 0.9, covered
    assert 0.88 <= covered[0.95] <= 1.0, covered
    # each end moved by its correction: the network's own quantiles without
    raw = clone(forecaster)
    raw.__dict__.update(forecaster.__dict__, conformal_=None)
    fixed, plain = (f.predict_interval(coverage=0.8) for f in (forecaster, raw))
    upper = list(np.isclose(forecaster.quantiles_, 0.9)).index(True)
    shift = np.tile(forecaster.conformal_[upper], 40)  # lead by lead, per series
    moved = np.sign(fixed["upper"].to_numpy() - plain["upper"].to_numpy())
    np.testing.assert_array_equal(moved[shift != 0], np.sign(shift[shift != 0]))
    sknets.save(forecaster, tmp_path / "g.sknets")
    loaded = sknets.load(tmp_path / "g.sknets")
    pd.testing.assert_frame_equal(
        loaded.predict_interval(coverage=0.8), forecaster.predict_interval(coverage=0.8)
    )
    # a panel too short for the second network keeps the trained quantiles
    with pytest.warns(UserWarning, match="Too few windows to learn the intervals"):
        short = GRUForecaster(horizon=3, **FAST).fit(_panel(n_series=2, length=20))
    assert short.conformal_ is None


def _coverage(forecaster, test):
    """The share of test values inside the 80 % and 95 % intervals."""
    covered = {}
    for coverage in (0.8, 0.95):
        bounds = forecaster.predict_interval(coverage=coverage)
        y = test["y"].to_numpy()
        inside = (y >= bounds["lower"].to_numpy()) & (y <= bounds["upper"].to_numpy())
        covered[coverage] = inside.mean()
    return covered


def test_minirocket_intervals_are_its_held_out_errors_quantiles(tmp_path):
    # the intervals are the point forecast plus the conformal quantiles of a
    # second regressor's errors on windows it did not train on: symmetric,
    # wider with the lead where the errors grow, covering about as nominal
    h, panel = 7, _panel(n_series=40, length=120, seed=3).drop(columns="promo")
    test = panel.groupby("unique_id").tail(h)
    train = panel.drop(index=test.index)
    forecaster = MiniRocketGlobalForecaster(
        horizon=h, **SETTINGS[MiniRocketGlobalForecaster]
    ).fit(train)
    shifts = forecaster.conformal_
    assert shifts.shape == (5, h)
    np.testing.assert_array_equal(shifts[2], 0.0)  # the median is the forecast
    np.testing.assert_allclose(shifts[:2], -shifts[[4, 3]])  # symmetric
    assert np.all(shifts[4] >= shifts[3]) and np.all(shifts[3] > 0)
    covered = _coverage(forecaster, test)
    assert 0.7 <= covered[0.8] <= 0.9, covered
    assert 0.88 <= covered[0.95] <= 1.0, covered
    sknets.save(forecaster, tmp_path / "m.sknets")
    loaded = sknets.load(tmp_path / "m.sknets")
    pd.testing.assert_frame_equal(
        loaded.predict_interval(coverage=0.95),
        forecaster.predict_interval(coverage=0.95),
    )
    with pytest.warns(UserWarning, match="the quantiles of the errors on the windows"):
        short = MiniRocketGlobalForecaster(horizon=3, num_features=840).fit(
            _panel(n_series=2, length=20)
        )
    assert np.all(short.conformal_[3] >= 0)


def test_covariates_are_columns_of_y_and_x_at_fit_is_refused(make):
    panel = _panel(n_series=2)
    with pytest.raises(ValueError, match="reads its covariates from columns of y"):
        make().fit(panel.drop(columns="promo"), X=panel[["promo"]])


def test_minirocket_solves_its_head_on_at_most_ridge_samples_windows(monkeypatch):
    # above RIDGE_SAMPLES windows (4,096) the regressor would train its head
    # by epochs (MASE 1.28 against 0.79 in closed form on the benchmark's
    # panel of 100 series); the forecaster draws that many windows instead,
    # here with the limit lowered to 100 so that 6 series pass it
    import sknets.minirocket_global
    import sknets.rocket

    monkeypatch.setattr(sknets.rocket, "RIDGE_SAMPLES", 100)
    monkeypatch.setattr(sknets.minirocket_global, "RIDGE_SAMPLES", 100)
    panel = _panel(n_series=6, length=90).drop(columns="promo")
    forecaster = MiniRocketGlobalForecaster(horizon=3, num_features=84, random_state=0)
    forecaster.fit(panel)
    assert forecaster.model_.n_iter_ == 0  # solved, not trained
    assert np.isfinite(forecaster.predict()["y"]).all()
