"""sknets.save / sknets.load: what a model file keeps, and what it refuses.

More round trips (every family, text, videos) and the refusal of pickle
payloads are in test_reliability.py.
"""

import json
import zipfile

import numpy as np
import pytest

import sknets
from sknets import CNNClassifier, GRURegressor


def _fitted_attributes(estimator):
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and k != "net_"}


def _assert_same(a, b, where):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, (list, tuple)) and a and isinstance(a[0], float):
        np.testing.assert_allclose(a, b, rtol=0, atol=0, err_msg=where)
    else:
        assert a == b and type(a) is type(b), where


@pytest.mark.parametrize(
    "estimator, X, y",
    [
        (
            CNNClassifier(max_epochs=30, n_iter_no_change=2, early_stopping=True),
            np.random.RandomState(0).rand(80, 8, 8),
            np.arange(80) % 2,
        ),
        (
            GRURegressor(
                hidden_size=8, max_epochs=30, n_iter_no_change=2, early_stopping=True
            ),
            np.random.RandomState(0).rand(80, 6, 2),
            np.random.RandomState(1).rand(80, 2),
        ),
    ],
    ids=["cnn-classifier", "gru-regressor"],
)
def test_round_trip_of_an_early_stopped_model_keeps_every_fitted_attribute(
    tmp_path, estimator, X, y
):
    fitted = estimator.set_params(random_state=0).fit(X, y)
    assert fitted.n_iter_ < 30 and fitted.validation_scores_  # it stopped early
    sknets.save(fitted, tmp_path / "model.sknets")
    loaded = sknets.load(tmp_path / "model.sknets")
    before, after = _fitted_attributes(fitted), _fitted_attributes(loaded)
    assert sorted(after) == sorted(before)
    for name, value in before.items():
        _assert_same(value, after[name], name)
    assert loaded.validation_scores_ == fitted.validation_scores_
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))


def test_a_resumed_epoch_that_is_worse_keeps_the_earlier_best_checkpoint(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 8, 8), np.arange(60) % 2
    X[y == 1, :4] += 1.0
    CNNClassifier(max_epochs=4, random_state=0, checkpoint_dir=str(tmp_path)).fit(X, y)
    best = (tmp_path / "best.sknets").read_bytes()
    assert sknets.load(tmp_path / "best.sknets").n_iter_ == 4
    resumed = sknets.load(tmp_path / "last.sknets").set_params(
        warm_start=True, max_epochs=1
    )
    resumed.fit(X, rng.permutation(y))  # shuffled labels: a worse training loss
    assert resumed.n_iter_ == 5
    assert resumed.loss_curve_[-1] > min(resumed.loss_curve_[:-1])
    assert sknets.load(tmp_path / "last.sknets").n_iter_ == 5
    assert (tmp_path / "best.sknets").read_bytes() == best
    assert resumed.net_.history[-1, "train_loss_best"] is False


def test_loaded_model_flags_its_best_epoch_as_a_fresh_fit_does(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 8, 8), np.arange(40) % 2
    fitted = CNNClassifier(max_epochs=3, random_state=0).fit(X, y)
    sknets.save(fitted, tmp_path / "m.sknets")
    loaded = sknets.load(tmp_path / "m.sknets")
    for key in ("train_loss", "train_loss_best", "dur"):
        assert loaded.net_.history[:, key] == fitted.net_.history[:, key]


def _rewrite(path, edit):
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("weights.pt")
    edit(config)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)


def test_load_refuses_another_file_format_and_unknown_attributes(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.rand(30, 8, 8), np.arange(30) % 2
    path = tmp_path / "m.sknets"
    sknets.save(CNNClassifier(max_epochs=1, random_state=0).fit(X, y), path)
    _rewrite(path, lambda config: config.update(format_version=1))
    with pytest.raises(ValueError, match="model file format 1; this sknets reads"):
        sknets.load(path)
    sknets.save(CNNClassifier(max_epochs=1, random_state=0).fit(X, y), path)
    _rewrite(path, lambda config: config["fitted"]["__dict__"].append(["predict", "x"]))
    with pytest.raises(ValueError, match="sets 'predict', which is not a fitted"):
        sknets.load(path)
    sknets.save(CNNClassifier(max_epochs=1, random_state=0).fit(X, y), path)
    _rewrite(path, lambda config: config["fitted"]["__dict__"].append(["_fit", "x"]))
    with pytest.raises(ValueError, match="sets '_fit', which is not a fitted"):
        sknets.load(path)


def test_save_refuses_a_subclass_of_the_same_name(tmp_path):
    class CNNClassifier(sknets.CNNClassifier):
        __doc__ = sknets.CNNClassifier.__doc__

    rng = np.random.RandomState(0)
    clf = CNNClassifier(max_epochs=1).fit(rng.rand(20, 8, 8), np.arange(20) % 2)
    with pytest.raises(TypeError, match="stores sknets' own estimators"):
        sknets.save(clf, tmp_path / "m.sknets")
