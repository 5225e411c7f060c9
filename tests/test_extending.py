"""What adding to sknets takes, shown by doing it in the test suite: an
input kind is one adapter (an ``InputKind`` subclass) that a family lists in
``_input_kinds``; the base, the targets, validation, prediction and the
settings resolution take it as they take the built-in kinds."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.utils.validation import check_array

from sknets._base import BaseNeuralNet
from sknets._inputs import InputKind
from sknets._inputs._base import check_target, learn_features_in
from sknets._params import Attribute, Param
from sknets._tasks import NeuralNetClassifierMixin, NeuralNetRegressorMixin


class SortedValues(InputKind):
    """A toy kind: each sample a row of values whose order does not matter,
    read sorted (the network sees the same input for any permutation)."""

    name = "sorted values"
    names = ("sorted values",)
    described = "rows of values"
    attributes = (Attribute("n_values_", "int", "Values in each sample."),)

    def claims(self, view, fitted_kind):
        return True

    def check(self, estimator, view, y=None, *, reset, **y_kw):
        X = check_array(view.X, dtype=np.float64, estimator=estimator)
        y = check_target(estimator, X, y, **y_kw)
        if reset:
            learn_features_in(estimator, columns=X.shape[1])
            estimator.n_values_ = X.shape[1]
        elif X.shape[1] != estimator.n_values_:
            raise ValueError(
                f"X has {X.shape[1]} values per sample; the model was fitted on "
                f"{estimator.n_values_}."
            )
        x = torch.as_tensor(np.sort(X, axis=1), dtype=torch.float32)
        return {"x": x}, y

    def module_kwargs(self, estimator, batch=None):
        return {"input_size": estimator.n_values_}


class TinyNet(torch.nn.Module):
    def __init__(self, input_size, n_outputs, hidden=16):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(input_size, hidden), torch.nn.ReLU()
        )
        self.head = torch.nn.Linear(hidden, n_outputs)

    def get_head(self):
        return self.head

    def forward(self, x):
        return self.head(self.body(x))


class _Tiny(BaseNeuralNet):
    _module = TinyNet
    _input_kinds = (SortedValues(),)
    _family_params = (Param("hidden", 16, [int], "int", "Hidden units."),)
    _defaults = dict(lr=0.01)


class TinyClassifier(NeuralNetClassifierMixin, _Tiny):
    """A toy classifier.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
    """


class TinyRegressor(NeuralNetRegressorMixin, _Tiny):
    """A toy regressor.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
    """


def _data(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    return X, (np.sort(X, axis=1)[:, -1] > 1).astype(int), X.max(axis=1)


def test_a_toy_input_kind_takes_part_in_every_fit_and_prediction():
    X, y, t = _data()
    clf = TinyClassifier(max_epochs=40, random_state=0).fit(X, y)
    assert clf.input_kind_ == "sorted values" and clf.n_values_ == 6
    assert clf.score(X, y) > 0.9
    # the kind's reading reaches prediction: a permuted row is the same sample
    np.testing.assert_array_equal(clf.predict_proba(X[:, ::-1]), clf.predict_proba(X))
    assert "n_values_ : int" in TinyClassifier.__doc__  # the kind's attributes
    reg = TinyRegressor(max_epochs=40, random_state=0).fit(X, t)
    assert reg.score(X, t) > 0.8
    with pytest.raises(ValueError, match="X has 5 values per sample; the model"):
        reg.predict(X[:, :5])
    # validation data, continued fits, clone, pickle, scikit-learn's tools
    clf.set_params(warm_start=True).fit(X, y, X_val=X[:50], y_val=y[:50])
    assert clf.validation_loss_curve_ is not None
    TinyClassifier(random_state=0).partial_fit(X, y, classes=[0, 1])
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert cross_val_score(clone(clf), X, y, cv=2).mean() > 0.8
