"""Series layouts: data_format='auto' reads the panels of sktime and aeon as
they come (numpy3D, nested_univ, pd-multiindex, lists of (F, T_i) arrays)
and refuses a shape it cannot read one way only."""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import assert_clear_error

from sknets import (
    CRNNClassifier,
    GRUClassifier,
    GRURegressor,
    MiniRocketClassifier,
    MiniRocketRegressor,
    load,
    save,
)
from sknets._inputs import SERIES
from sknets._registry import ESTIMATORS

datasets = pytest.importorskip("sktime.datasets")

SERIES_ESTIMATORS = [
    cls
    for name, cls in sorted(ESTIMATORS.items())
    if SERIES in getattr(cls, "_input_kinds", ())
    and name.endswith(("Classifier", "Regressor"))
]


def _basic_motions():
    """sktime's BasicMotions training set, 6 channels of 100 steps, in its
    three panel types, with the targets of a classifier and a regressor."""
    X, y = datasets.load_basic_motions(split="train", return_type="numpy3D")
    nested, _ = datasets.load_basic_motions(split="train", return_type="nested_univ")
    multi, _ = datasets.load_basic_motions(split="train", return_type="pd-multiindex")
    return X[::2], nested.iloc[::2], _every_other(multi), y[::2]


def _every_other(multi):
    keep = multi.index.get_level_values(0).unique()[::2]
    return multi[multi.index.get_level_values(0).isin(keep)]


def _fitted(cls, X, y, **params):
    target = y if cls.__name__.endswith("Classifier") else (y == y[0]) * 1.0
    return cls(max_epochs=1, random_state=0, **params).fit(X, target)


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


@pytest.mark.parametrize("cls", SERIES_ESTIMATORS, ids=lambda c: c.__name__)
def test_every_series_estimator_reads_sktime_panels_as_channels_first(cls):
    X, nested, multi, y = _basic_motions()
    assert X.shape == (20, 6, 100)
    first = _fitted(cls, X, y, data_format="channels_first")
    auto = _fitted(cls, X, y)
    assert auto.data_format_ == "channels_first" and auto.n_channels_ == 6
    expected = _outputs(first, X)
    np.testing.assert_array_equal(_outputs(auto, X), expected)
    for frame in (nested, multi):  # read by their structure
        model = _fitted(cls, frame, y)
        assert model.n_channels_ == 6 and model.n_features_in_ == 6
        np.testing.assert_array_equal(model.feature_names_in_, X_columns(frame))
        np.testing.assert_array_equal(_outputs(model, frame), expected)


def X_columns(frame):
    return np.asarray(frame.columns, dtype=object)


LOADERS = {
    "UnitTest": datasets.load_unit_test,
    "ArrowHead": datasets.load_arrow_head,
    "GunPoint": datasets.load_gunpoint,
    "ItalyPowerDemand": datasets.load_italy_power_demand,
    "OSULeaf": datasets.load_osuleaf,
    "ACSF1": datasets.load_acsf1,
    "BasicMotions": datasets.load_basic_motions,
}


@pytest.mark.parametrize("name", LOADERS)
def test_bundled_classification_sets_read_the_same_in_every_panel_type(name):
    X, y = LOADERS[name](split="train", return_type="numpy3D")
    X_test, _ = LOADERS[name](split="test", return_type="numpy3D")
    params = dict(num_features=168, random_state=0)
    reference = MiniRocketClassifier(data_format="channels_first", **params)
    expected = reference.fit(X, y).predict_proba(X_test)
    auto = MiniRocketClassifier(**params).fit(X, y)
    assert auto.data_format_ == "channels_first"
    assert auto.n_channels_ == X.shape[1]
    np.testing.assert_array_equal(auto.predict_proba(X_test), expected)
    for mtype in ("pd-multiindex", "nested_univ"):
        frame, _ = LOADERS[name](split="train", return_type=mtype)
        test_frame, _ = LOADERS[name](split="test", return_type=mtype)
        model = MiniRocketClassifier(**params).fit(frame, y)
        np.testing.assert_array_equal(model.predict_proba(test_frame), expected)


