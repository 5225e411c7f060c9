"""make_windows: alignment of inputs and targets; validation in time order."""

import numpy as np
import pandas as pd
import pytest
import torch

from sknets import LSTMRegressor, make_windows
from sknets.modules import SequenceModule


def test_univariate_windows_are_aligned():
    series = np.arange(10.0)
    X, y = make_windows(series, window=4, horizon=1)
    assert X.shape == (6, 4) and y.shape == (6,)
    np.testing.assert_array_equal(X[0], [0, 1, 2, 3])
    np.testing.assert_array_equal(y, X[:, -1] + 1)  # the step right after


def test_horizon_and_step():
    X, y = make_windows(pd.Series(np.arange(20.0)), window=5, horizon=3, step=4)
    np.testing.assert_array_equal(X[:, 0], [0, 4, 8, 12])
    np.testing.assert_array_equal(y[1], [9, 10, 11])
    assert X.shape == (4, 5) and y.shape == (4, 3)


def test_multivariate_dataframe_with_named_target():
    df = pd.DataFrame({"a": np.arange(8.0), "b": 100 + np.arange(8.0)})
    X, y = make_windows(df, window=3, horizon=2, target="b")
    assert X.shape == (4, 3, 2)
    np.testing.assert_array_equal(X[0, :, 1], [100, 101, 102])
    np.testing.assert_array_equal(y[0], [103, 104])
    X, y = make_windows(df, window=3, horizon=2)
    assert y.shape == (4, 4)
    np.testing.assert_array_equal(y[0].reshape(2, 2), [[3, 103], [4, 104]])
    _, y1 = make_windows(df.to_numpy(), window=3, target=[1, 0])
    np.testing.assert_array_equal(y1[0], [103, 3])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(series=np.arange(5.0), window=4, horizon=2), "too few for one window"),
        (dict(series=np.arange(5.0), window=0), "window must be a positive integer"),
        (
            dict(series=np.arange(5.0), window=2, step=1.5),
            "step must be a positive integer",
        ),
        (dict(series=np.r_[1.0, np.nan, 2, 3, 4], window=2), "NaN or infinity"),
        (dict(series=np.ones((3, 2, 2)), window=1), "1D"),
        (
            dict(series=pd.DataFrame({"a": np.arange(6.0)}), window=2, target="z"),
            "target 'z' is not a column",
        ),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_windows(**kwargs)


def test_windows_feed_a_sequence_regressor():
    from sknets import GRURegressor

    t = np.arange(300)
    series = np.sin(2 * np.pi * t / 25)
    X, y = make_windows(series[:250], window=30, horizon=5)
    reg = GRURegressor(hidden_size=32, max_epochs=20, random_state=0).fit(X, y)
    X_new, y_new = make_windows(series[200:], window=30, horizon=5)
    pred = reg.predict(X_new)
    assert pred.shape == y_new.shape == (66, 5)
    assert np.mean((pred - y_new) ** 2) < 0.01


class _Recorder(SequenceModule):
    """Records the times its inputs hold (the series is its own time index),
    in training and in evaluation mode."""

    def __init__(self, input_size, n_outputs):
        super().__init__()
        self.proj = torch.nn.Linear(input_size, 4)
        self.head = torch.nn.Linear(4, n_outputs)
        self.seen = {True: [], False: []}  # the batches of each mode

    def forward_features(self, x, lengths=None):
        self.seen[self.training].append(set(x.round().long().flatten().tolist()))
        return torch.relu(self.proj(x)).mean(dim=1)


