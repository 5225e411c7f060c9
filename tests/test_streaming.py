"""Arrays larger than memory: a memmap, Dask or zarr array (any array-like
with shape, dtype and row slicing) is checked and predicted chunk by chunk,
and trained on batch by batch, never read whole."""

import threading

import numpy as np
import pytest
from sklearn.datasets import load_digits

import sknets._streaming as streaming
from sknets import (
    CNNClassifier,
    FCNClassifier,
    GRUClassifier,
    LSTMRegressor,
    MiniRocketClassifier,
    MiniRocketRegressor,
)


class RowsOnly:
    """An array-like that hands out row slices only, and records them: reading
    it whole is an error."""

    def __init__(self, array):
        self.array = array
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim
        self.reads = []
        self.threads = set()

    def __getitem__(self, key):
        assert isinstance(key, slice), key
        self.reads.append(len(range(*key.indices(len(self.array)))))
        self.threads.add(threading.current_thread().name.split("_")[0])
        return self.array[key]

    def __len__(self):
        return len(self.array)

    def __array__(self, dtype=None, copy=None):
        raise AssertionError("the whole array was read")


@pytest.fixture(scope="module")
def digits_model():
    X, y = load_digits(return_X_y=True)
    images = (X.reshape(-1, 8, 8) * 15).astype(np.uint8)  # 0..240 as uint8
    model = CNNClassifier(channels=(8,), max_epochs=2, random_state=0)
    return model.fit(images, y), images


def test_memmap_is_predicted_chunk_by_chunk_as_in_memory(
    digits_model, tmp_path, monkeypatch
):
    model, images = digits_model
    big = np.tile(images, (3, 1, 1))
    path = tmp_path / "images.uint8"
    mm = np.memmap(path, dtype=np.uint8, mode="w+", shape=big.shape)
    mm[:] = big
    mm.flush()
    expected = model.predict_proba(big)  # under the chunk size: read whole
    assert streaming.chunk_rows(big) is None
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 1000 * 64 * 4)  # 1000 images
    on_disk = np.memmap(path, dtype=np.uint8, mode="r", shape=big.shape)
    assert streaming.chunk_rows(on_disk) == 1000
    np.testing.assert_allclose(model.predict_proba(on_disk), expected, atol=1e-6)
    np.testing.assert_array_equal(model.predict(on_disk), model.predict(big))
    np.testing.assert_allclose(
        model.transform(on_disk), model.transform(big), atol=1e-5
    )


def test_an_array_like_is_never_read_whole(digits_model, monkeypatch):
    model, images = digits_model
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 300 * 64 * 4)
    lazy = RowsOnly(images)
    proba = model.predict_proba(lazy)
    assert lazy.reads == [300] * 5 + [len(images) - 1500]
    np.testing.assert_allclose(proba, model.predict_proba(images), atol=1e-6)


def test_dask_and_series_arrays_are_read_in_chunks(monkeypatch):
    da = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 20, 2)).astype(np.float32)
    y = X[:, :5, 0].sum(axis=1)
    reg = LSTMRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    expected = reg.predict(X)
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 128 * 40 * 4)
    lazy = da.from_array(X, chunks=(100, 20, 2))
    np.testing.assert_allclose(reg.predict(lazy), expected, atol=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[400, 3, 1] = np.nan  # in the fourth chunk
        reg.predict(da.from_array(bad, chunks=(100, 20, 2)))


def test_what_chunked_prediction_refuses(digits_model, monkeypatch):
    da = pytest.importorskip("dask.array")
    model, images = digits_model
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 300 * 64 * 4)
    unknown = da.from_array(images, chunks=(500, 8, 8))
    unknown = unknown[unknown[:, 0, 0] >= 0]  # rows not known until computed
    with pytest.raises(ValueError, match="unknown size.*compute_chunk_sizes"):
        model.predict(unknown)

    class NoSlicing:
        shape, dtype, ndim = images.shape, images.dtype, images.ndim

        def __array__(self, dtype=None, copy=None):
            return images

    with pytest.raises(TypeError, match="NoSlicing has shape .* but no row slicing"):
        model.predict(NoSlicing())


