"""Data augmentation of training batches: each transformation, reproducible,
never at predict time, and the inputs it refuses."""

import numpy as np
import pytest
import torch

from sknets import (
    CNNClassifier,
    CNNRegressor,
    CRNNClassifier,
    FCNClassifier,
    GRUClassifier,
    GRURegressor,
    MiniRocketClassifier,
    TCNRegressor,
)
from sknets._augment import AUGMENTATIONS, Augmenter, check_augment
from sknets._inputs import FRAMES, IMAGES


def _batch(lengths=None, n=6, steps=20, features=2):
    x = torch.randn(n, steps, features, generator=torch.Generator().manual_seed(0))
    batch = {"x": x}
    if lengths is not None:
        batch["lengths"] = torch.tensor(lengths)
        mask = torch.arange(steps)[None, :] < batch["lengths"][:, None]
        batch["x"] = x * mask[:, :, None]
    return batch, {"y": torch.arange(n) % 3}


@pytest.mark.parametrize(
    "name", ["jitter", "scaling", "window_slice", "time_warp", "magnitude_warp"]
)
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
    if name in ("window_slice", "time_warp"):  # interpolated within the series
        for i, length in enumerate(lengths):
            inside = out["x"][i, :length]
            assert inside.min() >= batch["x"][i, :length].min() - 1e-6
            assert inside.max() <= batch["x"][i, :length].max() + 1e-6


def test_magnitude_warp_multiplies_each_series_by_a_smooth_curve_around_one():
    lengths = [40, 25, 40, 33]
    batch, target = _batch(lengths, n=4, steps=40, features=3)
    batch["x"] = batch["x"].abs() + 1  # no division by zero
    batch["x"] = batch["x"] * (
        torch.arange(40)[None, :, None] < torch.tensor(lengths)[:, None, None]
    )
    warp = Augmenter(check_augment({"magnitude_warp": 0.2}, "test"))
    out, _ = warp(batch, target, torch.Generator().manual_seed(0))
    for i, length in enumerate(lengths):
        curve = out["x"][i, :length] / batch["x"][i, :length]
        # one factor per step, for every feature alike
        torch.testing.assert_close(curve, curve[:, :1].expand_as(curve))
        factor = curve[:, 0]
        assert 0.4 < float(factor.min()) and float(factor.max()) < 1.6
        assert float(factor.std()) > 0.01  # it does change
        # smooth: linear between six points, so steps change by little
        assert float((factor[1:] - factor[:-1]).abs().max()) < 0.2
        assert torch.all(out["x"][i, length:] == 0)


def test_a_new_transformation_is_one_registry_entry():
    """magnitude_warp was added as one entry of AUGMENTATIONS: its check,
    its place in the augment documentation and where it applies follow."""
    entry = AUGMENTATIONS["magnitude_warp"]
    assert check_augment("magnitude_warp", "test") == {"magnitude_warp": 0.2}
    assert "'magnitude_warp' multiplies each series" in GRUClassifier.__doc__
    assert entry.axes == frozenset({"time"}) and entry.apply is not None
    X = np.random.RandomState(0).normal(size=(30, 20, 2))
    y = np.arange(30) % 2
    clf = GRUClassifier(augment="magnitude_warp", max_epochs=2, random_state=0)
    assert clf.fit(X, y).predict(X).shape == (30,)
    with pytest.raises(ValueError, match="transforms series along time, but the"):
        CNNClassifier(augment="magnitude_warp", max_epochs=1).fit(
            np.zeros((10, 8, 8)), y[:10]
        )


