"""FCN, ResNet and InceptionTime: local shapes anywhere in a series, padding,
every sequence input, the InceptionTime ensemble."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from test_sequence import assert_padding_invariant

from sknets import (
    FCNClassifier,
    FCNRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    ResNetClassifier,
    ResNetRegressor,
)
from sknets.modules import InceptionTime

SMALL = {
    FCNClassifier: dict(channels=(16, 32, 16)),
    ResNetClassifier: dict(channels=(16, 16, 16)),
    InceptionTimeClassifier: dict(num_filters=8, depth=3, n_networks=1),
}
REGRESSORS = {
    FCNClassifier: FCNRegressor,
    ResNetClassifier: ResNetRegressor,
    InceptionTimeClassifier: InceptionTimeRegressor,
}


def local_shapes(n, rng, length=60, width=8):
    """Noisy series holding one short shape at a random position: a step up
    then down (class 0) or down then up (class 1). Both shapes have the same
    values in another order, so that no statistic of the values (mean,
    spread, extremes) tells the classes apart: only the order of nearby
    steps does."""
    y = rng.randint(0, 2, size=n)
    X = rng.normal(scale=0.3, size=(n, length))
    shape = np.repeat([1.5, -1.5], width // 2)
    for i, label in enumerate(y):
        start = rng.randint(0, length - width)
        X[i, start : start + width] += shape[::-1] if label else shape
    return X, y


@pytest.mark.parametrize("Classifier", list(SMALL), ids=lambda c: c.__name__)
def test_shape_at_a_random_position_is_recognised(Classifier):
    rng = np.random.RandomState(0)
    X, y = local_shapes(300, rng)
    X_test, y_test = local_shapes(200, rng)
    clf = Classifier(max_epochs=15, random_state=0, **SMALL[Classifier]).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9

    # statistics of the values alone stay near chance
    def summary(X):
        return np.c_[X.mean(axis=1), X.std(axis=1), X.max(axis=1), X.min(axis=1)]

    baseline = LogisticRegression().fit(summary(X), y).score(summary(X_test), y_test)
    assert baseline < 0.65


@pytest.mark.parametrize("Classifier", list(SMALL), ids=lambda c: c.__name__)
def test_padding_never_changes_a_prediction(Classifier):
    estimator = Classifier(max_epochs=2, random_state=0, **SMALL[Classifier])
    assert_padding_invariant(estimator, 1e-5)


@pytest.mark.parametrize("Classifier", list(SMALL), ids=lambda c: c.__name__)
def test_regressor_reads_the_height_of_a_shape_anywhere(Classifier):
    rng = np.random.RandomState(0)
    height = rng.uniform(1, 3, size=300)
    X = rng.normal(scale=0.2, size=(300, 40, 2))
    for i, h in enumerate(height):
        start = rng.randint(0, 34)
        X[i, start : start + 6, 0] += h
    Regressor = REGRESSORS[Classifier]
    reg = Regressor(max_epochs=20, random_state=0, **SMALL[Classifier])
    reg.fit(X[:200], height[:200])
    assert reg.score(X[200:], height[200:]) > 0.8


def test_inception_ensemble_trains_its_networks_apart_and_averages_them():
    module = InceptionTime(2, 3, num_filters=4, depth=3, n_networks=3)
    x = torch.randn(5, 20, 2)
    module.train()
    assert module(x).shape == (15, 3)  # each member's outputs, for its own loss
    module.eval()
    features = module.forward_features(x)
    members = [
        layer(part) for layer, part in zip(module.head.layers, features.chunk(3, dim=1))
    ]
    torch.testing.assert_close(module(x), torch.stack(members).mean(dim=0))
    clf = InceptionTimeClassifier(n_networks=3, num_filters=4, depth=3, max_epochs=1)
    X = np.random.RandomState(0).normal(size=(20, 15, 2))
    assert clf.fit(X, np.arange(20) % 2).predict_proba(X).shape == (20, 2)


@pytest.mark.parametrize("Classifier", list(SMALL), ids=lambda c: c.__name__)
def test_layouts_lists_and_short_series(Classifier):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3, 25))  # channels first, as sktime gives it
    y = np.arange(30) % 3
    params = dict(max_epochs=1, random_state=0, **SMALL[Classifier])
    first = Classifier(data_format="channels_first", **params).fit(X, y)
    last = Classifier(**params).fit(X.transpose(0, 2, 1), y)
    np.testing.assert_allclose(
        first.predict_proba(X), last.predict_proba(X.transpose(0, 2, 1)), atol=1e-6
    )
    # series shorter than the widest kernel, and of a single step
    short = Classifier(**params).fit(
        [rng.normal(size=(t, 3)) for t in [1, 2, 5] * 4], y[:12]
    )
    assert short.predict([rng.normal(size=(1, 3))]).shape == (1,)