def test_fit_on_a_memmap_equals_the_in_memory_fit(digits_model, tmp_path):
    _, images = digits_model
    y = load_digits().target
    path = tmp_path / "train.uint8"
    mm = np.memmap(path, dtype=np.uint8, mode="w+", shape=images.shape)
    mm[:] = images
    mm.flush()
    on_disk = np.memmap(path, dtype=np.uint8, mode="r", shape=images.shape)
    settings = dict(channels=(8,), max_epochs=2, random_state=0)
    from_disk = CNNClassifier(**settings).fit(on_disk, y)
    in_memory = CNNClassifier(**settings).fit(images, y)
    np.testing.assert_array_equal(
        from_disk.predict_proba(on_disk), in_memory.predict_proba(images)
    )


def test_chunked_prediction_never_holds_the_whole_float32_copy(
    digits_model, monkeypatch
):
    tracemalloc = pytest.importorskip("tracemalloc")
    model, images = digits_model
    big = np.tile(images, (34, 1, 1))  # 61,098 images: a 15.6 MB float32 copy
    whole_copy = big.size * 4 / 2**20
    output = len(big) * 10 * 8 / 2**20  # float64 probabilities, 4.7 MB

    def peak_mb():
        tracemalloc.start()
        model.predict_proba(big)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return peak

    assert peak_mb() > 0.9 * whole_copy  # under the default chunk size: whole
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 2000 * 64 * 4)  # 0.5 MB chunks
    assert peak_mb() < output + 0.25 * whole_copy  # about one chunk more


def _batch_sizes(model, X):
    """Sizes of the batches the module reads while model predicts X."""
    sizes = []
    hook = model.net_.module_.register_forward_hook(
        lambda module, args, output: sizes.append(len(output))
    )
    try:
        model.predict(X)
    finally:
        hook.remove()
    return sizes


def test_prediction_batches_are_chosen_for_throughput_and_memory():
    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8)
    small = CNNClassifier(channels=(4,), max_epochs=1, random_state=0)
    small.fit(images[:200], y[:200])
    # small samples: 1,024 per batch, not the training batch size (64)
    assert _batch_sizes(small, images) == [1024, 773]
    # large samples: at most 2**19 input values per batch (42 -> 32), but
    # never fewer than the training batch size
    rng = np.random.RandomState(0)
    big = rng.rand(100, 64, 64, 3)
    labels = np.arange(100) % 2
    cnn = CNNClassifier(channels=(4,), batch_size=16, max_epochs=1, random_state=0)
    assert _batch_sizes(cnn.fit(big, labels), big) == [32, 32, 32, 4]
    cnn.set_params(batch_size=50).fit(big, labels)
    assert _batch_sizes(cnn, big) == [50, 50]
    # a recurrent family: at most 2**21 values of the recurrent outputs,
    # 30 steps x 256 features -> 273 -> 256 rows; 300 steps x 512 features
    # -> 13 -> 8, but never fewer than the training batch size (32)
    series = rng.normal(size=(300, 300, 1)).astype(np.float32)
    y = series[:, :5, 0].sum(axis=1)
    lstm = LSTMRegressor(hidden_size=128, conv_blocks=0, max_epochs=1, random_state=0)
    assert _batch_sizes(lstm.fit(series[:40, :30], y[:40]), series[:, :30]) == [
        256,
        44,
    ]
    lstm.set_params(hidden_size=256).fit(series[:40], y[:40])
    assert _batch_sizes(lstm, series) == [32] * 9 + [12]


def test_predict_batch_size_changes_the_batches_not_the_predictions():
    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8)
    model = CNNClassifier(channels=(4,), max_epochs=1, random_state=0)
    expected = model.fit(images[:200], y[:200]).predict_proba(images)
    model.set_params(predict_batch_size=100)  # no refit: prediction reads it
    assert _batch_sizes(model, images) == [100] * 17 + [97]
    np.testing.assert_allclose(model.predict_proba(images), expected, atol=1e-6)
    # a fit continued with another prediction batch size trains the same net
    model.set_params(warm_start=True, predict_batch_size=7).fit(images[:200], y[:200])
    assert _batch_sizes(model, images[:20]) == [7, 7, 6]


