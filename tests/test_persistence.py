"""sknets.save / sknets.load: what a model file keeps, and what it refuses.

More round trips (every family, text, videos) and the refusal of pickle
payloads are in test_reliability.py.
"""

import json
import zipfile

import numpy as np
import pytest

import sknets
from sknets import CNNClassifier, GRURegressor, LSTMClassifier, LSTMRegressor
from sknets._targets import Target


def _fitted_attributes(estimator):
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and k != "net_"}


def _assert_same(a, b, where):
    if isinstance(a, Target):  # the target's own state, field by field
        assert type(a) is type(b), where
        a, b = a.state(), b.state()
        assert sorted(a) == sorted(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, np.ndarray):
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


def _as_format_2(config, drop=()):
    """A model file as format 2 wrote it: the target's state as attributes of
    the estimator (less ``drop``, which older files lacked)."""
    fitted = config["fitted"]["__dict__"]
    target = dict(next(v for k, v in fitted if k == "_target_")["__dict__"])
    old = {
        "loss": "_loss_",
        "mean": "_y_mean_",
        "scale": "_y_scale_",
        "one_d": "_y_1d_",
        "label_dtype": "_label_dtype_",
        "kind": "",
        "classes": "",
        "quantiles": "",
    }
    fitted[:] = [[k, v] for k, v in fitted if k != "_target_" and k not in drop]
    fitted += [[old[k], v] for k, v in target.items() if old[k] and old[k] not in drop]
    if target["kind"] != "regression":
        fitted.append(["_multilabel_", target["kind"] == "multilabel"])
    config["format_version"] = 2


@pytest.mark.parametrize(
    "estimator, y, drop",
    [
        (LSTMClassifier(), np.array(["a", "b", "c"])[np.arange(40) % 3], ()),
        (LSTMClassifier(), np.c_[np.arange(40) % 2, np.arange(40) % 3 > 0], ()),
        (LSTMRegressor(loss="quantile", quantile=0.9), np.arange(40.0), ()),
        (LSTMRegressor(), np.c_[np.arange(40.0), -np.arange(40.0)], ()),
        # fitted before sknets had losses: no loss, no quantiles_
        (LSTMRegressor(), np.arange(40.0), ("_loss_", "quantiles_")),
    ],
    ids=["labels", "multilabel", "quantile", "two-targets", "before-losses"],
)
def test_a_file_of_format_2_loads_and_predicts_the_same(tmp_path, estimator, y, drop):
    X = np.random.RandomState(0).normal(size=(40, 5, 2))
    fitted = estimator.set_params(max_epochs=2, random_state=0).fit(X, y)
    path = tmp_path / "m.sknets"
    sknets.save(fitted, path)
    _rewrite(path, lambda config: _as_format_2(config, drop))
    loaded = sknets.load(path)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert type(loaded._target_) is type(fitted._target_)
    sknets.save(loaded, path)  # and is written again as the current format
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("config.json"))["format_version"] == 3


def test_a_target_state_sknets_did_not_write_is_refused(tmp_path):
    X, y = np.random.RandomState(0).normal(size=(20, 4)), np.arange(20) % 2
    path = tmp_path / "m.sknets"
    sknets.save(LSTMClassifier(max_epochs=1, random_state=0).fit(X, y), path)

    def edit(config):
        fitted = dict(config["fitted"]["__dict__"])
        fitted["_target_"]["__dict__"].append(["run", "os.system"])

    _rewrite(path, edit)
    with pytest.raises(ValueError, match="target state .* is not one sknets writes"):
        sknets.load(path)


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


def _fitted(n=30):
    rng = np.random.RandomState(0)
    X, y = rng.rand(n, 8, 8), np.arange(n) % 2
    return CNNClassifier(max_epochs=1, random_state=0).fit(X, y), X


