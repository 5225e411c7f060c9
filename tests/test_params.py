"""Every declared parameter is validated: values drawn by hypothesis that
the parameter does not take are refused at fit, before the first epoch, by
an error that names the parameter; the values it takes give a usable model."""

import contextlib
import tempfile
import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.utils._param_validation import InvalidParameterError, make_constraint
from skorch.callbacks import Callback

from sknets import (
    CNNClassifier,
    GRUClassifier,
    GRUForecaster,
    MiniRocketForecaster,
    MiniRocketGlobalForecaster,
    TextTokenizer,
)
from sknets._registry import ESTIMATORS

rng = np.random.RandomState(0)
IMAGES, SERIES = rng.rand(16, 6, 6), rng.rand(16, 12, 2)
LABELS = np.arange(16) % 2
TEXTS = ["good film", "bad plot", "fine acting", "dull end"] * 4
PANEL = np.sin(np.arange(60) * 2 * np.pi / 12) + 5
ERRORS = (ValueError, TypeError, InvalidParameterError)
SECONDS = 20  # a refusal comes before the first epoch: far less than this

# what a user may pass by mistake: wrong types, bools for numbers, NaN,
# infinities, out-of-range numbers, nested and empty containers
JUNK = st.one_of(
    st.sampled_from(
        [True, False, None, "", "x", "auto ", object(), [], {}, [[1]], ["a", 1]]
    ),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**12), max_value=3),
    st.text(max_size=4),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2)), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(-2, 2), max_size=2),
)


class EpochCount(Callback):
    """Counts the epochs begun, in any copy (the estimator clones it)."""

    begun = 0

    def on_epoch_begin(self, net, **kwargs):
        EpochCount.begun += 1


def _estimators():
    return [
        cls
        for name, cls in sorted(ESTIMATORS.items())
        if name.endswith(("Classifier", "Regressor"))
    ]


FORECASTERS = (MiniRocketForecaster, GRUForecaster, MiniRocketGlobalForecaster)


def _fit(estimator):
    """Fit on tiny data; return what it predicts."""
    name = type(estimator).__name__
    if isinstance(estimator, TextTokenizer):
        return estimator.fit(TEXTS).transform(TEXTS[:2])
    if isinstance(estimator, FORECASTERS):
        return np.asarray(estimator.fit(PANEL).predict())
    X = IMAGES if name.startswith("CNN") else SERIES
    y = LABELS if name.endswith("Classifier") else LABELS * 1.0
    return estimator.fit(X, y).predict(X[:2])


def _base_params(cls):
    """Small settings that keep a fit short."""
    params = cls().get_params()
    small = {"max_epochs": 1, "random_state": 0, "num_features": 84}
    if cls is MiniRocketForecaster:
        small = {"random_state": 0, "sp": 12, "max_windows": 50}
    return {k: v for k, v in small.items() if k in params}


def check_parameter(cls, name, value):
    """None when ``cls`` handles ``name=value`` as it should: refused by an
    error naming the parameter before the first epoch, or taken (the value
    satisfies the declared constraints) with finite predictions. Otherwise,
    what went wrong."""
    params = {**_base_params(cls), name: value}
    if "callbacks" in cls().get_params() and name != "callbacks":
        params["callbacks"] = [EpochCount()]
    EpochCount.begun = 0
    start = time.perf_counter()
    error = None
    try:  # in a folder of its own: a drawn checkpoint_dir is written there
        with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predicted = _fit(cls(**params))
    except ERRORS as exc:
        error = exc
    except Exception as exc:  # noqa: BLE001 - any other kind is the defect
        return f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - start
    if elapsed > SECONDS:
        return f"took {elapsed:.0f} s"
    if error is not None:
        if name not in str(error):
            return f"{type(error).__name__} does not name {name}: {error}"
        if EpochCount.begun:
            return f"refused after {EpochCount.begun} epoch(s): {error}"
        return None
    constraints = cls._parameter_constraints.get(name, [])
    if constraints == "no_validation" or not any(
        make_constraint(c).is_satisfied_by(value) for c in constraints
    ):
        return f"accepted {value!r}, which its constraints refuse"
    if not np.isfinite(np.asarray(predicted, dtype=float)).all():
        return f"accepted {value!r} and predicts non-finite values"
    return None


CLASSES = [*_estimators(), TextTokenizer, *FORECASTERS]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_parameter_refuses_what_it_does_not_take(cls):
    names = sorted(cls().get_params())

    @settings(
        max_examples=30,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(name=st.sampled_from(names), value=JUNK)
    def check(name, value):
        assert check_parameter(cls, name, value) is None

    check()


@pytest.mark.parametrize(
    "cls, name, value",
    [
        (GRUClassifier, "hidden_size", True),
        (GRUClassifier, "lr", 1e300),
        (GRUClassifier, "callbacks", [1]),
        (CNNClassifier, "channels", [8, "a"]),
        (CNNClassifier, "class_weight", [1, "a"]),
        (TextTokenizer, "vocabulary", []),
        (MiniRocketForecaster, "sp", True),
    ],
)
def test_the_values_that_were_defects_are_refused_by_name(cls, name, value):
    assert check_parameter(cls, name, value) is None


class _Unchecked(GRUClassifier):
    """A copy whose clip_grad_norm lost its constraint."""


_Unchecked._parameter_constraints = {
    **GRUClassifier._parameter_constraints,
    "clip_grad_norm": "no_validation",
}


def test_the_check_catches_a_parameter_without_validation():
    # its value reaches torch in the first training step, which fails
    # without naming it
    problem = check_parameter(_Unchecked, "clip_grad_norm", "x")
    assert problem == (
        "ValueError does not name clip_grad_norm: could not convert string to "
        "float: 'x'"
    )
    assert check_parameter(GRUClassifier, "clip_grad_norm", "x") is None