@pytest.mark.parametrize("window, horizon, step", [(10, 3, 1), (8, 4, 3)])
def test_time_ordered_validation_never_overlaps_training(window, horizon, step):
    series = np.arange(400.0)  # each value is its own time
    X, y = make_windows(series, window=window, horizon=horizon, step=step)
    gap = int(np.ceil((window + horizon) / step)) - 1
    reg = LSTMRegressor(
        module=_Recorder,
        standardize=False,
        early_stopping=True,
        validation_split="last",
        validation_gap=gap,
        validation_fraction=0.2,
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    seen = reg.net_.module_.seen
    # every batch in training mode; in evaluation mode, all but the first
    # batch, sknets' check of the module on two samples before training, and
    # the training guard's check of two training samples after each epoch and
    # at the end of the fit
    trained = set().union(*seen[True])
    evaluated = seen[False][1:]
    probes = [values for values in evaluated if values <= trained]
    assert len(probes) == reg.n_iter_ + 1
    validated = set().union(*[values for values in evaluated if not values <= trained])
    n_valid = round(0.2 * len(X))
    # the model read the first windows for training and the last ones to validate
    assert min(validated) == (len(X) - n_valid) * step
    assert max(trained) == (len(X) - n_valid - gap - 1) * step + window - 1
    # no time of a validation window or its targets is a time a training
    # window or its targets hold
    last_training_target = max(trained) + horizon
    assert last_training_target < min(validated)


def test_time_ordered_validation_keeps_enough_training_data():
    X, y = make_windows(np.arange(40.0), window=5)
    reg = LSTMRegressor(
        early_stopping=True, validation_split="last", validation_gap=30, max_epochs=1
    )
    with pytest.raises(ValueError, match="validation_gap=30 leaves 1 of 35 samples"):
        reg.fit(X, y)


def test_inside_sktime_make_reduction_and_evaluate():
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.compose import make_reduction
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    y = load_airline()
    y = y / y.max()
    settings = dict(hidden_size=16, max_epochs=10, random_state=0)
    forecaster = make_reduction(
        LSTMRegressor(**settings), strategy="recursive", window_length=12
    )
    forecaster.fit(y)
    # the same windows fitted directly give the same one-step forecast
    X, target = make_windows(y.to_numpy(), window=12)
    direct = LSTMRegressor(**settings).fit(X, target)
    expected = direct.predict(y.to_numpy()[-12:][None])[0]
    assert forecaster.predict(fh=[1]).iloc[0] == pytest.approx(expected, rel=1e-5)
    # backtesting with an expanding window: one score per fold
    splitter = ExpandingWindowSplitter(fh=[1, 2, 3], initial_window=96, step_length=12)
    results = evaluate(forecaster, splitter, y)
    assert len(results) == 4 and np.isfinite(results.iloc[:, 0]).all()


def test_split_conformal_intervals_from_mapie_around_a_forecaster():
    pytest.importorskip("mapie")
    from mapie.regression import SplitConformalRegressor
    from sklearn.base import clone

    rng = np.random.RandomState(0)
    t = np.arange(1400)
    series = np.sin(2 * np.pi * t / 24) + 0.3 * rng.normal(size=t.size)
    X, y = make_windows(series, window=24)
    gap = 24  # windows overlap the next window + horizon - 1 = 24
    train, conformalize = slice(0, 700), slice(700 + gap, 1000)
    test = slice(1000 + gap, None)
    forecaster = LSTMRegressor(hidden_size=16, max_epochs=10, random_state=0)
    mapie = SplitConformalRegressor(forecaster, confidence_level=0.9, prefit=False)
    mapie.fit(X[train], y[train]).conformalize(X[conformalize], y[conformalize])
    point, intervals = mapie.predict_interval(X[test])
    low, high = intervals[:, 0, 0], intervals[:, 1, 0]
    coverage = np.mean((y[test] >= low) & (y[test] <= high))
    assert 0.85 <= coverage <= 0.95, coverage
    # its point forecasts are those of the same regressor fitted directly
    direct = clone(forecaster).fit(X[train], y[train])
    np.testing.assert_allclose(point, direct.predict(X[test]), rtol=1e-6)


def test_past_covariates_join_the_window_features():
    series = np.arange(10.0)
    sensor = 100 + np.arange(10.0)
    X, y = make_windows(series, window=3, past_covariates=sensor)
    assert X.shape == (7, 3, 2)
    np.testing.assert_array_equal(X[0], [[0, 100], [1, 101], [2, 102]])
    np.testing.assert_array_equal(y, np.arange(3.0, 10.0))  # the series only


def test_future_covariates_cover_the_horizon_with_a_marker():
    series = np.arange(12.0)
    calendar = np.c_[np.arange(12) % 7, 50 + np.arange(12)]
    sensor = -np.arange(12.0)
    X, y = make_windows(
        series,
        window=4,
        horizon=2,
        past_covariates=sensor,
        future_covariates=calendar,
    )
    # series, sensor, two calendar columns, marker; window + horizon steps
    assert X.shape == (7, 6, 5) and y.shape == (7, 2)
    np.testing.assert_array_equal(X[2, :4, :2], np.c_[[2, 3, 4, 5], [-2, -3, -4, -5]])
    np.testing.assert_array_equal(X[2, 4:, :2], 0)  # not known in advance
    np.testing.assert_array_equal(X[2, :, 2:4], calendar[2:8])
    np.testing.assert_array_equal(X[2, :, 4], [0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(y[2], [6, 7])


def test_several_series_are_ordered_by_time_aligned_at_their_end():
    short, long = np.arange(6.0), 100 + np.arange(8.0)
    X, y = make_windows([short, long], window=3, series_id=True)
    assert X.shape == (8, 3, 3)
    # the last windows are those whose targets end each series
    np.testing.assert_array_equal(y, [103, 104, 3, 105, 4, 106, 5, 107])
    np.testing.assert_array_equal(X[-1, :, 1:], [[0, 1]] * 3)  # the second series
    np.testing.assert_array_equal(X[-2, :, 1:], [[1, 0]] * 3)


def test_future_covariates_carry_what_the_series_cannot_tell():
    # a promotion, announced in advance, doubles the next value
    rng = np.random.RandomState(0)
    promotion = (rng.rand(900) < 0.2).astype(float)
    series = 1 + 0.05 * rng.normal(size=900) + promotion
    X_plain, y = make_windows(series, window=8)
    X_known, y_known = make_windows(series, window=8, future_covariates=promotion)
    np.testing.assert_array_equal(y, y_known)
    settings = dict(hidden_size=16, max_epochs=15, random_state=0)
    errors = []
    for X in (X_plain, X_known):
        reg = LSTMRegressor(**settings).fit(X[:700], y[:700])
        errors.append(np.mean((reg.predict(X[700:]) - y[700:]) ** 2))
    assert errors[1] < 0.2 * errors[0], errors


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            dict(series=np.arange(10.0), window=3, past_covariates=np.ones(9)),
            "past_covariates has 9 time steps and the series 10",
        ),
        (
            dict(
                series=np.arange(10.0), window=3, future_covariates=np.ones((10, 2, 2))
            ),
            "future_covariates must be 1D",
        ),
        (
            dict(series=[np.ones(9), np.ones(9)], window=3, past_covariates=np.ones(9)),
            "past_covariates must be a list of as many arrays",
        ),
        (dict(series=np.ones(9), window=3, series_id=True), "needs a list of several"),
        (
            dict(series=[np.ones(9), np.ones((9, 2))], window=3),
            "every series of the list needs the same number of features",
        ),
        (dict(series=[np.ones(9), np.ones(3)], window=3), "The series\\[1\\] has 3"),
        (dict(series=[], window=3), "series is an empty list"),
        (
            dict(
                series=np.ones(9), window=3, future_covariates=np.r_[np.nan, np.ones(8)]
            ),
            "future_covariates contains NaN",
        ),
    ],
)
def test_bad_covariates_and_series_lists(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_windows(**kwargs)
