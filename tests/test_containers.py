"""Features compose: every family fits and predicts on every documented
container of X (numpy, memmap, Dask and zarr arrays above the streaming
threshold, lists, DataFrames), with 1D, multi-label (dense and sparse) and
multi-output targets and with validation data in the same container; an
undocumented container (a sparse X) is refused with a message.

The streaming threshold is lowered so that a 40-sample array streams.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sknets._streaming as streaming
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
    MiniRocketClassifier,
    MiniRocketRegressor,
    ResNetClassifier,
    ResNetRegressor,
    TCNClassifier,
    TCNRegressor,
    TextCNNClassifier,
    TextTokenizer,
    TransformerClassifier,
    TransformerRegressor,
)

rng = np.random.RandomState(0)
N = 40
DATA = {
    "images": rng.rand(N, 6, 6).astype(np.float32),
    "series": rng.rand(N, 12, 2).astype(np.float32),
    "frames": rng.rand(N, 4, 6, 6).astype(np.float32),
}
LABELS = np.arange(N) % 2
MULTILABEL = np.c_[LABELS, 1 - LABELS, np.arange(N) % 3 == 0].astype(int)
TARGETS = np.c_[rng.rand(N), rng.rand(N)]
FAMILIES = {
    "CNN": (CNNClassifier, CNNRegressor, "images", {"channels": (4,)}),
    "GRU": (GRUClassifier, GRURegressor, "series", {"hidden_size": 8}),
    "FCN": (FCNClassifier, FCNRegressor, "series", {"channels": (4, 4, 4)}),
    "ResNet": (ResNetClassifier, ResNetRegressor, "series", {"channels": (4, 4, 4)}),
    "InceptionTime": (
        InceptionTimeClassifier,
        InceptionTimeRegressor,
        "series",
        {"depth": 3, "num_filters": 4},
    ),
    "TCN": (TCNClassifier, TCNRegressor, "series", {"num_channels": 4}),
    "Transformer": (TransformerClassifier, TransformerRegressor, "series", {}),
    "CRNN": (CRNNClassifier, CRNNRegressor, "frames", {}),
    "MiniRocket": (MiniRocketClassifier, MiniRocketRegressor, "series", {}),
}
STREAMED = ("memmap", "dask", "zarr")
CONTAINERS = ("numpy", *STREAMED, "list", "DataFrame")


def _container(X, name, tmp_path):
    if name == "numpy":
        return X
    if name == "memmap":
        mm = np.memmap(tmp_path / "X.mm", dtype=X.dtype, mode="w+", shape=X.shape)
        mm[:] = X
        return mm
    if name == "dask":
        da = pytest.importorskip("dask.array")
        return da.from_array(X, chunks=(7, *X.shape[1:]))
    if name == "zarr":
        zarr = pytest.importorskip("zarr")
        z = zarr.open(str(tmp_path / "X.zarr"), mode="w", shape=X.shape, dtype=X.dtype)
        z[:] = X
        return z
    if name == "list":
        return list(X)
    return pd.DataFrame(X.reshape(len(X), -1))  # flat rows: images and series


@pytest.fixture
def streams(monkeypatch):
    """Streaming from 10 samples on, and the fits that streamed."""
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 10 * 4 * 6 * 6 * 2)
    seen = []
    check = streaming.check_streamed

    def recorded(estimator, X, *args, **kwargs):
        seen.append(type(X).__name__)
        return check(estimator, X, *args, **kwargs)

    monkeypatch.setattr(streaming, "check_streamed", recorded)
    return seen


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_fits_and_predicts_every_container(
    family, container, tmp_path, streams
):
    classifier, regressor, kind, params = FAMILIES[family]
    X = DATA[kind]
    if container == "DataFrame":  # flat rows: images, or univariate series
        X = X[..., 0] if kind == "series" else X.reshape(len(X), -1)
    Xc = _container(X, container, tmp_path)
    fast = {"max_epochs": 2, "random_state": 0, **params}
    fits = [
        # 1D labels, validated on the same container
        (classifier(early_stopping=True, **fast), LABELS, {"X_val": Xc}),
        # sparse multi-label indicators, dense ones to validate
        (
            classifier(early_stopping=True, **fast),
            sp.csr_matrix(MULTILABEL),
            {"X_val": Xc, "y_val": MULTILABEL},
        ),
        (regressor(**fast), TARGETS, {}),  # two outputs
    ]
    for model, y, val in fits:
        if "X_val" in val:
            val.setdefault("y_val", y)
        if isinstance(model, MiniRocketClassifier | MiniRocketRegressor):
            val = {}  # closed-form head: no epochs to validate
            model.set_params(early_stopping=False)
        model.fit(Xc, y, **val)
        predicted = model.predict(Xc)
        assert np.shape(predicted) == np.shape(y)
        # chunked prediction on the container is in-memory prediction (up to
        # float32 rounding of convolutions on strided and contiguous arrays)
        np.testing.assert_allclose(predicted, model.predict(X), rtol=1e-5, atol=1e-6)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(Xc)
            assert np.isfinite(proba).all()
            np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-6)
        if hasattr(model, "partial_fit"):
            model.partial_fit(Xc, y)
    if container in STREAMED:  # every fit streamed X (and X_val)
        assert len(streams) >= len(fits) and set(streams) == {type(Xc).__name__}
    else:
        assert not streams


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("rows", [12, N * 4])
def test_a_sparse_X_is_refused_by_every_family_small_or_large(family, rows, streams):
    classifier = FAMILIES[family][0]
    X = sp.random(rows, 36, density=0.3, format="csr", random_state=0)
    with pytest.raises(TypeError, match="Sparse data was passed for X, but dense"):
        classifier(max_epochs=1).fit(X, np.arange(rows) % 2)


TEXTS = ["good movie", "bad film", "great fun", "awful plot"] * 10
TEXT_LABELS = np.array([1, 0, 1, 0] * 10)


@pytest.mark.parametrize(
    "container",
    [
        list,
        tuple,
        np.array,
        lambda t: np.array(t, dtype=object),
        pd.Series,
        lambda t: pd.DataFrame({"text": t}),
    ],
    ids=["list", "tuple", "str-array", "object-array", "Series", "DataFrame"],
)
@pytest.mark.parametrize("estimator", [TextCNNClassifier, GRUClassifier])
def test_text_estimators_take_every_container_of_strings(estimator, container):
    X = container(TEXTS)
    model = estimator(max_epochs=2, early_stopping=True, random_state=0)
    model.fit(X, TEXT_LABELS, X_val=X, y_val=TEXT_LABELS)
    assert model.input_kind_ == "text"
    np.testing.assert_array_equal(model.predict(X), model.predict(list(TEXTS)))


@pytest.mark.parametrize("container", ["numpy", "memmap", "dask", "DataFrame"])
def test_token_ids_in_any_container_are_read_whole(container, tmp_path, streams):
    ids = TextTokenizer().fit_transform(TEXTS)
    X = _container(ids, container, tmp_path)
    model = TextCNNClassifier(max_epochs=2, random_state=0).fit(X, TEXT_LABELS)
    assert model.input_kind_ == "tokens" and not streams
    np.testing.assert_array_equal(model.predict(X), model.predict(ids))


def test_two_columns_of_text_are_refused():
    X = pd.DataFrame({"a": TEXTS, "b": TEXTS})
    with pytest.raises(ValueError, match="one column"):
        TextCNNClassifier(max_epochs=1).fit(X, TEXT_LABELS)
