"""Windows of a series for any regressor: from one long series (or several,
with covariates) to supervised (X, y) samples."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["make_windows"]


def _positive_int(value, name):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def make_windows(
    series,
    window,
    horizon=1,
    step=1,
    *,
    target=None,
    past_covariates=None,
    future_covariates=None,
    series_id=False,
):
    """Cut a series into overlapping windows of past values and the values that follow.

    Window ``i`` starts at time ``s = i * step``: ``X[i]`` holds the values at
    times ``s, ..., s + window - 1`` and ``y[i]`` the target values at times
    ``s + window, ..., s + window + horizon - 1``, the ``horizon`` steps right
    after the window. Every window whose targets lie inside the series is
    returned, in time order, so a forecaster fitted on ``X, y`` predicts the
    next ``horizon`` values from the last ``window`` ones.

    Covariates are other series at the same time steps that help the
    forecast but are not predicted. Past covariates (observed series, such as
    a sensor beside the one forecast) join the window's features. Future
    covariates (values known in advance: calendar features, planned prices,
    holidays) are needed over the horizon too, so with them each ``X[i]``
    holds ``window + horizon`` steps: the window's steps with every feature,
    then the horizon's steps with the future covariates, zeros in place of
    the series and the past covariates, and one more feature that is 1 on the
    horizon's steps and 0 on the window's, which tells the network which
    steps are to come. Any sknets sequence estimator reads that as it is.

    Several series (a list) give the windows of each, ordered by time with
    the series aligned at their last step (the windows whose targets end
    their series come last), so that ``validation_split='last'`` holds out
    the latest windows of every series. ``series_id=True`` adds one feature
    per series, 1 for the series a window comes from (one model that knows
    which series it forecasts); without it one model learns from all of them
    alike.

    Consecutive windows share values, so a validation part drawn at random
    from them holds windows that overlap training windows, and its loss
    flatters the model. With early stopping, validate on the last windows
    instead, leaving out the windows that overlap them:
    ``validation_split='last'`` and
    ``validation_gap=ceil((window + horizon) / step) - 1`` (times the number
    of series, for several). For a test set, ``TimeSeriesSplit(gap=...)``
    with the same gap.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, F), pandas Series or DataFrame, \
            or a list of them
        The series, oldest value first. A DataFrame's columns are its
        features. A list holds several series of one number of features,
        each of its own length.
    window : int
        Number of past time steps in each input window.
    horizon : int, default=1
        Number of future time steps to predict.
    step : int, default=1
        Shift between the starts of two consecutive windows.
    target : int, str, list of them, or None, default=None
        Columns of a multivariate series to predict (positions, or names for
        a DataFrame); None predicts every column.
    past_covariates : array-like of shape (T,) or (T, P), or a list of them, \
            default=None
        Observed series at the time steps of ``series`` (one per series for a
        list), read over the window only.
    future_covariates : array-like of shape (T,) or (T, Q), or a list of \
            them, default=None
        Series known in advance at the time steps of ``series``, read over
        the window and the horizon.
    series_id : bool, default=False
        With a list of series, add one feature per series that marks the
        series each window comes from.

    Returns
    -------
    X : ndarray of shape (n_windows, window), (n_windows, window, F) or \
            (n_windows, window + horizon, F')
        Input windows; 2D for a univariate series without covariates, 3D
        (time-major) otherwise, as the sequence estimators take them. The
        features are the series', then the past covariates', then the future
        covariates' and the horizon marker, then the series identifier.
    y : ndarray
        Targets: shape (n_windows,) for one target and ``horizon=1``,
        (n_windows, horizon) for one target, (n_windows, n_targets) for
        several targets and ``horizon=1``, else (n_windows, horizon * n_targets)
        ordered step by step (``y.reshape(n_windows, horizon, n_targets)``
        restores the steps).

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import make_windows
    >>> X, y = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    >>> weekday = np.arange(6) % 7
    >>> X, y = make_windows(np.arange(6.0), 3, 2, future_covariates=weekday)
    >>> X[0]  # series, weekday, horizon marker
    array([[0., 0., 0.],
           [1., 1., 0.],
           [2., 2., 0.],
           [0., 3., 1.],
           [0., 4., 1.]])
    """
    window = _positive_int(window, "window")
    horizon = _positive_int(horizon, "horizon")
    step = _positive_int(step, "step")
    several = isinstance(series, list)
    parts = series if several else [series]
    if several and not parts:
        raise ValueError("series is an empty list; give at least one series.")
    if series_id and not several:
        raise ValueError("series_id=True needs a list of several series.")
    past = _per_series(past_covariates, parts, several, "past_covariates")
    future = _per_series(future_covariates, parts, several, "future_covariates")
    three_d = past_covariates is not None or future_covariates is not None
    three_d = three_d or bool(series_id)
    windows, targets, remaining = [], [], []
    for i, part in enumerate(parts):
        name = f"series[{i}]" if several else "series"
        values, columns = _numbers(part, name)
        if values.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1D (T,) or 2D (T, F), got shape {values.shape}."
            )
        n_steps = len(values)
        if n_steps < window + horizon:
            raise ValueError(
                f"The {name} has {n_steps} time steps, too few for one window of "
                f"{window} steps and a horizon of {horizon}; it needs at least "
                f"{window + horizon}."
            )
        starts = np.arange(0, n_steps - window - horizon + 1, step)
        in_window = starts[:, None] + np.arange(window)
        in_horizon = starts[:, None] + window + np.arange(horizon)
        y = values[in_horizon]
        if values.ndim == 2:
            y = y[:, :, _target_columns(target, columns, values.shape[1])]
        targets.append(y.reshape(len(starts), -1))
        X = values[in_window]
        if three_d:
            X = X.reshape(len(starts), window, -1)
            if past[i] is not None:
                covariate = _covariate(past[i], n_steps, name, "past_covariates")
                X = np.concatenate([X, covariate[in_window]], axis=2)
            if future[i] is not None:
                covariate = _covariate(future[i], n_steps, name, "future_covariates")
                known = np.concatenate(
                    [covariate[in_window], covariate[in_horizon]], axis=1
                )
                marker = np.zeros((len(starts), window + horizon, 1))
                marker[:, window:] = 1.0
                ahead = np.zeros((len(starts), horizon, X.shape[2]))
                X = np.concatenate(
                    [np.concatenate([X, ahead], axis=1), known, marker], 2
                )
            if series_id:
                identity = np.zeros((*X.shape[:2], len(parts)))
                identity[:, :, i] = 1.0
                X = np.concatenate([X, identity], axis=2)
        windows.append(X)
        remaining.append(n_steps - (starts + window + horizon))
    shapes = {(x.shape[1:], y.shape[1]) for x, y in zip(windows, targets)}
    if len(shapes) > 1:
        raise ValueError(
            "The series give windows of different shapes: every series of the "
            "list needs the same number of features, and the same covariates."
        )
    order = np.lexsort(
        (
            np.concatenate([np.full(len(r), i) for i, r in enumerate(remaining)]),
            -np.concatenate(remaining),
        )
    )
    X = np.concatenate(windows)[order]
    y = np.concatenate(targets)[order]
    if y.shape[1] == 1:
        y = y[:, 0]
    return X.astype(np.float64), y.astype(np.float64)


def _numbers(values, name):
    """``values`` as a finite numeric array, and its DataFrame columns."""
    columns = values.columns if isinstance(values, pd.DataFrame) else None
    labels = values.index if isinstance(values, pd.Series | pd.DataFrame) else None
    values = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if values.dtype.kind == "c":
        raise ValueError(
            f"{name} holds complex numbers; forecast the real and imaginary parts "
            "as two series."
        )
    if values.dtype.kind in "mM":
        raise ValueError(
            f"{name} holds {values.dtype} values, times rather than the values to "
            "forecast; give the values, with their times as a pandas index."
        )
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers: {exc}") from exc
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        rows = np.flatnonzero(~np.isfinite(values).reshape(len(values), -1).all(axis=1))
        first = f"row {rows[0]}" if labels is None else f"{labels[rows[0]]}"
        more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
        raise ValueError(
            f"{name} contains NaN or infinity at {first}{more}; fill or drop the "
            "missing values first."
        )
    return values, columns


def _per_series(covariates, parts, several, name):
    """One covariate array (or None) per series."""
    if covariates is None:
        return [None] * len(parts)
    if not several:
        return [covariates]
    if not isinstance(covariates, list) or len(covariates) != len(parts):
        raise ValueError(
            f"With a list of {len(parts)} series, {name} must be a list of as many "
            "arrays, one per series."
        )
    return covariates


def _covariate(values, n_steps, series_name, name):
    """A covariate as a (T, C) float array with as many steps as its series."""
    values, _ = _numbers(values, name)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1D (T,) or 2D (T, C), got shape {values.shape}."
        )
    if len(values) != n_steps:
        raise ValueError(
            f"{name} has {len(values)} time steps and the {series_name} {n_steps}; "
            "a covariate holds a value for every time step of its series."
        )
    return values.astype(np.float64)


def _target_columns(target, columns, n_columns):
    if target is None:
        return list(range(n_columns))
    wanted = target if isinstance(target, (list, tuple, np.ndarray)) else [target]
    idx = []
    for t in wanted:
        if columns is not None and not isinstance(t, Integral) and t in columns:
            idx.append(int(columns.get_loc(t)))
        elif isinstance(t, Integral) and -n_columns <= t < n_columns:
            idx.append(int(t) % n_columns)
        else:
            raise ValueError(
                f"target {t!r} is not a column of the series (it has "
                f"{n_columns} columns"
                + (f": {list(columns)}" if columns is not None else "")
                + ")."
            )
    return idx
