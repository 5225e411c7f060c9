"""Data augmentation of series and images, batch by batch during training.

``augment`` names the transformations (and optionally their strength); the
net applies them to every training batch, never to validation data or at
predict time, drawing from the fit's seeded generator so that a fit with an
int ``random_state`` is reproducible. Every transformation works on the
whole batch at once (no loop over samples). Batches are dicts (see
:mod:`sknets._batching`): ``x`` of shape (n, T, ...) with time on axis 1 for
series and image sequences and, for sequences of different lengths,
``lengths`` (padding stays zero); (n, C, H, W) for images.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import numpy as np
import torch
from torch.nn import functional as F

__all__ = [
    "AUGMENTATIONS",
    "AugmentedMixin",
    "Augmenter",
    "check_augment",
    "check_batch",
]

# name -> default strength
AUGMENTATIONS = {
    "jitter": 0.03,  # standard deviation of added noise, per unit of the data's
    "scaling": 0.1,  # standard deviation of a factor around 1, per sample
    "window_slice": 0.9,  # fraction of each series kept, stretched back
    "time_warp": 0.2,  # standard deviation of the local speed around 1
    "mixup": 0.4,  # alpha of the Beta(alpha, alpha) mixing weights
    "shift": 0.1,  # largest shift, as a fraction of the image's side
    "rotation": 15.0,  # largest rotation, in degrees
    "zoom": 0.15,  # largest relative change of scale
    "flip": 0.5,  # probability of a horizontal flip
    "cutmix": 1.0,  # alpha of the Beta(alpha, alpha) area kept
}
TIME = ("window_slice", "time_warp")  # along the time axis: series and image sequences
WARP_KNOTS = 6  # points of random speed along each series in time_warp
SPATIAL = ("shift", "rotation", "zoom", "flip", "cutmix")  # images, image sequences
AFFINE = ("shift", "rotation", "zoom", "flip")  # one resampling of the batch
# mixing weights from Beta(alpha, alpha): below this alpha they are 0 or 1
# in float32 (and torch's sampler refuses the concentration)
LOWEST = {"mixup": 0.01, "cutmix": 0.01}
BOUNDED = {
    "window_slice": 1.0,
    "time_warp": 1.0,
    "flip": 1.0,
    "shift": 1.0,
    "rotation": 180.0,
    "zoom": 0.9,
}


def check_augment(augment, name):
    """``augment`` as a dict of name to strength, or a ValueError ('auto' is
    resolved by the estimator: :meth:`AugmentedMixin._augment_strengths`)."""
    if augment is None:
        return {}
    usage = (
        f"use one or several of {sorted(AUGMENTATIONS)} (a name, a list of names, "
        "or a dict of name to strength)"
    )
    keys = [augment] if isinstance(augment, str) else list(augment)
    odd = next((k for k in keys if not isinstance(k, str)), None)
    if odd is not None:
        raise ValueError(
            f"{name} got augment={augment!r}, which holds {odd!r}, not a name; {usage}."
        )
    items = dict(augment) if isinstance(augment, Mapping) else dict.fromkeys(keys)
    unknown = sorted(set(items) - set(AUGMENTATIONS))
    if unknown or not items:
        raise ValueError(f"{name} got augment={augment!r}; {usage}.")
    strengths = {}
    for key, value in items.items():
        if value is None:
            value = AUGMENTATIONS[key]
        if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
            raise ValueError(
                f"{name} got augment strength {value!r} for {key!r}; it must be a "
                f"number (the default is {AUGMENTATIONS[key]:g})."
            )
        value = float(value)
        low, high = LOWEST.get(key, 0.0), BOUNDED.get(key, math.inf)
        if not (low < value <= high and math.isfinite(value)):
            raise ValueError(
                f"{name} got augment strength {value!r} for {key!r}; it must be "
                + (f"above {low:g}" if low else "positive")
                + (f" and at most {high:g}." if key in BOUNDED else " and finite.")
            )
        strengths[key] = value
    return strengths


class Augmenter:
    """The transformations of ``augment``, applied to a training batch.

    Parameters
    ----------
    strengths : dict
        Name to strength, from :func:`check_augment`.
    n_classes : int or None
        Number of classes for a single-label classifier (mixup and cutmix
        mix one-hot targets), None otherwise (the targets are mixed as they
        are: regression values, multi-label indicators).
    kind : str
        The input kind: 'series', 'images' or 'frames' (image sequences).
    """

    def __init__(self, strengths, n_classes=None, kind="series"):
        self.strengths = strengths
        self.n_classes = n_classes
        self.kind = kind

    def __call__(self, batch, target, generator):
        x, lengths = batch["x"], batch.get("lengths")
        mask = _mask(x, lengths)
        if self.kind != "images":
            for name in TIME:
                if name in self.strengths:
                    x = getattr(self, "_" + name)(x, lengths, generator)
        if self.kind != "series" and set(self.strengths) & set(AFFINE):
            x = self._affine(x, generator)
        for name in ("scaling", "jitter"):
            if name in self.strengths:
                x = getattr(self, "_" + name)(x, lengths, generator)
        if mask is not None:
            x = x * mask
        batch = {**batch, "x": x}
        mixing = [name for name in ("mixup", "cutmix") if name in self.strengths]
        if len(mixing) == 2:  # one of the two per batch, as timm's Mixup does
            mixing = [mixing[int(torch.randint(2, (1,), generator=generator))]]
        if mixing:
            batch, target = getattr(self, "_" + mixing[0])(batch, target, generator)
        return batch, target

    def _jitter(self, x, lengths, generator):
        noise = torch.randn(x.shape, generator=generator).to(x.device, x.dtype)
        return x + self.strengths["jitter"] * noise

    def _scaling(self, x, lengths, generator):
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        factor = 1 + self.strengths["scaling"] * torch.randn(shape, generator=generator)
        return x * factor.to(x.device, x.dtype)

    def _window_slice(self, x, lengths, generator):
        """Each series cropped to a random window of a fraction of its own
        length and stretched back to that length (linear interpolation)."""
        n, steps = x.shape[:2]
        full = _full_lengths(x, lengths)
        kept = torch.clamp(torch.floor(full * self.strengths["window_slice"]), min=2)
        kept = torch.minimum(kept, full)  # a series of one step stays as it is
        start = torch.rand(n, generator=generator) * (full - kept)
        t = torch.arange(steps)[None, :].double()
        scale = (kept - 1).double() / (full - 1).clamp(min=1).double()
        position = start[:, None].double() + t * scale[:, None]
        return _resample(x, position, full)

    def _time_warp(self, x, lengths, generator):
        """Each series read along a smooth random time axis: the local speed
        is 1 plus Gaussian noise at six evenly spaced points (linear in
        between, at least 0.1), so some parts are stretched and others
        compressed, while the series keeps its first and last step (Um et
        al., 2017)."""
        n, steps = x.shape[:2]
        full = _full_lengths(x, lengths)
        sigma = self.strengths["time_warp"]
        knots = (1 + sigma * torch.randn(n, WARP_KNOTS, generator=generator)).double()
        # the knots span each series' own valid steps, whatever the padding
        t = torch.arange(steps)[None, :].double()
        u = t / (full - 1).clamp(min=1)[:, None].double() * (WARP_KNOTS - 1)
        speed = _resample(
            knots.clamp(min=0.1)[:, :, None], u, torch.full((n,), WARP_KNOTS)
        )[:, :, 0]
        position = torch.cumsum(speed, dim=1) - speed[:, :1]
        last = position.gather(1, (full - 1).clamp(min=0)[:, None])
        position = position / last.clamp(min=1e-12) * (full - 1)[:, None].double()
        return _resample(x, position, full)

    def _affine(self, x, generator):
        """Each image (every frame of an image sequence alike) shifted,
        rotated, zoomed and flipped at random, in one bilinear resampling of
        the batch; what comes in from outside the image is zero, as with a
        crop of a zero-padded image. Shifts are continuous (sub-pixel), as
        a shift of a finer original image would be."""
        n, (height, width) = x.shape[0], x.shape[-2:]
        strengths = self.strengths

        def uniform(name):  # in [-strength, strength], 0 when not asked
            draw = 2 * torch.rand(n, generator=generator, dtype=torch.float64) - 1
            return strengths.get(name, 0.0) * draw

        angle = torch.deg2rad(uniform("rotation"))
        zoom = 1 + uniform("zoom")
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        flip = torch.ones(n, dtype=torch.float64)
        if "flip" in strengths:
            flip[torch.rand(n, generator=generator) < strengths["flip"]] = -1.0
        theta = torch.zeros(n, 2, 3, dtype=torch.float64)
        # output (u, v) in [-1, 1] to input coordinates; the rotation acts on
        # pixels, so non-square images keep their proportions
        theta[:, 0, 0] = cos * flip
        theta[:, 0, 1] = -sin * height / width
        theta[:, 1, 0] = sin * flip * width / height
        theta[:, 1, 1] = cos
        theta[:, 0, 2] = 2 * uniform("shift")  # [-1, 1] spans the side twice
        theta[:, 1, 2] = 2 * uniform("shift")
        images = x.reshape(n, -1, height, width)
        grid = F.affine_grid(
            theta.to(x.device, torch.float32), images.shape, align_corners=False
        )
        out = F.grid_sample(
            images.float(),
            grid,
            mode="bilinear",
            padding_mode="zeros",
            align_corners=False,
        )
        return out.to(x.dtype).reshape(x.shape)

    def _partners(self, n, generator):
        """A random partner in the batch for each sample (a fresh draw from
        the fit's generator)."""
        return torch.randperm(n, generator=generator)

    def _mixup(self, batch, target, generator):
        """Each sample mixed with a random partner of the batch, its target
        (one-hot for a classifier) and weight mixed alike (Zhang et al., 2018)."""
        x = batch["x"]
        n = len(x)
        alpha = self.strengths["mixup"]
        weight = torch.distributions.Beta(alpha, alpha).sample((n,))
        partner = self._partners(n, generator).to(x.device)
        lam = weight.to(x.device)
        shape = (n,) + (1,) * (x.dim() - 1)
        mixed = lam.view(shape) * x + (1 - lam.view(shape)) * x[partner]
        return {**batch, "x": mixed}, self._mix_targets(target, lam, partner, x.dtype)

    def _cutmix(self, batch, target, generator):
        """A random box of each image (of every frame alike) replaced by the
        same box of a partner's, the targets and weights mixed by the area
        each keeps (Yun et al., 2019)."""
        x = batch["x"]
        n, (height, width) = len(x), x.shape[-2:]
        alpha = self.strengths["cutmix"]
        kept = torch.distributions.Beta(alpha, alpha).sample((n,)).double()
        side = torch.sqrt(1 - kept)
        boxes = []
        for size in (height, width):
            centre = torch.randint(0, size, (n,), generator=generator)
            half = torch.round(side * size / 2).long()
            boxes.append(
                ((centre - half).clamp(0, size), (centre + half).clamp(0, size))
            )
        (top, bottom), (left, right) = boxes
        area = (bottom - top) * (right - left)
        lam = (1 - area.double() / (height * width)).to(x.device, x.dtype)
        rows = torch.arange(height)[None, :]
        cols = torch.arange(width)[None, :]
        inside_rows = (rows >= top[:, None]) & (rows < bottom[:, None])
        inside_cols = (cols >= left[:, None]) & (cols < right[:, None])
        box = inside_rows[:, :, None] & inside_cols[:, None, :]  # (n, H, W)
        box = box.view(n, *([1] * (x.dim() - 3)), height, width).to(x.device)
        partner = self._partners(n, generator).to(x.device)
        mixed = torch.where(box, x[partner], x)
        return {**batch, "x": mixed}, self._mix_targets(target, lam, partner, x.dtype)

    def _mix_targets(self, target, lam, partner, dtype):
        """Targets (one-hot for a single-label classifier) and sample weights
        mixed as the inputs were: ``lam`` of each sample's, the rest of its
        partner's."""
        y = target["y"]
        if self.n_classes is not None:
            y = F.one_hot(y, self.n_classes).to(dtype)
        n = len(y)
        y_shape = (n,) + (1,) * (y.dim() - 1)
        target = {
            **target,
            "y": lam.view(y_shape) * y + (1 - lam.view(y_shape)) * y[partner],
        }
        if target.get("sample_weight") is not None:
            w = target["sample_weight"]
            target["sample_weight"] = lam * w + (1 - lam) * w[partner]
        return target


def _full_lengths(x, lengths):
    """Each sample's number of valid steps, on the CPU."""
    if lengths is None:
        return torch.full((x.shape[0],), x.shape[1])
    return lengths.cpu()


def _resample(x, position, full):
    """The batch (n, T, ...) read at the fractional steps ``position`` (n, K,
    float64) of each sample, by linear interpolation between its steps, each
    position kept within the sample's ``full`` valid steps: (n, K, ...)."""
    n, count = position.shape
    steps = x.shape[1]
    position = position.clamp(min=0)
    position = torch.minimum(position, (full - 1).clamp(min=0)[:, None].double())
    low = position.floor().long().clamp(0, steps - 1)
    high = (low + 1).clamp(max=steps - 1)
    fraction = (position - low).to(x.dtype).to(x.device)
    below, above = (_take_steps(x, i.to(x.device)) for i in (low, high))
    fraction = fraction.view(n, count, *([1] * (x.dim() - 2)))
    return below + (above - below) * fraction


def _take_steps(x, index):
    """``x[i, index[i, t]]`` for every sample i and step t."""
    shape = index.shape + x.shape[2:]
    expanded = index.view(*index.shape, *([1] * (x.dim() - 2))).expand(shape)
    return x.gather(1, expanded)


def _mask(x, lengths):
    if lengths is None:
        return None
    steps = x.shape[1]
    valid = (
        torch.arange(steps, device=x.device)[None, :] < lengths.to(x.device)[:, None]
    )
    return valid.view(*valid.shape, *([1] * (x.dim() - 2))).to(x.dtype)


def check_batch(strengths, batch, kind, name):
    """A ValueError when the transformations cannot apply to the training
    input: any to token ids or text, image transformations to series, time
    transformations to single images, window slicing of series under 4
    steps, mixup or cutmix of sequences of different lengths."""
    if not strengths:
        return
    if kind in ("tokens", "text"):
        raise ValueError(
            f"{name}: augment applies to numeric series, images and image "
            f"sequences, not to {kind}; set augment=None."
        )
    spatial = sorted(set(strengths) & set(SPATIAL))
    if kind == "series" and spatial:
        raise ValueError(
            f"{name}: augment={spatial} transforms images, but the training "
            f"input is numeric series; for series use {sorted(_SERIES)}."
        )
    timed = sorted(set(strengths) & set(TIME))
    if kind == "images" and timed:
        raise ValueError(
            f"{name}: augment={timed} transforms series along time, but the training "
            f"input is images; for images use {sorted(_IMAGES)}."
        )
    if kind == "images":
        return
    lengths = batch.get("lengths")
    shortest = int(lengths.min()) if lengths is not None else batch["x"].shape[1]
    if "window_slice" in strengths and shortest < 4:
        raise ValueError(
            f"{name}: augment='window_slice' crops and stretches each series, "
            f"which needs at least 4 steps; the shortest training series has "
            f"{shortest}. Drop window_slice from augment."
        )
    mixing = sorted(set(strengths) & {"mixup", "cutmix"})
    if mixing and lengths is not None:
        raise ValueError(
            f"{name}: augment={mixing} mixes pairs of sequences step by step, "
            "which needs sequences of one length; the training sequences have "
            "different lengths. Pad or crop them to one length, or drop "
            f"{' and '.join(mixing)} from augment."
        )


_SERIES = set(AUGMENTATIONS) - set(SPATIAL)
_IMAGES = set(AUGMENTATIONS) - set(TIME)


class AugmentedMixin:
    """The ``augment`` parameter: transformations of the training batches."""

    def _auto_augment(self):
        """What ``augment='auto'`` applies to the training input: nothing,
        unless a family says otherwise (dict of name to strength)."""
        return {}

    def _augment_is_auto(self):
        return isinstance(self.augment, str) and self.augment == "auto"

    def _augment_strengths(self):
        """``augment`` as a dict of name to strength, 'auto' resolved for the
        training input (``input_kind_`` and ``max_length_`` are set)."""
        if self._augment_is_auto():
            return dict(self._auto_augment())
        return check_augment(self.augment, type(self).__name__)

    def _augmented(self):
        return bool(self._augment_strengths())

    def _augmenter(self):
        strengths = self._augment_strengths()
        if not strengths:
            return None
        kind = (
            "series"
            if self.input_kind_ not in ("images", "frames")
            else self.input_kind_
        )
        return Augmenter(strengths, self._mixup_classes, kind)

    def _make_net(self, module):
        net = super()._make_net(module)
        net.augmenter = self._augmenter()
        return net

    def _training_input(self, batch, **kwargs):
        if not self._augment_is_auto():
            # 'auto' picks what applies to the input; an explicit choice
            # that does not apply is an error
            strengths = self._augment_strengths()
            check_batch(strengths, batch, self.input_kind_, type(self).__name__)
        return super()._training_input(batch, **kwargs)
