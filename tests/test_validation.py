"""One matrix of bad inputs over every public estimator and TextTokenizer.

Each bad input raises a ValueError or TypeError whose message names the
problem, from sknets or scikit-learn code (never from inside torch or skorch),
and leaves the caller's arrays as they were.
"""

import copy

import numpy as np
import pytest
from conftest import assert_clear_error

from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    CRNNRegressor,
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TCNClassifier,
    TCNRegressor,
    TextCNNClassifier,
    TextCNNRegressor,
    TextTokenizer,
    TransformerClassifier,
    TransformerRegressor,
)

rng = np.random.RandomState(0)
IMAGES = rng.rand(20, 6, 6)
SERIES = rng.rand(20, 7, 3)
LABELS = np.arange(20) % 2
TARGETS = rng.rand(20)

FAST = dict(max_epochs=1, random_state=0)
CLASSIFIERS = [
    CNNClassifier,
    RNNClassifier,
    LSTMClassifier,
    GRUClassifier,
    TextCNNClassifier,
    TCNClassifier,
    TransformerClassifier,
    CRNNClassifier,
]
REGRESSORS = [
    CNNRegressor,
    RNNRegressor,
    LSTMRegressor,
    GRURegressor,
    TextCNNRegressor,
    TCNRegressor,
    TransformerRegressor,
    CRNNRegressor,
]
FRAME_MODELS = (CRNNClassifier, CRNNRegressor)
IMAGE_MODELS = (CNNClassifier, CNNRegressor)


def _with(array, index, value, dtype=None):
    out = array.astype(dtype or array.dtype, copy=True)
    out[index] = value
    return out


def _cases(Estimator):
    image = Estimator in IMAGE_MODELS
    X = IMAGES if image else SERIES
    is_clf = Estimator in CLASSIFIERS
    y = LABELS if is_clf else TARGETS
    other_shape = rng.rand(5, 6, 7) if image else rng.rand(5, 7, 2)
    cases = {
        "nan-X": ("fit", (_with(X, (1, 2, 2), np.nan), y), {}, "NaN"),
        "inf-X": ("fit", (_with(X, (1, 2, 2), np.inf), y), {}, "infinity"),
        "nan-y": ("fit", (X, _with(y, 3, np.nan, float)), {}, "NaN"),
        "1d-X": ("fit", (X[:, 0, 0], y), {}, "Expected 2D array|1D"),
        "too-many-dims": (
            "fit",
            (
                X[:, None, None, None]
                if Estimator in FRAME_MODELS
                else X[:, None, None],
                y,
            ),
            {},
            "dimensions",
        ),
        "empty-X": ("fit", (X[:0], y[:0]), {}, "0 sample"),
        "length-mismatch": ("fit", (X, y[:-1]), {}, "inconsistent numbers of samples"),
        "complex": ("fit", (X.astype(complex), y), {}, "[Cc]omplex"),
        "object-mixed": (
            "fit",
            (np.array([[1.0, "a"], [2.0, {}]] * 10, dtype=object), y),
            {},
            "could not convert|not numeric|items are not sequences|string",
        ),
        "strings-to-model": (
            "fit",
            (["a text"] * 20, y),
            {},
            "got text" if image else None,
        ),
        "negative-weight": (
            "fit",
            (X, y),
            {"sample_weight": -np.ones(20)},
            "Negative values",
        ),
        "zero-weight": (
            "fit",
            (X, y),
            {"sample_weight": np.zeros(20)},
            "at least one non-zero",
        ),
        "predict-other-shape": (
            "predict",
            (other_shape,),
            {},
            "fitted on images of shape" if image else "features per time step",
        ),
    }
    if image:
        cases["predict-other-channels"] = (
            "predict",
            (rng.rand(5, 6, 6, 3),),
            {},
            r"\(C, H, W\)=\(3, 6, 6\)",
        )
    else:
        cases["ragged-features"] = (
            "fit",
            ([rng.rand(5, 3), rng.rand(4, 2)] * 10, y),
            {},
            "features per time step",
        )
        cases["zero-length"] = (
            "fit",
            ([rng.rand(5, 3), rng.rand(0, 3)] * 10, y),
            {},
            "empty sequence",
        )
    if is_clf:
        cases["single-class"] = ("fit", (X, np.zeros(20)), {}, "only one class")
        cases["mixed-labels"] = (
            "fit",
            (X, np.array([1, "a"] * 10, dtype=object)),
            {},
            "mixes labels of different types",
        )
        cases["unknown-class-weight"] = (
            "fit",
            (X, y),
            {"class_weight": {0: 1.0, 7: 2.0}},
            "class_weight|not found|not in",
        )
    else:
        cases["inf-y"] = ("fit", (X, _with(y, 3, np.inf)), {}, "infinity")
    return {k: v for k, v in cases.items() if v[3] is not None}


MATRIX = [
    pytest.param(Estimator, name, case, id=f"{Estimator.__name__}-{name}")
    for Estimator in CLASSIFIERS + REGRESSORS
    for name, case in _cases(Estimator).items()
]


@pytest.mark.parametrize("Estimator, name, case", MATRIX)
def test_bad_input_gets_a_clear_error(Estimator, name, case):
    method, args, kwargs, match = case
    kwargs = dict(kwargs)
    params = dict(FAST)
    if "class_weight" in kwargs:
        params["class_weight"] = kwargs.pop("class_weight")
    estimator = Estimator(**params)
    if method == "predict":
        X = IMAGES if Estimator in IMAGE_MODELS else SERIES
        estimator.fit(X, LABELS if Estimator in CLASSIFIERS else TARGETS)
    before = copy.deepcopy(args)
    with pytest.raises((ValueError, TypeError), match=match) as excinfo:
        getattr(estimator, method)(*args, **kwargs)
    assert_clear_error(excinfo)
    for old, new in zip(before, args):
        if isinstance(old, np.ndarray):
            np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (["ok", 3], TypeError, "Text 1 of X is a int"),
        ([], ValueError, "empty collection"),
        ([""], ValueError, "All texts are empty"),
        (np.ones((3, 2)), ValueError, "1D collection of texts"),
        ("one string", TypeError, "single str"),
        ([None, "a"], ValueError, "Text 0 of X is missing"),
    ],
)
def test_tokenizer_bad_input(X, error, match):
    with pytest.raises(error, match=match) as excinfo:
        TextTokenizer().fit(X)
    assert_clear_error(excinfo)
