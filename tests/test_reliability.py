"""Reliability and safety: divergence, interruption, persistence, seeds."""

import copy
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
        LSTMRegressor(  # the 8x8 images as 8 steps of 8 features
            lr=1e6,
            optimizer="sgd",
            clip_grad_norm=None,
            max_epochs=10,
            random_state=0,
            data_format="channels_last",
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


def test_weights_that_overflow_a_forward_pass_are_a_divergence():
    # lr=1e30 leaves finite but huge weights after the first epoch, whose
    # outputs overflow: the second epoch ended with NaN probabilities, kept
    rng = np.random.RandomState(0)
    X, y = rng.rand(24, 10), np.arange(24) % 2
    clf = GRUClassifier(max_epochs=2, optimizer="sgd", lr=1e30, random_state=0)
    with pytest.warns(TrainingDivergedWarning, match="NaN or infinite"):
        clf.fit(X, y)
    assert clf.n_iter_ == 1 and np.isfinite(clf.predict_proba(X)).all()


class SpoilWeights(Callback):
    """Sets a weight to NaN in ``hook`` of epoch ``epoch`` (after the guard's
    own hook: callbacks run in order)."""

    def __init__(self, epoch, hook):
        self.epoch, self.hook = epoch, hook

    def _spoil(self, net):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                next(net.module_.parameters()).view(-1)[0] = float("nan")

    def on_batch_end(self, net, training=None, **kwargs):
        if self.hook == "batch" and training:
            self._spoil(net)

    def on_epoch_end(self, net, **kwargs):
        if self.hook == "epoch":
            self._spoil(net)


@pytest.mark.parametrize("hook", ["batch", "epoch"])
def test_non_finite_weights_are_never_kept(hook):
    # spoiled within epoch 3's batches (the guard's check at the epoch's end
    # sees them) or after its check at the end of the last epoch (the check
    # at the end of the fit sees them): the best good epoch's weights return
    rng = np.random.RandomState(0)
    X, y = rng.rand(24, 10), np.arange(24) % 2
    clf = GRUClassifier(
        hidden_size=8, max_epochs=3, callbacks=[SpoilWeights(3, hook)], random_state=0
    )
    with pytest.warns(TrainingDivergedWarning, match="were restored"):
        clf.fit(X, y)
    # epoch 3 may be kept as it was before the callback spoiled it
    assert len(clf.loss_curve_) == clf.n_iter_ <= (2 if hook == "batch" else 3)
    assert np.isfinite(clf.predict_proba(X)).all()
    for p in clf.net_.module_.parameters():
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
    # and the estimator can go on training from there, without the callback
    # (a changed setting takes effect in a continued fit)
    clf.set_params(warm_start=True, max_epochs=2, callbacks=None).fit(X, y)
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


# -- threads --------------------------------------------------------------
def _thread_models():
    rng = np.random.RandomState(0)
    images = rng.rand(300, 8, 8)
    series = rng.normal(size=(300, 12, 2))
    texts = [f"good film {i}" if i % 2 else f"bad plot {i}" for i in range(300)]
    labels = np.arange(300) % 2
    return [
        (CNNClassifier(max_epochs=2, random_state=0), images, labels),
        (
            GRUClassifier(dropout=0.5, num_layers=2, max_epochs=2, random_state=0),
            series,
            labels,
        ),
        (LSTMClassifier(max_epochs=2, random_state=0), texts, labels),
    ]


@pytest.mark.parametrize(
    "estimator, X, y", _thread_models(), ids=["cnn", "gru-dropout", "text-lstm"]
)
def test_predictions_from_threads_equal_sequential_ones_and_change_nothing(
    estimator, X, y
):
    from concurrent.futures import ThreadPoolExecutor

    estimator.fit(X, y)
    before = {k: v.clone() for k, v in estimator.net_.module_.state_dict().items()}
    calls = [
        estimator.predict_proba,
        estimator.predict,
        lambda X: estimator.score(X, y),
    ]
    expected = [call(X) for call in calls]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: calls[i % 3](X), range(12)))
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result, expected[i % 3])
    after = estimator.net_.module_.state_dict()
    for key, value in before.items():
        assert torch.equal(value, after[key]), key
    assert not estimator.net_.module_.training


def test_seeded_fits_in_threads_equal_a_sequential_fit():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 8, 8), np.arange(60) % 3
    make = lambda seed: CNNClassifier(max_epochs=2, random_state=seed)  # noqa: E731
    expected = {seed: make(seed).fit(X, y).predict_proba(X) for seed in (0, 1)}
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    with ThreadPoolExecutor(4) as pool:
        fits = list(pool.map(lambda s: make(s).fit(X, y), [0, 1, 0, 1]))
    for seed, fitted in zip([0, 1, 0, 1], fits):
        np.testing.assert_array_equal(fitted.predict_proba(X), expected[seed])
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])


# -- a fit that stops, fails or continues ---------------------------------
class RaiseAt(Callback):
    def __init__(self, epoch=1, error=KeyboardInterrupt):
        self.epoch, self.error = epoch, error

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise self.error("stop")


