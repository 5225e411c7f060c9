"""Forecast intervals: quantiles, a Gaussian likelihood, and conformal prediction.
===============================================================================

A daily series with a weekly pattern whose noise grows with its level (busy
days are also the least predictable), forecast one day ahead from the past
four weeks by an ``LSTMRegressor``. Three ways to put a 90 % interval around
the forecast:

- ``loss='quantile'`` with ``quantile=[0.05, 0.95]``: one network predicts the
  5 %, 50 % and 95 % quantiles (``predict_quantiles``);
- ``loss='gaussian'``: the network predicts a mean and a variance
  (``predict(X, return_std=True)``), and the interval is the mean plus or
  minus 1.645 standard deviations;
- split conformal prediction with MAPIE around the default squared-error
  model: the interval is the forecast plus or minus the 90 % quantile of the
  absolute errors on a conformalization part, a coverage guarantee that holds
  whatever the model, but one width for every day.

The windows are split in time order, with a gap of ``window + horizon - 1``
windows between the parts so that no test window shares a day with a
training one. For each method the example reports the coverage of the test
part (the share of days inside their interval; 0.9 is the target), the mean
width, and the rank correlation of the width with the series' true level: the
first two widen on busy days, the conformal interval cannot.

Requires the optional MAPIE package (``pip install mapie``) for the third
interval.
"""

import numpy as np
from scipy.stats import spearmanr

from sknets import LSTMRegressor, make_windows

WINDOW = 28
SETTINGS = dict(hidden_size=32, random_state=0)


def make_series(n_days=1500, random_state=0):
    """Daily demand: a weekly pattern, and noise that grows with the level."""
    rng = np.random.RandomState(random_state)
    day = np.arange(n_days)
    level = 10 + 4 * np.sin(2 * np.pi * day / 7) ** 2
    return level + 0.15 * level * rng.normal(size=n_days), level


def split(X, y):
    """Train, conformalize and test parts in time order, with gaps."""
    gap = WINDOW  # window + horizon - 1 overlapping windows
    n = len(X)
    train = slice(0, int(0.6 * n))
    conformalize = slice(train.stop + gap, int(0.8 * n))
    test = slice(conformalize.stop + gap, n)
    return train, conformalize, test


def evaluate(y, low, high, level):
    """Coverage, mean width, and the rank correlation of the width with the
    true level of the series (what the noise follows)."""
    coverage = float(np.mean((y >= low) & (y <= high)))
    follows = float(spearmanr(high - low, level).correlation)
    return coverage, float(np.mean(high - low)), follows


def main():
    series, level = make_series()
    X, y = make_windows(series, window=WINDOW)
    level = level[WINDOW:]  # the level of each window's target day
    train, conformalize, test = split(X, y)
    # the conformal method holds a part out; the other two train on it too
    fit_part = slice(0, conformalize.stop)
    rows = {}

    quantile = LSTMRegressor(loss="quantile", quantile=[0.05, 0.95], **SETTINGS)
    quantile.fit(X[fit_part], y[fit_part])
    low, _, high = quantile.predict_quantiles(X[test]).T
    rows["quantile loss"] = evaluate(y[test], low, high, level[test])

    gaussian = LSTMRegressor(loss="gaussian", **SETTINGS)
    gaussian.fit(X[fit_part], y[fit_part])
    mean, std = gaussian.predict(X[test], return_std=True)
    low, high = mean - 1.645 * std, mean + 1.645 * std
    rows["Gaussian loss"] = evaluate(y[test], low, high, level[test])

    try:
        from mapie.regression import SplitConformalRegressor
    except ImportError:
        print("MAPIE is not installed: the conformal interval is skipped")
    else:
        conformal = SplitConformalRegressor(
            LSTMRegressor(**SETTINGS), confidence_level=0.9, prefit=False
        )
        conformal.fit(X[train], y[train])
        conformal.conformalize(X[conformalize], y[conformalize])
        _, intervals = conformal.predict_interval(X[test])
        low, high = intervals[:, 0, 0], intervals[:, 1, 0]
        rows["split conformal (MAPIE)"] = evaluate(y[test], low, high, level[test])

    print(
        f"{'interval (90 %)':24s} {'coverage':>9s} {'mean width':>11s} "
        f"{'width ~ level':>14s}"
    )
    for name, (cover, width, follows) in rows.items():
        print(f"{name:24s} {cover:9.3f} {width:11.2f} {follows:14.2f}")
    return rows


if __name__ == "__main__":
    main()
