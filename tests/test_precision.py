"""Mixed precision (``mixed_precision='bf16'`` / ``'fp16'``): autocast forward
passes, float32 weights and loss, a gradient scaler for float16."""

import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sknets import CNNClassifier, GRUClassifier, load, save

# torch has no fast float16 convolutions on the CPU (their backward pass runs
# about 100 times slower than float32's): small networks keep these tests short
FAST = dict(channels=(16, 32), max_epochs=4, batch_size=32, random_state=0)
# for the tests of the mechanics alone (scaler, pickling), not of accuracy
TINY = dict(channels=(8,), max_epochs=2, batch_size=32, random_state=0)
# the tests below train with fp16 on the CPU on purpose
FP16_ON_CPU = "mixed_precision='fp16' on the CPU is many times slower"
pytestmark = pytest.mark.filterwarnings(f"ignore:{FP16_ON_CPU}:UserWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600].reshape(-1, 8, 8), y[:600], X[600:900].reshape(-1, 8, 8), y[600:900]


class _Probe(Callback):
    """Records the dtype the first convolution computes in (through a forward
    hook) and the largest gradient callbacks see."""

    def initialize(self):
        self.dtypes, self.max_grad = set(), 0.0
        return self

    def on_train_begin(self, net, **kwargs):
        conv = next(m for m in net.module_.modules() if isinstance(m, torch.nn.Conv2d))
        conv.register_forward_hook(lambda m, i, out: self.dtypes.add(out.dtype))

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad.abs().max().item() for _, p in named_parameters]
        self.max_grad = max(self.max_grad, *grads)


@pytest.mark.parametrize(
    "precision, dtype", [("bf16", torch.bfloat16), ("fp16", torch.float16)]
)
def test_mixed_precision_trains_in_low_precision_with_float32_weights(
    digits, precision, dtype
):
    X, y, X_test, y_test = digits
    clf = CNNClassifier(mixed_precision=precision, callbacks=[_Probe()], **FAST)
    clf.fit(X, y)
    probe = dict(clf.net_.callbacks_)["_Probe"]
    assert probe.dtypes == {dtype}
    assert all(p.dtype == torch.float32 for p in clf.net_.module_.parameters())
    assert clf.score(X_test, y_test) > 0.9
    proba = clf.predict_proba(X_test)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    # prediction runs under autocast too (the hook sees the test batches)
    probe.dtypes.clear()
    clf.predict(X_test[:5])
    assert probe.dtypes == {dtype}


def test_fp16_scales_the_loss_and_callbacks_see_unscaled_gradients(digits):
    X, y, _, _ = digits
    clf = CNNClassifier(mixed_precision="fp16", callbacks=[_Probe()], **TINY).fit(X, y)
    scaler = clf.net_.grad_scaler
    assert isinstance(scaler, torch.amp.GradScaler)
    assert scaler.get_scale() > 1.0  # the loss was scaled
    # scaled gradients would be about get_scale() (65536 at the start) times
    # larger; gradient clipping and other callbacks get the true ones
    assert dict(clf.net_.callbacks_)["_Probe"].max_grad < 100
    bf16 = CNNClassifier(mixed_precision="bf16", **TINY).fit(X, y)
    assert bf16.net_.grad_scaler is None  # bfloat16 keeps float32's range


def test_float32_training_has_no_autocast_or_scaler(digits):
    X, y, _, _ = digits
    clf = CNNClassifier(callbacks=[_Probe()], **FAST).fit(X, y)
    assert dict(clf.net_.callbacks_)["_Probe"].dtypes == {torch.float32}
    assert clf.net_.autocast_dtype is None and clf.net_.grad_scaler is None


def test_mixed_precision_recurrent_model_on_variable_lengths():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(5, 30), 2) for _ in range(200)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    clf = GRUClassifier(
        mixed_precision="bf16", max_epochs=15, hidden_size=16, random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_fp16_model_pickles_and_predicts_the_same(digits):
    X, y, X_test, _ = digits
    clf = CNNClassifier(mixed_precision="fp16", **TINY).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(X_test), clf.predict_proba(X_test))
    restored.partial_fit(X, y)  # the restored scaler keeps training
    assert restored.n_iter_ == clf.n_iter_ + 1


def test_saved_mixed_precision_model_loads_with_its_autocast(digits, tmp_path):
    X, y, X_test, _ = digits
    clf = CNNClassifier(mixed_precision="bf16", **FAST).fit(X, y)
    save(clf, tmp_path / "model.sknets")
    loaded = load(tmp_path / "model.sknets")
    assert loaded.net_.autocast_dtype == torch.bfloat16
    assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))


@pytest.mark.filterwarnings("error")
def test_fp16_on_the_cpu_warns_that_it_is_slow(digits):
    X, y, _, _ = digits
    clf = CNNClassifier(mixed_precision="fp16", device="cpu", **TINY)
    with pytest.warns(UserWarning, match=FP16_ON_CPU) as record:
        clf.fit(X, y)
    assert len(record) == 1
    assert record[0].filename == __file__  # points at the caller's fit
    clf.partial_fit(X, y)  # warned once, at the fit that chose the device
    CNNClassifier(mixed_precision="bf16", device="cpu", **TINY).fit(X, y)
    # a first partial_fit chooses the device too, through a deeper call path
    with pytest.warns(UserWarning, match=FP16_ON_CPU) as record:
        CNNClassifier(mixed_precision="fp16", device="cpu", **TINY).partial_fit(
            X, y, np.unique(y)
        )
    assert record[0].filename == __file__


def test_unknown_precision_is_rejected(digits):
    X, y, _, _ = digits
    with pytest.raises(InvalidParameterError, match="mixed_precision"):
        CNNClassifier(mixed_precision="fp8").fit(X, y)


@pytest.mark.gpu
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_on_cuda(digits, precision):
    X, y, X_test, y_test = digits
    clf = CNNClassifier(device="cuda", mixed_precision=precision, **FAST).fit(X, y)
    assert next(clf.net_.module_.parameters()).dtype == torch.float32
    assert clf.score(X_test, y_test) > 0.9
