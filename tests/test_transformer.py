"""TransformerClassifier and TransformerRegressor: attention across the
sequence, padding masked out, every sequence input."""

import numpy as np
import pytest
from test_convnets import local_shapes
from test_sequence import assert_padding_invariant, ragged_waves

from sknets import TransformerClassifier, TransformerRegressor
from sknets.datasets import make_adding_problem

FAST = dict(d_model=16, nhead=2, dim_feedforward=32, max_epochs=10, random_state=0)


def test_transformer_solves_the_adding_problem_over_40_steps():
    """The marked values lie anywhere in 40 steps; attention links them."""
    rng = np.random.RandomState(0)
    X, y = make_adding_problem(1000, 40, random_state=rng)
    X_test, y_test = make_adding_problem(500, 40, random_state=rng)
    reg = TransformerRegressor(max_epochs=10, lr=3e-3, random_state=0).fit(X, y)
    mse = np.mean((reg.predict(X_test) - y_test) ** 2)
    assert mse < 0.05, mse  # always predicting 1.0: 0.167


@pytest.mark.parametrize("summary", ["last", "mean", "max"])
def test_padding_is_masked_out_of_attention(summary):
    assert_padding_invariant(TransformerClassifier(summary=summary, **FAST), 1e-5)


@pytest.mark.parametrize("patch_size", [2, 4])
def test_padding_never_changes_a_prediction_with_patches(patch_size):
    # lengths 3-25 end inside a patch, which must be completed the same way
    # alone and beside longer series
    clf = TransformerClassifier(patch_size=patch_size, **FAST)
    assert_padding_invariant(clf, 1e-5)
    assert clf.patch_size_ == patch_size


def test_patches_make_at_most_64_tokens_of_long_series():
    rng = np.random.RandomState(0)
    X, y = local_shapes(300, rng, length=300)
    X_test, y_test = local_shapes(200, rng, length=300)
    clf = TransformerClassifier(max_epochs=15, random_state=0).fit(X, y)
    assert clf.patch_size_ == 5  # ceil(300 / 64)
    assert clf.net_.module_.patches.stride == (5,)
    assert clf.score(X_test, y_test) > 0.9  # a shape of 8 steps, anywhere
    short = TransformerClassifier(max_epochs=1, random_state=0).fit(X[:, :64], y)
    assert short.patch_size_ == 1
    texts = ["good film " * 50, "bad film " * 50] * 4
    text_clf = TransformerClassifier(max_epochs=1, random_state=0)
    assert text_clf.fit(texts, [1, 0] * 4).patch_size_ == 1  # tokens: one each


def test_transformer_on_variable_length_series_and_text():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(200, rng)
    X_test, y_test = ragged_waves(100, rng)
    clf = TransformerClassifier(max_epochs=20, random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9
    texts = ["good film", "great plot", "bad film", "awful plot"] * 15
    labels = [1, 1, 0, 0] * 15
    text_clf = TransformerClassifier(max_epochs=30, random_state=0).fit(texts, labels)
    assert text_clf.input_kind_ == "text"
    assert text_clf.score(texts, labels) == 1.0


def test_nhead_must_divide_d_model():
    with pytest.raises(ValueError, match="nhead=3 must divide d_model=16"):
        TransformerClassifier(d_model=16, nhead=3, max_epochs=1).fit(
            np.ones((4, 5)), [0, 1, 0, 1]
        )
