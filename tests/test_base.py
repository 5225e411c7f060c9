"""The shared estimator base: training controls, seeds, persistence, weights."""

import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import cross_validate
from skorch.callbacks import Callback

from sknets import CNNClassifier, CNNRegressor, GRUClassifier
from sknets._base import BaseNeuralNet

FAST = dict(
    channels=(8, 16), dense_units=32, max_epochs=8, batch_size=16, random_state=0
)


def test_same_seed_same_predictions_and_global_state_untouched(small_images):
    X, y = small_images
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = CNNClassifier(**FAST).fit(X, y).predict_proba(X)
    b = CNNClassifier(**FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    c = CNNClassifier(**{**FAST, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, c)


def test_random_state_none_draws_a_new_seed_each_fit(small_images):
    X, y = small_images
    params = {**FAST, "random_state": None}
    a = CNNClassifier(**params).fit(X, y).predict_proba(X)
    b = CNNClassifier(**params).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, b)


def test_clone_gives_an_unfitted_copy_with_the_same_params(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "net_")
    np.testing.assert_array_equal(copy.fit(X, y).predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("dump", ["joblib", "pickle"])
def test_persistence_round_trip_keeps_predictions(small_images, dump):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X, np.array(["a", "b", "c"])[y])
    buffer = io.BytesIO()
    if dump == "joblib":
        joblib.dump(clf, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    else:
        loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.predict(X).dtype.kind == "U"


def test_history_attributes(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X, y)
    assert clf.n_iter_ == 8
    assert len(clf.loss_curve_) == 8
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.validation_loss_curve_ is None
    assert clf.best_epoch_ == 8
    assert clf.n_features_in_ == 64


def test_no_data_held_out_without_early_stopping(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X, y)
    batch_sizes = clf.net_.history[-1, "batches", :, "train_batch_size"]
    assert sum(batch_sizes) == 60


def test_early_stopping_holds_out_and_stops(small_images):
    X, y = small_images
    clf = CNNClassifier(
        **{**FAST, "max_epochs": 200},
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
    ).fit(X, y)
    batch_sizes = clf.net_.history[-1, "batches", :, "train_batch_size"]
    assert sum(batch_sizes) == 48
    assert clf.n_iter_ < 200
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_epoch_ == int(np.argmin(clf.validation_loss_curve_)) + 1


def test_partial_fit_trains_one_epoch_per_call(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST)
    with pytest.raises(ValueError, match="did not see in its first fit"):
        clf.partial_fit(X[y < 2], y[y < 2]).partial_fit(X, y)
    clf = CNNClassifier(**FAST)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.n_iter_ == 1
    assert list(clf.classes_) == [0, 1, 2]
    for _ in range(9):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 10
    assert clf.score(X, y) > 0.9
    clf.partial_fit(X, y, classes=[2, 1, 0])  # the same classes, in any order
    # other classes on a later call are refused, as SGDClassifier refuses them
    with pytest.raises(
        ValueError,
        match=r"classes=\[0, 1, 2, 3\] is not the same as on the first "
        r"partial_fit call, \[0, 1, 2\]",
    ):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert clf.n_iter_ == 11


def test_warm_start_continues_from_fitted_weights(small_images):
    X, y = small_images
    clf = CNNClassifier(**{**FAST, "max_epochs": 3}, warm_start=True).fit(X, y)
    first_loss = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert clf.n_iter_ == 6
    assert clf.loss_curve_[-1] < first_loss
    cold = CNNClassifier(**{**FAST, "max_epochs": 3}).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 3


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", torch.optim.RMSprop])
def test_optimizers(small_images, optimizer):
    X, y = small_images
    clf = CNNClassifier(**FAST, optimizer=optimizer, lr=1e-2, weight_decay=1e-4)
    clf.fit(X, y)
    expected = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD"}.get(
        optimizer, "RMSprop"
    )
    assert type(clf.net_.optimizer_).__name__ == expected
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-4
    assert clf.score(X, y) > 0.8


def test_cosine_schedule_anneals_the_learning_rate(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST, lr=1e-2, lr_schedule="cosine").fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] < 1e-3
    flat = CNNClassifier(**FAST, lr=1e-2, lr_schedule="constant").fit(X, y)
    assert flat.net_.optimizer_.param_groups[0]["lr"] == 1e-2


