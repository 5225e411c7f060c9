"""Forecasting helpers: from one long series to supervised (X, y) windows."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["make_windows"]


def _positive_int(value, name):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def make_windows(series, window, horizon=1, step=1, *, target=None):
    """Cut a series into overlapping windows of past values and the values that follow.

    Window ``i`` starts at time ``s = i * step``: ``X[i]`` holds the values at
    times ``s, ..., s + window - 1`` and ``y[i]`` the target values at times
    ``s + window, ..., s + window + horizon - 1``, the ``horizon`` steps right
    after the window. Every window whose targets lie inside the series is
    returned, in time order, so a forecaster fitted on ``X, y`` predicts the
    next ``horizon`` values from the last ``window`` ones.

    Consecutive windows share values, so a validation part drawn at random
    from them holds windows that overlap training windows, and its loss
    flatters the model. With early stopping, validate on the last windows
    instead, leaving out the windows that overlap them:
    ``validation_split='last'`` and
    ``validation_gap=ceil((window + horizon) / step) - 1``. For a test set,
    ``TimeSeriesSplit(gap=...)`` with the same gap.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, F), pandas Series or DataFrame
        The series, oldest value first. A DataFrame's columns are its features.
    window : int
        Number of past time steps in each input window.
    horizon : int, default=1
        Number of future time steps to predict.
    step : int, default=1
        Shift between the starts of two consecutive windows.
    target : int, str, list of them, or None, default=None
        Columns of a multivariate series to predict (positions, or names for
        a DataFrame); None predicts every column.

    Returns
    -------
    X : ndarray of shape (n_windows, window) or (n_windows, window, F)
        Input windows; 2D for a univariate series, 3D (time-major) otherwise,
        as the sequence estimators take them.
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
    """
    window = _positive_int(window, "window")
    horizon = _positive_int(horizon, "horizon")
    step = _positive_int(step, "step")
    columns = series.columns if isinstance(series, pd.DataFrame) else None
    values = np.asarray(series.to_numpy() if hasattr(series, "to_numpy") else series)
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"series must hold numbers: {exc}") from exc
    if values.ndim not in (1, 2):
        raise ValueError(
            f"series must be 1D (T,) or 2D (T, F), got shape {values.shape}."
        )
    if not np.isfinite(values).all():
        raise ValueError(
            "series contains NaN or infinity; fill or drop the missing values first."
        )
    n_steps = len(values)
    if n_steps < window + horizon:
        raise ValueError(
            f"The series has {n_steps} time steps, too few for one window of "
            f"{window} steps and a horizon of {horizon}; it needs at least "
            f"{window + horizon}."
        )
    starts = np.arange(0, n_steps - window - horizon + 1, step)
    X = values[starts[:, None] + np.arange(window)]
    targets = values[starts[:, None] + window + np.arange(horizon)]
    if values.ndim == 1:
        y = targets
        n_targets = 1
    else:
        idx = _target_columns(target, columns, values.shape[1])
        y = targets[:, :, idx]
        n_targets = len(idx)
    y = y.reshape(len(starts), horizon * n_targets)
    if y.shape[1] == 1:
        y = y[:, 0]
    return X.astype(np.float64), y.astype(np.float64)


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
