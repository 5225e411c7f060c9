"""Forecasting the airline passengers series with a GRU.
=====================================================

The classic monthly totals of international airline passengers, 1949-1960
(bundled with sktime, no download). The last 36 months are held out. The
forecaster is a ``GRURegressor`` trained on windows made by
``sknets.make_windows``: 12 past months in, the next 12 months out, all on the
log scale and relative to the last month of each window, so that the network
learns the seasonal shape and the growth rather than the level. Three
12-month forecasts, each fed the one before, cover the 36 months. The
benchmark to beat is the seasonal-naive forecast, which repeats the last
observed year.

Requires the optional sktime package (``pip install sktime``).
"""

import time

import numpy as np

from sknets import GRURegressor, make_windows

WINDOW, HORIZON, TEST = 12, 12, 36


def load_series():
    from sktime.datasets import load_airline

    return load_airline().to_numpy(dtype=float)


def fit_forecaster(train_log, random_state=0):
    X, y = make_windows(train_log, window=WINDOW, horizon=HORIZON)
    last = X[:, -1:]
    model = GRURegressor(hidden_size=64, max_epochs=200, random_state=random_state)
    return model.fit(X - last, y - last)


def forecast(model, history_log, steps):
    history = list(history_log)
    while len(history) < len(history_log) + steps:
        window = np.asarray(history[-WINDOW:])
        relative = model.predict((window - window[-1])[None, :])[0]
        history.extend(relative + window[-1])
    return np.asarray(history[len(history_log) : len(history_log) + steps])


def scores(actual, predicted):
    mae = np.mean(np.abs(actual - predicted))
    mape = 100 * np.mean(np.abs(actual - predicted) / actual)
    return mae, mape


def main(random_state=0):
    series = load_series()
    train, test = series[:-TEST], series[-TEST:]
    start = time.perf_counter()
    model = fit_forecaster(np.log(train), random_state=random_state)
    elapsed = time.perf_counter() - start
    gru = np.exp(forecast(model, np.log(train), TEST))
    naive = np.tile(train[-12:], TEST // 12)
    rows = {"GRURegressor": scores(test, gru), "seasonal naive": scores(test, naive)}
    print(f"airline passengers, last {TEST} months held out (GRU fit: {elapsed:.1f} s)")
    print(f"{'forecast':<16} {'MAE':>8} {'MAPE %':>8}")
    for name, (mae, mape) in rows.items():
        print(f"{name:<16} {mae:8.1f} {mape:8.2f}")
    return rows


if __name__ == "__main__":
    main()