class CountEpochs(Callback):
    def __init__(self):
        self.epochs = 0

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


def test_user_callbacks_run_on_a_copy(small_images):
    X, y = small_images
    counter = CountEpochs()
    clf = CNNClassifier(**FAST, callbacks=[counter]).fit(X, y)
    assert counter.epochs == 0  # the caller's object is not modified
    assert dict(clf.net_.callbacks_)["CountEpochs"].epochs == 8


class CountBatches(Callback):
    def initialize(self):
        self.calls = {"on_batch_begin": 0, "on_grad_computed": 0, "on_batch_end": 0}
        return self

    def on_batch_begin(self, net, **kwargs):
        self.calls["on_batch_begin"] += 1

    def on_grad_computed(self, net, **kwargs):
        self.calls["on_grad_computed"] += 1

    def on_batch_end(self, net, training=None, **kwargs):
        self.calls["on_batch_end"] += 1


def test_per_batch_hooks_reach_user_callbacks(small_images):
    # sknets' own batch iterator and loss must keep skorch's per-batch hooks
    X, y = small_images
    batches = 8 * int(np.ceil(len(X) / 16))
    clf = CNNClassifier(**FAST, callbacks=[CountBatches()]).fit(X, y)
    calls = dict(clf.net_.callbacks_)["CountBatches"].calls
    assert calls == {
        "on_batch_begin": batches,
        "on_grad_computed": batches,
        "on_batch_end": batches,
    }
    # with held-out data the validation batches reach on_batch_end too
    clf.set_params(early_stopping=True, validation_fraction=0.25).fit(X, y)
    calls = dict(clf.net_.callbacks_)["CountBatches"].calls
    assert calls["on_batch_end"] > calls["on_grad_computed"] > 0
    assert pickle.loads(pickle.dumps(clf)).predict(X).shape == (len(X),)


class GradientNames(Callback):
    def initialize(self):
        self.seen = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        # skorch passes a re-iterable view of the learnable parameters
        first = [name for name, _ in named_parameters]
        with_grad = [name for name, p in named_parameters if p.grad is not None]
        self.seen.append((first, with_grad))


def test_per_batch_history_and_gradient_hook_follow_skorch(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST, callbacks=[GradientNames()]).fit(X, y)
    n_params = len(list(clf.net_.module_.parameters()))
    seen = dict(clf.net_.callbacks_)["GradientNames"].seen
    assert len(seen) == 8 * int(np.ceil(len(X) / 16))
    assert all(len(first) == len(with_grad) == n_params for first, with_grad in seen)
    for epoch in clf.net_.history:
        sizes = [batch["train_batch_size"] for batch in epoch["batches"]]
        losses = [batch["train_loss"] for batch in epoch["batches"]]
        assert sum(sizes) == len(X) and epoch["train_batch_count"] == len(sizes)
        assert epoch["train_loss"] == pytest.approx(np.average(losses, weights=sizes))


