"""make_windows: alignment of inputs and targets."""

import numpy as np
import pandas as pd
import pytest

from sknets import make_windows


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
