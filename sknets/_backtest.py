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
    "conformal_corrections",
    "conformal_quantile",
    "conformal_width",
    "fits",
    "pool",
    "pool_members",
    "pooled_mean",
    "quantile_shifts",
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


def pooled_mean(values, pooled):
    """The pooled forecasts' (or errors') mean, by candidate in ``values``:
    the learned candidates' mean counts as one, beside each simple member
    (a ``(member, sp)`` pair of :mod:`sknets._baselines`)."""
    learned = [values[c] for c in pooled if len(c) == 4]
    parts = [values[c] for c in pooled if len(c) == 2]
    return np.mean(parts + ([np.mean(learned, axis=0)] if learned else []), axis=0)


def pool_members(scores, errors, tolerance):
    """The candidates pooled: the learned candidates within ``tolerance`` of
    the best of them, pooled as one (their mean forecast, scored by its own
    backtest error), then pooled with the simple members (``(member, sp)``
    pairs) within ``tolerance`` of the best. A family of many learned
    configurations then weighs as one forecast, not as many."""
    learned = {c: s for c, s in scores.items() if len(c) == 4}
    family = {c: s for c, s in scores.items() if len(c) == 2}
    kept = pool(learned, tolerance) if learned else []
    if kept:
        family["learned"] = float(np.nanmean(np.abs(pooled_mean(errors, kept))))
    chosen = pool(family, tolerance)
    return [c for c in scores if c in chosen or ("learned" in chosen and c in kept)]


def conformal_width(errors, steps, coverage):
    """Half-width of the interval at each lead time k: the larger of two
    split-conformal quantiles (:func:`conformal_quantile`), never narrower
    than at a shorter lead:

    - of the absolute backtest errors at lead k (when the backtest reaches
      it from at least 5 origins);
    - of the absolute errors at every lead j up to k, each scaled to lead k
      as a random walk's would grow (square root of k / j).

    A short backtest reaches the far leads from few origins (a series of
    60 values and a horizon of 8: 6 errors at lead 8), whose largest error
    is then the bound; the errors of the shorter leads add the samples it
    lacks, and the random walk's growth is the cautious guess at how errors
    grow with the lead. On the fpp2 panels of
    ``benchmarks/forecasting_panels.py`` the 80 % and 95 % intervals of the
    lead's own errors alone covered 70 % and 81 % of the held-out values."""
    width = np.empty(steps)
    leads = np.arange(1, steps + 1)
    for k in leads:
        own = errors[:, k - 1] if k <= errors.shape[1] else errors[:, :0]
        own = np.abs(own[np.isfinite(own)])
        pooled = np.concatenate(
            [
                np.abs(errors[:, j - 1]) * np.sqrt(k / j)
                for j in leads[: min(k, errors.shape[1])]
            ]
        )
        pooled = pooled[np.isfinite(pooled)]
        width[k - 1] = conformal_quantile(pooled, coverage)
        if len(own) >= 5:
            width[k - 1] = max(width[k - 1], conformal_quantile(own, coverage))
    return np.maximum.accumulate(width)


def conformal_corrections(lower, upper, actual, coverage):
    """Conformalized quantile regression (Romano, Patterson and Candes,
    2019): at each lead time (column), the amount by which to widen (or,
    negative, narrow) both ends of the intervals ``[lower, upper]`` (n,
    leads) for them to cover ``actual`` at ``coverage``: the conformal
    quantile of ``max(lower - actual, actual - upper)``; leads with fewer
    than 5 scores take those of every lead."""
    scores = np.maximum(lower - actual, actual - upper)
    every = scores[np.isfinite(scores)]
    out = np.empty(scores.shape[1])
    for k in range(scores.shape[1]):
        own = scores[:, k][np.isfinite(scores[:, k])]
        out[k] = conformal_quantile(own if len(own) >= 5 else every, coverage)
    return out


def quantile_shifts(forecast, actual, quantiles):
    """Per forecast quantile, the shift of each lead (n_quantiles, leads)
    that makes each symmetric pair's interval cover as nominal the
    ``actual`` values (n, leads) of held-out forecasts (n, leads,
    n_quantiles) (:func:`conformal_corrections`); the median and a quantile
    without a partner stay."""
    shifts = np.zeros((len(quantiles), forecast.shape[1]))
    for low, q in enumerate(quantiles):
        high = np.flatnonzero(np.isclose(quantiles, 1 - q))
        if q < 0.5 and len(high):
            high = int(high[0])
            width = conformal_corrections(
                forecast[:, :, low], forecast[:, :, high], actual, quantiles[high] - q
            )
            shifts[low], shifts[high] = -width, width
    return shifts


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