def test_time_warp_reads_each_series_along_a_monotone_time_axis():
    # a ramp 0, 1, ..., length-1 comes back as the warped time axis itself
    lengths = [30, 12, 30, 19]
    steps = torch.arange(30, dtype=torch.float32)[None, :, None].repeat(4, 1, 1)
    batch, target = {"x": steps, "lengths": torch.tensor(lengths)}, {"y": None}
    batch["x"] = batch["x"] * (steps < batch["lengths"][:, None, None])
    warp = Augmenter(check_augment("time_warp", "test"))
    out = warp(batch, target, torch.Generator().manual_seed(0))[0]["x"][..., 0]
    for i, length in enumerate(lengths):
        axis = out[i, :length]
        assert axis[0] == 0 and torch.isclose(axis[-1], torch.tensor(length - 1.0))
        assert torch.all(axis[1:] >= axis[:-1])  # time never runs backwards
        assert (axis - torch.arange(length)).abs().max() > 0.2  # not the identity
    # the warp of a series does not depend on the padding of its batch
    longer = {
        "x": torch.nn.functional.pad(batch["x"], (0, 0, 0, 10)),
        "lengths": batch["lengths"],
    }
    padded = warp(longer, target, torch.Generator().manual_seed(0))[0]["x"][..., 0]
    for i, length in enumerate(lengths):
        torch.testing.assert_close(padded[i, :length], out[i, :length])
    # a stronger warp moves the time axis further
    strong = Augmenter({"time_warp": 0.6})(
        batch, target, torch.Generator().manual_seed(0)
    )[0]["x"][..., 0]
    ramp = torch.arange(30.0)
    assert (strong[0] - ramp).abs().mean() > (out[0] - ramp).abs().mean()


def test_auto_augment_warps_long_series_for_recurrent_classifiers_only():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 80, 1))
    y = np.arange(12) % 2
    params = dict(hidden_size=4, max_epochs=1, random_state=0)
    clf = GRUClassifier(**params).fit(X, y)
    assert clf.augment == "auto"
    assert clf.net_.augmenter.strengths == {"time_warp": 0.2, "window_slice": 0.9}
    # a few series too short for an explicit window slice do not stop 'auto'
    mixed = [X[0, :1], X[1, :3]] + list(X[2:])
    assert GRUClassifier(**params).fit(mixed, y).net_.augmenter is not None
    with pytest.raises(ValueError, match="needs at least 4 steps"):
        GRUClassifier(augment="window_slice", **params).fit(mixed, y)
    # short series, text, a regressor and an explicit None: no augmentation
    assert GRUClassifier(**params).fit(X[:, :64], y).net_.augmenter is None
    text = ["a b c", "b c d", "c d e", "d e f"] * 3
    assert GRUClassifier(**params).fit(text, y).net_.augmenter is None
    assert GRURegressor(**params).fit(X, y * 1.0).net_.augmenter is None
    assert GRUClassifier(augment=None, **params).fit(X, y).net_.augmenter is None
    # augmented, the budget allows 300 epochs instead of 100 (early stopping
    # ends these fits after a few)
    budget = dict(hidden_size=4, random_state=0, early_stopping=True)
    budget["n_iter_no_change"] = 1
    X20, y20 = rng.normal(size=(20, 80, 1)), np.arange(20) % 2
    assert GRUClassifier(**budget).fit(X20, y20).max_epochs_ == 300
    assert GRUClassifier(augment=None, **budget).fit(X20, y20).max_epochs_ == 100
    # on long series the bound on time steps read triples as well: 16
    # training series of 4,000 steps (2 held out) read 6 million in 83 epochs
    X_long = rng.normal(size=(20, 4000, 1)).astype(np.float32)
    assert GRUClassifier(augment=None, **budget).fit(X_long, y20).max_epochs_ == 83
    assert GRUClassifier(**budget).fit(X_long, y20).max_epochs_ == 250
    # 'auto' on a family that has no rule of its own applies nothing
    fcn = FCNClassifier(channels=(4, 4, 4), augment="auto", max_epochs=1)
    assert fcn.fit(X, y).net_.augmenter is None


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
        ({"rotation": 200}, np.zeros((10, 8)), "positive and at most 180"),
        ("shift", np.zeros((10, 8)), r"augment=\['shift'\] transforms images"),
        ({"jitter": -1}, np.zeros((10, 8)), "strength -1.0 for 'jitter'"),
        ({"window_slice": 2}, np.zeros((10, 8)), "positive and at most 1"),
        ("window_slice", np.zeros((10, 3)), "needs at least 4 steps; the shortest"),
        (
            "mixup",
            [np.zeros((t, 1)) for t in range(5, 15)],
            "needs sequences of one length",
        ),
        ("jitter", ["a text", "another text"] * 5, "not to text; set augment=None"),
    ],
)
def test_what_augmentation_refuses(augment, X, match):
    with pytest.raises(ValueError, match=match):
        GRUClassifier(augment=augment, max_epochs=1).fit(X, np.arange(10) % 2)


