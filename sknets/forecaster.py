"""MiniRocketForecaster: one series forecast by MiniRocket regressors on its
windows and by simple methods, chosen and pooled by a backtest in time order,
with conformal intervals."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions

from . import _baselines as baselines
from ._backtest import (
    backtest,
    calibration,
    conformal_width,
    fits,
    pool_members,
    pooled_mean,
    unchecked,
)
from ._constraints import POSITIVE_INT, Range
from ._forecast_base import BaseForecaster
from ._params import Attribute, Param
from ._time import calendar_season, find_season
from .modules._ridge import check_alphas
from .rocket import MiniRocketRegressor
from .windows import make_windows

__all__ = ["MiniRocketForecaster"]


REFERENCES = ("last", "mean", "none")


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


def _season(value):
    """Whether a saved value is a seasonal period."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


class MiniRocketForecaster(BaseForecaster):
    """Forecast one series with MiniRocket regressors on its windows and
    simple methods, chosen and pooled by a backtest in time order, with
    conformal intervals.

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
       steps from every origin in that last part; simple methods
       (``members``: the Theta method, Holt's damped trend, seasonal naive)
       are scored beside them, refitted on the history of every origin;
    5. the MiniRocket candidates whose backtest error is within
       ``pool_tolerance`` times the best of theirs make one forecast, their
       mean (each refitted on the whole series); the forecast is the mean of
       that and of the members within ``pool_tolerance`` times the best
       (forecast pooling: Kourentzes, Barrow and Petropoulos, 2019);
    6. the intervals are split-conformal: the quantiles of the pooled
       backtest's absolute errors at each lead time, or of every shorter
       lead's scaled as a random walk's grow, if wider.

    Overlapping windows of one series share their steps, so the head's own
    leave-one-out choice of its penalty would favour too little penalty: the
    backtest chooses it instead.

    Every series of 3 values or more gets a forecast: one too short for that
    backtest (fewer than 12 values before its last third) is forecast by
    simple members alone (the last value, the last season's mean, drift,
    seasonal naive, Holt's damped trend, Theta) chosen and pooled by the
    backtest its length allows, on its own scale (not the log), with
    intervals from their errors or, with fewer than 5, from its own step
    changes; ``fallback_`` names them.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

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

    _params = (
        Param(
            "horizon",
            None,
            [POSITIVE_INT, None],
            "int or None",
            """
            Number of steps the backtest forecasts, and the default number of
            steps of :meth:`predict`; None means one season (``sp_``), or with
            ``sp='auto'`` on a series without one, the season of its time step
            (12 for a monthly index; 1 without a time index). Longer forecasts
            work too, fed back block by block.""",
        ),
        Param(
            "sp",
            "auto",
            [POSITIVE_INT, StrOptions({"auto"})],
            "int or 'auto'",
            """
            Seasonal period: 12 for monthly data with a yearly season, 4 for
            quarterly, 7 for daily data with a weekly one, 1 for none. It sets
            the window (two seasons) and the block of one season. 'auto' finds
            it in the series' first differences (a trend does not show there),
            where the series holds three seasons: the season of y's time step
            (12 for a monthly index, 4 quarterly, 52 weekly, 7 daily, 5 for
            business days, 24 hourly) when the differences correlate at that
            lag, else the lag of the highest significant peak of their
            autocorrelation, else 1; ``sp_`` is what it found.""",
        ),
        Param(
            "references",
            REFERENCES,
            [list, tuple],
            "list of {'last', 'mean', 'none'}",
            """
            What each window is made relative to: its last value (a level that
            moves like a random walk), its mean (a level that moves slowly), or
            nothing (a stationary series).""",
        ),
        Param(
            "members",
            ("theta", "damped", "seasonal_naive"),
            [list, tuple],
            "list of str",
            """
            Simple forecasting methods backtested and pooled beside the
            MiniRocket candidates, each with the season (with ``sp='auto'``,
            also with the calendar's): among 'naive', 'mean', 'drift',
            'seasonal_naive', 'damped' (Holt's damped trend) and 'theta' (the
            standard Theta method), each fitted on the history it forecasts
            from. An empty list pools MiniRocket candidates only. A series too
            short for MiniRocket's backtest is forecast by every member its
            length allows.""",
        ),
        Param(
            "alphas",
            (0.1, 1.0, 10.0),
            ["array-like"],
            "list of float",
            """
            Ridge penalties of the head (relative to its features' total
            variance, as in :class:`MiniRocketRegressor`), each a candidate.""",
        ),
        Param(
            "pool_tolerance",
            1.25,
            [Range(Real, 1, None, closed="left")],
            "float",
            """
            Candidates whose mean absolute backtest error is at most this many
            times the best one's are pooled; 1 keeps the best one only.""",
        ),
        Param(
            "log",
            "auto",
            [StrOptions({"auto"}), "boolean"],
            "'auto' or bool",
            """
            Forecast the logarithm of the series: 'auto' does when every value is
            positive (multiplicative seasons and growth become additive) and the
            series is long enough for the MiniRocket backtest; a shorter one's
            drift, compounded on the log scale, runs away (``[1, 2, 3]``: 518
            twelve steps ahead).""",
        ),
        Param(
            "max_windows",
            1000,
            [POSITIVE_INT],
            "int",
            """
            Each regressor fits on at most this many of the latest windows, so the
            time of a fit levels off on long series: 75 s for 20,000 values and
            103 s for 200,000 on 2 CPU cores (hourly data, ``sp=24``,
            ``horizon=48``), against seconds for a few hundred.""",
        ),
        Param(
            "random_state",
            None,
            ["random_state"],
            "int, RandomState instance or None",
            "Seeds the regressors' random kernels.",
        ),
    )
    _attributes = (
        Attribute("horizon_", "int", "The horizon used."),
        Attribute(
            "sp_",
            "int",
            """
            The seasonal period of the windows: ``sp``, or the one
            ``sp='auto'`` found (the members may also have used the
            calendar's: ``pool_`` says).""",
        ),
        Attribute("log_", "bool", "Whether the series was forecast on the log scale."),
        Attribute(
            "scores_",
            "dict",
            """
            Mean absolute backtest error (on the scale forecast: the log scale
            when ``log_``) of every MiniRocket candidate ``(reference, block,
            alpha, sp)`` and every simple member ``(member, sp)``.""",
        ),
        Attribute(
            "pool_",
            "list of tuple",
            """
            The candidates pooled, ``(reference, block, alpha, sp)`` and
            ``(member, sp)``.""",
        ),
        Attribute(
            "fallback_",
            "list of str or None",
            """
            None when MiniRocket regressors forecast the series. On a series too
            short for their backtest (fewer than 12 values before the last third,
            or before ``horizon``), the simple members that forecast it instead,
            pooled the same way: among 'naive', 'mean' (of the last season),
            'drift', 'seasonal_naive', 'damped' (Holt's damped trend) and
            'theta', those the length allows, scored by the backtest it allows
            (``scores_``).""",
        ),
        Attribute(
            "models_",
            "list of MiniRocketRegressor",
            "The pooled MiniRocket candidates, refitted on the whole series.",
        ),
        Attribute("windows_", "list of int", "Each pooled model's window length."),
        Attribute(
            "backtest_errors_",
            "ndarray of shape (n_origins, n_leads)",
            """
            Errors of the pooled backtest forecast from each origin at each of the
            ``horizon_`` lead times (NaN where the series had ended), on the scale
            forecast: the conformal intervals are their quantiles.""",
        ),
        Attribute("n_values_", "int", "Length of the series seen at fit."),
        Attribute(
            "last_values_",
            "ndarray",
            """
            The series' last values (on the scale forecast), which the forecasts
            start from: all of them when a member is pooled.""",
        ),
        Attribute(
            "index_",
            "dict or None",
            """
            y's time index: its kind ('period', 'datetime' or 'integer'), last
            time and step, which the forecasts' index continues; None when y had
            none (an array, or a pandas index of labels).""",
        ),
    )

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
            Must be None: the forecaster reads no covariates
            (:class:`GRUForecaster` does).

        Returns
        -------
        self : MiniRocketForecaster
        """
        if X is not None:
            raise ValueError(
                "MiniRocketForecaster forecasts y from its own past and reads no "
                "covariates; X must be None. GRUForecaster takes past, future "
                "and static covariates."
            )
        references = self._checked_names("references", REFERENCES, empty=False)
        members = self._checked_names("members", baselines.MEMBERS, empty=True)
        alphas = list(dict.fromkeys(check_alphas(self.alphas, allow_none=False)))
        values, index = self._series(y)
        n = len(values)
        if n < 3:
            raise ValueError(
                f"y has {n} value{'s' * (n != 1)}; a forecast needs at least 3 "
                "(two to see a change, one to check it on)."
            )
        sp = self.sp if self.sp != "auto" else find_season(values, index)
        seasons = [sp]
        calendar = calendar_season(index)
        if self.sp == "auto" and calendar and calendar != sp and 3 * calendar <= n:
            seasons.append(calendar)  # the members try the calendar's too
        h = self.horizon
        if h is None:  # one season; one of the calendar's without a season
            h = max(sp, calendar or 1) if self.sp == "auto" else sp
        learned = fits(n, h)  # long enough for the MiniRocket backtest
        if learned and h > calibration(n, h):
            warnings.warn(unchecked(h, calibration(n, h), n), UserWarning, stacklevel=3)
        log = values.min() > 0 and learned if self.log == "auto" else bool(self.log)
        if log and values.min() <= 0:
            raise ValueError(
                "log=True needs a positive series; y has values <= 0. Use "
                "log='auto' or log=False."
            )
        z = np.log(values) if log else values
        self.horizon_, self.log_, self.n_values_, self.index_ = h, bool(log), n, index
        if not learned:
            return self._fit_simple(z, h, seasons)
        seed = self.random_state
        if not isinstance(seed, Integral):
            seed = check_random_state(seed).randint(np.iinfo(np.int32).max)

        def forecast(candidate, past, history):
            if len(candidate) == 2:  # a simple member, fitted on each history
                return baselines.forecast(candidate[0], history, h, candidate[1])
            reference, block, alpha, sp = candidate
            model, window = _fit_window_model(
                past, reference, block, alpha, sp, seed, self.max_windows
            )
            return _roll(model, window, reference, history, h)

        start = n - calibration(n, h)
        candidates = [
            (reference, block, alpha, sp)
            for reference in references
            for block in _blocks(start, sp, h)
            for alpha in alphas
        ] + baselines.candidates(members, seasons, start)
        scores, errors = backtest(z, h, candidates, forecast)
        pooled = pool_members(scores, errors, self.pool_tolerance)
        fitted = [
            _fit_window_model(z, c[0], c[1], c[2], c[3], seed, self.max_windows)
            for c in pooled
            if len(c) == 4
        ]
        self.sp_ = sp
        self.scores_ = scores
        self.pool_ = pooled
        self.fallback_ = None
        self.models_ = [model for model, _ in fitted]
        self.windows_ = [window for _, window in fitted]
        self.backtest_errors_ = pooled_mean(errors, pooled)
        self.last_values_ = (
            z.copy() if len(fitted) < len(pooled) else z[-max(self.windows_) :].copy()
        )
        return self

    def _fit_simple(self, z, h, seasons):
        """A series too short for the MiniRocket backtest: the simple members
        (:mod:`sknets._baselines`) that its length allows, scored by the
        backtest it allows and pooled; intervals from their backtest errors
        or, with fewer than 5 of them, from the series' own step changes (a
        random walk's errors, growing with the square root of the lead)."""
        start = len(z) - calibration(len(z), h)
        candidates = baselines.candidates(baselines.MEMBERS, seasons, start)

        def forecast(candidate, past, history):
            member, sp = candidate
            return baselines.forecast(member, history, h, sp)

        scores, errors = backtest(z, h, candidates, forecast)
        pooled = pool_members(scores, errors, self.pool_tolerance)
        pooled_errors = pooled_mean(errors, pooled)
        if np.isfinite(pooled_errors).sum() < 5:
            pooled_errors = np.full((len(z) - 1, h), np.nan)
            pooled_errors[:, 0] = np.diff(z)
        self.sp_ = seasons[0]
        self.scores_ = scores
        self.pool_ = pooled
        self.fallback_ = [member for member, _ in pooled]
        self.models_, self.windows_ = [], []
        self.backtest_errors_ = pooled_errors
        self.last_values_ = z.copy()
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
        forecast = self._forecast(self._steps(steps))
        return self._indexed(np.exp(forecast) if self.log_ else forecast)

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
        width = conformal_width(self.backtest_errors_, steps, float(coverage))
        bounds = np.column_stack([forecast - width, forecast + width])
        bounds = np.exp(bounds) if self.log_ else bounds
        return self._indexed(bounds, columns=["lower", "upper"])

    def _forecast(self, steps):
        history, forecasts = self.last_values_[None, :], []
        models = iter(zip(self.models_, self.windows_))
        for candidate in self.pool_:
            if len(candidate) == 2:
                member, sp = candidate
                forecasts.append(baselines.forecast(member, history, steps, sp)[0])
            else:
                model, window = next(models)
                forecasts.append(_roll(model, window, candidate[0], history, steps)[0])
        return pooled_mean(dict(zip(self.pool_, forecasts)), self.pool_)

    def _checked_leads(self):
        """Lead times the backtest reached from at least one origin (None,
        no warning, for a series forecast by simple members: too short to
        check more, which ``fallback_`` says)."""
        if self.fallback_:
            return None
        return int(np.isfinite(self.backtest_errors_).any(axis=0).sum())

    def _checked_names(self, name, allowed, empty):
        """The distinct names of parameter ``name``, all among ``allowed``
        (at least one unless ``empty``), or a ValueError listing them."""
        names = list(getattr(self, name))
        if (not names and not empty) or any(
            not isinstance(n, str) or n not in allowed for n in names
        ):
            raise ValueError(
                f"{name} must be a{'' if empty else ' non-empty'} list of "
                f"{', '.join(map(repr, allowed))}; got {getattr(self, name)!r}."
            )
        return list(dict.fromkeys(names))

    def _upgraded(self, fitted):
        """A forecaster saved before ``sp='auto'`` and short-series members:
        its season was ``sp``, its candidates had none, no member forecast."""
        if "sp_" not in fitted and isinstance(self.sp, Integral):
            fitted["sp_"] = self.sp
            fitted.setdefault("fallback_", None)
            fitted["pool_"] = [(*c, self.sp) for c in fitted.get("pool_", [])]
            scores = fitted.get("scores_", {})
            fitted["scores_"] = {(*c, self.sp): s for c, s in scores.items()}
        return fitted

    def _check_fitted_state(self):
        """A ValueError for a pooled candidate with an unknown reference, or
        not as many models, windows and candidates."""
        pooled = [tuple(c) for c in self.pool_]
        if self.fallback_ is not None:
            odd = [
                c
                for c in pooled
                if len(c) != 2 or c[0] not in baselines.MEMBERS or not _season(c[1])
            ]
            if odd or [c[0] for c in pooled] != list(self.fallback_):
                raise ValueError(f"its pool names unknown members: {odd or pooled}")
            return
        odd = [
            c
            for c in pooled
            if not _season(c[-1])
            or not (len(c) == 4 and c[0] in REFERENCES)
            and not (len(c) == 2 and c[0] in baselines.MEMBERS)
        ]
        if odd or not pooled:
            raise ValueError(f"its pool names unknown candidates: {odd or pooled}")
        learned = sum(len(c) == 4 for c in pooled)
        if not len(self.models_) == len(self.windows_) == learned:
            raise ValueError(
                f"it holds {len(self.models_)} models and {len(self.windows_)} "
                f"windows for {learned} pooled MiniRocket candidates"
            )
        errors = np.asarray(self.backtest_errors_)
        if errors.ndim != 2 or errors.shape[1] != self.horizon_:
            raise ValueError(
                f"its backtest errors have shape {errors.shape}, not (origins, "
                f"{self.horizon_})"
            )