# -- fit ---------------------------------------------------------------------


def _memmap(path, array, mode="r"):
    mm = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
    mm[:] = array
    mm.flush()
    del mm
    return np.memmap(path, dtype=array.dtype, mode=mode, shape=array.shape)


def test_fit_reads_a_large_array_batch_by_batch(digits_model, tmp_path, monkeypatch):
    _, images = digits_model
    y = load_digits().target
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 300 * 64 * 4)  # 300 images
    monkeypatch.setattr(streaming, "POOL_BYTES", 4 * 64 * 64)  # 4 batches of 64
    lazy = RowsOnly(images)
    settings = dict(channels=(8,), max_epochs=6, random_state=0)
    model = CNNClassifier(**settings).fit(lazy, y)
    # one checking pass of 300-row chunks, then pools of 4 blocks of a batch
    # (blocks next to each other in one read)
    assert lazy.reads[:6] == [300] * 5 + [len(images) - 1500]
    assert max(lazy.reads[6:]) <= 4 * 64
    assert "sknets-read" in lazy.threads  # pools are read ahead, in a thread
    assert model.score(images, y) > 0.9
    # a memmap is read the same way and gives the same model
    on_disk = _memmap(tmp_path / "train.uint8", images)
    from_disk = CNNClassifier(**settings).fit(on_disk, y)
    np.testing.assert_array_equal(
        from_disk.predict_proba(images), model.predict_proba(images)
    )
    # and the same again for the same seed: reads are shuffled reproducibly
    again = CNNClassifier(**settings).fit(on_disk, y)
    np.testing.assert_array_equal(
        again.predict_proba(images), from_disk.predict_proba(images)
    )


def test_streamed_fit_learns_what_the_in_memory_fit_learns(monkeypatch):
    da = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    # (n, T, F) with two channels of their own mean and scale
    X = rng.normal(loc=[3.0, -1.0], scale=[2.0, 0.5], size=(600, 40, 2))
    bump = rng.randint(0, 30, size=600)
    y = np.arange(600) % 2
    X[np.arange(600)[y == 1], bump[y == 1], 0] += 8.0  # a local shape in class 1
    settings = dict(channels=(16, 32, 16), max_epochs=20, random_state=0)
    in_memory = FCNClassifier(**settings).fit(X, y)
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 128 * 40 * 2 * 4)
    lazy = da.from_array(X, chunks=(100, 40, 2))
    streamed = FCNClassifier(**settings).fit(lazy, y)
    np.testing.assert_allclose(streamed.channel_mean_, in_memory.channel_mean_)
    np.testing.assert_allclose(streamed.channel_scale_, in_memory.channel_scale_)
    assert streamed.max_length_ == 40 and streamed.n_channels_ == 2
    assert streamed.score(X, y) > 0.93 and in_memory.score(X, y) > 0.93
    # held-out validation is a subset of the rows, still read batch by batch
    early = FCNClassifier(**{**settings, "max_epochs": 3}, early_stopping=True)
    assert len(early.fit(lazy, y).validation_loss_curve_) == 3
    # partial_fit reads its chunk the same way
    partial = FCNClassifier(**settings).partial_fit(lazy, y, classes=[0, 1])
    assert partial.n_iter_ == 1


