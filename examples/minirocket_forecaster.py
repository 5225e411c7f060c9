"""Forecasting with intervals: MiniRocketForecaster on the airline series
======================================================================

``MiniRocketForecaster`` forecasts one series with split-conformal intervals.
This example holds out the last two years of the monthly airline passengers
(1949-1960, bundled with sktime), forecasts them from the ten years before, and
plots the forecast and its 80 % and 95 % intervals against what happened.

Requires the optional sktime package (``pip install sktime``).
"""

# %%
# The series and the split
# ------------------------
#
# 144 months; the forecaster fits on the first 120 and forecasts the last 24.
# ``sp=12`` gives the seasonal period; the default, ``sp='auto'``, would find
# it in the monthly index and the series' autocorrelation.

import matplotlib.pyplot as plt
import numpy as np

from sknets import MiniRocketForecaster

HORIZON = 24


def load():
    from sktime.datasets import load_airline

    return load_airline()


y = load()
train, held_out = y[:-HORIZON], y[-HORIZON:]
print(f"{len(train)} months to fit on, {len(held_out)} to forecast")

# %%
# Fit, forecast, intervals
# ------------------------
#
# The forecaster reads windows of the series with ``MiniRocketRegressor``\ s,
# and scores their settings, beside simple methods (Theta, a damped trend,
# seasonal naive), by a time-ordered backtest on the end of the training part;
# it pools the best ones (``pool_`` lists them), and the backtest's errors at
# each lead time give the intervals. ``predict`` returns the next ``horizon`` values,
# ``predict_interval`` their lower and upper bounds. The airline series is a
# pandas Series indexed by months (a ``PeriodIndex``), so the forecasts come
# back as a Series and a DataFrame indexed by the months after it; an array
# gives arrays.


def main(random_state=0):
    forecaster = MiniRocketForecaster(horizon=HORIZON, sp=12, random_state=random_state)
    forecaster.fit(train)
    forecast = forecaster.predict()
    assert forecast.index.equals(held_out.index)  # the months held out
    intervals = {c: forecaster.predict_interval(coverage=c) for c in (0.8, 0.95)}
    forecast, truth = forecast.to_numpy(), held_out.to_numpy()
    naive = np.tile(train.to_numpy()[-12:], 2)  # last year again
    errors = {
        "MiniRocketForecaster": np.abs(forecast - truth).mean(),
        "seasonal naive": np.abs(naive - truth).mean(),
    }
    for name, mae in errors.items():
        print(f"{name:21s} mean absolute error {mae:6.1f} passengers")
    covered = {
        c: np.mean((lower <= truth) & (truth <= upper))
        for c, (lower, upper) in ((c, i.to_numpy().T) for c, i in intervals.items())
    }
    for c, share in covered.items():
        print(f"{c:.0%} interval: {share:.0%} of the held-out months inside")
    return forecast, intervals, errors, covered


forecast, intervals, errors, covered = main()

# %%
# The forecast against what happened
# ----------------------------------
#
# The intervals widen with the lead time: the backtest's errors grow the
# further ahead it forecast. Conformal intervals cover at least their level
# on average over series and origins, not on every series: a forecast that
# fits better than the backtest's (fitted on less data) gets wider intervals
# than it needs.

months = y.index.to_timestamp()
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(months[:-HORIZON], train.to_numpy(), color="black", label="fitted on")
ax.plot(
    months[-HORIZON:],
    held_out.to_numpy(),
    color="black",
    linestyle="--",
    label="held out",
)
for coverage, alpha in ((0.95, 0.15), (0.8, 0.3)):
    lower, upper = intervals[coverage].to_numpy().T
    ax.fill_between(
        months[-HORIZON:],
        lower,
        upper,
        color="tab:blue",
        alpha=alpha,
        label=f"{coverage:.0%} interval",
    )
ax.plot(months[-HORIZON:], forecast, color="tab:blue", label="forecast")
ax.set_ylabel("passengers (thousands)")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
# Where to go from here: ``MiniRocketForecaster``'s docstring lists its
# parameters (the reference each window is made relative to, the ridge
# penalties the backtest chooses among, the log scale); the forecasting
# results page compares it with AutoETS and seasonal naive on more series,
# and at long horizons, where AutoETS is ahead.