def test_unequal_length_sets_read_the_same_as_lists():
    # JapaneseVowels: 12 channels of 7 to 29 steps, as nested_univ
    nested, y = datasets.load_japanese_vowels(split="train")
    series = [np.stack([np.asarray(c) for c in row], axis=1) for row in nested.values]
    aeon_list = [s.T for s in series]  # aeon's list of (channels, steps) arrays
    params = dict(num_features=168, random_state=0)
    expected = MiniRocketClassifier(**params).fit(series, y).predict_proba(series)
    for X in (nested, aeon_list):
        model = MiniRocketClassifier(**params).fit(X, y)
        assert model.n_channels_ == 12
        np.testing.assert_array_equal(model.predict_proba(X), expected)
    explicit = MiniRocketClassifier(data_format="channels_first", **params)
    np.testing.assert_array_equal(
        explicit.fit(aeon_list, y).predict_proba(aeon_list), expected
    )
    assert MiniRocketClassifier(**params).fit(aeon_list, y).data_format_ == (
        "channels_first"
    )


@pytest.mark.parametrize(
    "shape, layout",
    [
        ((30, 1, 24), "channels_first"),  # one channel
        ((30, 24, 1), "channels_last"),
        ((30, 6, 100), "channels_first"),  # sktime's numpy3D
        ((30, 100, 6), "channels_last"),  # torch's and Keras' (n, T, F)
        ((30, 12, 24), "channels_first"),  # twice as many steps
        ((30, 1, 1), "channels_last"),
    ],
)
def test_auto_reads_the_longer_axis_as_time(shape, layout):
    X = np.random.RandomState(0).normal(size=shape)
    model = GRURegressor(hidden_size=4, max_epochs=1).fit(X, X[:, 0, 0])
    assert model.data_format_ == layout
    steps, channels = shape[1:] if layout == "channels_last" else shape[:0:-1]
    assert (model.max_length_, model.n_channels_) == (steps, channels)


@pytest.mark.parametrize("shape", [(20, 10, 12), (20, 12, 10), (20, 5, 5)])
def test_auto_refuses_a_shape_that_reads_both_ways(shape):
    X = np.random.RandomState(0).normal(size=shape)
    n, a, b = shape
    message = (
        f"MiniRocketClassifier cannot tell which axis of X (shape {shape}) is "
        f"time: it reads as series of {a} steps with {b} channels "
        "(data_format='channels_last', as torch and Keras lay series out) or of "
        f"{b} steps with {a} channels (data_format='channels_first', as sktime's "
        "and aeon's numpy3D do). Set data_format to the one you mean."
    )
    with pytest.raises(ValueError, match=re.escape(message)) as excinfo:
        MiniRocketClassifier().fit(X, np.arange(n) % 2)
    assert_clear_error(excinfo)
    for layout in ("channels_last", "channels_first"):  # either, when set
        model = MiniRocketClassifier(data_format=layout, num_features=168)
        assert model.fit(X, np.arange(n) % 2).data_format_ == layout


def test_auto_refuses_counts_that_contradict_the_values():
    # 8 smooth steps of 20 features (time-major), which the counts alone
    # would read as 20 steps of 8 channels
    rng = np.random.RandomState(0)
    X = np.cumsum(rng.normal(size=(30, 8, 20)), axis=1)
    with pytest.raises(ValueError, match="the values are smoother across what would"):
        GRUClassifier(max_epochs=1).fit(X, np.arange(30) % 2)
    model = GRUClassifier(data_format="channels_last", max_epochs=1, hidden_size=4)
    assert model.fit(X, np.arange(30) % 2).n_channels_ == 20
    # a random walk along the longer axis reads as time
    Z = np.cumsum(rng.normal(size=(30, 8, 20)), axis=2)
    assert MiniRocketClassifier().fit(Z, np.arange(30) % 2).n_channels_ == 8


def test_prediction_reads_the_layout_that_gives_the_fitted_channels():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 40))  # 2D: univariate series
    model = MiniRocketRegressor(num_features=168, random_state=0).fit(X, X[:, 0])
    expected = model.predict(X[:, None, :])
    np.testing.assert_array_equal(model.predict(X[:, :, None]), expected)
    np.testing.assert_array_equal(model.predict(X), expected)
    # fitted on (n, F, T): (n, T, F) is read by the fitted number of channels
    Z = rng.normal(size=(30, 3, 40))
    auto = MiniRocketRegressor(num_features=168, random_state=0).fit(Z, Z[:, 0, 0])
    np.testing.assert_array_equal(auto.predict(Z.transpose(0, 2, 1)), auto.predict(Z))
    # an explicit layout is kept: the other one is refused
    first = MiniRocketRegressor(data_format="channels_first", num_features=168)
    first.fit(Z, Z[:, 0, 0])
    with pytest.raises(ValueError, match="X has 40 features per time step, but"):
        first.predict(Z.transpose(0, 2, 1))