def test_verbose_controls_output(small_images, capsys):
    X, y = small_images
    CNNClassifier(**FAST).fit(X, y)
    assert capsys.readouterr().out == ""
    CNNClassifier(**FAST, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and out.count("\n") >= 8


def test_device_auto_resolves_to_an_available_device(small_images):
    X, y = small_images
    clf = CNNClassifier(**FAST).fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert clf.device_.type == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_device_cuda_without_cuda_is_a_clear_error(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match="finds no CUDA device"):
        CNNClassifier(**FAST, device="cuda").fit(X, y)


def test_class_weight_and_sample_weight_shift_predictions(small_images):
    X, y = small_images
    rng = np.random.RandomState(0)
    X_noisy = X + rng.normal(scale=2.0, size=X.shape)  # classes now overlap
    base = CNNClassifier(**FAST).fit(X_noisy, y)
    heavy = CNNClassifier(**FAST, class_weight={0: 20.0, 1: 1.0, 2: 1.0})
    heavy.fit(X_noisy, y)
    assert np.mean(heavy.predict(X_noisy) == 0) > np.mean(base.predict(X_noisy) == 0)
    weighted = CNNClassifier(**FAST).fit(
        X_noisy, y, sample_weight=np.where(y == 0, 20.0, 1.0)
    )
    assert np.mean(weighted.predict(X_noisy) == 0) > np.mean(base.predict(X_noisy) == 0)
    balanced = CNNClassifier(**FAST, class_weight="balanced").fit(X, y)
    assert balanced.score(X, y) > 0.9


def test_bad_sample_weight_and_class_weight(small_images):
    X, y = small_images
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        CNNClassifier(**FAST).fit(X, y, sample_weight=-np.ones(60))
    with pytest.raises(
        ValueError, match="Sample weights must contain at least one non-zero number"
    ):
        CNNClassifier(**FAST).fit(X, y, sample_weight=np.zeros(60))
    with pytest.raises(ValueError, match="not in class_weight|not found in classes"):
        CNNClassifier(**FAST, class_weight={0: 1.0, 7: 2.0}).fit(X, y)


def test_regressor_partial_fit_and_warm_start():
    rng = np.random.RandomState(0)
    X = rng.rand(80, 4, 4)
    y = X.sum(axis=(1, 2))
    reg = CNNRegressor(**FAST)
    for _ in range(5):
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 5
    with pytest.raises(ValueError, match="y has 2 outputs"):
        reg.partial_fit(X, np.c_[y, y])


def test_verbose_levels(capsys):
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 8, 8), np.arange(60) % 2
    CNNClassifier(max_epochs=2, random_state=0).fit(X, y)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""

    CNNClassifier(max_epochs=3, early_stopping=True, verbose=1, random_state=0).fit(
        X, y
    )
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert "valid_score" in lines[0] and "train_loss" in lines[0]
    epochs = [line for line in lines[2:] if line.split()[0].isdigit()]
    assert len(epochs) == 3  # header, rule, one line per epoch
    # then skorch's note of the best epoch's weights, unless it is the last
    assert all(line.startswith("Restoring best model") for line in lines[5:])
    assert "it/s" not in out.err

    CNNClassifier(max_epochs=2, verbose=2, random_state=0).fit(X, y)
    assert "it/s" in capsys.readouterr().err  # tqdm's progress bar


class _Threads(Callback):
    """Records how many threads torch computes with where the fit runs."""

    def on_train_begin(self, net, **kwargs):
        self.threads_ = torch.get_num_threads()


