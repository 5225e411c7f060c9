"""GRUForecaster: one recurrent network trained across many series (a
global forecaster, as DeepAR: Salinas et al., 2020), with covariates and
quantile forecasts."""

from __future__ import annotations

from sklearn.utils._param_validation import StrOptions

from ._backtest import quantile_shifts
from ._budget import AUTO_EARLY_STOPPING
from ._constraints import POSITIVE_INT
from ._global import (
    PANEL_ATTRIBUTES,
    PANEL_PARAMS,
    SERIES_ATTRIBUTES,
    _GlobalForecaster,
    backtest_model,
)
from ._params import Attribute, Param
from .rnn import GRURegressor

__all__ = ["GRUForecaster"]


class GRUForecaster(_GlobalForecaster):
    """Forecast many series with one recurrent network trained across them.

    A global model, as DeepAR (Salinas et al., 2020) and the forecasters of
    neuralforecast and darts: every series' windows train one
    :class:`GRURegressor`, each window scaled by its own mean and standard
    deviation (so series of any level share what they learn), to forecast
    all ``horizon`` steps at once (direct, not fed back) as quantiles
    (trained by the pinball loss); the forecast is the median. The
    intervals between two quantiles are conformalized (``conformal_``): a
    quantile loss makes a network's quantiles too narrow on series it has
    learnt by heart, and the corrections, learned on windows it did not
    train on, widen them to cover as nominal.

    {panel}

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MiniRocketForecaster : One series at a time, chosen by a backtest.
    make_windows : The windows it trains on.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sknets import GRUForecaster
    >>> t = np.arange(60)
    >>> panel = pd.DataFrame({
    ...     "unique_id": np.repeat(["a", "b"], 60),
    ...     "ds": np.tile(t, 2),
    ...     "y": np.r_[10 + np.sin(t), 20 + 2 * np.sin(t)],
    ... })
    >>> f = GRUForecaster(horizon=4, max_epochs=2, random_state=0).fit(panel)
    >>> f.predict().shape
    (8, 3)
    """

    _params = (
        *PANEL_PARAMS,
        Param(
            "hidden_size",
            64,
            [POSITIVE_INT],
            "int",
            "Features of the recurrent layer (see GRURegressor).",
        ),
        Param(
            "max_epochs",
            "auto",
            [POSITIVE_INT, StrOptions({"auto"})],
            "int or 'auto'",
            "Epochs of training (see GRURegressor); 'auto' follows the data.",
        ),
        Param(
            "random_state",
            None,
            ["random_state"],
            "int, RandomState instance or None",
            "Seeds the network's initialisation and training.",
        ),
    )

    _attributes = (
        *PANEL_ATTRIBUTES,
        Attribute("model_", "GRURegressor", "The network, trained on every series."),
        Attribute(
            "conformal_",
            "ndarray or None",
            """
            The conformal corrections of each trained quantile, (n_quantiles,
            ``horizon_``) on the scale of the windows: :meth:`predict_interval`
            adds them to an interval's ends (conformalized quantile
            regression: Romano, Patterson and Candes, 2019). Learned on the
            windows held out for early stopping on a large panel, else by a
            second network fitted on each series less its last ``2 * horizon
            - 1`` steps, which forecasts the windows of its last ``horizon``
            origins. None where too few windows are left for that.""",
        ),
        *SERIES_ATTRIBUTES,
    )
    _uncalibrated = "the network's own quantiles, uncalibrated (often too narrow)"

    def _fit_model(self, X, y, age, h, quantiles):
        model = GRURegressor(
            hidden_size=self.hidden_size,
            # the last step's state: it has read the horizon's future
            # covariates in order, which pooling over the steps would blur
            summary="last",
            loss="quantile",
            quantile=[q for q in quantiles if q != 0.5],
            max_epochs=self.max_epochs,
            random_state=self.random_state,
        )
        if len(X) >= AUTO_EARLY_STOPPING:  # hold out the latest windows
            model.set_params(validation_split="last")
            model.fit(X, y)
            held = model._n_valid(len(X))
            calibration = model, X[-held:], y[-held:]
        else:  # a network fitted before each series' last 2h - 1 steps
            model.fit(X, y)
            calibration = backtest_model(model, X, y, age, h)
        self.model_, self.conformal_ = model, None
        if calibration is not None:
            network, X_held, y_held = calibration
            forecast = network.predict_quantiles(X_held)
            self.conformal_ = quantile_shifts(forecast, y_held, quantiles)
        return calibration is not None

    def _quantile_forecasts(self, X):
        return self.model_.predict_quantiles(X)

    def _upgraded(self, fitted):
        """A forecaster saved before its intervals were conformalized: its
        intervals were the trained quantiles."""
        fitted.setdefault("conformal_", None)
        return fitted