@pytest.mark.parametrize("early_stopping", [True, False])
def test_divergence_or_interruption_in_the_first_epoch_leaves_an_unfitted_estimator(
    images, early_stopping
):
    from sklearn.exceptions import NotFittedError

    X, y = images
    diverging = CNNRegressor(
        batch_norm=False,
        lr=1e30,  # the second step of the first epoch overflows
        optimizer="sgd",
        batch_size=8,
        max_epochs=5,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.warns(TrainingDivergedWarning, match="not fitted"):
        diverging.fit(X, X.sum(axis=(1, 2)))
    with pytest.raises(NotFittedError):
        diverging.predict(X)
    interrupted = CNNClassifier(
        max_epochs=5, early_stopping=early_stopping, callbacks=[RaiseAt(1)]
    )
    with pytest.warns(UserWarning, match="no epoch completed"):
        interrupted.fit(X, y)
    assert not hasattr(interrupted, "net_") and not hasattr(interrupted, "n_iter_")


def test_an_exception_mid_fit_leaves_the_previous_fitted_state(images):
    X, y = images
    clf = CNNClassifier(max_epochs=2, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    net, curve = clf.net_, clf.loss_curve_
    clf.set_params(callbacks=[RaiseAt(1, RuntimeError)])
    with pytest.raises(RuntimeError, match="stop"):
        clf.fit(X, y)
    assert clf.net_ is net and clf.loss_curve_ == curve
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    # the same for a continued fit, which trains the same network in place
    clf.set_params(warm_start=True, callbacks=[RaiseAt(3, RuntimeError)])
    with pytest.raises(RuntimeError, match="stop"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_iter_ == 2 and len(clf.net_.history) == 2
    fresh = CNNClassifier(max_epochs=2, callbacks=[RaiseAt(1, RuntimeError)])
    with pytest.raises(RuntimeError):
        fresh.fit(X, y)
    assert not hasattr(fresh, "net_")


def test_checkpoint_problems_surface_before_training(images, tmp_path):
    X, y = images
    afile = tmp_path / "file"
    afile.write_text("")
    clf = CNNClassifier(max_epochs=2, checkpoint_dir=str(afile))
    with pytest.raises(ValueError, match="cannot be used as a directory"):
        clf.fit(X, y)
    custom = CNNClassifier(
        module=torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3)),
        checkpoint_dir=str(tmp_path / "ok"),
        callbacks=[RaiseAt(1, AssertionError)],  # training must not start
    )
    with pytest.raises(TypeError, match="cannot store"):
        custom.fit(X, y)


@pytest.mark.parametrize(
    "change, value",
    [
        ("lr", 1e-6),
        ("batch_size", 7),
        ("optimizer", "sgd"),
        ("weight_decay", 0.5),
        ("early_stopping", True),
    ],
)
def test_warm_start_applies_changed_training_settings(images, change, value):
    X, y = images
    clf = CNNClassifier(max_epochs=2, random_state=0).fit(X, y)
    before = copy.deepcopy(clf.net_.module_.state_dict())
    clf.set_params(warm_start=True, **{change: value})
    clf.fit(X, y)
    net = clf.net_
    assert clf.n_iter_ == 4
    if change == "lr":  # the cosine cycle starts again from the new lr
        assert net.optimizer_.param_groups[0]["initial_lr"] == 1e-6
        moved = max(
            float((value - before[key]).abs().max())
            for key, value in net.module_.state_dict().items()
            if value.is_floating_point() and "running" not in key
        )
        assert 0 < moved < 1e-4
    if change == "batch_size":
        assert clf.batch_size_ == 7 and net.batch_size == 7
    if change == "optimizer":
        assert isinstance(net.optimizer_, torch.optim.SGD)
    if change == "weight_decay":
        assert net.optimizer_.param_groups[0]["weight_decay"] == 0.5
    if change == "early_stopping":
        assert clf.validation_loss_curve_ is not None


def test_warm_start_refuses_a_change_of_the_network_and_stays_saveable(
    images, tmp_path
):
    X, y = images
    clf = GRUClassifier(hidden_size=8, max_epochs=1, random_state=0)
    series = np.random.RandomState(0).rand(40, 5, 2)
    clf.fit(series, np.arange(40) % 2)
    clf.set_params(hidden_size=32, warm_start=True)
    with pytest.raises(ValueError, match="'hidden_size' changed since the network"):
        clf.fit(series, np.arange(40) % 2)
    clf.set_params(hidden_size=8)
    sknets.save(clf, tmp_path / "m.sknets")
    loaded = sknets.load(tmp_path / "m.sknets")
    np.testing.assert_array_equal(
        loaded.predict_proba(series), clf.predict_proba(series)
    )
    loaded.set_params(dropout=0.5, warm_start=True)
    with pytest.raises(ValueError, match="'dropout' changed"):
        loaded.fit(series, np.arange(40) % 2)


def test_nan_in_the_validation_loss_only_is_named_so(images):
    X, y = images
    y = X.sum(axis=(1, 2))
    X_bad = X.copy()

    class PoisonValidation(Callback):
        def on_batch_begin(self, net, batch=None, training=None, **kwargs):
            if not training:
                batch[0]["x"][:] = float("nan")

    reg = CNNRegressor(
        max_epochs=3,
        early_stopping=True,
        callbacks=[PoisonValidation()],
        random_state=0,
    )
    with pytest.warns(TrainingDivergedWarning, match="the validation loss became NaN"):
        reg.fit(X_bad, y)
