"""Reliability and safety: divergence, interruption, persistence, seeds."""

import json
import os
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

import sknets
from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    FCNRegressor,
    GRUClassifier,
    InceptionTimeClassifier,
    LSTMClassifier,
    LSTMRegressor,
    TCNRegressor,
    TextCNNClassifier,
    TextTokenizer,
    TrainingDivergedWarning,
    TransformerClassifier,
)

FAST = dict(max_epochs=4, random_state=0)


@pytest.fixture
def images():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 8, 8)
    y = np.arange(60) % 3
    X[y == 1, :4] += 1.0
    return X, y


# -- diverging training ---------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [
        CNNRegressor(
            batch_norm=False, lr=1e4, optimizer="sgd", max_epochs=10, random_state=0
        ),
        LSTMRegressor(
            lr=1e6, optimizer="sgd", clip_grad_norm=None, max_epochs=10, random_state=0
        ),
    ],
    ids=["cnn", "lstm"],
)
def test_absurd_learning_rate_stops_with_a_warning_and_a_usable_model(
    images, estimator
):
    X, _ = images
    y = X.sum(axis=(1, 2))
    with pytest.warns(
        TrainingDivergedWarning, match="NaN or infinite.*lower lr"
    ) as record:
        estimator.fit(X, y)
    assert record[0].filename == __file__  # attributed to the caller's fit
    assert estimator.n_iter_ < 10
    assert len(estimator.loss_curve_) == estimator.n_iter_
    assert np.isfinite(estimator.loss_curve_).all()
    pred = estimator.predict(X)
    assert pred.shape == (60,) and np.isfinite(pred).all()
    for p in estimator.net_.module_.parameters():
        assert torch.isfinite(p).all()


# -- interruption ---------------------------------------------------------
class InterruptInEpoch(Callback):
    """Keeps the module's weights after each epoch, then interrupts an epoch."""

    def __init__(self, epoch=3):
        self.epoch = epoch

    def on_train_begin(self, net, **kwargs):
        self.weights_ = {}

    def on_epoch_end(self, net, **kwargs):
        state = net.module_.state_dict()
        self.weights_[len(net.history)] = {k: v.clone() for k, v in state.items()}

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_the_last_completed_epoch(images):
    X, y = images
    with pytest.warns(
        UserWarning, match="interrupted during epoch 3.*weights of epoch 2"
    ) as record:
        clf = CNNClassifier(
            max_epochs=10,
            batch_size=16,
            random_state=0,
            callbacks=[InterruptInEpoch(3)],
        ).fit(X, y)
    assert record[0].filename == __file__
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2
    epoch_2 = dict(clf.net_.callbacks_)["InterruptInEpoch"].weights_[2]
    for key, value in clf.net_.module_.state_dict().items():
        torch.testing.assert_close(value, epoch_2[key], rtol=0, atol=0)
    assert clf.predict(X).shape == (60,)
    # and the estimator can go on training from there (warm start keeps the
    # net and its callbacks: let this one stop interrupting)
    dict(clf.net_.callbacks_)["InterruptInEpoch"].epoch = None
    clf.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert clf.n_iter_ == 4


# -- persistence ----------------------------------------------------------
def _cases():
    rng = np.random.RandomState(0)
    texts = ["good film", "bad film", "fine plot", "dull plot"] * 10
    labels = np.array(["pos", "neg", "pos", "neg"] * 10)
    return [
        (
            CNNClassifier(class_weight={"a": 2.0}, **FAST),
            rng.rand(60, 8, 8),
            np.array(list("abc"))[np.arange(60) % 3],
        ),
        (CNNRegressor(**FAST), rng.rand(40, 6, 6, 3), rng.rand(40, 2)),
        (
            GRUClassifier(**FAST),
            [rng.rand(t, 2) for t in rng.randint(3, 12, 40)],
            np.arange(40) % 2,
        ),
        (LSTMRegressor(**FAST), rng.rand(40, 7), rng.rand(40)),
        (TextCNNClassifier(**FAST), texts, labels),
        (LSTMClassifier(tokenizer=TextTokenizer(max_len=5), **FAST), texts, labels),
        (TCNRegressor(**FAST), rng.rand(40, 9, 2), rng.rand(40)),
        (
            InceptionTimeClassifier(num_filters=4, n_networks=2, **FAST),
            [rng.rand(t, 2) for t in rng.randint(3, 30, 40)],
            np.arange(40) % 2,
        ),
        (
            FCNRegressor(channels=(8, 8), kernel_sizes=(4, 3), **FAST),
            rng.rand(40, 9),
            rng.rand(40),
        ),
        (TransformerClassifier(d_model=16, nhead=2, **FAST), texts, labels),
        (  # videos: frame_shape_ and per-channel statistics travel in the file
            CRNNClassifier(summary="attention", **FAST),
            [rng.rand(t, 6, 6, 2) for t in rng.randint(2, 6, 30)],
            np.arange(30) % 2,
        ),
    ]


@pytest.mark.parametrize(
    "estimator, X, y",
    _cases(),
    ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "",
)
def test_save_load_round_trip_gives_identical_predictions(tmp_path, estimator, X, y):
    estimator.fit(X, y)
    path = tmp_path / "model.sknets"
    sknets.save(estimator, path)
    loaded = sknets.load(path)
    assert type(loaded) is type(estimator)
    assert loaded.get_params() == estimator.get_params() or isinstance(
        estimator.get_params().get("tokenizer"), TextTokenizer
    )
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    np.testing.assert_array_equal(
        getattr(loaded, method)(X), getattr(estimator, method)(X)
    )
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    assert loaded.loss_curve_ == estimator.loss_curve_
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    assert config["sknets_version"] == sknets.__version__
    assert config["torch_version"] == torch.__version__


