"""sknets' forecasters as sktime forecasters (needs sktime).

:class:`MiniRocketSktimeForecaster` is :class:`sknets.MiniRocketForecaster`
behind sktime's interface: ``fit(y, X=None, fh=...)``, ``predict(fh)``,
``predict_interval(fh, coverage=[...])`` and ``predict_quantiles(fh,
alpha=[...])`` with sktime's data containers, ``update``, and everything
sktime builds on them (``evaluate``, ``ForecastingGridSearchCV``,
pipelines, reduction to panels by broadcasting).

The mapping from sknets' own interface:

===================================  ========================================
sknets                               sktime
===================================  ========================================
``MiniRocketForecaster(horizon=h)``  ``fit(y, fh=[1, ..., h])``
``predict(steps)``                   ``predict(fh)``: any steps up to the
                                     fitted horizon's, in any order
``predict_interval(coverage=c)``     ``predict_interval(coverage=[c, ...])``
                                     (sktime's column MultiIndex)
(quantiles of the intervals)         ``predict_quantiles(alpha=[...])``
``fallback_``, ``sp_``, ``pool_``    ``forecaster_.fallback_``, ...
===================================  ========================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster

from .forecaster import MiniRocketForecaster

__all__ = ["MiniRocketSktimeForecaster"]

# indexes whose time step names a calendar season (sp='auto' reads it); a
# forecaster fitted on another index reads the values only
CALENDAR = (pd.PeriodIndex, pd.DatetimeIndex)


class MiniRocketSktimeForecaster(BaseForecaster):
    """:class:`sknets.MiniRocketForecaster` as a sktime forecaster.

    Its parameters are MiniRocketForecaster's but the horizon, which sktime's
    ``fh`` gives at fit (the forecaster needs it then, as its backtest checks
    the lead times it will forecast); the fitted sknets forecaster is
    ``forecaster_``. A ``PeriodIndex`` or ``DatetimeIndex`` of y is read as
    MiniRocketForecaster reads it (``sp='auto'`` then knows the calendar's
    season, and gaps or repeated times are refused); another index is read
    as the order of the values.

    Parameters
    ----------
    sp : int or 'auto', default='auto'
        Seasonal period (see MiniRocketForecaster).
    references : tuple of str, default=('last', 'mean', 'none')
        What each window is made relative to.
    members : tuple of str, default=('theta', 'damped', 'seasonal_naive')
        Simple forecasting methods backtested and pooled beside the
        MiniRocket candidates.
    alphas : tuple of float, default=(0.1, 1.0, 10.0)
        Ridge penalties, each a candidate.
    pool_tolerance : float, default=1.25
        Candidates within this ratio of the best backtest error are pooled.
    log : 'auto' or bool, default='auto'
        Forecast the logarithm of a positive series.
    max_windows : int, default=1000
        Latest windows each regressor fits on.
    random_state : int or None, default=None
        Seeds the random kernels.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sknets.sktime import MiniRocketSktimeForecaster
    >>> y = load_airline()
    >>> f = MiniRocketSktimeForecaster(random_state=0).fit(y, fh=[1, 2, 3])
    >>> f.predict().index[0]
    Period('1961-01', 'M')
    """

    _tags = {
        "authors": "sknets developers",
        "y_inner_mtype": "pd.Series",
        "X_inner_mtype": "pd.DataFrame",
        "capability:exogenous": False,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "requires-fh-in-fit": True,
        "capability:random_state": True,
        "python_dependencies": "torch",
    }

    def __init__(
        self,
        sp="auto",
        references=("last", "mean", "none"),
        members=("theta", "damped", "seasonal_naive"),
        alphas=(0.1, 1.0, 10.0),
        pool_tolerance=1.25,
        log="auto",
        max_windows=1000,
        random_state=None,
    ):
        self.sp = sp
        self.references = references
        self.members = members
        self.alphas = alphas
        self.pool_tolerance = pool_tolerance
        self.log = log
        self.max_windows = max_windows
        self.random_state = random_state
        super().__init__()

    def _fit(self, y, X, fh):
        steps = self._steps(fh)
        self.forecaster_ = MiniRocketForecaster(
            horizon=int(steps.max()),
            sp=self.sp,
            references=self.references,
            members=self.members,
            alphas=self.alphas,
            pool_tolerance=self.pool_tolerance,
            log=self.log,
            max_windows=self.max_windows,
            random_state=self.random_state,
        ).fit(y if isinstance(y.index, CALENDAR) else y.to_numpy())
        return self

    def _steps(self, fh):
        """The relative steps of ``fh`` (1 is the first after the cutoff)."""
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=np.int64)
        if steps.min() < 1:
            raise ValueError(
                f"fh holds in-sample steps {steps[steps < 1].tolist()}; "
                "MiniRocketSktimeForecaster forecasts the steps after y only."
            )
        return steps

    def _predict(self, fh, X):
        steps = self._steps(fh)
        forecast = np.asarray(self.forecaster_.predict(int(steps.max())))
        index = fh.to_absolute_index(self.cutoff)
        return pd.Series(forecast[steps - 1], index=index, name=self._y.name)

    def _predict_interval(self, fh, X, coverage):
        steps = self._steps(fh)
        values = []
        for c in coverage:
            bounds = np.asarray(
                self.forecaster_.predict_interval(int(steps.max()), coverage=c)
            )[steps - 1]
            values += [bounds[:, 0], bounds[:, 1]]
        columns = self._get_columns(method="predict_interval", coverage=coverage)
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(np.column_stack(values), index=index, columns=columns)

    def _predict_quantiles(self, fh, X, alpha):
        steps = self._steps(fh)
        point = np.asarray(self.forecaster_.predict(int(steps.max())))[steps - 1]
        values = []
        for a in alpha:
            if np.isclose(a, 0.5):
                values.append(point)
                continue
            coverage = abs(1 - 2 * a)
            bounds = np.asarray(
                self.forecaster_.predict_interval(int(steps.max()), coverage=coverage)
            )[steps - 1]
            values.append(bounds[:, 0] if a < 0.5 else bounds[:, 1])
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(np.column_stack(values), index=index, columns=columns)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Quick settings for sktime's estimator checks."""
        return [
            {"references": ("last",), "alphas": (1.0,), "random_state": 0},
            {"sp": 1, "references": ("mean",), "alphas": (10.0,), "log": False},
        ]
