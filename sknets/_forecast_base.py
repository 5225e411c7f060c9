"""What every sknets forecaster shares: its hyperparameters declared with
:class:`~sknets._params.Param` (the generated ``__init__``, constraints and
docstring, as the estimators have), the time index of the series it fits
(read at fit, continued in the index of the forecasts), the number of steps
of a forecast, and the save protocol of its fitted attributes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._backtest import unchecked
from ._params import make_init, render_doc
from ._registry import register
from ._time import future_index, read_index
from .persistence import restore_fitted
from .windows import _numbers, _positive_int

__all__ = ["BaseForecaster"]


class BaseForecaster(BaseEstimator):
    """Base class of sknets' forecasters.

    A subclass declares ``_params`` (its hyperparameters) and
    ``_attributes`` (its fitted attributes: what ``sknets.save`` writes and
    ``sknets.load`` accepts), and its docstring holds ``{parameters}`` and
    ``{attributes}``; ``fit`` reads the series with :meth:`_series` and a
    forecast goes out through :meth:`_indexed`. :meth:`_check_fitted_state`
    is where a subclass refuses fitted values that do not fit together.
    """

    _params: tuple = ()
    _attributes: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__init__ = make_init(cls._params)
        cls.__init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls._parameter_constraints = {p.name: p.constraints for p in cls._params}
        cls.__doc__ = render_doc(cls.__doc__, cls._params, cls._attributes)
        register(cls)

    @classmethod
    def _fitted_names(cls):
        return [n for a in cls._attributes for n in a.name.split(", ")]

    def _series(self, y):
        """y as a float64 1D array (a copy: the caller's data is not
        touched), and the description of its time index (for ``index_``)."""
        if y is None:
            raise ValueError("y is None; give the series to forecast.")
        y = _after_leading_missing(y)
        values, _ = _numbers(y, "y")
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(
                f"{type(self).__name__} forecasts one series: y must be 1D (or one "
                f"column), got shape {values.shape}; fit one forecaster per column."
            )
        return values.astype(np.float64), read_index(y)

    def _checked_leads(self):
        """How many lead times the fit's backtest checked on the series of
        ``n_values_`` values; None when the forecaster has no backtest."""
        return None

    def _steps(self, steps):
        """The number of steps of a forecast (``horizon_`` for None); a
        warning when it passes the lead times the fit checked."""
        check_is_fitted(self, self._fitted_names()[0])
        steps = self.horizon_ if steps is None else _positive_int(steps, "steps")
        checked = self._checked_leads()
        if checked is not None and steps > checked:
            message = unchecked(steps, checked, self.n_values_)
            warnings.warn(message, UserWarning, stacklevel=3)
        return steps

    def _indexed(self, values, columns=None):
        """A forecast (steps,) or bounds (steps, k) as they go out: indexed
        by the times after y's when y had a time index, else as arrays."""
        if self.index_ is None:
            return values
        index = future_index(self.index_, len(values))
        if columns is None:
            return pd.Series(values, index=index, name=self.index_["name"])
        return pd.DataFrame(values, index=index, columns=columns)

    def __sknets_getstate__(self):
        """What ``sknets.save`` writes: the fitted attributes."""
        check_is_fitted(self, self._fitted_names()[0])
        fitted = {k: v for k, v in vars(self).items() if k.endswith("_")}
        return {"fitted": fitted, "history": [], "weights": {}}

    def __sknets_setstate__(self, state):
        """A fitted forecaster from what ``__sknets_getstate__`` gave."""
        names = self._fitted_names()
        fitted = self._upgraded(dict(state["fitted"]))
        restore_fitted(self, fitted, names)
        missing = [name for name in names if name not in fitted]
        if missing:
            raise ValueError(f"its fitted attributes {', '.join(missing)} are missing")
        for described in self._time_indexes():
            try:
                future_index(described, 1)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"its time index {described!r} is not one") from exc
        self._check_fitted_state()
        return self

    def _time_indexes(self):
        """The fitted time index descriptions (none for series without)."""
        described = getattr(self, "index_", None)
        return [] if described is None else [described]

    def _upgraded(self, fitted):
        """The fitted attributes of a file an earlier version wrote, with
        what that version did not save (the subclass knows what)."""
        return fitted

    def _check_fitted_state(self):
        """A ValueError for fitted attributes of the right types that do not
        fit together (the subclass knows which)."""


def _after_leading_missing(y):
    """y from its first value on: a series that starts later than its index
    (NaN before its first value, as in a wide table of several series)
    starts there; a NaN after the first value is left for the checks."""
    if not hasattr(y, "shape") and not isinstance(y, list | tuple):
        return y
    values = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if values.dtype.kind != "f" or values.ndim not in (1, 2) or not len(values):
        return y  # only floats hold NaN; the checks read the others
    missing = np.isnan(values.reshape(len(values), -1)).all(axis=1)
    start = int(np.argmin(missing)) if not missing.all() else 0
    if start == 0:
        return y
    return y.iloc[start:] if hasattr(y, "iloc") else np.asarray(y)[start:]