def test_streamed_fit_checks_every_chunk(digits_model, monkeypatch):
    da = pytest.importorskip("dask.array")
    _, images = digits_model
    y = load_digits().target
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 300 * 64 * 4)
    bad = images.astype(np.float32)
    bad[1700, 3, 3] = np.nan  # in the last chunk
    with pytest.raises(ValueError, match="NaN"):
        CNNClassifier(max_epochs=1).fit(da.from_array(bad, chunks=(250, 8, 8)), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        CNNClassifier(max_epochs=1).fit(RowsOnly(images), y[:-1])
    unknown = da.from_array(images, chunks=(500, 8, 8))
    unknown = unknown[unknown[:, 0, 0] >= 0]
    with pytest.raises(ValueError, match="unknown size.*compute_chunk_sizes"):
        CNNClassifier(max_epochs=1).fit(unknown, y)


def test_streamed_fit_never_holds_the_whole_float32_copy(tmp_path, monkeypatch):
    tracemalloc = pytest.importorskip("tracemalloc")
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, size=(20_000, 16, 16), dtype=np.uint8)
    y = np.arange(len(images)) % 3
    whole_copy = images.size * 4 / 2**20  # 19.5 MB of float32
    on_disk = _memmap(tmp_path / "big.uint8", images)
    settings = dict(channels=(4,), dense_units=8, max_epochs=1, early_stopping=False)

    def peak_mb():
        tracemalloc.start()
        CNNClassifier(**settings).fit(on_disk, y)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return peak

    assert peak_mb() > 0.9 * whole_copy  # under the chunk size: read whole
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 2000 * 256 * 4)  # 2 MB
    monkeypatch.setattr(streaming, "POOL_BYTES", 2**20)
    assert peak_mb() < 0.25 * whole_copy


def test_the_cheap_check_of_a_fitted_model_gives_what_the_full_check_gives(
    digits_model,
):
    import pandas as pd

    model, images = digits_model
    few = images[:5]
    # a plain numpy array skips scikit-learn's validation; an array of a
    # subclass goes the full way: the same probabilities
    for values in (few, few / 255.0, (few / 255.0).astype(np.float32)):
        full = model.predict_proba(values.view(np.memmap))
        np.testing.assert_array_equal(model.predict_proba(values), full)
    bad = few.astype(np.float32)
    bad[2, 1, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(bad)
    with pytest.raises(ValueError, match="shape"):
        model.predict(few[:, :4])
    # a model fitted on a DataFrame still warns about an array without names
    y = load_digits().target
    frame = pd.DataFrame(images.reshape(len(images), -1)[:200] / 16.0)
    frame.columns = [f"p{i}" for i in range(64)]
    named = CNNClassifier(channels=(4,), max_epochs=1, random_state=0)
    named.fit(frame, y[:200])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(frame.to_numpy())


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_the_cheap_check_of_a_fitted_series_model_gives_what_the_full_check_gives(
    data_format, monkeypatch
):
    import pandas as pd

    from sknets._inputs import series

    full_checks = []

    def counted(*args, **kwargs):
        full_checks.append(type(args[1]))
        return check_array_input(*args, **kwargs)

    check_array_input = series.check_array_input
    monkeypatch.setattr(series, "check_array_input", counted)

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 12, 2))
    if data_format == "channels_first":
        X = X.transpose(0, 2, 1).copy()
    y = rng.normal(size=30)
    model = LSTMRegressor(
        hidden_size=8, max_epochs=1, random_state=0, data_format=data_format
    ).fit(X, y)
    # a plain numpy array skips scikit-learn's validation; an array of a
    # subclass goes the full way: the same predictions, also for series of
    # another length
    longer = rng.normal(
        size=(4, 20, 2) if data_format == "channels_last" else (4, 2, 20)
    )
    for values in (X[:5], X[:5].astype(np.float32), longer):
        full_checks.clear()
        full = model.predict(values.view(np.memmap))
        np.testing.assert_array_equal(model.predict(values), full)
        assert full_checks == [np.memmap]  # the plain array took the cheap path
    bad = X[:5].copy()
    bad[2, 1, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(bad)
    with pytest.raises(ValueError, match="features per time step"):
        model.predict(
            np.concatenate(
                [X[:5], X[:5]], axis=2 if data_format == "channels_last" else 1
            )
        )
    with pytest.raises(ValueError, match="length 0"):
        model.predict(X[:5, :0] if data_format == "channels_last" else X[:5, :, :0])
    with pytest.raises(ValueError, match="features per time step"):
        model.predict(X[:5, :, 0] if data_format == "channels_last" else X[:5, 0])
    # fitted on 2D (n, T): columns are steps, checked as scikit-learn does
    flat = LSTMRegressor(hidden_size=8, max_epochs=1, random_state=0).fit(
        X[:, :, 0] if data_format == "channels_last" else X[:, 0], y
    )
    two_d = X[:5, :, 0] if data_format == "channels_last" else X[:5, 0]
    np.testing.assert_array_equal(
        flat.predict(two_d), flat.predict(two_d.view(np.memmap))
    )
    with pytest.raises(ValueError, match="3D \\(n, T, 1\\) array"):
        flat.predict(two_d[:, :6])
    # a model fitted on a DataFrame still warns about an array without names
    frame = pd.DataFrame(X[:, :, 0] if data_format == "channels_last" else X[:, 0])
    frame.columns = [f"t{i}" for i in range(12)]
    named = LSTMRegressor(hidden_size=8, max_epochs=1, random_state=0).fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(frame.to_numpy())


def test_a_streamed_fit_scales_each_series_by_its_own_statistics(monkeypatch):
    from test_sequence import shapes_at_any_amplitude

    rng = np.random.RandomState(0)
    X, y = shapes_at_any_amplitude(300, rng)
    X_test, y_test = shapes_at_any_amplitude(300, rng)
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 100 * 30 * 8)
    monkeypatch.setattr(streaming, "POOL_BYTES", 2 * 32 * 30 * 8)  # 2 batches
    lazy = RowsOnly(X)
    clf = GRUClassifier(
        standardize="sample", hidden_size=16, max_epochs=30, random_state=0
    ).fit(lazy, y)
    assert len(lazy.reads) > 2 and max(lazy.reads) < len(X)  # read in parts
    assert clf.channel_mean_ is None
    # the batches were read at each series' own scale, or nothing is learned
    assert clf.score(X_test, y_test) > 0.95


