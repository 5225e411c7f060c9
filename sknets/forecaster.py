"""MiniRocketForecaster: one series forecast by MiniRocket regressors on its
windows, chosen and pooled by a backtest in time order, with conformal
intervals."""

from __future__ import annotations

import itertools
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._constraints import POSITIVE_INT, Range
from ._registry import register
from ._time import future_index, read_index
from .forecasting import _numbers, _positive_int, make_windows
from .modules.rocket import check_alphas
from .rocket import MiniRocketRegressor

__all__ = ["MiniRocketForecaster"]


REFERENCES = ("last", "mean", "none")
# the least number of values the backtest's model is fitted on
MIN_FIT_VALUES = 12
# the least number of backtest origins on a long series: a conformal 95 %
# interval needs 19 errors (the largest of m covers m / (m + 1) of new ones)
MIN_ORIGINS = 20


def _full_window(sp):
    """Two seasons, and at least 12 steps."""
    return max(2 * sp, 12)


def _window(n, sp, block):
    """Window length: :func:`_full_window`, shortened until a series of n
    values gives at least twice as many windows as steps in a window."""
    window = _full_window(sp)
    while n - window - block + 1 < 2 * window and window > 4:
        window -= 1
    return window


def _blocks(n, sp, horizon):
    """Candidate blocks: one season (one step without seasons) and the whole
    horizon, each halved while a series of n values gives too few windows."""
    candidates, window = set(), _full_window(sp)
    for block in (sp, horizon):
        while block > 1 and n - window - block + 1 < 2 * window:
            block //= 2
        candidates.add(block)
    return sorted(candidates)


