"""CNNClassifier and CNNRegressor: accuracy, input conventions, bad input."""

import time

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import assert_clear_error
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sknets import CNNClassifier, CNNRegressor

# 30 epochs: at 15 (30 steps on the 60 small images) the training accuracy
# was 0.73-1.0 over seeds 0-4 and cross-validated folds 0.65-0.95, on torch
# 2.3 as on the current one; at 30, 1.0 for every seed and fold
FAST = dict(channels=(8, 16), dense_units=32, max_epochs=30, random_state=0)


def test_default_cnn_reaches_099_on_digits(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    start = time.perf_counter()
    clf = CNNClassifier(random_state=0).fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    accuracy = clf.score(X_test, y_test)
    print(f"default CNNClassifier on digits: {accuracy:.4f} in {elapsed:.1f} s")
    assert accuracy >= 0.99
    assert clf.n_iter_ == 30
    assert clf.input_shape_ == (1, 8, 8)


def test_pipeline_and_grid_search_in_parallel(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    pipe = make_pipeline(
        StandardScaler(), CNNClassifier(image_shape=(8, 8), max_epochs=5, **_no_ep())
    )
    grid = GridSearchCV(
        pipe, {"cnnclassifier__channels": [(8,), (16, 32)]}, cv=2, n_jobs=2
    )
    grid.fit(X_train[:600], y_train[:600])
    assert set(grid.cv_results_["param_cnnclassifier__channels"]) == {(8,), (16, 32)}
    assert grid.best_estimator_[-1].input_shape_ == (1, 8, 8)
    assert grid.score(X_test, y_test) > 0.85


def _no_ep():
    return {k: v for k, v in FAST.items() if k != "max_epochs"}


def test_cross_val_score(small_images):
    X, y = small_images
    scores = cross_val_score(CNNClassifier(**FAST), X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.9


@pytest.mark.parametrize("labels", [["cat", "dog", "emu"], [10, -3, 7]])
def test_predict_returns_original_labels(small_images, labels):
    X, y = small_images
    y_named = np.asarray(labels)[y]
    clf = CNNClassifier(**FAST).fit(X, y_named)
    assert list(clf.classes_) == sorted(labels)
    pred = clf.predict(X)
    assert pred.dtype == y_named.dtype
    assert set(pred) <= set(labels)
    assert np.mean(pred == y_named) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)


def test_binary_predict_proba_has_two_columns(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X[y < 2], y[y < 2])
    assert clf.predict_proba(X[:5]).shape == (5, 2)


@pytest.mark.parametrize("multilabel", [False, True], ids=["classes", "labels"])
def test_log_probabilities_stay_finite_where_probabilities_round_to_zero(
    small_images, multilabel
):
    X, y = small_images
    target = np.c_[y == 0, y == 1].astype(int) if multilabel else y
    clf = CNNClassifier(**dict(FAST, max_epochs=2)).fit(X, target)
    np.testing.assert_allclose(
        clf.predict_log_proba(X), np.log(clf.predict_proba(X)), rtol=1e-12
    )
    # logits of about a million: some probabilities underflow to exactly 0
    head = [m for m in clf.net_.module_.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        head[-1].weight.mul_(1e6)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert (proba == 0).any()
    assert np.isfinite(log_proba).all() and (log_proba <= 0).all()
    assert log_proba[proba == 0].max() < -700  # below log of the smallest double
    visible = proba > 1e-300
    np.testing.assert_allclose(log_proba[visible], np.log(proba[visible]), atol=1e-9)


def test_channels_last_and_first_give_the_same_model():
    rng = np.random.RandomState(0)
    X_last = rng.rand(40, 6, 7, 3).astype(np.float32)
    y = (X_last[..., 0].mean(axis=(1, 2)) > 0.5).astype(int)
    X_first = np.ascontiguousarray(X_last.transpose(0, 3, 1, 2))
    a = CNNClassifier(**FAST).fit(X_last, y)
    b = CNNClassifier(**FAST).fit(X_first, y)
    assert a.data_format_ == "channels_last" and b.data_format_ == "channels_first"
    assert a.input_shape_ == b.input_shape_ == (3, 6, 7)
    np.testing.assert_array_equal(a.predict_proba(X_last), b.predict_proba(X_first))
    # the flat rows of the channels-last array are read in the fitted layout
    np.testing.assert_array_equal(
        a.predict_proba(X_last.reshape(40, -1)), a.predict_proba(X_last)
    )


def test_explicit_data_format_resolves_ambiguous_shapes():
    rng = np.random.RandomState(0)
    X = rng.rand(20, 3, 3, 3)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="cannot tell which axis") as excinfo:
        CNNClassifier(**FAST).fit(X, y)
    assert "data_format='channels_last'" in str(excinfo.value)
    clf = CNNClassifier(data_format="channels_last", **FAST).fit(X, y)
    assert clf.input_shape_ == (3, 3, 3)


@pytest.mark.parametrize("size", [1, 2, 5, 8, 64])
def test_any_image_size_works_without_shape_arithmetic(size):
    rng = np.random.RandomState(0)
    X = rng.rand(24, size, size).astype(np.float32)
    y = np.arange(24) % 2
    X[y == 1] += 1.0
    clf = CNNClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (24,)
    assert clf.input_shape_ == (1, size, size)


def test_uint8_images_are_scaled_to_unit_range(small_images):
    rng = np.random.RandomState(0)
    X8 = rng.randint(0, 256, size=(30, 8, 8)).astype(np.uint8)
    y = np.arange(30) % 2
    a = CNNClassifier(**FAST).fit(X8, y)
    b = CNNClassifier(**FAST).fit(X8 / 255.0, y)
    np.testing.assert_allclose(
        a.predict_proba(X8), b.predict_proba(X8 / 255.0), atol=1e-5
    )


def test_flat_input_with_image_shape_and_dataframes(digits_split):
    X_train, _, y_train, _ = digits_split
    X = X_train[:300]
    y = y_train[:300]
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    a = CNNClassifier(image_shape=(8, 8), **FAST).fit(df, y)
    b = CNNClassifier(**FAST).fit(X.reshape(-1, 8, 8), y)
    assert list(a.feature_names_in_) == list(df.columns)
    assert a.n_features_in_ == 64 and b.n_features_in_ == 64
    np.testing.assert_array_equal(
        a.predict_proba(df), b.predict_proba(X.reshape(-1, 8, 8))
    )


def test_float32_float64_and_caller_data_untouched(small_images):
    X, y = small_images
    X32 = X.astype(np.float32)
    X_before, X32_before, y_before = X.copy(), X32.copy(), y.copy()
    w = np.ones(len(y))
    a = CNNClassifier(**FAST).fit(X, y, sample_weight=w)
    b = CNNClassifier(**FAST).fit(X32, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(X32, X32_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(w, np.ones(len(y)))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X32), atol=1e-6)


class TinyNet(torch.nn.Module):
    def __init__(self, in_channels, n_outputs):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, 4, 3, padding=1)
        self.pool = torch.nn.AdaptiveAvgPool2d(2)
        self.out = torch.nn.Linear(16, n_outputs)

    def forward(self, x):
        return self.out(self.pool(torch.relu(self.conv(x))).flatten(1))


def test_user_module_class_and_instance(small_images):
    X, y = small_images
    clf = CNNClassifier(module=TinyNet, max_epochs=30, lr=1e-2, random_state=0).fit(
        X, y
    )
    assert isinstance(clf.net_.module_, TinyNet)
    assert clf.score(X, y) > 0.8
    instance = TinyNet(1, 3)
    before = instance.out.weight.detach().clone()
    clf = CNNClassifier(module=instance, max_epochs=2, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (60,)
    torch.testing.assert_close(instance.out.weight, before)  # caller's module untouched


def test_user_module_class_without_the_expected_arguments(small_images):
    X, y = small_images

    class Fixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.out = torch.nn.Linear(64, 3)

        def forward(self, x):
            return self.out(x.flatten(1))

    with pytest.raises(TypeError, match=r"module\(in_channels=1, n_outputs=3\)") as exc:
        CNNClassifier(module=Fixed, max_epochs=1).fit(X, y)
    assert "pass an instance" in str(exc.value)
    assert CNNClassifier(module=Fixed(), max_epochs=1).fit(X, y).n_iter_ == 1


def test_user_module_with_wrong_output_is_a_clear_error(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match=r"returned output of shape \(2, 7\)") as exc:
        CNNClassifier(module=TinyNet(1, 7), max_epochs=1).fit(X, y)
    assert "expected (2, 3)" in str(exc.value)
    with pytest.raises(ValueError, match="failed on input of shape") as exc:
        CNNClassifier(module=TinyNet(3, 3), max_epochs=1).fit(X, y)
    assert_clear_error(exc)


class BuggyNet(TinyNet):
    def forward(self, x):
        return self.out(x) / 0 if x.sum() > 1e9 else self.undefined_layer(x)


def test_a_bug_in_a_user_module_surfaces_as_itself(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match="failed on input of shape") as exc:
        CNNClassifier(module=TinyNet(3, 3), max_epochs=1).fit(X, y)
    assert isinstance(exc.value.__cause__, RuntimeError)  # torch's message chained
    with pytest.raises(AttributeError, match="undefined_layer"):
        CNNClassifier(module=BuggyNet(1, 3), max_epochs=1).fit(X, y)


def test_regressor_learns_on_the_scale_of_y():
    rng = np.random.RandomState(0)
    X = rng.rand(200, 6, 6).astype(np.float32)
    y = 1000.0 + 500.0 * X[:, :3].mean(axis=(1, 2))
    reg = CNNRegressor(channels=(16,), dense_units=32, max_epochs=60, random_state=0)
    reg.fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (200,)
    assert reg.score(X, y) > 0.8
    assert abs(pred.mean() - y.mean()) < 20


def test_regressor_multi_output():
    rng = np.random.RandomState(0)
    X = rng.rand(120, 5, 5)
    Y = np.stack([X.mean(axis=(1, 2)), X[:, 0, :].sum(axis=1)], axis=1)
    reg = CNNRegressor(channels=(16,), dense_units=32, max_epochs=40, random_state=0)
    reg.fit(X, Y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (120, 2)
    assert reg.score(X, Y) > 0.5


# -- bad input -------------------------------------------------------------
@pytest.fixture
def fitted(small_images):
    X, y = small_images
    return CNNClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize(
    "make_X, match",
    [
        (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), "NaN"),
        (
            lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X),
            "infinity",
        ),
        (lambda X: X[:, 0, 0], "Expected 2D array, got 1D array"),
        (lambda X: X[:, None, None], r"got 5 dimensions \(shape \(60, 1, 1, 8, 8\)\)"),
        (lambda X: X[:0], "0 sample"),
    ],
    ids=["nan", "inf", "1d", "5d", "empty"],
)
def test_bad_X_at_fit(small_images, make_X, match):
    X, y = small_images
    bad = make_X(X)
    with pytest.raises(ValueError, match=match) as excinfo:
        CNNClassifier(**FAST).fit(bad, y[: len(bad)])
    assert_clear_error(excinfo)


@pytest.mark.parametrize(
    "y_bad, match",
    [
        (np.r_[np.nan, np.zeros(59)], "NaN"),
        (np.zeros(60), "only one class: 0.0"),
        (np.arange(59) % 3, "inconsistent numbers of samples"),
    ],
    ids=["nan", "single-class", "length"],
)
def test_bad_y_at_fit(small_images, y_bad, match):
    X, _ = small_images
    with pytest.raises(ValueError, match=match) as excinfo:
        CNNClassifier(**FAST).fit(X, y_bad)
    assert_clear_error(excinfo)


def test_regressor_rejects_infinite_y(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match="infinity"):
        CNNRegressor(**FAST).fit(X, np.r_[np.inf, y[1:]].astype(float))


def test_predict_on_other_image_shape_or_feature_count(fitted, small_images):
    X, _ = small_images
    with pytest.raises(ValueError, match=r"shape \(C, H, W\)=\(1, 4, 16\)") as exc:
        fitted.predict(X.reshape(60, 4, 16))
    assert "fitted on images of shape (1, 8, 8)" in str(exc.value)
    with pytest.raises(
        ValueError, match="X has 63 features, but CNNClassifier is expecting 64"
    ):
        fitted.predict(X.reshape(60, -1)[:, :63])
    with pytest.raises(ValueError, match=r"\(C, H, W\)=\(3, 8, 8\)"):
        fitted.predict(np.repeat(X[..., None], 3, axis=3))


def test_image_shape_that_does_not_match_the_features(digits_split):
    X, _, y, _ = digits_split
    with pytest.raises(ValueError, match=r"image_shape=\(8, 9\) holds 72 values"):
        CNNClassifier(image_shape=(8, 9), **FAST).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"data_format": "nhwc"},
        {"max_epochs": 0},
        {"lr": -1.0},
        {"optimizer": "adagrad"},
        {"pooling": "median"},
        {"dropout": 1.5},
        {"early_stopping": "yes"},
        {"class_weight": "auto"},
    ],
)
def test_invalid_hyperparameters_fail_at_fit(small_images, params):
    X, y = small_images
    clf = CNNClassifier(**params)  # __init__ stores, never validates
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        clf.fit(X, y)


def test_images_too_small_for_pooling_are_handled_by_the_architecture():
    # Four blocks on 3x3 images: pooling stops once an axis reaches one pixel.
    rng = np.random.RandomState(0)
    X = rng.rand(30, 3, 3)
    y = np.arange(30) % 2
    clf = CNNClassifier(channels=(4, 4, 4, 4), max_epochs=2, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (30,)


@pytest.mark.gpu
def test_fit_and_predict_on_cuda(small_images):
    X, y = small_images
    clf = CNNClassifier(device="cuda", **FAST).fit(X, y)
    assert clf.device_.type == "cuda"
    assert next(clf.net_.module_.parameters()).is_cuda
    assert clf.score(X, y) > 0.9
