"""TCNClassifier and TCNRegressor: long memory, padding, every sequence input."""

import numpy as np
import pytest
from test_sequence import assert_padding_invariant, ragged_waves

from sknets import TCNClassifier, TCNRegressor
from sknets.datasets import make_adding_problem
from sknets.modules.tcn import receptive_field

FAST = dict(num_channels=16, max_epochs=10, random_state=0)


def test_receptive_field_formula_and_auto_levels():
    assert receptive_field(3, 1) == 5
    assert receptive_field(5, 4) == 121
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 100, 1))
    clf = TCNClassifier(**FAST).fit(X, np.arange(20) % 2)
    assert clf.max_length_ == 100
    assert clf.num_levels_ == 4 and clf.receptive_field_ == 121
    assert clf.net_.module_.receptive_field == clf.receptive_field_
    fixed = TCNClassifier(num_levels=2, **FAST).fit(X, np.arange(20) % 2)
    assert fixed.num_levels_ == 2 and fixed.receptive_field_ == 25


def test_tcn_solves_the_adding_problem_across_the_sequence():
    """The two marked values lie anywhere in 60 steps: the last output must see
    the whole sequence, which the receptive field (121 steps) covers."""
    rng = np.random.RandomState(0)
    X, y = make_adding_problem(2000, 60, random_state=rng)
    X_test, y_test = make_adding_problem(500, 60, random_state=rng)
    reg = TCNRegressor(
        summary="last", num_channels=32, max_epochs=6, random_state=0
    ).fit(X, y)
    assert reg.receptive_field_ >= 60
    mse = np.mean((reg.predict(X_test) - y_test) ** 2)
    assert mse < 0.05, mse  # always predicting 1.0: 0.167


@pytest.mark.parametrize("summary", ["last", "mean", "max"])
def test_padding_never_changes_a_tcn_prediction(summary):
    assert_padding_invariant(TCNClassifier(summary=summary, **FAST), 1e-5)


def test_tcn_on_variable_length_series_and_text():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(200, rng)
    X_test, y_test = ragged_waves(100, rng)
    clf = TCNClassifier(num_channels=32, max_epochs=20, random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9
    texts = ["good film", "great plot", "bad film", "awful plot"] * 15
    labels = [1, 1, 0, 0] * 15
    text_clf = TCNClassifier(max_epochs=40, random_state=0).fit(texts, labels)
    assert text_clf.input_kind_ == "text"
    assert text_clf.score(texts, labels) == 1.0
