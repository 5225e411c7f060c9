"""Parameters a fit does not use: a warning at fit, as scikit-learn warns
about ``l1_ratio`` without an elastic-net penalty.

A :class:`~sknets._params.Param` names in ``used_when`` what it needs to
act; when a fit resolves its settings without it, every such parameter set
to something else than its default is named in one warning per reason.
"""

from __future__ import annotations

from ._budget import AUTO_EARLY_STOPPING
from ._runtime import warn_caller
from ._state import same_value

__all__ = ["warn_unused_params"]


def _trains(estimator):
    return estimator.max_epochs_ > 0


def _no_epoch(estimator):
    return (
        "the fit trains no epoch: with max_epochs='auto', "
        f"{estimator._untrained_fit}. Set max_epochs to an integer to train the "
        "head by gradient steps"
    )


def _stops_early(estimator):
    return estimator.early_stopping_


def _no_early_stopping(estimator):
    if estimator.early_stopping == "auto":
        return (
            "early stopping is off (early_stopping='auto' turns it on from "
            f"{AUTO_EARLY_STOPPING:,} samples, or with X_val and y_val)"
        )
    return "early stopping is off (early_stopping=False)"


def _transfers(estimator):
    return estimator.init_from is not None


def _no_transfer(estimator):
    return "init_from is None: there are no copied features to freeze"


#: what a parameter may need to act: (whether the fit has it, why not)
USED_WHEN = {
    "epochs": (_trains, _no_epoch),
    "early_stopping": (_stops_early, _no_early_stopping),
    "init_from": (_transfers, _no_transfer),
}


def warn_unused_params(estimator, params):
    """Warn about the parameters of ``params`` (the class's declarations)
    that the fit just set up will not use, though they differ from their
    defaults: one warning per reason, naming each with its value."""
    unused = {}
    for param in params:
        if param.used_when is None:
            continue
        value = getattr(estimator, param.name)
        if same_value(value, param.default):
            continue
        used, why = USED_WHEN[param.used_when]
        if not used(estimator):
            unused.setdefault(why(estimator), []).append(f"{param.name}={value!r}")
    for reason, names in unused.items():
        verb = "is" if len(names) == 1 else "are"
        warn_caller(
            f"{type(estimator).__name__}: {', '.join(names)} {verb} not used, as "
            f"{reason}.",
            UserWarning,
        )
