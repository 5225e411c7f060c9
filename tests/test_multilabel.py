"""Multi-label targets: y as an indicator matrix trains one sigmoid output per
label with binary cross-entropy, for images and series."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.metrics import f1_score, hamming_loss
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.preprocessing import MultiLabelBinarizer

import sknets
from sknets import (
    CNNClassifier,
    FCNClassifier,
    LSTMClassifier,
    MiniRocketClassifier,
    export_onnx,
    onnx_input,
)


def _digits():
    """Digits labelled "even" and "greater than 4" at once."""
    X, digit = load_digits(return_X_y=True)
    Y = np.c_[digit % 2 == 0, digit > 4].astype(np.int64)
    return train_test_split(X.reshape(-1, 8, 8) / 16, Y, random_state=0)


def _series(n, rng, steps=60):
    """Noise series that may hold a bump (label 0) and a dip (label 1), each
    at a random position: the labels are independent."""
    X = 0.3 * rng.normal(size=(n, steps))
    Y = rng.randint(0, 2, size=(n, 2))
    shape = np.hanning(9) * 2
    for i in range(n):
        for label, sign in ((0, 1), (1, -1)):
            if Y[i, label]:
                start = rng.randint(0, steps - 9)
                X[i, start : start + 9] += sign * shape
    return X, Y


def test_digits_learn_two_labels_at_once():
    X_train, X_test, Y_train, Y_test = _digits()
    clf = CNNClassifier(random_state=0).fit(X_train, Y_train)
    assert clf.classes_.tolist() == [0, 1]
    predicted = clf.predict(X_test)
    assert predicted.shape == Y_test.shape and predicted.dtype == Y_test.dtype
    per_label = (predicted == Y_test).mean(axis=0)
    assert np.all(per_label > 0.95), per_label
    proba = clf.predict_proba(X_test)
    assert proba.shape == Y_test.shape
    assert np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(np.int64))
    assert f1_score(Y_test, predicted, average="macro") > 0.95
    assert clf.score(X_test, Y_test) == np.mean(np.all(predicted == Y_test, axis=1))


@pytest.mark.parametrize(
    "clf",
    [
        MiniRocketClassifier(random_state=0),
        FCNClassifier(channels=(16, 16, 16), max_epochs=30, random_state=0),
    ],
    ids=["MiniRocket", "FCN"],
)
def test_series_learn_independent_labels(clf):
    rng = np.random.RandomState(0)
    X, Y = _series(300, rng)
    X_test, Y_test = _series(200, rng)
    clf.fit(X, Y)
    per_label = (clf.predict(X_test) == Y_test).mean(axis=0)
    assert np.all(per_label > 0.95), per_label


def test_label_representations_give_the_same_model():
    rng = np.random.RandomState(0)
    X, Y = _series(80, rng, steps=20)
    settings = dict(hidden_size=8, max_epochs=3, random_state=0)
    dense = LSTMClassifier(**settings).fit(X, Y).predict_proba(X)
    sparse = LSTMClassifier(**settings).fit(X, sp.csr_matrix(Y)).predict_proba(X)
    lists = LSTMClassifier(**settings).fit(X, Y.tolist()).predict_proba(X)
    np.testing.assert_array_equal(dense, sparse)
    np.testing.assert_array_equal(dense, lists)
    # label sets through MultiLabelBinarizer, booleans kept as booleans
    sets = [{name for name, on in zip(("bump", "dip"), row) if on} for row in Y]
    Y_mlb = MultiLabelBinarizer().fit_transform(sets)
    np.testing.assert_array_equal(Y_mlb, Y)
    clf = LSTMClassifier(**settings).fit(X, Y.astype(bool))
    assert clf.predict(X).dtype == bool


def test_class_weight_and_sample_weight_keep_their_meaning():
    rng = np.random.RandomState(0)
    X, Y = _series(120, rng, steps=20)
    settings = dict(hidden_size=8, max_epochs=5, random_state=0)
    plain = LSTMClassifier(**settings).fit(X, Y).predict_proba(X)
    heavy = [{0: 1.0, 1: 20.0}, {0: 1.0, 1: 1.0}]  # positives of label 0 count more
    weighted = LSTMClassifier(class_weight=heavy, **settings).fit(X, Y)
    assert weighted.predict_proba(X)[:, 0].mean() > plain[:, 0].mean() + 0.05
    # the same weights given per sample give the same model
    weight = np.where(Y[:, 0] == 1, 20.0, 1.0)
    same = LSTMClassifier(**settings).fit(X, Y, sample_weight=weight)
    np.testing.assert_allclose(same.predict_proba(X), weighted.predict_proba(X))
    balanced = LSTMClassifier(class_weight="balanced", **settings).fit(X, Y)
    assert balanced.predict_proba(X).shape == (120, 2)
    with pytest.raises(ValueError, match="class_weight should be a list of dicts"):
        LSTMClassifier(class_weight={0: 1.0, 1: 2.0}, **settings).fit(X, Y)


def test_multilabel_works_with_scikit_learn_tools_and_round_trips(tmp_path):
    rng = np.random.RandomState(0)
    X, Y = _series(90, rng, steps=20)
    clf = LSTMClassifier(hidden_size=8, max_epochs=3, random_state=0)
    scores = cross_val_score(clf, X, Y, cv=3, scoring="f1_macro")
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    clf.fit(X, Y)
    assert 0 <= hamming_loss(Y, clf.predict(X)) < 0.5
    sknets.save(clf, tmp_path / "m.sknets")
    loaded = sknets.load(tmp_path / "m.sknets")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.predict(X).dtype == clf.predict(X).dtype
    # early stopping on a multi-label scorer, with validation data
    clf.set_params(scoring="f1_macro").fit(X[:60], Y[:60], X_val=X[60:], y_val=Y[60:])
    assert len(clf.validation_scores_) == clf.n_iter_


def test_onnx_export_gives_the_label_probabilities(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    rng = np.random.RandomState(0)
    X, Y = _series(60, rng, steps=20)
    clf = LSTMClassifier(hidden_size=8, max_epochs=2, random_state=0).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        export_onnx(clf, str(tmp_path / "m.onnx"))
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    got = session.run(None, {"X": onnx_input(clf, X)})[0]
    np.testing.assert_allclose(got, clf.predict_proba(X), rtol=0, atol=1e-5)


def test_mixup_mixes_label_indicators():
    rng = np.random.RandomState(0)
    X, Y = _series(60, rng, steps=20)
    settings = dict(hidden_size=8, max_epochs=2, random_state=0, augment="mixup")
    a = LSTMClassifier(**settings).fit(X, Y).predict_proba(X)
    b = LSTMClassifier(**settings).fit(X, Y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_bad_multilabel_targets_are_refused_clearly():
    rng = np.random.RandomState(0)
    X, Y = _series(40, rng, steps=20)
    clf = LSTMClassifier(hidden_size=8, max_epochs=1, random_state=0)
    mixed = Y.copy()
    mixed[0, 0] = 2
    with pytest.raises(ValueError, match=r"y is 2D with values \[0, 1, 2\]"):
        clf.fit(X, mixed)
    never = np.c_[Y, np.zeros(40, dtype=int)]
    with pytest.raises(ValueError, match=r"label column\(s\) \[2\] are never positive"):
        clf.fit(X, never)
    clf.fit(X, Y)
    with pytest.raises(ValueError, match="fitted on a multi-label indicator matrix"):
        clf.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="y has 3 labels, but LSTMClassifier was"):
        clf.partial_fit(X, np.c_[Y, Y[:, :1]])
    with pytest.raises(ValueError, match="y_val has 3 labels"):
        clf.fit(X, Y, X_val=X, y_val=np.c_[Y, Y[:, :1]])
    with pytest.raises(ValueError, match="classes has 3 entries"):
        LSTMClassifier(max_epochs=1).partial_fit(X, Y, classes=[0, 1, 2])
    clf.fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="fitted on a 1D y of labels"):
        clf.partial_fit(X, Y)
    # a batch without positives of a label is fine once classes are given
    first = LSTMClassifier(hidden_size=8, random_state=0)
    first.partial_fit(X, np.c_[Y, np.zeros(40, dtype=int)], classes=[0, 1, 2])
    assert first.classes_.tolist() == [0, 1, 2]


SPARSE = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array]


@pytest.mark.parametrize("Classifier", [CNNClassifier, LSTMClassifier])
def test_every_sparse_format_of_y_and_y_val_gives_the_dense_model(Classifier):
    # CNNClassifier reads y through its image adapter, LSTMClassifier through
    # the series one: both turn a sparse indicator matrix into the dense one
    rng = np.random.RandomState(0)
    X = rng.rand(24, 8, 8) if Classifier is CNNClassifier else rng.rand(24, 20, 2)
    y = np.arange(24) % 2
    Y = np.c_[y, 1 - y, np.arange(24) % 3 == 0].astype(int)
    settings = dict(max_epochs=2, random_state=0)
    dense = Classifier(**settings).fit(X, Y, X_val=X[:6], y_val=Y[:6])
    expected = dense.predict_proba(X)
    for make in SPARSE:
        model = Classifier(**settings).fit(X, make(Y), X_val=X[:6], y_val=make(Y[:6]))
        np.testing.assert_array_equal(model.predict_proba(X), expected)
    sets = [{name for name, on in zip("abc", row) if on} for row in Y]
    binarized = MultiLabelBinarizer(sparse_output=True).fit_transform(sets)
    model = Classifier(**settings).fit(X, binarized, X_val=X[:6], y_val=Y[:6])
    np.testing.assert_array_equal(model.predict_proba(X), expected)
