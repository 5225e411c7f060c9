"""ONNX export: onnxruntime gives the estimator's own outputs."""

import warnings

import numpy as np
import pytest
from conftest import assert_clear_error

from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    FCNClassifier,
    GRUClassifier,
    InceptionTimeRegressor,
    LSTMClassifier,
    LSTMRegressor,
    MiniRocketClassifier,
    MiniRocketRegressor,
    ResNetClassifier,
    RNNClassifier,
    TCNClassifier,
    TCNRegressor,
    TextCNNClassifier,
    TransformerClassifier,
    TransformerRegressor,
    export_onnx,
    onnx_input,
)

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

rng = np.random.RandomState(0)
IMAGES = rng.rand(60, 8, 8, 3)
SERIES = rng.normal(loc=3.0, scale=2.0, size=(60, 12, 3))
LABELS = np.array(["a", "b", "c"] * 20)
VIDEOS = rng.rand(60, 5, 8, 8, 2) * 4
TARGETS = rng.normal(loc=10.0, size=(60, 2))
FAST = dict(max_epochs=2, random_state=0)

CASES = [
    (CNNClassifier(**FAST), IMAGES),
    (CNNRegressor(**FAST), IMAGES),
    (GRUClassifier(hidden_size=16, **FAST), SERIES),
    (RNNClassifier(hidden_size=16, summary="attention", **FAST), SERIES),
    (LSTMRegressor(hidden_size=16, summary="mean", **FAST), SERIES),
    (LSTMClassifier(hidden_size=8, window=4, **FAST), SERIES),
    (TCNClassifier(num_channels=16, **FAST), SERIES),
    (TCNRegressor(num_channels=16, **FAST), SERIES),
    (TransformerClassifier(d_model=16, nhead=2, **FAST), SERIES),
    (TransformerRegressor(d_model=16, nhead=2, **FAST), SERIES),
    (TransformerClassifier(d_model=16, nhead=2, patch_size=5, **FAST), SERIES),
    (CRNNClassifier(channels=(8,), hidden_size=8, **FAST), SERIES),
    (FCNClassifier(channels=(8, 8), kernel_sizes=(4, 3), **FAST), SERIES),
    (
        FCNClassifier(channels=(8,), kernel_sizes=(3,), standardize="sample", **FAST),
        SERIES,
    ),
    (ResNetClassifier(channels=(8,), **FAST), SERIES),
    (InceptionTimeRegressor(num_filters=4, depth=3, n_networks=2, **FAST), SERIES),
    (MiniRocketClassifier(num_features=168, random_state=0), SERIES),
    (MiniRocketRegressor(num_features=168, max_epochs=2, random_state=0), SERIES),
    # sktime's numpy3D (n, F, T): the exported graph takes the fit's layout
    (GRUClassifier(hidden_size=16, **FAST), SERIES.transpose(0, 2, 1)),
    (
        FCNClassifier(channels=(8,), kernel_sizes=(3,), standardize="sample", **FAST),
        SERIES.transpose(0, 2, 1),
    ),
]


def _expected(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X).reshape(len(X), -1)


@pytest.mark.parametrize(
    "estimator, X", CASES, ids=[type(e).__name__ for e, _ in CASES]
)
def test_onnxruntime_matches_the_estimator(estimator, X, tmp_path):
    y = LABELS if hasattr(estimator, "predict_proba") else TARGETS
    estimator.fit(X, y)
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's exporter deprecation notes
        export_onnx(estimator, str(path))
    session = ort.InferenceSession(str(path))
    # data unseen at fit: MiniRocket's biases are quantiles of training series,
    # where a rounding difference between runtimes would flip a comparison
    X = X + np.random.RandomState(1).normal(scale=0.1, size=X.shape)
    batches = [X, X[:1]]
    if getattr(estimator, "input_kind_", "images") != "images":
        # other batch size and other length, in the layout read at fit
        first = estimator.data_format_ == "channels_first"
        batches.append(X[:7, :, :4] if first else X[:7, :4])
        assert onnx_input(estimator, X).shape == X.shape
    for batch in batches:
        got = session.run(None, {"X": onnx_input(estimator, batch)})[0]
        np.testing.assert_allclose(got, _expected(estimator, batch), rtol=0, atol=1e-5)


def test_text_and_video_models_are_refused_clearly(tmp_path):
    texts = ["good film", "bad film", "great plot", "awful plot"] * 5
    clf = TextCNNClassifier(max_epochs=1, random_state=0).fit(texts, [1, 0, 1, 0] * 5)
    with pytest.raises(ValueError, match="fitted on text") as excinfo:
        export_onnx(clf, str(tmp_path / "m.onnx"))
    assert_clear_error(excinfo)
    video = CRNNClassifier(max_epochs=1, random_state=0).fit(VIDEOS, LABELS)
    with pytest.raises(ValueError, match="fitted on frames") as excinfo:
        export_onnx(video, str(tmp_path / "m.onnx"))
    assert_clear_error(excinfo)


def test_a_torch_without_the_exporter_it_needs_is_named(tmp_path, monkeypatch):
    clf = GRUClassifier(hidden_size=4, **FAST).fit(SERIES, LABELS)
    monkeypatch.setattr("torch.__version__", "2.3.1+cu121")
    with pytest.raises(ImportError, match=r"export_onnx needs torch 2\.5 or later"):
        export_onnx(clf, str(tmp_path / "m.onnx"))
    assert not (tmp_path / "m.onnx").exists()
