"""MiniRocketGlobalForecaster: one MiniRocket regressor trained across many
series, with covariates and conformal intervals."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from ._backtest import quantile_shifts
from ._constraints import POSITIVE_INT
from ._global import (
    PANEL_ATTRIBUTES,
    PANEL_PARAMS,
    SERIES_ATTRIBUTES,
    _GlobalForecaster,
    backtest_model,
)
from ._params import Attribute, Param
from .rocket import RIDGE_SAMPLES, MiniRocketRegressor

__all__ = ["MiniRocketGlobalForecaster"]


class MiniRocketGlobalForecaster(_GlobalForecaster):
    """Forecast many series with one MiniRocket regressor trained across them.

    A global model (Montero-Manso and Hyndman, 2021): every series' windows
    train one :class:`MiniRocketRegressor`, each window scaled by its own
    mean and standard deviation (so series of any level share what they
    learn), to forecast all ``horizon`` steps at once (direct, not fed
    back). Its random convolution features need no training, so a fit
    takes seconds where a network takes minutes; a linear head cannot learn
    what :class:`GRUForecaster`'s recurrence can (how a covariate's effect
    depends on the series' own state, for example). The intervals are
    split-conformal: the quantiles of the errors of a second regressor,
    fitted on each series less its last ``2 * horizon - 1`` steps, on the
    windows of its last ``horizon`` origins, per lead time.

    {panel}

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    GRUForecaster : The same across a panel, with a recurrent network.
    MiniRocketForecaster : One series at a time, chosen by a backtest.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sknets import MiniRocketGlobalForecaster
    >>> t = np.arange(60)
    >>> panel = pd.DataFrame({
    ...     "unique_id": np.repeat(["a", "b"], 60),
    ...     "ds": np.tile(t, 2),
    ...     "y": np.r_[10 + np.sin(t), 20 + 2 * np.sin(t)],
    ... })
    >>> f = MiniRocketGlobalForecaster(horizon=4, random_state=0).fit(panel)
    >>> f.predict().shape
    (8, 3)
    """

    _params = (
        *PANEL_PARAMS,
        Param(
            "num_features",
            10_000,
            [POSITIVE_INT],
            "int",
            "Convolution features (see MiniRocketRegressor).",
        ),
        Param(
            "random_state",
            None,
            ["random_state"],
            "int, RandomState instance or None",
            "Seeds the convolutions' biases and the head's training.",
        ),
    )
    _attributes = (
        *PANEL_ATTRIBUTES,
        Attribute(
            "model_", "MiniRocketRegressor", "The regressor, trained on every series."
        ),
        Attribute(
            "conformal_",
            "ndarray",
            """
            The offset of each quantile from the point forecast,
            (n_quantiles, ``horizon_``) on the scale of the windows (zero for the
            median): the split-conformal quantiles of the held-out errors of
            each lead time (Lei et al., 2018), or of the errors on the
            windows it trained on where too few windows are left to hold
            out.""",
        ),
        *SERIES_ATTRIBUTES,
    )
    _uncalibrated = (
        "the quantiles of the errors on the windows the regressor trained on "
        "(too narrow)"
    )

    def _fit_model(self, X, y, age, h, quantiles):
        model = MiniRocketRegressor(
            num_features=self.num_features,
            data_format="channels_last",
            random_state=self.random_state,
        )
        rng = check_random_state(self.random_state)
        drawn = _at_most(len(X), RIDGE_SAMPLES, rng)
        self.model_ = model.fit(X[drawn], y[drawn])
        older = np.flatnonzero(age >= 2 * h - 1)
        kept = np.sort(
            np.r_[
                older[_at_most(len(older), RIDGE_SAMPLES, rng)], np.flatnonzero(age < h)
            ]
        )
        calibration = backtest_model(model, X[kept], y[kept], age[kept], h)
        fitted, X_held, y_held = (model, X, y) if calibration is None else calibration
        forecast = _every_quantile(fitted, X_held, len(quantiles))
        self.conformal_ = quantile_shifts(forecast, y_held, quantiles)
        return calibration is not None

    def _quantile_forecasts(self, X):
        return _every_quantile(self.model_, X, len(self.quantiles_))


def _every_quantile(model, X, n_quantiles):
    """The point forecast of ``model`` from windows X as the forecast of
    every quantile, (n, h, n_quantiles): ``conformal_`` then moves each."""
    point = model.predict(X).reshape(len(X), -1)
    return np.repeat(point[:, :, None], n_quantiles, axis=2)


def _at_most(n, most, rng):
    """Indices of at most ``most`` of n samples, drawn without replacement
    and in their order (all n when there are no more than ``most``)."""
    if n <= most:
        return np.arange(n)
    return np.sort(rng.choice(n, most, replace=False))
