"""Global forecasters: one model trained across the windows of every series
of a panel (Montero-Manso and Hyndman, 2021: a global model learns from all
the series what a local one cannot learn from each).

:class:`_GlobalForecaster` reads the panel (:mod:`sknets._panel`), cuts each
series into windows scaled by their own mean and spread, fits the family's
model on them, learns conformal corrections of its intervals on windows the
model did not train on, and forecasts every series from its last window in
the panel's own layout. A family says how its model is fitted
(:meth:`_GlobalForecaster._fit_model`) and what it forecasts per quantile
(:meth:`_GlobalForecaster._quantile_forecasts`).
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import _fit_context, clone
from sklearn.utils.validation import check_is_fitted

from ._constraints import POSITIVE_INT
from ._forecast_base import BaseForecaster
from ._losses import check_quantiles
from ._panel import Panel, read_panel, write_panel
from ._params import Attribute, Param
from ._time import calendar_season, future_index
from .windows import _positive_int, make_windows

__all__ = [
    "MIN_CALIBRATION",
    "PANEL_ATTRIBUTES",
    "PANEL_PARAMS",
    "SERIES_ATTRIBUTES",
    "backtest_model",
]

EPS = 1e-8
# the least number of windows that fit or check the model of the intervals
MIN_CALIBRATION = 20

#: what every global forecaster declares (the family's settings follow)
PANEL_PARAMS = (
    Param(
        "horizon",
        None,
        [POSITIVE_INT, None],
        "int or None",
        """
        Number of steps forecast at once, the most :meth:`predict` gives;
        None means the season of the first series' time step (12 for a
        monthly index, 4 quarterly, 7 daily), else 1.""",
    ),
    Param(
        "window",
        None,
        [POSITIVE_INT, None],
        "int or None",
        """
        Past steps each forecast reads; None means two horizons and at
        least 12 steps, at most the longest series less the horizon.""",
    ),
    Param(
        "quantiles",
        (0.025, 0.1, 0.9, 0.975),
        ["array-like"],
        "array-like of float",
        """
        Quantiles forecast besides the median, which :meth:`predict`
        returns: their pairs bound :meth:`predict_interval`'s intervals
        (the default gives 80 % and 95 %).""",
    ),
    Param(
        "past_covariates",
        None,
        [list, tuple, None],
        "list of str or None",
        "Columns of y observed up to each time, read over the window.",
    ),
    Param(
        "future_covariates",
        None,
        [list, tuple, None],
        "list of str or None",
        """
        Columns of y known in advance, read over the window and the
        horizon; :meth:`predict` takes their values over the horizon.""",
    ),
    Param(
        "static_covariates",
        None,
        [list, tuple, None],
        "list of str or None",
        "Columns of y holding one number per series (its category, encoded).",
    ),
    Param("id_col", "unique_id", [str], "str", "The series id column of y."),
    Param("time_col", "ds", [str], "str", "The time column of y."),
    Param("target_col", "y", [str], "str", "The column of y forecast."),
    Param(
        "max_windows",
        64,
        [POSITIVE_INT],
        "int",
        """
        Latest windows of each series trained on, so that the time of a fit
        grows with the number of series, not their length.""",
    ),
)

#: the fitted attributes every global forecaster has besides ``model_`` and
#: ``conformal_``, which each family describes
PANEL_ATTRIBUTES = (
    Attribute("horizon_", "int", "The horizon used."),
    Attribute("window_", "int", "The window used."),
    Attribute(
        "quantiles_",
        "ndarray",
        "The quantiles forecast, the median among them.",
    ),
    Attribute("log_", "bool", "Whether the series were forecast on the log scale."),
)
SERIES_ATTRIBUTES = (
    Attribute("n_series_", "int", "Number of series seen at fit."),
    Attribute("panel_", "dict", "The fitted series: ids, layout, recent values."),
)


#: what a global forecaster reads and returns, its docstring's ``{panel}``
PANEL_DOC = """``y`` is a panel in the layout of statsforecast and neuralforecast (a
long DataFrame of ``unique_id``, ``ds``, ``y`` and covariate columns),
sktime's ``pd-multiindex`` (a MultiIndex of series and time), or one
series; forecasts come back in the same layout. Series may differ in
length and start; a series shorter than a window is read padded with its
first value. Covariates, named as darts names them: past covariates
(observed up to now) are read over the window; future covariates (known
ahead: calendar, promotions, prices) over the window and the horizon,
and :meth:`predict` needs their values over the horizon (``X``); static
covariates (one number per series) join every step."""


class _GlobalForecaster(BaseForecaster):
    """One model across the windows of every series of a panel; see the
    module. A family declares ``_params`` (``PANEL_PARAMS`` and its own),
    ``_attributes`` (with ``model_`` and ``conformal_``), a docstring with
    ``{panel}`` (:data:`PANEL_DOC`), ``{parameters}`` and ``{attributes}``,
    and provides :meth:`_fit_model` and :meth:`_quantile_forecasts`."""

    def __init_subclass__(cls, **kwargs):
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.replace(
                "{panel}", PANEL_DOC.replace("\n", "\n    ")
            )
        super().__init_subclass__(**kwargs)

    #: what predict_interval gives when no corrections could be learned
    _uncalibrated = "the model's own quantiles, uncalibrated (often too narrow)"

    def _fit_model(self, X, y, age, h, quantiles):
        """Fit ``model_`` on the scaled windows X (n, window, features) and
        their targets y (n, h), ordered oldest first (``age``: 0 for the
        latest window of its series), and set ``conformal_``; return whether
        the corrections were learned on windows the model did not train on
        (else the fit warns that its intervals are uncalibrated)."""
        raise NotImplementedError

    def _quantile_forecasts(self, X):
        """The model's forecast of each quantile of ``quantiles_`` from the
        scaled windows X, on their scale: (n, horizon_, n_quantiles)."""
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, X=None):
        """Train the model on the windows of every series of y.

        Parameters
        ----------
        y : DataFrame, pandas Series or array-like
            A long frame of ``id_col``, ``time_col``, ``target_col`` and the
            covariate columns; sktime's ``pd-multiindex`` frame; or one series.
        X : None
            The covariates are columns of y, named by ``past_covariates``,
            ``future_covariates`` and ``static_covariates``.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        if X is not None:
            raise ValueError(
                f"{type(self).__name__} reads its covariates from columns of y, "
                "named by past_covariates, future_covariates and "
                "static_covariates; X must be None at fit."
            )
        panel = self._read_forecastable(y, "")
        quantiles = check_quantiles(np.atleast_1d(self.quantiles), "quantiles")
        h = self.horizon
        if h is None:
            h = calendar_season(panel.indexes[0]) or 1
        longest = max(len(v) for v in panel.values)
        window = self.window or min(max(2 * h, 12), max(longest - h, 1))
        log = all(np.all(v > 0) for v in panel.values)
        X_train, y_train, age = self._windows(panel, window, h, log)
        if not self._fit_model(X_train, y_train, age, h, quantiles):
            warnings.warn(
                f"Too few windows to learn the intervals' conformal corrections "
                f"(fewer than {MIN_CALIBRATION} before and after each series' last "
                f"{2 * h - 1} steps): predict_interval gives {self._uncalibrated}. "
                "A shorter horizon or window, or longer series, leave enough.",
                UserWarning,
                stacklevel=3,
            )
        self.horizon_, self.window_, self.log_ = h, window, bool(log)
        self.quantiles_ = quantiles
        self.n_series_ = len(panel.ids)
        self.panel_ = _summary(panel, window, log)
        return self

    def _read(self, y, **columns):
        return read_panel(
            y,
            id_col=self.id_col,
            time_col=self.time_col,
            target_col=self.target_col,
            past=self.past_covariates or (),
            future=self.future_covariates or (),
            static=self.static_covariates or (),
            series=self._series,
            **columns,
        )

    def _read_forecastable(self, y, where):
        """y's panel, or a ValueError naming its series of fewer than 3
        values (``where`` says which y, in the message)."""
        panel = self._read(y)
        short = [k for k, v in zip(panel.ids, panel.values) if len(v) < 3]
        if short:
            raise ValueError(
                f"Series {short[:5]}{where} hold fewer than 3 values; a forecast "
                "needs at least 3."
            )
        return panel

    def _windows(self, panel, window, h, log):
        """Training windows of every series (the latest ``max_windows`` of
        each), scaled each by its own values, ordered oldest first, and each
        window's age (0 for the latest of its series)."""
        parts = []
        for i, values in enumerate(panel.values):
            if len(values) < window + h:
                continue
            z = np.log(values) if log else values
            X, y = make_windows(
                z,
                window=window,
                horizon=h,
                past_covariates=panel.past[i],
                future_covariates=panel.future[i],
            )
            X, y = X[-self.max_windows :], y.reshape(len(y), -1)[-self.max_windows :]
            X = X if X.ndim == 3 else X[:, :, None]
            X, mean, scale = _scaled(X, window)
            y = (y - mean) / scale
            X = _with_static(X, panel.static, i)
            age = np.arange(len(X))[::-1]  # windows from the series' end
            parts.append((X, y, age))
        if not parts:
            raise ValueError(
                f"No series holds window + horizon = {window} + {h} values, the "
                "length of one training window; set a shorter window or horizon."
            )
        X = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        age = np.concatenate([p[2] for p in parts])
        order = np.argsort(-age, kind="stable")
        return X[order].astype(np.float32), y[order], age[order]

    def predict(self, steps=None, X=None, y=None):
        """The median forecast of every fitted series (or of ``y``'s).

        Parameters
        ----------
        steps : int or None, default=None
            Number of steps, at most ``horizon_``; None means ``horizon_``.
        X : DataFrame or None, default=None
            With ``future_covariates``: their values over the steps forecast,
            in y's layout (id, time and the covariate columns).
        y : DataFrame, pandas Series, array-like or None, default=None
            Series to forecast instead of the fitted ones, in the layout and
            with the columns of the y of fit: new series, or the fitted ones
            with newer values; the model is not refitted.

        Returns
        -------
        forecast : DataFrame, pandas Series or ndarray
            In y's layout: a long frame (id, time, target column), a
            MultiIndex frame, or for one series a Series (with y's index) or
            an array.
        """
        return self._predict(steps, X, y, [0.5], [self._target_name()])

    def predict_interval(self, steps=None, X=None, coverage=0.9, y=None):
        """Intervals between two trained quantiles, each end moved by its
        conformal correction (``conformal_``) where the fit learned one.

        Parameters
        ----------
        steps : int or None, default=None
            As for :meth:`predict`.
        X : DataFrame or None, default=None
            As for :meth:`predict`.
        coverage : float, default=0.9
            Nominal share of future values inside: its quantiles
            ``(1 - coverage) / 2`` and ``(1 + coverage) / 2`` must be among
            ``quantiles_``.
        y : DataFrame, pandas Series, array-like or None, default=None
            As for :meth:`predict`.

        Returns
        -------
        intervals : DataFrame or ndarray
            Columns ``lower`` and ``upper`` in the layout of :meth:`predict`.
        """
        if not isinstance(coverage, Real) or not 0 < coverage < 1:
            raise ValueError(f"coverage must be a number in (0, 1), got {coverage!r}.")
        bounds = [(1 - coverage) / 2, (1 + coverage) / 2]
        return self._predict(steps, X, y, bounds, ["lower", "upper"])

    def _target_name(self):
        return self.panel_["names"].get("target") or self.target_col

    def _history(self, y):
        """What prediction reads of the series ``y`` (as ``panel_`` holds it
        of the fitted ones)."""
        if y is None:
            return self.panel_
        panel = self._read_forecastable(y, " of y")
        if self.log_ and any(np.any(v <= 0) for v in panel.values):
            raise ValueError(
                "The model was fitted on the logarithm of positive series; y "
                "holds values <= 0."
            )
        return _summary(panel, self.window_, self.log_)

    def _predict(self, steps, X, y, levels, columns):
        self._check_fitted()
        fitted = self._history(y)
        steps = self.horizon_ if steps is None else _positive_int(steps, "steps")
        if steps > self.horizon_:
            raise ValueError(
                f"steps={steps} is beyond the horizon of {self.horizon_} steps the "
                f"model forecasts at once; fit with horizon={steps}."
            )
        picks = []
        for level in levels:
            near = np.flatnonzero(np.isclose(self.quantiles_, level))
            if not len(near):
                raise ValueError(
                    f"The quantile {level:g} is not forecast; quantiles_ is "
                    f"{self.quantiles_.tolist()} (set quantiles to include it)."
                )
            picks.append(int(near[0]))
        inputs, scales = self._inputs(X, fitted)
        out = self._quantile_forecasts(inputs)  # (n, h, q)
        mean, scale = scales[:, 0, None, None], scales[:, 1, None, None]
        values = out[:, :steps, picks]
        if len(picks) == 2 and self.conformal_ is not None:  # an interval
            values = values + self.conformal_[picks, :steps].T[None]
            middle = values.mean(axis=2, keepdims=True)  # never crossed
            values = np.concatenate(
                [
                    np.minimum(values[..., :1], middle),
                    np.maximum(values[..., 1:], middle),
                ],
                axis=2,
            )
        values = values * scale + mean
        values = np.exp(values) if self.log_ else values
        return write_panel(_restored(fitted), list(values), columns)

    def _inputs(self, X, fitted):
        """Each series' last window (and its future covariates over the
        horizon), scaled as the training windows were, and the scale."""
        h, window = self.horizon_, self.window_
        future = self._future_values(X, fitted) if self.future_covariates else None
        rows = []
        for i, recent in enumerate(fitted["recent"]):
            recent = np.asarray(recent, dtype=np.float64)
            past = fitted["past"][i]
            parts = [recent[:, None]]
            if past is not None:
                parts.append(np.asarray(past, dtype=np.float64))
            block = np.concatenate(parts, axis=1)
            block = np.concatenate(
                [np.repeat(block[:1], window - len(block), 0), block]
            )
            if future is not None:
                ahead = np.zeros((h, block.shape[1]))
                seen = np.asarray(fitted["future"][i], dtype=np.float64)
                seen = np.concatenate(
                    [np.repeat(seen[:1], window - len(seen), 0), seen]
                )
                marker = np.r_[np.zeros(window), np.ones(h)][:, None]
                block = np.concatenate(
                    [np.concatenate([block, ahead]), np.r_[seen, future[i]], marker],
                    axis=1,
                )
            rows.append(block)
        X_pred, mean, scale = _scaled(np.stack(rows), window)
        X_pred = _with_static(X_pred, fitted["static"], None)
        return X_pred.astype(np.float32), np.column_stack([mean, scale])

    def _future_values(self, X, fitted):
        """The future covariates over the horizon, (h, Q) per fitted series
        in their order; a ValueError naming what is missing."""
        columns, h = list(self.future_covariates), self.horizon_
        if X is None:
            raise ValueError(
                f"This forecaster reads the future covariates {columns} over the "
                f"horizon: pass their values for the next {h} steps of every "
                "series as X, in y's layout."
            )
        frame = X.reset_index() if isinstance(X.index, pd.MultiIndex) else X
        if fitted["layout"] == "multiindex":
            ids, time_col = list(fitted["names"]["id"]), fitted["names"]["time"]
        else:
            ids, time_col = [self.id_col], self.time_col
        missing = [c for c in [*ids, time_col, *columns] if c not in frame.columns]
        if missing:
            raise ValueError(f"X lacks the columns {missing}.")
        keys = (
            frame[ids[0]]
            if len(ids) == 1
            else pd.Series(list(zip(*(frame[c] for c in ids))), index=frame.index)
        )
        out = []
        for key, described in zip(fitted["ids"], fitted["indexes"]):
            times = future_index(described, h)
            rows = frame[keys == key].set_index(time_col)[columns]
            rows = rows[~rows.index.duplicated()].reindex(times)
            values = rows.to_numpy(dtype=np.float64)
            absent = times[~np.isfinite(values).all(axis=1)]
            if len(absent):
                shown = ", ".join(str(t) for t in absent[:5])
                raise ValueError(
                    f"X lacks the future covariates {columns} of series {key!r} at "
                    f"{shown}{' and more' if len(absent) > 5 else ''}: the forecast "
                    f"reads them over the next {h} steps."
                )
            out.append(values)
        return out

    def _check_fitted(self):
        check_is_fitted(self, "model_")

    def _time_indexes(self):
        return [d for d in self.panel_["indexes"] if d is not None]

    def _check_fitted_state(self):
        """A ValueError for a saved panel whose parts do not fit together."""
        shifts = self.conformal_
        shape = (len(self.quantiles_), self.horizon_)
        if shifts is not None and np.shape(shifts) != shape:
            raise ValueError(
                f"its conformal_ has shape {np.shape(shifts)}, not {shape}"
            )
        fitted = self.panel_
        keys = {"ids", "indexes", "layout", "names", "recent", "past", "future"}
        if not isinstance(fitted, dict) or not keys <= set(fitted):
            raise ValueError("its panel_ lacks the fitted series")
        lengths = {
            len(fitted[k]) for k in ("ids", "indexes", "recent", "past", "future")
        }
        if lengths != {self.n_series_}:
            raise ValueError(f"its panel_ does not hold {self.n_series_} series")
        if fitted["layout"] not in ("long", "multiindex", "single"):
            raise ValueError(f"its panel_ has an unknown layout {fitted['layout']!r}")


