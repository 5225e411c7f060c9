"""Simple forecasting methods: the members a forecaster backtests beside
its learned models, and the only ones for a series too short for those.

Each member forecasts ``steps`` values after each row of a history
(m, L), the newest value last, from that row alone: what it fits (a
smoothing weight, a slope, seasonal indices) it fits on the row, as
statsforecast's models fit each series (Hyndman and Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., sections 3.4, 5.2, 8.2):

- ``naive``: the last value;
- ``mean``: the mean of the last season's values (of the last 4 without a
  season);
- ``drift``: the line through the first and the last value, continued;
- ``seasonal_naive``: the value one season before;
- ``damped``: Holt's damped linear trend, its smoothing weights and
  damping chosen among a grid by the one-step errors on the row;
- ``theta``: the standard Theta method (Assimakopoulos and Nikolopoulos,
  2000), as Hyndman and Billah (2003) show it: simple exponential
  smoothing (its weight chosen by the one-step errors) with a drift of
  half the least-squares slope.

``damped`` and ``theta`` read the season as the classical decomposition
does: the row less a centred moving average of one season gives each
season position's mean deviation, which is taken out before smoothing and
put back into the forecasts (additive: the forecasters work on the log
scale of a positive series, where a multiplicative season is additive).

A forecaster backtests them on whatever origins the series allows
(:func:`sknets._backtest.backtest`) and pools the best.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MEMBERS", "SEASONAL", "applicable", "candidates", "forecast", "min_values"]

MEMBERS = ("naive", "mean", "drift", "seasonal_naive", "damped", "theta")
#: the members that read the season
SEASONAL = ("mean", "seasonal_naive", "damped", "theta")
#: simple exponential smoothing weights the members choose among
ALPHAS = np.linspace(0.05, 1.0, 20)
#: Holt's damped trend: (alpha, beta, phi), beta relative to alpha (the
#: trend moves by alpha * beta times each one-step error)
DAMPED_GRID = np.array(
    [
        (alpha, beta, phi)
        for alpha in (0.1, 0.3, 0.6, 0.9)
        for beta in (0.05, 0.2)
        for phi in (0.8, 0.9, 0.98)
    ]
)


def min_values(member, sp):
    """The shortest history a member forecasts from."""
    if member == "seasonal_naive":
        return sp
    return {"drift": 2, "damped": 2, "theta": 3}.get(member, 1)


def applicable(n, sp):
    """The members that apply to a history of n values with season ``sp``."""
    return [
        m
        for m in MEMBERS
        if n >= min_values(m, sp) and (m != "seasonal_naive" or sp > 1)
    ]


def candidates(members, seasons, n):
    """``(member, sp)`` for each member a history of n values allows, with
    each season for those that read one, 1 for the others."""
    return list(
        dict.fromkeys(
            (member, sp if member in SEASONAL else 1)
            for sp in seasons
            for member in applicable(n, sp)
            if member in members
        )
    )


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
    if member in ("damped", "theta"):
        indices = seasonal_indices(history, sp)
        adjusted = history - indices[:, np.arange(length) % len(indices.T)]
        smooth = _damped if member == "damped" else _theta
        season = indices[:, (length + leads - 1) % len(indices.T)]
        return smooth(adjusted, leads) + season
    raise ValueError(f"Unknown forecasting member {member!r}.")


def seasonal_indices(history, sp):
    """Each row's additive seasonal indices (m, sp), by position ``t % sp``
    (zero mean): the mean deviation from a centred moving average of one
    season (of two averages of sp when sp is even). Zeros without a
    season or with fewer than two seasons of history."""
    m, length = history.shape
    if sp <= 1 or length < 2 * sp:
        return np.zeros((m, 1))
    sums = np.cumsum(np.concatenate([np.zeros((m, 1)), history], axis=1), axis=1)
    trend = (sums[:, sp:] - sums[:, :-sp]) / sp  # centred at t + (sp - 1) / 2
    if sp % 2 == 0:
        trend = (trend[:, 1:] + trend[:, :-1]) / 2  # centred at t + sp / 2
    times = np.arange(sp // 2, sp // 2 + trend.shape[1])
    deviation = history[:, times] - trend
    indices = np.stack([deviation[:, times % sp == j].mean(1) for j in range(sp)], 1)
    return indices - indices.mean(axis=1, keepdims=True)


def _damped(x, leads):
    """Holt's damped-trend forecasts, with the (alpha, beta, phi) of
    ``DAMPED_GRID`` whose one-step errors on the row are the smallest."""
    alpha, beta, phi = (DAMPED_GRID[:, i][None, :] for i in range(3))
    level = np.repeat(x[:, :1], len(DAMPED_GRID), axis=1)
    trend = np.repeat(x[:, 1:2] - x[:, :1], len(DAMPED_GRID), axis=1)
    squared = np.zeros_like(level)
    for t in range(1, x.shape[1]):
        predicted = level + phi * trend
        error = x[:, t : t + 1] - predicted
        squared += error**2
        level = predicted + alpha * error
        trend = phi * trend + alpha * beta * error
    rows, best = np.arange(len(x)), squared.argmin(axis=1)
    damping = np.cumsum(phi[0, best][:, None] ** leads, axis=1)  # phi + ... + phi^h
    return level[rows, best][:, None] + trend[rows, best][:, None] * damping


def _theta(x, leads):
    """The standard Theta method's forecasts: simple exponential smoothing
    with a drift of half the least-squares slope (Hyndman and Billah, 2003,
    equation 3), the smoothing weight chosen by the one-step errors."""
    length = x.shape[1]
    t = np.arange(length) - (length - 1) / 2
    slope = (x - x.mean(axis=1, keepdims=True)) @ t / (t @ t)
    level = np.repeat(x[:, :1], len(ALPHAS), axis=1)
    squared = np.zeros_like(level)
    for step in range(1, length):
        error = x[:, step : step + 1] - level
        squared += error**2
        level = level + ALPHAS * error
    rows, best = np.arange(len(x)), squared.argmin(axis=1)
    alpha = ALPHAS[best][:, None]
    drift = (leads - 1) + 1 / alpha - (1 - alpha) ** length / alpha
    return level[rows, best][:, None] + slope[:, None] / 2 * drift