def test_save_refuses_what_it_cannot_store_safely(images, tmp_path):
    X, y = images

    class Net(torch.nn.Module):
        def __init__(self, in_channels, n_outputs):
            super().__init__()
            self.out = torch.nn.Linear(in_channels * 64, n_outputs)

        def forward(self, x):
            return self.out(x.flatten(1))

    clf = CNNClassifier(module=Net, **FAST).fit(X, y)
    with pytest.raises(TypeError, match="use joblib.dump"):
        sknets.save(clf, tmp_path / "m.sknets")


class _Payload:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_load_refuses_a_pickle_payload_and_runs_nothing(images, tmp_path):
    X, y = images
    clf = CNNClassifier(**FAST).fit(X, y)
    good = tmp_path / "good.sknets"
    sknets.save(clf, good)
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "evil.sknets"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as dst:
        dst.writestr("config.json", src.read("config.json"))
        # a torch.save file whose pickle would create a file when unpickled
        import io

        buffer = io.BytesIO()
        torch.save({"module.x": _Payload(str(marker))}, buffer)
        dst.writestr("weights.pt", buffer.getvalue())
    with pytest.raises(ValueError, match="holds something other than tensors"):
        sknets.load(evil)
    assert not marker.exists()
    # a class name that is not sknets' own is refused too
    config = json.loads(zipfile.ZipFile(good).read("config.json"))
    config["estimator"] = "os.system"
    other = tmp_path / "other.sknets"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(other, "w") as dst:
        dst.writestr("config.json", json.dumps(config))
        dst.writestr("weights.pt", src.read("weights.pt"))
    with pytest.raises(ValueError, match="not an sknets estimator"):
        sknets.load(other)


def test_load_refuses_another_major_version(images, tmp_path):
    X, y = images
    path = tmp_path / "m.sknets"
    sknets.save(CNNClassifier(**FAST).fit(X, y), path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    config["sknets_version"] = "99.0.0"
    weights = zipfile.ZipFile(path).read("weights.pt")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)
    with pytest.raises(
        ValueError, match="saved by sknets 99.0.0.*another major version"
    ):
        sknets.load(path)
    with pytest.raises(ValueError, match="not an sknets model file"):
        (tmp_path / "junk").write_text("junk")
        sknets.load(tmp_path / "junk")


def test_model_saved_for_cuda_loads_on_the_cpu(images, tmp_path):
    X, y = images
    clf = CNNClassifier(**FAST).fit(X, y)
    path = tmp_path / "m.sknets"
    sknets.save(clf, path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    config["params"]["device"] = "cuda"  # as written by a fit on a GPU
    weights = zipfile.ZipFile(path).read("weights.pt")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("weights.pt", weights)
    loaded = sknets.load(path)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert loaded.device_.type == expected
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-5)


# -- reproducibility ------------------------------------------------------
_SCRIPT = """
import hashlib, numpy as np, torch
torch.set_num_threads(1)
from sknets import LSTMClassifier
rng = np.random.RandomState(0)
X = rng.normal(size=(60, 12, 2)); y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
p = LSTMClassifier(hidden_size=16, max_epochs=3, random_state={seed}).fit(X, y).predict_proba(X)
print(hashlib.sha256(p.tobytes()).hexdigest())
"""


def _run(seed):
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(seed=seed)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return out.stdout.strip()


def test_same_seed_is_bitwise_identical_across_processes():
    first, second = _run(0), _run(0)
    assert first == second and len(first) == 64


def test_random_state_none_does_not_reuse_a_fixed_seed(images):
    X, y = images
    runs = [CNNClassifier(max_epochs=1).fit(X, y).predict_proba(X) for _ in range(2)]
    assert not np.array_equal(*runs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on a normal fit
        CNNClassifier(**FAST).fit(X, y)


# -- checkpoints ----------------------------------------------------------
class CrashInEpoch(Callback):
    def __init__(self, epoch=3):
        self.epoch = epoch

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("simulated crash")


def test_checkpoints_let_a_crashed_fit_resume(images, tmp_path):
    X, y = images
    clf = CNNClassifier(
        max_epochs=6,
        random_state=0,
        checkpoint_dir=str(tmp_path),
        callbacks=[CrashInEpoch(3)],
    )
    with pytest.raises(RuntimeError, match="simulated crash"):
        clf.fit(X, y)
    assert {p.name for p in tmp_path.iterdir()} == {"last.sknets", "best.sknets"}
    resumed = sknets.load(tmp_path / "last.sknets")
    assert resumed.n_iter_ == 2
    assert resumed.callbacks is None and resumed.checkpoint_dir == str(tmp_path)
    resumed.set_params(warm_start=True, max_epochs=3).fit(X, y)
    assert resumed.n_iter_ == 5
    assert sknets.load(tmp_path / "last.sknets").n_iter_ == 5
    best = sknets.load(tmp_path / "best.sknets")
    assert best.n_iter_ == int(np.argmin(resumed.loss_curve_)) + 1