def backtest_model(model, X, y, age, h):
    """A model like ``model`` fitted on the windows whose targets end before
    each series' last ``2h - 1`` steps, and the windows of the last h
    origins of each series (no target of which it trained on); None when
    fewer than MIN_CALIBRATION windows would train it or check it."""
    train, held = age >= 2 * h - 1, age < h
    if min(train.sum(), held.sum()) < MIN_CALIBRATION:
        return None
    return clone(model).fit(X[train], y[train]), X[held], y[held]


def _window_scale(series):
    """The mean and standard deviation of each row of windows (n, window)
    of series values, (n, 1) each; a constant window is scaled by its level
    (at least 1) instead."""
    mean = series.mean(axis=1, keepdims=True)
    scale = series.std(axis=1, keepdims=True)
    return mean, np.where(scale > EPS, scale, np.maximum(np.abs(mean), 1.0))


def _scaled(X, window):
    """Windows with their series values scaled by each window's own
    :func:`_window_scale` (the horizon's placeholder zeros stay zero), and
    that mean and scale, which the targets and forecasts share."""
    mean, scale = _window_scale(X[:, :window, 0])
    X = X.copy()
    X[:, :window, 0] = (X[:, :window, 0] - mean) / scale
    return X, mean, scale


def _with_static(X, static, i):
    """Static covariates as constant features of every step."""
    if static is None:
        return X
    values = static[i] if i is not None else static
    values = np.broadcast_to(
        values[None, None, :] if i is not None else values[:, None, :],
        (len(X), X.shape[1], static.shape[1]),
    )
    return np.concatenate([X, values], axis=2)


def _summary(panel, window, log):
    """What prediction needs of the fitted series, as plain data."""
    recent = []
    for values in panel.values:
        z = np.log(values) if log else values
        recent.append(z[-window:].copy())
    return {
        "ids": list(panel.ids),
        "indexes": list(panel.indexes),
        "layout": panel.layout,
        "names": dict(panel.names),
        "recent": recent,
        "past": [None if p is None else p[-window:].copy() for p in panel.past],
        "future": [None if f is None else f[-window:].copy() for f in panel.future],
        "static": panel.static,
    }


def _restored(fitted):
    return Panel(
        ids=fitted["ids"],
        values=[],
        indexes=fitted["indexes"],
        layout=fitted["layout"],
        names=fitted["names"],
    )