def test_multiindex_frames_honour_their_time_index():
    X, _, multi, y = _basic_motions()
    expected = _fitted(MiniRocketClassifier, X, y).predict_proba(X)
    # each sample's rows in reverse time order: read in time order
    backwards = multi.groupby(level=0, group_keys=False).apply(lambda g: g[::-1])
    model = _fitted(MiniRocketClassifier, backwards, y)
    np.testing.assert_array_equal(model.predict_proba(multi), expected)
    np.testing.assert_array_equal(model.predict_proba(backwards), expected)
    # hierarchical: (store, product, time) rows, the sample is (store, product)
    hier = multi.copy()
    instances = hier.index.get_level_values(0)
    hier.index = pd.MultiIndex.from_arrays(
        [instances % 3, instances, hier.index.get_level_values(1)]
    )
    np.testing.assert_array_equal(
        _fitted(MiniRocketClassifier, hier, y).predict_proba(hier), expected
    )
    # a PeriodIndex of months as the time level
    months = pd.period_range("2000-01", periods=100, freq="M")
    periods = multi.copy()
    periods.index = pd.MultiIndex.from_arrays(
        [instances, np.tile(months, len(instances.unique()))]
    )
    np.testing.assert_array_equal(
        _fitted(MiniRocketClassifier, periods, y).predict_proba(periods), expected
    )


def test_panel_frames_of_other_structures_are_refused_clearly():
    _, _, multi, y = _basic_motions()
    repeated = multi.copy()
    index = repeated.index.to_frame()
    index.iloc[1, 1] = index.iloc[0, 1]
    repeated.index = pd.MultiIndex.from_frame(index)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Sample 0 of X (a DataFrame with a (sample, time) MultiIndex on its "
            "rows and one column per channel, as sktime's 'pd-multiindex') has the "
            "time point 0 more than once; each time point of a sample needs one row."
        ),
    ):
        MiniRocketClassifier().fit(repeated, y)
    labelled = multi.assign(label="a")
    with pytest.raises(ValueError, match="has columns that are not numeric"):
        MiniRocketClassifier().fit(labelled, y)
    # a long table of (id, time, value) rows: named, with the way to read it
    long = multi.reset_index()
    long.columns = ["id", "time", *multi.columns]
    long["time"] = pd.Timestamp("2000-01-01") + pd.to_timedelta(long["time"], "D")
    with pytest.raises(ValueError, match=re.escape("X.set_index([id_column")) as e:
        MiniRocketClassifier().fit(long, np.arange(len(long)) % 2)
    assert "its column 'time' holds datetime64" in str(e.value)
    before = multi.copy()
    MiniRocketClassifier(num_features=168).fit(multi, y)
    pd.testing.assert_frame_equal(multi, before)  # the caller's frame is untouched


def test_the_layout_read_at_fit_is_saved(tmp_path):
    X, _, _, y = _basic_motions()
    model = _fitted(GRUClassifier, X, y, hidden_size=8)
    save(model, tmp_path / "m.sknets")
    loaded = load(tmp_path / "m.sknets")
    assert loaded.data_format_ == "channels_first"
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_image_sequences_find_their_channel_axis():
    rng = np.random.RandomState(0)
    videos = rng.uniform(size=(20, 4, 8, 8, 2))  # (n, T, H, W, C)
    y = np.arange(20) % 2
    params = dict(channels=(4,), hidden_size=4, max_epochs=1, random_state=0)
    last = CRNNClassifier(**params).fit(videos, y)
    assert last.data_format_ == "channels_last" and last.frame_shape_ == (2, 8, 8)
    first_videos = videos.transpose(0, 1, 4, 2, 3)
    first = CRNNClassifier(**params).fit(first_videos, y)
    assert first.data_format_ == "channels_first"
    np.testing.assert_array_equal(
        first.predict_proba(first_videos), last.predict_proba(videos)
    )
    with pytest.raises(ValueError, match="cannot tell which axis of images of shape"):
        CRNNClassifier(**params).fit(rng.uniform(size=(20, 4, 3, 3, 3)), y)


def test_samples_of_a_list_that_differ_along_both_axes_are_refused():
    X, y = [np.ones((5, 2)), np.ones((6, 3))], [0, 1]
    with pytest.raises(ValueError, match="they differ along both axes"):
        MiniRocketClassifier().fit(X, y)
    with pytest.raises(
        ValueError, match="Sample 1 of X has 3 features per time step, but sample 0"
    ):
        MiniRocketClassifier(data_format="channels_last").fit(X, y)
    with pytest.raises(
        ValueError, match="Sample 1 of X has 6 features per time step, but sample 0"
    ):
        MiniRocketClassifier(data_format="channels_first").fit(X, y)
