"""transform: the features a fitted network's head receives, for another
estimator, a pipeline step, or a frozen feature extractor."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from test_sequence import ragged_waves

from sknets import CNNClassifier, GRUClassifier, LSTMRegressor


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def test_features_of_a_fitted_cnn_feed_a_linear_model(digits):
    X, y = digits
    cnn = CNNClassifier(image_shape=(8, 8), max_epochs=5, random_state=0)
    cnn.fit(X[:1000], y[:1000])
    features = cnn.transform(X)
    assert features.shape == (len(X), cnn.net_.module_.num_features)
    assert features.dtype == np.float64
    linear = LogisticRegression(max_iter=2000).fit(features[:1000], y[:1000])
    assert (
        linear.score(features[1000:], y[1000:]) >= cnn.score(X[1000:], y[1000:]) - 0.02
    )
    # the features are those the module computes, whatever the batch
    module = cnn.net_.module_
    with torch.no_grad():
        direct = module.forward_features(
            torch.tensor(X[:5].reshape(5, 1, 8, 8), dtype=torch.float32)
        )
    np.testing.assert_allclose(features[:5], direct.numpy(), rtol=0, atol=1e-5)
    names = cnn.get_feature_names_out()
    assert len(names) == features.shape[1] and names[0] == "cnnclassifier0"


def test_padding_never_changes_the_features_of_a_sequence():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(60, rng)
    clf = GRUClassifier(hidden_size=16, max_epochs=3, random_state=0).fit(X, y)
    short = min(range(len(X)), key=lambda i: len(X[i]))
    alone = clf.transform([X[short]])
    together = clf.transform(X)
    np.testing.assert_allclose(together[short : short + 1], alone, rtol=0, atol=1e-6)


def test_in_a_pipeline_the_network_learns_from_y_then_transforms(digits):
    X, y = digits
    pipe = make_pipeline(
        CNNClassifier(image_shape=(8, 8), max_epochs=5, random_state=0),
        LogisticRegression(max_iter=2000),
    ).fit(X[:1000], y[:1000])
    assert pipe.score(X[1000:], y[1000:]) > 0.9


def test_a_frozen_network_is_a_fixed_feature_step(digits):
    X, y = digits
    cnn = CNNClassifier(image_shape=(8, 8), max_epochs=3, random_state=0)
    cnn.fit(X[:800], y[:800])
    before = cnn.predict_proba(X[1000:])
    pipe = make_pipeline(FrozenEstimator(cnn), LogisticRegression(max_iter=2000))
    pipe.fit(X[800:1000], y[800:1000])  # only the linear model learns
    np.testing.assert_array_equal(cnn.predict_proba(X[1000:]), before)
    assert pipe.score(X[1000:], y[1000:]) > 0.85


def test_set_output_gives_named_frames_of_the_same_features(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    frame = pd.DataFrame(X[:300], index=np.arange(300) + 1000)
    settings = dict(image_shape=(8, 8), max_epochs=2, random_state=0)
    plain = CNNClassifier(**settings).fit(frame, y[:300])
    named = CNNClassifier(**settings).set_output(transform="pandas")
    out = named.fit_transform(frame, y[:300])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(named.get_feature_names_out())
    assert list(out.index) == list(frame.index)
    np.testing.assert_allclose(out.to_numpy(), plain.transform(frame), atol=1e-6)
    np.testing.assert_allclose(
        named.transform(frame).to_numpy(), out.to_numpy(), atol=1e-6
    )
    # a pipeline's set_output reaches the network's step
    pipe = make_pipeline(CNNClassifier(**settings), FunctionTransformer())
    pipe.set_output(transform="pandas").fit(frame, y[:300])
    assert list(pipe.transform(frame).columns) == list(named.get_feature_names_out())


def test_transform_needs_a_fitted_model_and_a_feature_method():
    with pytest.raises(NotFittedError):
        LSTMRegressor().transform(np.ones((3, 4)))

    class Plain(torch.nn.Module):
        def __init__(self, in_channels, n_outputs):
            super().__init__()
            self.linear = torch.nn.Linear(in_channels * 16, n_outputs)

        def forward(self, x):
            return self.linear(x.flatten(1))

    X = np.random.RandomState(0).rand(20, 4, 4)
    cnn = CNNClassifier(module=Plain, max_epochs=1, random_state=0)
    cnn.fit(X, [0, 1] * 10)
    with pytest.raises(TypeError, match="transform needs a module with a forward_"):
        cnn.transform(X)