# -- images -------------------------------------------------------------------


def _images(n=4, channels=1, height=8, width=8):
    x = torch.rand(
        n, channels, height, width, generator=torch.Generator().manual_seed(0)
    )
    return {"x": x}, {"y": torch.arange(n) % 2}


def _blob(n, side=16):
    """n copies of a Gaussian blob in the middle of a side x side image."""
    grid = torch.arange(side, dtype=torch.float32) - (side - 1) / 2
    blob = torch.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) / 4)
    return blob.repeat(n, 1, 1, 1)


def _centre_of_mass(x):
    side = x.shape[-1]
    axis = torch.arange(side, dtype=torch.float32)
    mass = x.sum(dim=(1, 2, 3))
    rows = (x.sum(dim=(1, 3)) * axis).sum(dim=1) / mass
    cols = (x.sum(dim=(1, 2)) * axis).sum(dim=1) / mass
    return rows, cols, mass


def test_shift_moves_images_within_its_range_and_keeps_them_whole():
    x = _blob(64)
    out, target = Augmenter({"shift": 0.1}, axes=IMAGES.axes)(
        {"x": x}, {"y": torch.zeros(64)}, torch.Generator().manual_seed(0)
    )
    assert target["y"].shape == (64,)
    rows, cols, mass = _centre_of_mass(out["x"])
    _, _, before = _centre_of_mass(x)
    torch.testing.assert_close(mass, before, rtol=0.02, atol=0)  # nothing lost
    moved = torch.stack([rows, cols]) - 7.5
    assert moved.abs().max() <= 1.6 + 1e-3  # 0.1 of 16 pixels
    assert moved.abs().max() > 0.8 and moved.std() > 0.3


def test_zoom_scales_images_and_keeps_their_centre():
    x = _blob(64)
    out, _ = Augmenter({"zoom": 0.3}, axes=IMAGES.axes)(
        {"x": x}, {"y": torch.zeros(64)}, torch.Generator().manual_seed(0)
    )
    rows, cols, mass = _centre_of_mass(out["x"])
    torch.testing.assert_close(rows, torch.full((64,), 7.5), atol=1e-3, rtol=0)
    ratio = mass / x[0].sum()  # the blob's area grows with the square of the zoom
    assert ratio.min() >= 0.7**2 - 0.02 and ratio.max() <= 1.3**2 + 0.02
    assert ratio.max() - ratio.min() > 0.5


def test_flip_mirrors_and_rotation_turns_images():
    batch, target = _images(n=64)
    x = batch["x"]
    out, _ = Augmenter({"flip": 0.5}, axes=IMAGES.axes)(
        batch, target, torch.Generator().manual_seed(0)
    )
    flipped = np.array(
        [torch.allclose(o, xi.flip(-1), atol=1e-5) for o, xi in zip(out["x"], x)]
    )
    same = np.array([torch.allclose(o, xi, atol=1e-5) for o, xi in zip(out["x"], x)])
    assert np.all(flipped | same) and 16 < flipped.sum() < 48
    # rotation=90 draws angles of up to a quarter turn
    line = torch.zeros(1, 1, 9, 9)
    line[0, 0, 4, :] = 1.0  # a horizontal line through the centre
    rotated, _ = Augmenter({"rotation": 90}, axes=IMAGES.axes)(
        {"x": line.repeat(200, 1, 1, 1)}, {"y": torch.zeros(200)}, torch.Generator()
    )
    rotated = rotated["x"]
    assert rotated.shape == (200, 1, 9, 9)
    # the centre pixel stays; the line's mass moves off the row for large angles
    torch.testing.assert_close(rotated[:, 0, 4, 4], torch.ones(200), atol=1e-4, rtol=0)
    off_row = rotated[:, 0].sum(dim=2)[:, [0, 1, 7, 8]].sum(dim=1)
    assert (off_row > 1).float().mean() > 0.3


