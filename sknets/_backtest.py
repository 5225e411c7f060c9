"""What a forecaster learns from its own past: a backtest in time order,
forecast pooling, and split-conformal intervals from the backtest's errors.

A forecaster fits each candidate (a configuration of its model) on all but
the last part of the series and forecasts ``horizon`` steps from every
origin in that part (:func:`backtest`); the candidates whose mean absolute
error is within a tolerance of the best one's are pooled (:func:`pool`,
Kourentzes, Barrow and Petropoulos, 2019); the pooled errors at each lead
time give the intervals (:func:`conformal_width`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MIN_FIT_VALUES",
    "MIN_ORIGINS",
    "backtest",
    "calibration",
    "conformal_quantile",
    "conformal_width",
    "fits",
    "pool",
    "unchecked",
]

# the least number of values the backtest's model is fitted on
MIN_FIT_VALUES = 12
# the least number of backtest origins on a long series: a conformal 95 %
# interval needs 19 errors (the largest of m covers m / (m + 1) of new ones)
MIN_ORIGINS = 20


def calibration(n, horizon):
    """Steps at the end of the series that the backtest forecasts from: the
    horizon, and at least MIN_ORIGINS, but no more than a third of the
    series."""
    return max(min(max(horizon, MIN_ORIGINS), n // 3), 1)


def fits(n, horizon):
    """Whether a series of n values leaves enough to fit the backtest's model."""
    return n - calibration(n, horizon) >= MIN_FIT_VALUES


def backtest(z, horizon, candidates, forecast):
    """Mean absolute error and errors of each candidate in a backtest in time
    order.

    ``forecast(candidate, past, history)`` fits the candidate on ``past``
    (the series before the last :func:`calibration` values) and returns its
    forecasts (m, horizon) from each row of ``history`` (m, len(past)): the
    ``len(past)`` values before each origin. Returns ``(scores, errors)``,
    dicts by candidate: the mean absolute error, and the errors (origins,
    horizon), NaN past the series' end.
    """
    n = len(z)
    start = n - calibration(n, horizon)
    origins = np.arange(start, n)
    history = np.stack([z[o - start : o] for o in origins])
    # actual[i, k]: the value k + 1 steps after origin i (NaN past the end)
    padded = np.concatenate([z, np.full(horizon, np.nan)])
    actual = padded[origins[:, None] + np.arange(horizon)]
    scores, errors = {}, {}
    for candidate in candidates:
        error = actual - forecast(candidate, z[:start], history)
        scores[candidate] = float(np.nanmean(np.abs(error)))
        errors[candidate] = error
    return scores, errors


def pool(scores, tolerance):
    """The candidates whose score is at most ``tolerance`` times the best."""
    best = min(scores.values())
    return [c for c, s in scores.items() if s <= tolerance * best]


def conformal_width(errors, steps, coverage):
    """Half-width of the interval at each lead time: the split-conformal
    quantile (:func:`conformal_quantile`) of the absolute backtest errors at
    that lead; for leads the backtest reaches with fewer than 5 errors, the
    errors of all shorter leads, each scaled to that lead as a random walk's
    would grow (square root of the lead ratio)."""
    width = np.empty(steps)
    leads = np.arange(1, steps + 1)
    for k in leads:
        own = errors[:, k - 1] if k <= errors.shape[1] else errors[:, :0]
        own = np.abs(own[np.isfinite(own)])
        if len(own) < 5:
            pooled = [
                np.abs(errors[:, j - 1]) * np.sqrt(k / j)
                for j in leads[: min(k, errors.shape[1])]
            ]
            own = np.concatenate(pooled)
            own = own[np.isfinite(own)]
        width[k - 1] = conformal_quantile(own, coverage)
    return width


def conformal_quantile(scores, coverage):
    """The split-conformal quantile of m calibration scores: the
    ``ceil((m + 1) * coverage)``-th smallest, which a new exchangeable score
    exceeds with probability at most ``1 - coverage`` (Lei et al., 2018);
    the largest when that rank passes m (it then covers m / (m + 1)).
    ``np.quantile(scores, rank / m, method='higher')`` would pick the next
    one up (its position is ``q * (m - 1)``): one rank too wide."""
    scores = np.sort(scores)
    rank = int(np.ceil((len(scores) + 1) * coverage - 1e-9))
    return scores[min(rank, len(scores)) - 1]


def unchecked(steps, checked, n):
    """The warning for a forecast of ``steps`` past the ``checked`` lead
    times a backtest reached on a series of n values."""
    return (
        f"Forecasting {steps} steps, beyond the {checked} lead times the backtest "
        f"checks on a series of {n} values: the forecasts and intervals past lead "
        f"{checked} are extrapolated, unchecked. "
        + (
            f"Fit with horizon={steps} to have them checked."
            if steps <= n // 3
            else "Keep the horizon within a third of the series."
        )
    )
