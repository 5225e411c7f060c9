"""Data augmentation of training batches: each transformation, reproducible,
never at predict time, and the inputs it refuses."""

import numpy as np
import pytest
import torch

from sknets import FCNClassifier, GRUClassifier, MiniRocketClassifier, TCNRegressor
from sknets._augment import Augmenter, check_augment


def _batch(lengths=None, n=6, steps=20, features=2):
    x = torch.randn(n, steps, features, generator=torch.Generator().manual_seed(0))
    batch = {"x": x}
    if lengths is not None:
        batch["lengths"] = torch.tensor(lengths)
        mask = torch.arange(steps)[None, :] < batch["lengths"][:, None]
        batch["x"] = x * mask[:, :, None]
    return batch, {"y": torch.arange(n) % 3}


@pytest.mark.parametrize("name", ["jitter", "scaling", "window_slice"])
def test_each_transformation_changes_the_valid_steps_only(name):
    lengths = [20, 5, 12, 20, 7, 9]
    batch, target = _batch(lengths)
    out, out_target = Augmenter(check_augment(name, "test"))(
        batch, target, torch.Generator().manual_seed(1)
    )
    assert out["x"].shape == batch["x"].shape
    assert torch.equal(out["lengths"], batch["lengths"])
    assert out_target["y"] is target["y"]
    for i, length in enumerate(lengths):
        assert not torch.allclose(out["x"][i, :length], batch["x"][i, :length])
        assert torch.all(out["x"][i, length:] == 0)  # padding stays zero
    if name == "scaling":  # one factor per series
        ratio = out["x"][0] / batch["x"][0]
        torch.testing.assert_close(ratio, torch.full_like(ratio, ratio[0, 0].item()))
    if name == "window_slice":  # values interpolated within the series' range
        for i, length in enumerate(lengths):
            inside = out["x"][i, :length]
            assert inside.min() >= batch["x"][i, :length].min() - 1e-6
            assert inside.max() <= batch["x"][i, :length].max() + 1e-6


def test_mixup_mixes_series_targets_and_weights_alike():
    batch, target = _batch()
    target["sample_weight"] = torch.arange(6.0)
    out, mixed = Augmenter({"mixup": 0.4}, n_classes=3)(
        batch, target, torch.Generator().manual_seed(0)
    )
    assert mixed["y"].shape == (6, 3)
    torch.testing.assert_close(mixed["y"].sum(dim=1), torch.ones(6))
    lam = mixed["y"][torch.arange(6), target["y"]]  # own class' share (>= lam)
    assert torch.all(lam >= 0) and torch.all(lam <= 1)
    assert not torch.allclose(out["x"], batch["x"])


def test_augmented_fit_is_reproducible_and_predict_is_untouched():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 30, 2))
    y = (X[:, :10, 0].mean(axis=1) > 0).astype(int)
    params = dict(augment=["jitter", "scaling", "window_slice", "mixup"], max_epochs=3)
    first = FCNClassifier(channels=(8, 8, 8), random_state=0, **params).fit(X, y)
    second = FCNClassifier(channels=(8, 8, 8), random_state=0, **params).fit(X, y)
    plain = FCNClassifier(channels=(8, 8, 8), random_state=0, max_epochs=3).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert not np.allclose(first.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_array_equal(first.predict_proba(X), first.predict_proba(X))
    assert first.net_.augmenter is not None and plain.net_.augmenter is None


def test_augmentation_helps_a_small_noisy_set_or_does_no_harm():
    # a regressor with augmentation still learns the target
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 30, 1))
    y = X[:, 5:15, 0].mean(axis=1)
    reg = TCNRegressor(
        num_channels=16,
        max_epochs=20,
        random_state=0,
        augment={"jitter": 0.01, "scaling": 0.05},
    )
    assert reg.fit(X[:150], y[:150]).score(X[150:], y[150:]) > 0.5


def test_minirocket_with_augmentation_trains_its_head():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 30))
    y = (X[:, :10].mean(axis=1) > 0).astype(int)
    clf = MiniRocketClassifier(num_features=168, augment="jitter", random_state=0)
    assert clf.fit(X, y).n_iter_ > 0  # no closed form for augmented series


@pytest.mark.parametrize(
    "augment, X, match",
    [
        ("rotate", np.zeros((10, 8)), r"augment='rotate'; use one or several of"),
        ({"jitter": -1}, np.zeros((10, 8)), "strength -1.0 for 'jitter'"),
        ({"window_slice": 2}, np.zeros((10, 8)), "positive and at most 1"),
        ("window_slice", np.zeros((10, 3)), "needs at least 4 steps; the shortest"),
        (
            "mixup",
            [np.zeros((t, 1)) for t in range(5, 15)],
            "needs series of one length",
        ),
        ("jitter", ["a text", "another text"] * 5, "not to text; set augment=None"),
    ],
)
def test_what_augmentation_refuses(augment, X, match):
    with pytest.raises(ValueError, match=match):
        GRUClassifier(augment=augment, max_epochs=1).fit(X, np.arange(10) % 2)