def _calibration(n, horizon):
    """Steps at the end of the series that the backtest forecasts from: the
    horizon, and at least MIN_ORIGINS, but no more than a third of the
    series."""
    return max(min(max(horizon, MIN_ORIGINS), n // 3), 1)


def _fits(n, horizon):
    """Whether a series of n values leaves enough to fit the backtest's model."""
    return n - _calibration(n, horizon) >= MIN_FIT_VALUES


def _reference(windows, reference):
    """What each window (row) is made relative to."""
    if reference == "last":
        return windows[:, -1:]
    if reference == "mean":
        return windows.mean(axis=1, keepdims=True)
    return np.zeros((len(windows), 1))


def _fit_window_model(z, reference, block, alpha, sp, seed, max_windows):
    """A MiniRocketRegressor fitted on z's latest windows, made relative to
    their reference, to predict the next ``block`` values; and its window."""
    window = _window(len(z), sp, block)
    X, y = make_windows(z, window=window, horizon=block)
    X, y = X[-max_windows:], y.reshape(len(y), -1)[-max_windows:]
    ref = _reference(X, reference)
    model = MiniRocketRegressor(alphas=alpha, random_state=seed)
    return model.fit(X - ref, y - ref), window


def _roll(model, window, reference, history, steps):
    """Forecasts (m, steps) from each row of history (m, >= window), block
    by block, each block fed back as the newest values."""
    recent, out, made = history[:, -window:], [], 0
    while made < steps:
        windows = recent[:, -window:]
        ref = _reference(windows, reference)
        block = model.predict(windows - ref).reshape(len(windows), -1) + ref
        out.append(block)
        recent = np.concatenate([recent, block], axis=1)
        made += block.shape[1]
    return np.concatenate(out, axis=1)[:, :steps]


def _conformal_width(errors, steps, coverage):
    """Half-width of the interval at each lead time: the split-conformal
    quantile (:func:`_conformal_quantile`) of the absolute backtest errors at
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
        width[k - 1] = _conformal_quantile(own, coverage)
    return width


def _conformal_quantile(scores, coverage):
    """The split-conformal quantile of m calibration scores: the
    ``ceil((m + 1) * coverage)``-th smallest, which a new exchangeable score
    exceeds with probability at most ``1 - coverage`` (Lei et al., 2018);
    the largest when that rank passes m (it then covers m / (m + 1)).
    ``np.quantile(scores, rank / m, method='higher')`` would pick the next
    one up (its position is ``q * (m - 1)``): one rank too wide."""
    scores = np.sort(scores)
    rank = int(np.ceil((len(scores) + 1) * coverage - 1e-9))
    return scores[min(rank, len(scores)) - 1]


def _unchecked(steps, checked, n):
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


@register
class MiniRocketForecaster(BaseEstimator):
    """Forecast one series with MiniRocket regressors on its windows, chosen
    and pooled by a backtest in time order, with conformal intervals.

    The recipe of the forecasting benchmark (``benchmarks/forecasting.py``),
    measured against seasonal naive and sktime's ``AutoETS``:

    1. on the log scale when every value is positive (``log='auto'``);
    2. windows of two seasons (at least 12 steps, fewer on a short series),
       each made relative to a reference of its own: its last value, its
       mean, or none (``references``);
    3. a :class:`MiniRocketRegressor` forecasts a block of steps (one season,
       or the whole ``horizon`` at once) and is fed its own forecasts for
       longer horizons;
    4. every reference, block and ridge penalty (``alphas``) is a candidate,
       scored by a backtest in time order: fitted on all but the last
       ``min(max(horizon, 20), n // 3)`` values, it forecasts ``horizon``
       steps from every origin in that last part;
    5. the forecast is the mean of the candidates whose backtest error is
       within ``pool_tolerance`` times the best one's (forecast pooling:
       Kourentzes, Barrow and Petropoulos, 2019), each refitted on the whole
       series;
    6. the intervals are split-conformal: the quantiles of the pooled
       backtest's absolute errors at each lead time.

    Overlapping windows of one series share their steps, so the head's own
    leave-one-out choice of its penalty would favour too little penalty: the
    backtest chooses it instead.

    Parameters
    ----------
    horizon : int or None, default=None
        Number of steps the backtest forecasts, and the default number of
        steps of :meth:`predict`; None means one season (``sp``). Longer
        forecasts work too, fed back block by block.
    sp : int, default=1
        Seasonal period: 12 for monthly data with a yearly season, 4 for
        quarterly, 7 for daily data with a weekly one, 1 for none. It is not
        guessed from the data: give it when the series has a season. It sets
        the window (two seasons) and the block of one season, so with 1 on a
        seasonal series the forecasts see at most 12 steps back.
    references : list of {'last', 'mean', 'none'}, default=('last', 'mean', \
            'none')
        What each window is made relative to: its last value (a level that
        moves like a random walk), its mean (a level that moves slowly), or
        nothing (a stationary series).
    alphas : list of float, default=(0.1, 1.0, 10.0)
        Ridge penalties of the head (relative to its features' total
        variance, as in :class:`MiniRocketRegressor`), each a candidate.
    pool_tolerance : float, default=1.25
        Candidates whose mean absolute backtest error is at most this many
        times the best one's are pooled; 1 keeps the best one only.
    log : 'auto' or bool, default='auto'
        Forecast the logarithm of the series: 'auto' does when every value is
        positive (multiplicative seasons and growth become additive).
    max_windows : int, default=1000
        Each regressor fits on at most this many of the latest windows, so the
        time of a fit levels off on long series: 75 s for 20,000 values and
        103 s for 200,000 on 2 CPU cores (hourly data, ``sp=24``,
        ``horizon=48``), against seconds for a few hundred.
    random_state : int, RandomState instance or None, default=None
        Seeds the regressors' random kernels.

    Attributes
    ----------
    horizon_ : int
        The horizon used.
    log_ : bool
        Whether the series was forecast on the log scale.
    scores_ : dict
        Mean absolute backtest error (on the scale forecast: the log scale
        when ``log_``) of every candidate ``(reference, block, alpha)``.
    pool_ : list of tuple
        The candidates pooled, ``(reference, block, alpha)``.
    models_ : list of MiniRocketRegressor
        The pooled candidates, refitted on the whole series.
    windows_ : list of int
        Each pooled model's window length.
    backtest_errors_ : ndarray of shape (n_origins, n_leads)
        Errors of the pooled backtest forecast from each origin at each of the
        ``horizon_`` lead times (NaN where the series had ended), on the scale
        forecast: the conformal intervals are their quantiles.
    n_values_ : int
        Length of the series seen at fit.
    index_ : dict or None
        y's time index: its kind ('period', 'datetime' or 'integer'), last
        time and step, which the forecasts' index continues; None when y had
        none (an array, or a pandas index of labels).
    last_values_ : ndarray
        The series' last values (on the scale forecast), which the forecasts
        start from.

    See Also
    --------
    make_windows : The windows, for a forecaster of your own.
    MiniRocketRegressor : The regressor of each candidate.

    Notes
    -----
    On airline, lynx, shampoo sales and US consumption (the forecasting
    benchmark) its mean MASE is below seasonal naive's and AutoETS's. Its
    intervals assume that the held-out future errs as the backtest did:
    they are too narrow when the series leaves the range it had, and wide
    when the model fitted on the whole series forecasts better than the
    backtest's model, fitted on less. The longer the horizon against the
    series, the shorter the part the backtest's model fits and the fewer
    origins reach the far lead times: keep the horizon well under a third
    of the series.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import MiniRocketForecaster
    >>> t = np.arange(60)
    >>> y = 10 + np.sin(2 * np.pi * t / 12) + 0.01 * t
    >>> f = MiniRocketForecaster(horizon=12, sp=12, random_state=0).fit(y)
    >>> f.predict().shape
    (12,)
    >>> f.predict_interval(coverage=0.8).shape  # lower, upper
    (12, 2)
    """

    # what sknets.load may set: the fitted attributes above
    _FITTED = (
        "horizon_", "log_", "scores_", "pool_", "models_", "windows_",
        "backtest_errors_", "n_values_", "last_values_", "index_",
    )  # fmt: skip

    _parameter_constraints: dict = {
        "horizon": [POSITIVE_INT, None],
        "sp": [POSITIVE_INT],
        "references": [list, tuple],
        "alphas": ["array-like"],
        "pool_tolerance": [Range(Real, 1, None, closed="left")],
        "log": [StrOptions({"auto"}), "boolean"],
        "max_windows": [POSITIVE_INT],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        horizon=None,
        sp=1,
        *,
        references=REFERENCES,
        alphas=(0.1, 1.0, 10.0),
        pool_tolerance=1.25,
        log="auto",
        max_windows=1000,
        random_state=None,
    ):
        self.horizon = horizon
        self.sp = sp
        self.references = references
        self.alphas = alphas
        self.pool_tolerance = pool_tolerance
        self.log = log
        self.max_windows = max_windows
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, X=None):
        """Fit the candidates, backtest them and refit the pooled ones.

        Parameters
        ----------
        y : array-like of shape (n_values,) or pandas Series
            The series, oldest value first, at regular time steps. A pandas
            index of times (``DatetimeIndex``, ``PeriodIndex``) or integers
            must run forward at one step, without gaps or repeated times;
            the forecasts continue it.
        X : None
            Ignored; there for the scikit-learn convention.

        Returns
        -------
        self : MiniRocketForecaster
        """
        references = self._checked_references()
        alphas = list(dict.fromkeys(check_alphas(self.alphas, allow_none=False)))
        values = self._series(y)
        index = read_index(y)
        h = self.horizon if self.horizon is not None else self.sp
        n = len(values)
        need = next(m for m in itertools.count(1) if _fits(m, h))
        if n < need:
            raise ValueError(
                f"y has {n} values, too few for horizon={h}: the backtest "
                f"forecasts the last {_calibration(need, h)} and fits on at least "
                f"{MIN_FIT_VALUES} before them, so y needs at least {need} values."
            )
        if h > _calibration(n, h):
            warnings.warn(
                _unchecked(h, _calibration(n, h), n), UserWarning, stacklevel=2
            )
        log = values.min() > 0 if self.log == "auto" else bool(self.log)
        if log and values.min() <= 0:
            raise ValueError(
                "log=True needs a positive series; y has values <= 0. Use "
                "log='auto' or log=False."
            )
        z = np.log(values) if log else values
        seed = self.random_state
        if not isinstance(seed, Integral):
            seed = check_random_state(seed).randint(np.iinfo(np.int32).max)
        start = n - _calibration(n, h)
        origins = np.arange(start, n)
        history = np.stack([z[o - start : o] for o in origins])
        # actual[i, k]: the value k + 1 steps after origin i (NaN past the end)
        padded = np.concatenate([z, np.full(h, np.nan)])
        actual = padded[origins[:, None] + np.arange(h)]
        scores, errors = {}, {}
        for reference in references:
            for block in _blocks(start, self.sp, h):
                for alpha in alphas:
                    model, window = _fit_window_model(
                        z[:start], reference, block, alpha, self.sp, seed,
                        self.max_windows,
                    )  # fmt: skip
                    error = actual - _roll(model, window, reference, history, h)
                    candidate = (reference, block, alpha)
                    scores[candidate] = float(np.nanmean(np.abs(error)))
                    errors[candidate] = error
        best = min(scores.values())
        pool = [c for c, s in scores.items() if s <= self.pool_tolerance * best]
        fitted = [
            _fit_window_model(z, r, b, a, self.sp, seed, self.max_windows)
            for r, b, a in pool
        ]
        self.horizon_ = h
        self.log_ = bool(log)
        self.scores_ = scores
        self.pool_ = pool
        self.models_ = [model for model, _ in fitted]
        self.windows_ = [window for _, window in fitted]
        self.backtest_errors_ = np.mean([errors[c] for c in pool], axis=0)
        self.n_values_ = n
        self.last_values_ = z[-max(self.windows_) :].copy()
        self.index_ = index
        return self

    def predict(self, steps=None):
        """Forecast the steps after the series.

        Parameters
        ----------
        steps : int or None, default=None
            Number of steps; None means ``horizon_``.

        Returns
        -------
        forecast : ndarray of shape (steps,), or pandas Series
            A pandas Series indexed by the times after y's when y was a pandas
            Series (or one column) indexed by times or integers.
        """
        steps = self._steps(steps)
        forecast = self._forecast(steps)
        forecast = np.exp(forecast) if self.log_ else forecast
        if self.index_ is None:
            return forecast
        return pd.Series(
            forecast, index=future_index(self.index_, steps), name=self.index_["name"]
        )

    def predict_interval(self, steps=None, coverage=0.9):
        """Split-conformal prediction intervals around :meth:`predict`.

        Parameters
        ----------
        steps : int or None, default=None
            Number of steps; None means ``horizon_``.
        coverage : float, default=0.9
            Nominal share of future values inside the interval, in (0, 1).

        Returns
        -------
        intervals : ndarray of shape (steps, 2), or pandas DataFrame
            Lower and upper bounds of each step; a DataFrame with columns
            'lower' and 'upper' indexed like :meth:`predict`'s Series when y
            had a time index.
        """
        steps = self._steps(steps)
        if not isinstance(coverage, Real) or not 0 < coverage < 1:
            raise ValueError(f"coverage must be a number in (0, 1), got {coverage!r}.")
        forecast = self._forecast(steps)
        width = _conformal_width(self.backtest_errors_, steps, float(coverage))
        bounds = np.column_stack([forecast - width, forecast + width])
        bounds = np.exp(bounds) if self.log_ else bounds
        if self.index_ is None:
            return bounds
        index = future_index(self.index_, steps)
        return pd.DataFrame(bounds, index=index, columns=["lower", "upper"])

    def _forecast(self, steps):
        history = self.last_values_[None, :]
        return np.mean(
            [
                _roll(model, window, reference, history, steps)[0]
                for model, window, (reference, _, _) in zip(
                    self.models_, self.windows_, self.pool_
                )
            ],
            axis=0,
        )

    def _steps(self, steps):
        check_is_fitted(self, "models_")
        steps = self.horizon_ if steps is None else _positive_int(steps, "steps")
        checked = int(np.isfinite(self.backtest_errors_).any(axis=0).sum())
        if steps > checked:
            warnings.warn(
                _unchecked(steps, checked, self.n_values_), UserWarning, stacklevel=3
            )
        return steps

    def _checked_references(self):
        references = list(self.references)
        if not references or any(
            not isinstance(r, str) or r not in REFERENCES for r in references
        ):
            raise ValueError(
                "references must be a non-empty list of 'last', 'mean' and "
                f"'none'; got {self.references!r}."
            )
        return list(dict.fromkeys(references))

    @staticmethod
    def _series(y):
        if y is None:
            raise ValueError("y is None; give the series to forecast.")
        values, _ = _numbers(y, "y")
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(
                "MiniRocketForecaster forecasts one series: y must be 1D (or one "
                f"column), got shape {values.shape}; fit one forecaster per column."
            )
        return values.astype(np.float64)  # a copy: the caller's data is not touched

    def __sknets_getstate__(self):
        """What ``sknets.save`` writes: the fitted attributes, the pooled
        regressors among them."""
        check_is_fitted(self, "models_")
        fitted = {k: v for k, v in vars(self).items() if k.endswith("_")}
        return {"fitted": fitted, "history": [], "weights": {}}

    def __sknets_setstate__(self, state):
        """A fitted forecaster from what ``__sknets_getstate__`` gave."""
        for key, value in state["fitted"].items():
            if key not in self._FITTED:
                raise ValueError(
                    f"The model file sets {key!r}, which is not a fitted attribute "
                    "of MiniRocketForecaster; it is refused."
                )
            setattr(self, key, value)
        self._check_fitted_state(state["fitted"])
        return self

    def _check_fitted_state(self, fitted):
        """A ValueError for fitted attributes of the right types that do not
        fit together: one missing, a pooled candidate with an unknown
        reference, or as many models, windows and candidates."""
        missing = [name for name in self._FITTED if name not in fitted]
        if missing:
            raise ValueError(f"its fitted attributes {', '.join(missing)} are missing")
        pool = [tuple(c) for c in self.pool_]
        odd = [c for c in pool if len(c) != 3 or c[0] not in REFERENCES]
        if odd or not pool:
            raise ValueError(f"its pool names unknown candidates: {odd or pool}")
        if not len(self.models_) == len(self.windows_) == len(pool):
            raise ValueError(
                f"it holds {len(self.models_)} models and {len(self.windows_)} "
                f"windows for {len(pool)} pooled candidates"
            )
        if self.index_ is not None:
            try:
                future_index(self.index_, 1)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"its time index {self.index_!r} is not one") from exc
        errors = np.asarray(self.backtest_errors_)
        if errors.ndim != 2 or errors.shape[1] != self.horizon_:
            raise ValueError(
                f"its backtest errors have shape {errors.shape}, not (origins, "
                f"{self.horizon_})"
            )