@pytest.mark.parametrize("where", ["torch.save", "writestr", "fsync", "os.replace"])
def test_a_save_that_fails_midway_leaves_the_old_file(tmp_path, monkeypatch, where):
    import os
    import zipfile

    import torch

    old, X = _fitted()
    path = tmp_path / "model.sknets"
    sknets.save(old, path)
    original = path.read_bytes()
    new = CNNClassifier(max_epochs=2, random_state=1).fit(X, np.arange(30) % 2)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    targets = {
        "torch.save": (torch, "save"),
        "writestr": (zipfile.ZipFile, "writestr"),
        "fsync": (os, "fsync"),
        "os.replace": (os, "replace"),
    }
    monkeypatch.setattr(*targets[where], fail)
    with pytest.raises(OSError, match="No space left|unchanged"):
        sknets.save(new, path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.sknets"]
    np.testing.assert_array_equal(
        sknets.load(path).predict_proba(X), old.predict_proba(X)
    )


def _run_isolated(code):
    """Run ``code`` in a fresh interpreter; return its stdout (peak memory
    and time are measured there, away from this process' history)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _saved_parts(tmp_path):
    """The decoded config and the raw weights of a saved model."""
    clf, _ = _fitted()
    path = tmp_path / "model.sknets"
    sknets.save(clf, path)
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json")), archive.read("weights.pt")


def test_a_zip_bomb_and_a_huge_dtype_are_refused_quickly_in_little_memory(tmp_path):
    config, weights = _saved_parts(tmp_path)
    # a config.json that inflates to 300 MB (the limit is 64 MB)
    bomb = tmp_path / "bomb.sknets"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("config.json", "w", force_zip64=True) as stream:
            chunk = b" " * 2**20
            for _ in range(300):
                stream.write(chunk)
        archive.writestr("weights.pt", weights)
    assert bomb.stat().st_size < 2**20
    # a 4 KB file declaring strings of 100,000,000 characters
    huge = tmp_path / "huge.sknets"
    entries = config["fitted"]["__dict__"]
    for entry in entries:
        if entry[0] == "classes_":
            entry[1] = {"__ndarray__": [0, 1], "dtype": "<U100000000", "shape": [2]}
    _rewrite_to(huge, config, weights)
    code = f"""
import time, resource, sknets
for path in {[str(bomb), str(huge)]!r}:
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        sknets.load(path)
    except ValueError as exc:
        message = str(exc)
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024
    print(f"{{seconds:.3f}} {{grown:.0f}} {{message!r}}")
"""
    lines = _run_isolated(code).strip().splitlines()
    assert len(lines) == 2
    for line, expected in zip(lines, ["declares", "dtype '<U100000000'"]):
        seconds, grown, message = line.split(" ", 2)
        assert float(seconds) < 1.0 and float(grown) < 100, line
        assert expected in message, line


def _rewrite_to(path, config, weights):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)


def test_malformed_files_are_value_errors(tmp_path):
    config, weights = _saved_parts(tmp_path)
    deep = 1
    for _ in range(100):  # deeper than the 64 levels a model file may nest
        deep = [deep]
    broken = [
        (lambda c: c.pop("fitted"), "not a valid sknets model file.*'fitted'"),
        (
            lambda c: c.update(params={"__dict__": [["channels", {"__tensor__": 1}]]}),
            "not a valid sknets model file",
        ),
        (  # not history rows
            lambda c: c.update(history=[[[[[[[[[[1]]]]]]]]]] * 2),
            "not a valid sknets model file",
        ),
        (
            lambda c: c.update(fitted={"__dict__": [["classes_", {"__odd__": 1}]]}),
            "Unknown entry in the model file",
        ),
        (lambda c: c.update(params=deep), "nests deeper than 64 levels"),
        (lambda c: c.update(format_version=99), "model file format 99"),
    ]
    for i, (edit, message) in enumerate(broken):
        changed = json.loads(json.dumps(config))
        edit(changed)
        target = tmp_path / f"broken{i}.sknets"
        _rewrite_to(target, changed, weights)
        with pytest.raises(ValueError, match=message):
            sknets.load(target)


def test_a_backtracking_token_pattern_in_a_file_is_refused(tmp_path):
    from sknets import LSTMClassifier, TextTokenizer

    texts = ["a good film", "a bad plot"] * 10
    clf = LSTMClassifier(max_epochs=1, tokenizer=TextTokenizer(token_pattern=r"\w+"))
    clf.fit(texts, [1, 0] * 10)
    path = tmp_path / "text.sknets"
    sknets.save(clf, path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("weights.pt")
    text = json.dumps(config).replace(json.dumps(r"\w+"), json.dumps(r"(\w+)+$"))
    _rewrite_to(path, json.loads(text), weights)
    with pytest.raises(ValueError, match="repeats a repetition"):
        sknets.load(path)


def test_a_damaged_compressed_config_is_a_value_error(tmp_path):
    model, _ = _fitted()
    path = tmp_path / "m.sknets"
    sknets.save(model, path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("config.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 26):  # 16 bytes of the deflated config
        data[i] ^= 0xFF
    broken = tmp_path / "broken.sknets"
    broken.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="is not an sknets model file"):
        sknets.load(broken)


def test_save_into_a_missing_folder_names_the_target(tmp_path):
    model, _ = _fitted()
    target = tmp_path / "no" / "such" / "m.sknets"
    with pytest.raises(
        FileNotFoundError,
        match=f"sknets.save could not write {target}: the folder "
        f"{target.parent} does not exist",
    ):
        sknets.save(model, target)


FUZZ_TRIALS = 100


@pytest.mark.parametrize("kind", ["cnn", "minirocket"])
def test_corrupted_files_load_identically_or_are_value_errors(tmp_path, kind):
    # bytes flipped, truncated, swapped or cut out, each in its own copy
    rng = np.random.RandomState(0)
    if kind == "cnn":
        X = rng.rand(20, 6, 6)
        model = CNNClassifier(channels=(4,), max_epochs=1, random_state=0)
    else:
        X = rng.rand(20, 30)
        model = sknets.MiniRocketClassifier(num_features=84, random_state=0)
    model.fit(X, np.arange(20) % 2)
    expected = model.predict_proba(X)
    path = tmp_path / "m.sknets"
    sknets.save(model, path)
    original = path.read_bytes()
    outcomes = {"same": 0, "refused": 0}
    for trial in range(FUZZ_TRIALS):
        data = bytearray(original)
        where = int(rng.randint(len(data)))
        how = trial % 4
        if how == 0:
            data[where] ^= 1 << int(rng.randint(8))
        elif how == 1:
            data = data[:where]
        elif how == 2:
            other = int(rng.randint(len(data)))
            data[where], data[other] = data[other], data[where]
        else:
            del data[where : where + int(rng.randint(1, 64))]
        broken = tmp_path / f"fuzz{trial}.sknets"
        broken.write_bytes(bytes(data))
        try:
            loaded = sknets.load(broken)
        except ValueError:
            outcomes["refused"] += 1
            continue
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
        outcomes["same"] += 1
    assert outcomes["refused"] > FUZZ_TRIALS // 2, outcomes