def test_a_streamed_fit_refuses_nan_padding_with_a_clear_error(monkeypatch):
    # in memory, series that end in NaN are read as shorter series; read chunk
    # by chunk, every chunk would pad to its own longest series
    X = np.random.RandomState(0).normal(size=(300, 30))
    X[250, 20:] = np.nan  # in the last chunk
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 100 * 30 * 4)
    with pytest.raises(ValueError, match="Rows 200 to 299 of X hold series that end"):
        GRUClassifier(max_epochs=1).fit(RowsOnly(X), np.arange(300) % 2)
    assert GRUClassifier(max_epochs=1).fit(X, np.arange(300) % 2).max_length_ == 30


@pytest.mark.parametrize("Estimator", [MiniRocketClassifier, MiniRocketRegressor])
def test_minirocket_fits_a_streamed_array_as_it_fits_it_in_memory(
    Estimator, tmp_path, monkeypatch
):
    # its data_init reads the rows of its training input by index, which a
    # streamed input reads from the source
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 40)).astype(np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(int)
    if Estimator is MiniRocketRegressor:
        y = X[:, :10].sum(axis=1)
    path = tmp_path / "series.f32"
    written = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    written[:] = X
    written.flush()
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 50 * 40 * 4)  # 50 series
    on_disk = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    assert streaming.streamed_rows(on_disk) == 50
    params = dict(num_features=168, random_state=0)
    expected = Estimator(**params).fit(X, y).predict(X)
    np.testing.assert_array_equal(
        Estimator(**params).fit(on_disk, y).predict(X), expected
    )
    partial = Estimator(**params)
    if Estimator is MiniRocketClassifier:
        partial.partial_fit(on_disk, y, classes=[0, 1])
    else:
        partial.partial_fit(on_disk, y)
    assert (
        partial.n_iter_ == 1 and np.isfinite(partial.predict(X[:3]).astype(float)).all()
    )


def test_a_streamed_sample_is_named_by_its_place_in_the_whole_array(
    tmp_path, monkeypatch
):
    X = np.random.RandomState(0).rand(200, 40).astype(np.float32)
    X[150] = np.nan
    path = tmp_path / "series.f32"
    written = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    written[:] = X
    written.flush()
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 50 * 40 * 4)
    on_disk = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    with pytest.raises(ValueError, match="^Sample 150 of X holds only NaN"):
        FCNClassifier(max_epochs=1).fit(on_disk, np.arange(200) % 2)
