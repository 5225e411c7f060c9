"""RNN, LSTM and GRU estimators: memory, padding, input conventions, bad input."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import assert_clear_error
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import sknets
from sknets import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    load,
    save,
)
from sknets.datasets import make_adding_problem
from sknets.modules import (
    AttentionPool,
    RecurrentNet,
    SequenceModule,
    summarize,
    token_input,
)
from sknets.modules._layers import SHARED_DOCS
from sknets.modules.rnn import windows

FAST = dict(hidden_size=16, max_epochs=10, random_state=0)


@pytest.mark.parametrize("Regressor", [LSTMRegressor, GRURegressor])
def test_lstm_and_gru_solve_the_adding_problem(Regressor):
    rng = np.random.RandomState(0)
    X, y = make_adding_problem(1500, 20, random_state=rng)
    X_test, y_test = make_adding_problem(500, 20, random_state=rng)
    reg = Regressor(hidden_size=32, max_epochs=15, batch_size=32, random_state=0)
    reg.fit(X, y)
    mse = np.mean((reg.predict(X_test) - y_test) ** 2)
    always_one = np.mean((1.0 - y_test) ** 2)
    assert always_one == pytest.approx(1 / 6, abs=0.02)
    assert mse < 0.02, mse
    # A model of the flattened steps, blind to which value each marker marks,
    # stays near the constant guess.
    flat = RidgeCV().fit(X.reshape(len(X), -1), y)
    flat_mse = np.mean((flat.predict(X_test.reshape(len(X_test), -1)) - y_test) ** 2)
    assert flat_mse > 0.1


def ragged_waves(n, rng, min_len=8, max_len=30):
    """Sine waves of random length; the class is the frequency."""
    y = rng.randint(0, 2, size=n)
    X = []
    for label in y:
        length = rng.randint(min_len, max_len + 1)
        t = np.arange(length)
        freq = 0.25 if label == 0 else 1.0
        wave = np.sin(freq * t + rng.uniform(0, 2 * np.pi))
        X.append(np.c_[wave + rng.normal(scale=0.2, size=length), t / max_len])
    return X, y


def test_variable_length_classification_end_to_end():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(200, rng)
    X_test, y_test = ragged_waves(100, rng)
    clf = GRUClassifier(hidden_size=32, max_epochs=20, random_state=0).fit(X, y)
    assert clf.n_channels_ == 2
    assert clf.score(X_test, y_test) > 0.9
    # object arrays of sequences work the same as lists
    X_obj = np.empty(len(X_test), dtype=object)
    X_obj[:] = X_test
    np.testing.assert_array_equal(clf.predict_proba(X_obj), clf.predict_proba(X_test))


def assert_padding_invariant(estimator, atol):
    """Fit on ragged series; the shortest one's prediction must not change when
    it shares a batch with much longer series, or with the training data."""
    rng = np.random.RandomState(0)
    X, y = ragged_waves(40, rng, min_len=3, max_len=25)
    clf = estimator.fit(X, y)
    short = min(range(len(X)), key=lambda i: len(X[i]))
    alone = clf.predict_proba([X[short]])
    with_long = clf.predict_proba([X[short]] + [rng.normal(size=(70, 2))] * 3)[:1]
    np.testing.assert_allclose(alone, with_long, rtol=0, atol=atol)
    together = clf.predict_proba(X)
    np.testing.assert_allclose(together[short : short + 1], alone, rtol=0, atol=atol)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("summary", ["last", "mean", "max", "attention"])
def test_padding_never_changes_a_prediction(cell, summary):
    assert_padding_invariant(RNNClassifier(cell=cell, summary=summary, **FAST), 1e-6)


@pytest.mark.parametrize("summary", ["last", "mean", "max", "attention"])
def test_windows_never_depend_on_padding(summary):
    assert_padding_invariant(LSTMClassifier(window=4, summary=summary, **FAST), 1e-6)


def test_windows_cover_each_sequence_from_its_first_step():
    x = torch.arange(10.0).view(1, 10, 1).expand(2, -1, -1)
    parts, lengths, valid = windows(x, torch.tensor([10, 5]), 4)
    steps = parts.view(2, 5, 4, 1)[..., 0]
    # windows of 4 steps, 2 apart, from step 0; the last ones completed with zeros
    assert steps[0].tolist() == [
        [0, 1, 2, 3],
        [2, 3, 4, 5],
        [4, 5, 6, 7],
        [6, 7, 8, 9],
        [8, 9, 0, 0],
    ]
    assert lengths.view(2, 5).tolist() == [[4, 4, 4, 4, 2], [4, 3, 1, 1, 1]]
    # a window counts when it reaches past the one before: steps 8-9 are in
    # the fourth window already; the sequence of 5 needs two windows
    assert valid.tolist() == [[True] * 4 + [False], [True, True] + [False] * 3]
    torch.manual_seed(0)
    net = RecurrentNet(
        1, 2, cell="gru", hidden_size=4, bidirectional=True, summary="last", window=4
    )
    net.eval()
    with torch.no_grad():
        features = net.forward_features(x, torch.tensor([10, 5]))
        alone = net.forward_features(x[1:, :5])
    assert features.shape == (2, 16)  # maximum and mean of both directions
    torch.testing.assert_close(features[1:], alone, rtol=0, atol=1e-6)


def test_window_auto_reads_long_numeric_series_in_windows():
    rng = np.random.RandomState(0)
    y = np.arange(20) % 2
    long = LSTMClassifier(hidden_size=8, max_epochs=1).fit(
        rng.normal(size=(20, 100)), y
    )
    assert (long.conv_blocks_, long.window_) == (1, 8)
    assert long.transform(rng.normal(size=(3, 100))).shape == (3, 32)
    short = LSTMClassifier(hidden_size=8, max_epochs=1).fit(
        rng.normal(size=(20, 64)), y
    )
    assert (short.conv_blocks_, short.window_) == (0, None)
    texts = ["a b c d " * 30, "e f g h " * 30] * 10
    text = LSTMClassifier(hidden_size=8, max_epochs=1).fit(texts, y)
    assert text.conv_blocks_ > 0 and text.window_ is None
    whole = LSTMClassifier(hidden_size=8, max_epochs=1, window=None)
    assert whole.fit(rng.normal(size=(20, 100)), y).window_ is None
    chosen = GRUClassifier(hidden_size=8, max_epochs=1, window=5)
    assert chosen.fit(rng.normal(size=(20, 30)), y).window_ == 5


def test_windows_find_a_local_shape_anywhere_in_long_series():
    # a short step up-then-down (class 0) or down-then-up (class 1) at a
    # random place in 300 noisy steps, 30 training series: read whole, the
    # series are learnt by heart; read in windows, the shape is found
    rng = np.random.RandomState(0)

    def shapes(n):
        y = rng.randint(0, 2, size=n)
        X = rng.normal(scale=0.5, size=(n, 300))
        shape = np.repeat([1.5, -1.5], 8)
        for i, label in enumerate(y):
            start = rng.randint(0, 300 - 16)
            X[i, start : start + 16] += shape[::-1] if label else shape
        return X, y

    X, y = shapes(30)
    X_test, y_test = shapes(200)
    # without augment='auto''s time warping, which regularises both
    params = dict(hidden_size=32, max_epochs=40, random_state=0, augment=None)
    clf = LSTMClassifier(**params).fit(X, y)
    assert clf.window_ == 8
    assert clf.score(X_test, y_test) > 0.95
    whole = LSTMClassifier(window=None, **params).fit(X, y)
    assert whole.score(X_test, y_test) < 0.85


def test_attention_weights_cover_the_valid_steps_only():
    torch.manual_seed(0)
    pool = AttentionPool(4)
    outputs = torch.randn(3, 6, 4)
    weights = pool.weights(outputs, torch.tensor([6, 2, 4]))
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(3))
    assert (weights[1, 2:] == 0).all() and (weights[2, 4:] == 0).all()
    assert (weights[:, :2] > 0).all()
    summary = pool(outputs, torch.tensor([6, 2, 4]))
    torch.testing.assert_close(
        summary[1], (weights[1, :2, None] * outputs[1, :2]).sum(0)
    )


def test_attention_summary_picks_out_the_marked_step():
    # The class is the sign of the value at a marked step anywhere in the
    # series: the attention layer learns to weight that step.
    rng = np.random.RandomState(0)

    def marked(n):
        X = np.zeros((n, 30, 2))
        X[:, :, 0] = rng.normal(size=(n, 30))
        at = rng.randint(0, 30, size=n)
        X[np.arange(n), at, 1] = 1.0
        return X, (X[np.arange(n), at, 0] > 0).astype(int)

    X, y = marked(600)
    X_test, y_test = marked(300)
    clf = GRUClassifier(
        summary="attention", hidden_size=16, max_epochs=15, random_state=0
    )
    assert clf.fit(X, y).score(X_test, y_test) > 0.9


def test_module_packs_padded_batches():
    torch.manual_seed(0)
    net = RecurrentNet(3, 2, cell="lstm", hidden_size=8, bidirectional=True).eval()
    x = torch.randn(1, 5, 3)
    padded = torch.cat([x, torch.zeros(1, 7, 3)], dim=1)
    with torch.no_grad():
        torch.testing.assert_close(
            net(x), net(padded, lengths=torch.tensor([5])), rtol=0, atol=1e-6
        )


def test_univariate_layouts_agree():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 15))
    y = (X[:, :5].sum(axis=1) > 0).astype(int)
    ref = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    df = pd.DataFrame(X, columns=[f"t{i}" for i in range(15)])
    from_df = LSTMClassifier(**FAST).fit(df, y)
    assert list(from_df.feature_names_in_) == list(df.columns)
    np.testing.assert_allclose(from_df.predict_proba(df), ref, atol=1e-6)
    np.testing.assert_allclose(
        LSTMClassifier(**FAST).fit(X[:, :, None], y).predict_proba(X[:, :, None]),
        ref,
        atol=1e-6,
    )
    as_list = LSTMClassifier(**FAST).fit(list(X), y)
    np.testing.assert_allclose(as_list.predict_proba(list(X)), ref, atol=1e-6)


def test_channels_first_equals_transposed_channels_last():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12, 3))
    y = (X[:, :, 1].mean(axis=1) > 0).astype(int)
    last = GRUClassifier(**FAST).fit(X, y)
    X_first = X.transpose(0, 2, 1).copy()
    first = GRUClassifier(data_format="channels_first", **FAST).fit(X_first, y)
    np.testing.assert_allclose(
        last.predict_proba(X), first.predict_proba(X_first), atol=1e-6
    )
    assert first.n_channels_ == 3 and first.n_features_in_ == 3


def test_fixed_length_model_predicts_other_lengths():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 20, 2))
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.predict(X[:, :12]).shape == (60,)
    assert clf.predict(rng.normal(size=(5, 40, 2))).shape == (5,)
    assert clf.predict([rng.normal(size=(t, 2)) for t in (3, 30)]).shape == (2,)


def _unequal_series(rng, n=40, channels=2):
    series = [rng.normal(size=(rng.randint(5, 21), channels)) for _ in range(n)]
    y = np.array([int(s[:, 0].mean() > 0) for s in series])
    return series, y


def test_nan_padded_arrays_are_read_as_series_of_their_lengths():
    # the UCR archive's files and tslearn pad unequal lengths with NaN
    rng = np.random.RandomState(0)
    series, y = _unequal_series(rng)
    padded = np.full((len(series), 20, 2), np.nan)
    for i, s in enumerate(series):
        padded[i, : len(s)] = s
    before = padded.copy()
    ref = GRUClassifier(**FAST).fit(series, y)
    proba = ref.predict_proba(series)
    clf = GRUClassifier(**FAST).fit(padded, y)
    np.testing.assert_array_equal(padded, before)  # the caller's X is untouched
    assert clf.max_length_ == ref.max_length_ and clf.n_features_in_ == 2
    np.testing.assert_allclose(clf.predict_proba(padded), proba, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(series), proba, atol=1e-6)
    first = GRUClassifier(data_format="channels_first", **FAST)
    first.fit(padded.transpose(0, 2, 1), y)
    np.testing.assert_allclose(
        first.predict_proba(padded.transpose(0, 2, 1)), proba, atol=1e-6
    )
    # univariate: a DataFrame with one column per step, as read from a file
    frame = pd.DataFrame(padded[:, :, 0])
    univariate = [s[:, 0] for s in series]
    ref = GRUClassifier(**FAST).fit(univariate, y).predict_proba(univariate)
    np.testing.assert_allclose(
        GRUClassifier(**FAST).fit(frame, y).predict_proba(frame), ref, atol=1e-6
    )
    nullable = frame.astype("Float64")  # missing values as pandas NA
    np.testing.assert_allclose(
        GRUClassifier(**FAST).fit(nullable, y).predict_proba(nullable), ref, atol=1e-6
    )


def test_nested_dataframes_are_read_as_their_series():
    # sktime's 'nested_univ' panels: a series in every cell, columns channels
    def nested(samples):
        return pd.DataFrame(
            {f"dim_{j}": [pd.Series(s[:, j]) for s in samples] for j in range(2)}
        )

    rng = np.random.RandomState(0)
    series, y = _unequal_series(rng)
    ref = GRUClassifier(**FAST).fit(series, y).predict_proba(series)
    for data_format in ("channels_last", "channels_first"):
        clf = GRUClassifier(data_format=data_format, **FAST).fit(nested(series), y)
        np.testing.assert_allclose(clf.predict_proba(nested(series)), ref, atol=1e-6)
    # lists of numbers in the cells, as a frame built from records holds them
    lists = pd.DataFrame({f"dim_{j}": [list(s[:, j]) for s in series] for j in (0, 1)})
    clf = GRUClassifier(**FAST).fit(lists, y)
    np.testing.assert_allclose(clf.predict_proba(lists), ref, atol=1e-6)
    X = rng.normal(size=(40, 12, 2))
    y = (X[:, :, 1].mean(axis=1) > 0).astype(int)
    ref = GRUClassifier(**FAST).fit(X, y).predict_proba(X)
    clf = GRUClassifier(**FAST).fit(nested(list(X)), y)
    np.testing.assert_allclose(clf.predict_proba(nested(list(X))), ref, atol=1e-6)
    # the columns name the channels, as a DataFrame's columns name features
    np.testing.assert_array_equal(clf.feature_names_in_, ["dim_0", "dim_1"])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_allclose(clf.predict_proba(X), ref, atol=1e-6)


def test_standardize_learns_channel_statistics():
    rng = np.random.RandomState(0)
    X = rng.normal(loc=[100.0, -3.0], scale=[50.0, 0.01], size=(80, 10, 2))
    y = (X[:, :, 1].mean(axis=1) > -3.0).astype(int)
    clf = GRUClassifier(**{**FAST, "max_epochs": 30}).fit(X, y)
    np.testing.assert_allclose(clf.channel_mean_, X.reshape(-1, 2).mean(axis=0))
    np.testing.assert_allclose(clf.channel_scale_, X.reshape(-1, 2).std(axis=0))
    assert clf.score(X, y) > 0.9
    raw = GRUClassifier(standardize=False, **FAST).fit(X, y)
    assert raw.channel_mean_ is None


def shapes_at_any_amplitude(n, rng, length=30):
    """Sine waves (class 1) and square waves (class 0) of one frequency, each
    series scaled by 10**u, u uniform in [-3, 3], and shifted by as much."""
    y = rng.randint(0, 2, size=n)
    t = np.arange(length) * 2 * np.pi / 10 + rng.uniform(0, 2 * np.pi, (n, 1))
    X = np.where(y[:, None] == 1, np.sin(t), np.sign(np.sin(t)))
    X = X + rng.normal(scale=0.2, size=X.shape)
    amplitude = 10 ** rng.uniform(-3, 3, size=(n, 1))
    return X * amplitude + rng.normal(size=(n, 1)) * amplitude, y


def test_standardize_sample_reads_shapes_whatever_their_amplitude(tmp_path):
    rng = np.random.RandomState(0)
    X, y = shapes_at_any_amplitude(300, rng)
    X_test, y_test = shapes_at_any_amplitude(300, rng)
    settings = {**FAST, "max_epochs": 30}
    # one scaling for all leaves most series near zero: the fit says so
    with pytest.warns(UserWarning, match="amplitudes differ by orders of magn"):
        GRUClassifier(**{**settings, "max_epochs": 1}).fit(X, y)
    before = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = GRUClassifier(standardize="sample", **settings).fit(X, y)
    np.testing.assert_array_equal(X, before)
    assert clf.channel_mean_ is None and clf.channel_scale_ is None
    assert clf.score(X_test, y_test) > 0.95
    # each series is read at its own scale: rescaled and shifted, the same
    proba = clf.predict_proba(X_test)
    moved = X_test * 1e4 - 7.0
    np.testing.assert_allclose(clf.predict_proba(moved), proba, atol=1e-5)
    # unequal lengths: each series scaled over its own steps, padding unseen
    ragged = [x[: 12 + i % 18, None] for i, x in enumerate(X_test[:20])]
    alone = np.vstack([clf.predict_proba([x]) for x in ragged])
    np.testing.assert_allclose(clf.predict_proba(ragged), alone, atol=1e-5)
    # a saved model scales as the fitted one did
    path = tmp_path / "model.sknets"
    save(clf, path)
    np.testing.assert_array_equal(
        load(path).predict_proba(moved), clf.predict_proba(moved)
    )


def test_regression_with_2d_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 12, 1))
    Y = np.c_[X[:, -1, 0], X[:, -2, 0], X[:, :, 0].mean(axis=1)] * 10 + 50
    # the targets are the last steps: the final state reads them directly
    reg = RNNRegressor(
        cell="gru", hidden_size=32, summary="last", max_epochs=40, random_state=0
    ).fit(X, Y)
    assert reg.n_outputs_ == 3
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.9


def test_grid_search_over_cell_pipeline_and_cross_val():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(90, rng)
    grid = GridSearchCV(
        LSTMClassifier(**FAST), {"cell": ["rnn", "lstm", "gru"]}, cv=2
    ).fit(X, y)
    assert set(grid.cv_results_["param_cell"]) == {"rnn", "lstm", "gru"}
    assert grid.best_estimator_.net_.module_.cell == grid.best_params_["cell"]
    scale = FunctionTransformer(lambda seqs: [s * 2.0 for s in seqs])
    pipe = make_pipeline(scale, GRUClassifier(max_epochs=30, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8


def test_default_cells():
    assert RNNClassifier().cell == "rnn" and RNNRegressor().cell == "rnn"
    assert LSTMClassifier().cell == "lstm" and LSTMRegressor().cell == "lstm"
    assert GRUClassifier().cell == "gru" and GRURegressor().cell == "gru"
    assert GRUClassifier(cell="lstm").get_params()["cell"] == "lstm"


def test_gradient_clipping_is_on_by_default():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 5))
    y = np.arange(20) % 2
    clf = LSTMClassifier(**FAST).fit(X, y)
    clip = dict(clf.net_.callbacks_)["clip_grad_norm"]
    assert clip.gradient_clip_value == 1.0
    off = LSTMClassifier(clip_grad_norm=None, **FAST).fit(X, y)
    assert "clip_grad_norm" not in dict(off.net_.callbacks_)


# -- bad input -------------------------------------------------------------
@pytest.mark.parametrize(
    "X, error, match",
    [
        (
            [np.ones((5, 2)), np.ones((6, 3))],
            ValueError,
            r"Sample 1 of X has shape \(6, 3\), but sample 0 has \(5, 2\): they "
            "differ along both axes, so in neither layout do the sequences have "
            "one number of features per time step.",
        ),
        (
            [np.ones((5, 2)), np.ones((0, 2))],
            ValueError,
            "Sample 1 of X is an empty sequence",
        ),
        (
            [np.ones((5, 2)), np.r_[np.ones((3, 2)), [[np.nan, 1.0]]]],
            ValueError,
            "Sample 1 of X contains NaN",
        ),
        (
            [np.ones(4), np.ones(5), np.ones((2, 2, 2))],
            ValueError,
            r"Sample 2 of X has shape \(2, 2, 2\)",
        ),
        (np.ones((2, 4, 3, 3)), ValueError, "got an array with 4 dimensions"),
        (
            np.array([{"a": 1}, {"b": 2}], dtype=object),
            ValueError,
            "items are not sequences",
        ),
        ([np.ones(4), 3.0], ValueError, "mixes sequences and scalars: sample 1"),
        ([np.ones(3), "abc"], TypeError, "Sample 1 of X is a string"),
        ([b"good film", b"bad film"], TypeError, r"Sample 0 of X is bytes .*decode"),
        (np.ones((2, 0)), ValueError, "0 feature"),
        (np.full((2, 4), np.inf), ValueError, "infinity"),
        (
            np.array([[1.0, np.nan, 2.0, np.nan], [1.0, 2.0, 3.0, 4.0]]),
            ValueError,
            "Sample 0 of X has NaN at step 1, before the end of its series",
        ),
        (
            np.r_[np.ones((1, 4, 2)), [[[1, 1], [1, 1], [1, 1], [np.nan, 1]]]],
            ValueError,
            "Sample 1 of X has NaN at step 3, channel 0, before the end",
        ),
        (
            np.array([[1.0, 2.0, 3.0, 4.0], [np.nan] * 4]),
            ValueError,
            "Sample 1 of X holds only NaN: an empty series",
        ),
        (
            pd.DataFrame({"a": [pd.Series([1.0, 2.0]), 3.0]}),
            ValueError,
            "Sample 1 of X .*nested_univ.* holds float in column 'a'",
        ),
        (
            pd.DataFrame(
                {"a": [pd.Series([1.0, 2.0])] * 2, "b": [pd.Series([1.0])] * 2}
            ),
            ValueError,
            r"Sample 0 of X .* has series of lengths \[1, 2\] in its columns",
        ),
    ],
    ids=[
        "features",
        "zero-length",
        "nan",
        "3d-sample",
        "4d",
        "objects",
        "scalars",
        "strings",
        "bytes",
        "empty-steps",
        "inf",
        "nan-inside",
        "nan-in-one-channel",
        "nan-only",
        "nested-scalar",
        "nested-lengths",
    ],
)
def test_bad_sequence_input(X, error, match):
    with pytest.raises(error, match=match) as excinfo:
        LSTMClassifier(**FAST).fit(
            X, [0, 1][: len(X)] if len(X) == 2 else [0, 1, 0][: len(X)]
        )
    assert_clear_error(excinfo)


def test_feature_count_at_predict_must_match():
    rng = np.random.RandomState(0)
    clf = GRUClassifier(**FAST).fit(rng.normal(size=(20, 8, 3)), np.arange(20) % 2)
    with pytest.raises(
        ValueError,
        match="X has 2 features per time step, but GRUClassifier was fitted with 3",
    ):
        clf.predict(rng.normal(size=(4, 8, 2)))


def test_unknown_data_format_fails_at_fit():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="data_format"):
        LSTMClassifier(data_format="ntc").fit(np.ones((4, 3)), [0, 1, 0, 1])


class MeanPoolNet(SequenceModule):
    """A user's own sequence module: embedding (for token ids), a projection,
    the mean over the valid steps."""

    def __init__(
        self,
        input_size,
        n_outputs,
        vocab_size=None,
        embedding_dim=8,
        embeddings=None,
        freeze_embeddings=False,
    ):
        super().__init__()
        self.embedding, size = token_input(
            input_size, vocab_size, embedding_dim, embeddings, freeze_embeddings
        )
        self.proj = torch.nn.Linear(size, 16)
        self.head = torch.nn.Linear(16, n_outputs)

    def forward_features(self, x, lengths=None):
        if self.embedding is not None:
            x = self.embedding(x)
        return summarize(torch.relu(self.proj(x)), lengths, "mean")


def test_user_sequence_module_on_series_and_text():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(120, rng)
    X = [x + [[0.5 * label, 0.0]] for x, label in zip(X, y)]  # a mean shift
    clf = LSTMClassifier(module=MeanPoolNet, max_epochs=30, lr=1e-2, random_state=0)
    assert clf.fit(X, y).score(X, y) > 0.9
    assert isinstance(clf.net_.module_, MeanPoolNet)
    assert_padding_invariant(
        GRUClassifier(module=MeanPoolNet, max_epochs=2, random_state=0), 1e-6
    )
    texts = ["good film", "bad film", "good plot", "bad plot"] * 10
    labels = [1, 0, 1, 0] * 10
    text_clf = GRUClassifier(module=MeanPoolNet, max_epochs=30, lr=1e-2, random_state=0)
    assert text_clf.fit(texts, labels).score(texts, labels) == 1.0
    assert text_clf.net_.module_.embedding.num_embeddings == text_clf.n_tokens_


def test_user_sequence_module_that_refuses_the_input_arguments():
    class NoArgs(SequenceModule):
        def __init__(self):
            super().__init__()

    X = np.random.RandomState(0).rand(10, 5, 2)
    with pytest.raises(
        TypeError, match=r"builds a module class as module\(input_size=2, n_outputs=2\)"
    ):
        GRUClassifier(module=NoArgs, max_epochs=1).fit(X, np.arange(10) % 2)


def test_every_sequence_module_documents_its_input_and_token_arguments():
    """The modules share the numpydoc entries of ``input_size``,
    ``n_outputs`` and ``**tokens`` through SequenceModule's markers, filled in
    every docstring (none left unfilled), each entry once."""
    modules = [
        m
        for m in vars(sknets.modules).values()
        if isinstance(m, type)
        and issubclass(m, SequenceModule)
        and "tokens" in inspect.signature(m).parameters
    ]
    assert len(modules) == 8
    for module in modules:
        assert "%(" not in module.__doc__, module.__name__
        assert module.__doc__.count(SHARED_DOCS["tokens"]) == 1, module.__name__
        assert module.__doc__.count("input_size : int") == 1, module.__name__


def test_make_adding_problem_marks_one_step_per_half_and_sums_them():
    X, y = make_adding_problem(50, 10, random_state=0)
    assert X.shape == (50, 10, 2) and y.shape == (50,)
    markers = X[:, :, 1]
    assert (markers[:, :5].sum(axis=1) == 1).all()
    assert (markers[:, 5:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (X[:, :, 0] * markers).sum(axis=1))
    np.testing.assert_array_equal(make_adding_problem(50, 10, random_state=0)[0], X)
    with pytest.raises(ValueError, match="length must be at least 2, got 1"):
        make_adding_problem(5, 1)