def test_cutmix_pastes_boxes_and_mixes_targets_by_area():
    batch, target = _images(n=16)
    target["sample_weight"] = torch.ones(16)
    out, mixed = Augmenter({"cutmix": 1.0}, n_classes=2, axes=IMAGES.axes)(
        batch, target, torch.Generator().manual_seed(0)
    )
    x, y = batch["x"], mixed["y"]
    assert y.shape == (16, 2)
    torch.testing.assert_close(y.sum(dim=1), torch.ones(16))
    changed = (out["x"] != x).any(dim=1).float().mean(dim=(1, 2))  # share pasted
    own = 1 - changed
    # a sample's own class share is at least the area it kept
    kept = y[torch.arange(16), target["y"]]
    assert torch.all(kept >= own - 1e-6)
    assert changed.max() > 0


def test_frames_of_an_image_sequence_move_together():
    frame = torch.rand(6, 1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    video = frame.repeat(1, 5, 1, 1, 1)  # five identical frames per sample
    out, _ = Augmenter({"shift": 0.25, "rotation": 10, "flip": 0.5}, axes=FRAMES.axes)(
        {"x": video}, {"y": torch.zeros(6)}, torch.Generator().manual_seed(0)
    )
    out = out["x"]
    assert out.shape == video.shape and not torch.allclose(out, video)
    torch.testing.assert_close(out, out[:, :1].expand_as(out))


def _small_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:300].reshape(-1, 8, 8) / 16, y[:300]


def test_image_augmentation_is_reproducible_off_at_predict_and_off_by_default():
    X, y = _small_digits()
    settings = dict(max_epochs=3, random_state=0)
    augment = ["shift", "rotation", "cutmix", "mixup", "jitter", "scaling"]
    first = CNNClassifier(augment=augment, **settings).fit(X, y)
    second = CNNClassifier(augment=augment, **settings).fit(X, y)
    plain = CNNClassifier(**settings).fit(X, y)
    assert plain.augment is None and plain.net_.augmenter is None
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    np.testing.assert_array_equal(first.predict_proba(X), first.predict_proba(X))
    assert not np.allclose(first.predict_proba(X), plain.predict_proba(X))
    reg = CNNRegressor(augment=["shift", "mixup"], **settings).fit(X, y.astype(float))
    assert reg.predict(X).shape == (300,)


def test_image_sequences_take_image_augmentation():
    from sknets.datasets import make_moving_squares

    X, y = make_moving_squares(n_samples=24, n_frames=4, frame_size=8, random_state=0)
    clf = CRNNClassifier(augment=["shift", "cutmix"], max_epochs=2, random_state=0)
    assert clf.fit(X, y).predict(X).shape == (24,)


@pytest.mark.parametrize(
    "augment, match",
    [
        ("window_slice", r"augment=\['window_slice'\] transforms series along time"),
        ({"shift": 1.5}, "positive and at most 1"),
    ],
)
def test_what_image_augmentation_refuses(augment, match):
    X, y = _small_digits()
    with pytest.raises(ValueError, match=match):
        CNNClassifier(augment=augment, max_epochs=1).fit(X, y)


def test_an_augmented_cnn_fit_takes_a_larger_budget():
    # 134 images (3 batches of 64): 30 epochs at most without augmentation,
    # 300 with
    X, y = _small_digits()
    quick = dict(early_stopping=True, n_iter_no_change=1, random_state=0)
    small, few = X[:134], y[:134]
    assert CNNClassifier(**quick).fit(small, few).max_epochs_ == 30
    augmented = CNNClassifier(augment=["shift"], **quick).fit(small, few)
    assert augmented.max_epochs_ == 300
    # 1,300 images, 1,170 after the validation part: 19 batches an epoch,
    # and about 3,000 optimizer steps bound the epochs before the cap does
    large = np.tile(X, (5, 1, 1))[:1300], np.tile(y, 5)[:1300]
    assert CNNClassifier(augment=["shift"], **quick).fit(*large).max_epochs_ == 158
