"""One matrix of bad inputs over every public estimator and TextTokenizer.

Each bad input raises a ValueError or TypeError whose message names the
problem, from sknets or scikit-learn code (never from inside torch or skorch),
and leaves the caller's arrays as they were.
"""

import copy

import numpy as np
import pytest
import torch
from conftest import assert_clear_error

from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    CRNNRegressor,
    FCNClassifier,
    FCNRegressor,
    GRUClassifier,
    GRURegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LSTMClassifier,
    LSTMRegressor,
    MiniRocketClassifier,
    MiniRocketRegressor,
    ResNetClassifier,
    ResNetRegressor,
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
    FCNClassifier,
    ResNetClassifier,
    InceptionTimeClassifier,
    MiniRocketClassifier,
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
    FCNRegressor,
    ResNetRegressor,
    InceptionTimeRegressor,
    MiniRocketRegressor,
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
        "float32-overflow": (
            "fit",
            (_with(X, (1, 2, 2), 1e39), y),
            {},
            "beyond the range of float32",
        ),
        "float32-overflow-at-predict": (
            "predict",
            (_with(X, (1, 2, 2), -1e39),),
            {},
            "beyond the range of float32",
        ),
        "weights-sum-overflows": (
            "fit",
            (X, y),
            {"sample_weight": np.r_[np.full(19, 1e308), 1.0]},
            "sum to inf",
        ),
        "bare-string": ("fit", ("a text", y), {}, "single string"),
        "predict-other-shape": (
            "predict",
            (other_shape,),
            {},
            "fitted on images of shape" if image else "features per time step",
        ),
    }
    if image:
        cases["negative-image-shape"] = (
            "fit",
            (X.reshape(20, -1), y),
            {"image_shape": (-6, -6)},
            "image_shape=\\(-6, -6\\) is not the shape of an image",
        )
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
        cases["negative-class-weight"] = (
            "fit",
            (X, y),
            {"class_weight": {0: -1.0, 1: 1.0}},
            "negative or non-finite weight",
        )
        cases["nul-labels"] = (
            "fit",
            (X, np.array(["a", "a\x00"] * 10, dtype=object)),
            {},
            "NUL character",
        )
        cases["unknown-class-weight"] = (
            "fit",
            (X, y),
            {"class_weight": {0: 1.0, 7: 2.0}},
            "class_weight|not found|not in",
        )
        labels = np.c_[y, 1 - y, np.arange(20) % 3 == 0].astype(int)
        cases["multilabel-minus-one"] = (
            "fit",
            (X, 2 * labels - 1),
            {},
            r"y is 2D with values \[-1, 1\].*indicator matrix of 0 and 1",
        )
        cases["multilabel-negative-class-weight"] = (
            "fit",
            (X, labels),
            {"class_weight": [{0: 1.0, 1: -0.5}] * 3},
            "negative or non-finite weight",
        )
    else:
        cases["inf-y"] = ("fit", (X, _with(y, 3, np.inf)), {}, "infinity")
        cases["y-overflow"] = (
            "fit",
            (X, _with(y, 3, 1e300)),
            {},
            "beyond the range of float32",
        )
        cases["y-val-overflow"] = (
            "fit",
            (X, y),
            {"X_val": X[:5], "y_val": np.full(5, 1e300)},
            "y_val holds values up to 1e.300.*rescale y_val",
        )
        cases["classification-scoring"] = (
            "fit",
            (X, y),
            {"early_stopping": True, "scoring": "accuracy"},
            "scoring='accuracy' cannot score the predictions of",
        )
        cases["ranking-scoring"] = (
            "fit",
            (X, y),
            {"early_stopping": True, "scoring": "roc_auc"},
            "needs probabilities or decision values",
        )
    if "augment" in Estimator().get_params():
        for key, (augment, match) in {
            "augment-text-strength": ({"jitter": "high"}, "must be a number"),
            "augment-nested-names": ([["jitter"]], "not a name"),
            "augment-tiny-mixup": ({"mixup": 1e-300}, "above 0.01"),
            "augment-infinite": ({"jitter": float("inf")}, "positive and finite"),
        }.items():
            cases[key] = ("fit", (X, y), {"augment": augment}, match)
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
    for name in ("class_weight", "image_shape", "augment", "early_stopping", "scoring"):
        if name in kwargs:
            params[name] = kwargs.pop(name)
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


def test_batch_norm_on_single_values_is_a_clear_error():
    X = rng.rand(8, 1, 1)  # 1x1 images, one per batch
    with pytest.raises(ValueError, match="batch normalisation cannot train") as exc:
        CNNClassifier(batch_size=1, max_epochs=1).fit(X, np.arange(8) % 2)
    assert_clear_error(exc)


class IntegerNet(torch.nn.Module):
    def __init__(self, in_channels, n_outputs):
        super().__init__()
        self.n_outputs = n_outputs

    def forward(self, x):
        return torch.zeros(len(x), self.n_outputs, dtype=torch.int64)


def test_module_returning_integers_is_a_clear_error():
    with pytest.raises(ValueError, match="returned torch.int64 output") as exc:
        CNNClassifier(module=IntegerNet, max_epochs=1).fit(IMAGES, LABELS)
    assert_clear_error(exc)


def test_labels_that_a_model_file_cannot_hold_are_named(tmp_path):
    import sknets

    labels = np.array(["2020-01-01", "2021-01-01"] * 10, dtype="datetime64[D]")
    clf = CNNClassifier(max_epochs=1).fit(IMAGES, labels)
    with pytest.raises(TypeError, match="an array of dtype datetime64"):
        sknets.save(clf, tmp_path / "m.sknets")