def test_parallel_workers_do_not_oversubscribe_the_cores(small_images):
    # joblib starts its process workers with thread limits of
    # cpu_count // n_jobs (OMP_NUM_THREADS and friends), and torch, imported
    # fresh in each worker, follows them: the workers of a parallel search
    # together compute with no more threads than there are cores
    X, y = small_images
    clf = CNNClassifier(**{**FAST, "max_epochs": 1}, callbacks=[_Threads()])
    result = cross_validate(clf, X, y, cv=2, n_jobs=2, return_estimator=True)
    threads = [
        dict(e.net_.callbacks_)["_Threads"].threads_ for e in result["estimator"]
    ]
    assert threads == [max(1, joblib.cpu_count() // 2)] * 2


def test_auto_budget_follows_the_size_of_the_data():
    from sknets._budget import Budget

    budget = Budget(epochs=100, batch_size=32, steps=3000)
    assert budget.resolve_batch_size(50) == 32
    assert budget.resolve_batch_size(3200) == 32
    assert budget.resolve_batch_size(20_000) == 256
    assert budget.resolve_batch_size(500_000) == 512
    assert budget.resolve_epochs(50, 32) == 100  # small data: the family's epochs
    assert budget.resolve_epochs(4000, 32) == 24  # 125 steps per epoch
    assert budget.resolve_epochs(500_000, 512) == 4  # a few passes
    assert budget.resolve_epochs(5_000_000, 512) == 3  # at least 3
    # augmented training may take 3 times the epochs and the work; the steps
    # still bound it
    augmented = Budget(epochs=100, batch_size=32, steps=3000, augmented=3)
    assert augmented.resolve_epochs(50, 32) == 100
    assert augmented.resolve_epochs(50, 32, augmented=True) == 300
    assert augmented.resolve_epochs(4000, 32, augmented=True) == 24
    assert budget.resolve_epochs(50, 32, augmented=True) == 100  # no factor
    # a long series: the work bound (70 epochs of 200 x 427 steps) triples
    # with augmentation, up to the steps (143 epochs of 7 batches)
    long = Budget(epochs=100, batch_size=32, steps=1000, work=6_000_000, augmented=3)
    assert long.resolve_epochs(200, 32, 427) == 70
    assert long.resolve_epochs(200, 32, 427, augmented=True) == 143
    # on 10 times the series: 7 epochs, and 16 with augmentation (1,000 steps
    # of 63 batches: the steps bound is not multiplied)
    assert long.resolve_epochs(2000, 32, 427) == 7
    assert long.resolve_epochs(2000, 32, 427, augmented=True) == 16
    assert long.describe_cap() == "100 (300 with augmentation)"
    assert "6,000,000 (18,000,000 with augmentation) time steps" in long.describe()


def test_auto_budget_of_a_fit_small_and_large():
    rng = np.random.RandomState(0)
    small = CNNClassifier(random_state=0, channels=(4,), dense_units=0)
    small.fit(rng.rand(60, 4, 4), np.arange(60) % 2)
    assert (small.batch_size_, small.max_epochs_, small.early_stopping_) == (
        64,
        30,
        False,
    )
    assert small.n_iter_ == 30
    X = rng.rand(12_000, 2, 2).astype(np.float32)
    y = (X[:, 0, 0] > 0.5).astype(int)
    large = CNNClassifier(
        random_state=0, channels=(2,), dense_units=0, n_iter_no_change=1
    )
    large.fit(X, y)
    # 10 % held out: 10,800 training samples, batches of 128, 85 per epoch
    assert large.early_stopping_ and large.validation_loss_curve_ is not None
    assert large.batch_size_ == 128 and large.max_epochs_ == 30
    explicit = CNNClassifier(max_epochs=2, batch_size=7, early_stopping=False)
    explicit.fit(rng.rand(30, 4, 4), np.arange(30) % 2)
    assert (explicit.batch_size_, explicit.max_epochs_, explicit.n_iter_) == (7, 2, 2)


def test_every_fit_resolves_its_settings_in_one_function(monkeypatch):
    """New, continued and partial fits all go through _resolve_settings,
    which sees what kind of fit it is."""
    calls = []
    original = BaseNeuralNet._resolve_settings

    def spy(self, batch, reset, incremental, validation_given=False, changed=()):
        calls.append((reset, incremental, validation_given, tuple(changed)))
        return original(self, batch, reset, incremental, validation_given, changed)

    monkeypatch.setattr(BaseNeuralNet, "_resolve_settings", spy)
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 6, 2), np.arange(40) % 2
    clf = GRUClassifier(hidden_size=8, max_epochs=1, warm_start=True, random_state=0)
    clf.fit(X, y)
    clf.set_params(batch_size=8).fit(X, y)
    clf.fit(X, y, X_val=X[:10], y_val=y[:10])
    clf.partial_fit(X, y)
    GRUClassifier(hidden_size=8, random_state=0).partial_fit(X, y, classes=[0, 1])
    assert calls == [
        (True, False, False, ()),
        (False, False, False, ("batch_size",)),
        (False, False, True, ()),
        (False, True, False, ()),
        (True, True, False, ()),
    ]
    assert clf.batch_size_ == 8 and clf.early_stopping_


def test_validation_data_given_to_a_continued_fit_turns_early_stopping_on():
    """X_val turns early stopping on in a continued fit too: the net is
    rebuilt with it (it kept training without it before)."""
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 6, 2), np.arange(40) % 2
    clf = GRUClassifier(hidden_size=8, max_epochs=2, warm_start=True, random_state=0)
    clf.fit(X, y)
    assert not clf.early_stopping_ and "early_stopping" not in dict(clf.net_.callbacks_)
    clf.set_params(max_epochs=4).fit(X, y, X_val=X[:10], y_val=y[:10])
    assert clf.early_stopping_ and "early_stopping" in dict(clf.net_.callbacks_)
    assert len(clf.validation_loss_curve_) == 4  # the continued fit's epochs
