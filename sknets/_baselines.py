"""Simple forecasting methods, for series too short for a learned model.

Each member forecasts ``steps`` values after each row of a history
(m, L), the newest value last, with no parameter learned beyond what the
row holds (Hyndman and Athanasopoulos, *Forecasting: Principles and
Practice*, 3rd ed., sections 5.2 and 8.2):

- ``naive``: the last value;
- ``mean``: the mean of the last season's values (of the last 4 without a
  season);
- ``drift``: the line through the first and the last value, continued;
- ``seasonal_naive``: the value one season before;
- ``damped``: Holt's linear trend, damped (alpha 0.5, beta 0.2, phi 0.9).

A forecaster backtests them on whatever origins the series allows
(:func:`sknets._backtest.backtest`) and keeps the best.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MEMBERS", "SEASONAL", "applicable", "forecast", "min_values"]

MEMBERS = ("naive", "mean", "drift", "seasonal_naive", "damped")
#: the members that read the season
SEASONAL = ("mean", "seasonal_naive")
DAMPED = dict(alpha=0.5, beta=0.2, phi=0.9)


def min_values(member, sp):
    """The shortest history a member forecasts from."""
    if member == "seasonal_naive":
        return sp
    return 2 if member in ("drift", "damped") else 1


def applicable(n, sp):
    """The members that apply to a history of n values with season ``sp``."""
    return [
        m
        for m in MEMBERS
        if n >= min_values(m, sp) and (m != "seasonal_naive" or sp > 1)
    ]


def forecast(member, history, steps, sp):
    """Forecasts (m, steps) of ``member`` from each row of ``history``."""
    history = np.atleast_2d(np.asarray(history, dtype=np.float64))
    m, length = history.shape
    leads = np.arange(1, steps + 1)
    last = history[:, -1:]
    if member == "naive":
        return np.repeat(last, steps, axis=1)
    if member == "mean":
        window = min(length, sp if sp > 1 else 4)
        return np.repeat(history[:, -window:].mean(axis=1, keepdims=True), steps, 1)
    if member == "drift":
        slope = (history[:, -1:] - history[:, :1]) / max(length - 1, 1)
        return last + slope * leads
    if member == "seasonal_naive":
        return history[:, length - sp + (leads - 1) % sp]
    if member == "damped":
        return _damped(history, leads, **DAMPED)
    raise ValueError(f"Unknown forecasting member {member!r}.")


def _damped(history, leads, alpha, beta, phi):
    """Holt's damped-trend forecasts, the level and trend started from the
    first two values (additive errors, fixed smoothing)."""
    level = history[:, 1].copy()
    trend = history[:, 1] - history[:, 0]
    for t in range(2, history.shape[1]):
        previous = level
        level = alpha * history[:, t] + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
    damping = np.cumsum(phi**leads)  # phi + phi^2 + ... + phi^h
    return level[:, None] + trend[:, None] * damping
