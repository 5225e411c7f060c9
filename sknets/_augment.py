"""Data augmentation of series and images, batch by batch during training.

``augment`` names the transformations (and optionally their strength); the
net applies them to every training batch, never to validation data or at
predict time, drawing from the fit's seeded generator so that a fit with an
int ``random_state`` is reproducible. Every transformation works on the
whole batch at once (no loop over samples). Batches are dicts (see
:mod:`sknets._batching`): ``x`` of shape (n, T, ...) with time on axis 1 for
series and image sequences and, for sequences of different lengths,
``lengths`` (padding stays zero); (n, C, H, W) for images.

Each transformation is one :class:`Augmentation` entry of
:data:`AUGMENTATIONS`: its name, default strength and the range of strengths
it takes, the axes of the input it acts on (time, space, or none: any
numeric input), the function, and its text in the ``augment`` parameter's
documentation (:data:`AUGMENT`, written from the entries). Which axes an
input has is the input kind's to say (``InputKind.axes``); a new
transformation is one entry.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from numbers import Real

import numpy as np
import torch
from torch.nn import functional as F

from ._inputs import input_kind
from ._params import Param

__all__ = [
    "AUGMENT",
    "AUGMENTATIONS",
    "Augmentation",
    "AugmentedMixin",
    "Augmenter",
    "check_augment",
    "check_batch",
]

WARP_KNOTS = 6  # points of random speed (or size) along each series in the warps


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """One transformation of ``augment``.

    ``stage`` says how it applies: ``'x'`` transformations are functions
    ``apply(x, lengths, strength, generator)`` of the batch's input, run in
    the order of :data:`AUGMENTATIONS`; the ``'affine'`` ones (shift,
    rotation, zoom, flip) share one resampling of each image
    (:func:`_affine`, at the place of the first); ``'mix'`` ones mix pairs of
    samples and their targets, ``apply(augmenter, batch, target, strength,
    generator)``, after the others, one of them per batch. ``axes`` are the
    axes of the input it needs ('time', 'space'; none: any numeric input);
    a strength is above ``lowest`` and at most ``highest``; ``doc`` is its
    text in the ``augment`` documentation, where ``{default}`` is the
    default strength.
    """

    name: str
    default: float
    doc: str
    apply: Callable | None = None
    axes: frozenset = frozenset()
    stage: str = "x"
    lowest: float = 0.0
    highest: float = math.inf
    #: the fewest steps of a series it can transform
    min_steps: int = 1


def _jitter(x, lengths, strength, generator):
    noise = torch.randn(x.shape, generator=generator).to(x.device, x.dtype)
    return x + strength * noise


def _scaling(x, lengths, strength, generator):
    shape = (x.shape[0],) + (1,) * (x.dim() - 1)
    factor = 1 + strength * torch.randn(shape, generator=generator)
    return x * factor.to(x.device, x.dtype)


def _window_slice(x, lengths, strength, generator):
    """Each series cropped to a random window of a fraction of its own
    length and stretched back to that length (linear interpolation)."""
    n, steps = x.shape[:2]
    full = _full_lengths(x, lengths)
    kept = torch.clamp(torch.floor(full * strength), min=2)
    kept = torch.minimum(kept, full)  # a series of one step stays as it is
    start = torch.rand(n, generator=generator) * (full - kept)
    t = torch.arange(steps)[None, :].double()
    scale = (kept - 1).double() / (full - 1).clamp(min=1).double()
    position = start[:, None].double() + t * scale[:, None]
    return _resample(x, position, full)


def _time_warp(x, lengths, strength, generator):
    """Each series read along a smooth random time axis: the local speed
    is 1 plus Gaussian noise at six evenly spaced points (linear in
    between, at least 0.1), so some parts are stretched and others
    compressed, while the series keeps its first and last step (Um et
    al., 2017)."""
    n, steps = x.shape[:2]
    full = _full_lengths(x, lengths)
    knots = (1 + strength * torch.randn(n, WARP_KNOTS, generator=generator)).double()
    speed = _along_series(knots.clamp(min=0.1), full, steps)
    position = torch.cumsum(speed, dim=1) - speed[:, :1]
    last = position.gather(1, (full - 1).clamp(min=0)[:, None])
    position = position / last.clamp(min=1e-12) * (full - 1)[:, None].double()
    return _resample(x, position, full)


def _magnitude_warp(x, lengths, strength, generator):
    """Each series multiplied, step by step, by a smooth random curve around
    1: Gaussian noise of standard deviation ``strength`` at six evenly spaced
    points of the series, linear in between (Um et al., 2017)."""
    n, steps = x.shape[:2]
    full = _full_lengths(x, lengths)
    knots = 1 + strength * torch.randn(n, WARP_KNOTS, generator=generator)
    curve = _along_series(knots.to(x.dtype), full, steps)
    return x * curve.view(n, steps, *([1] * (x.dim() - 2))).to(x.device)


def _along_series(knots, full, steps):
    """Values at WARP_KNOTS evenly spaced points of each series (n, K),
    spanning its own ``full`` valid steps whatever the padding, linearly
    interpolated at each of the batch's ``steps``: (n, steps)."""
    t = torch.arange(steps)[None, :].double()
    u = t / (full - 1).clamp(min=1)[:, None].double() * (WARP_KNOTS - 1)
    every = torch.full((len(knots),), WARP_KNOTS)
    return _resample(knots[:, :, None], u, every)[:, :, 0]


def _affine(x, strengths, generator):
    """Each image (every frame of an image sequence alike) shifted,
    rotated, zoomed and flipped at random, in one bilinear resampling of
    the batch; what comes in from outside the image is zero, as with a
    crop of a zero-padded image. Shifts are continuous (sub-pixel), as
    a shift of a finer original image would be."""
    n, (height, width) = x.shape[0], x.shape[-2:]

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


def _mixup(augmenter, batch, target, alpha, generator):
    """Each sample mixed with a random partner of the batch, its target
    (one-hot for a classifier) and weight mixed alike (Zhang et al., 2018)."""
    x = batch["x"]
    n = len(x)
    weight = torch.distributions.Beta(alpha, alpha).sample((n,))
    partner = torch.randperm(n, generator=generator).to(x.device)
    lam = weight.to(x.device)
    shape = (n,) + (1,) * (x.dim() - 1)
    mixed = lam.view(shape) * x + (1 - lam.view(shape)) * x[partner]
    return {**batch, "x": mixed}, augmenter.mix_targets(target, lam, partner, x.dtype)


def _cutmix(augmenter, batch, target, alpha, generator):
    """A random box of each image (of every frame alike) replaced by the
    same box of a partner's, the targets and weights mixed by the area
    each keeps (Yun et al., 2019)."""
    x = batch["x"]
    n, (height, width) = len(x), x.shape[-2:]
    kept = torch.distributions.Beta(alpha, alpha).sample((n,)).double()
    side = torch.sqrt(1 - kept)
    boxes = []
    for size in (height, width):
        centre = torch.randint(0, size, (n,), generator=generator)
        half = torch.round(side * size / 2).long()
        boxes.append(((centre - half).clamp(0, size), (centre + half).clamp(0, size)))
    (top, bottom), (left, right) = boxes
    area = (bottom - top) * (right - left)
    lam = (1 - area.double() / (height * width)).to(x.device, x.dtype)
    rows = torch.arange(height)[None, :]
    cols = torch.arange(width)[None, :]
    inside_rows = (rows >= top[:, None]) & (rows < bottom[:, None])
    inside_cols = (cols >= left[:, None]) & (cols < right[:, None])
    box = inside_rows[:, :, None] & inside_cols[:, None, :]  # (n, H, W)
    box = box.view(n, *([1] * (x.dim() - 3)), height, width).to(x.device)
    partner = torch.randperm(n, generator=generator).to(x.device)
    mixed = torch.where(box, x[partner], x)
    return {**batch, "x": mixed}, augmenter.mix_targets(target, lam, partner, x.dtype)


AUGMENTATIONS = {
    entry.name: entry
    for entry in (
        Augmentation(
            "window_slice",
            0.9,
            "crops each series to a random window of {default} of its length and "
            "stretches it back (Le Guennec et al., 2016)",
            _window_slice,
            axes=frozenset({"time"}),
            highest=1.0,
            min_steps=4,
        ),
        Augmentation(
            "time_warp",
            0.2,
            "reads each series along a smooth random time axis, its local speed "
            "1 plus Gaussian noise of standard deviation {default} at six evenly "
            "spaced points, so that parts of it are stretched and others "
            "compressed (Um et al., 2017)",
            _time_warp,
            axes=frozenset({"time"}),
            highest=1.0,
        ),
        Augmentation(
            "shift",
            0.1,
            "moves each image by up to {default} of its side (sub-pixel)",
            axes=frozenset({"space"}),
            stage="affine",
            highest=1.0,
        ),
        Augmentation(
            "rotation",
            15.0,
            "turns it by up to {default} degrees",
            axes=frozenset({"space"}),
            stage="affine",
            highest=180.0,
        ),
        Augmentation(
            "zoom",
            0.15,
            "scales it by up to {default}",
            axes=frozenset({"space"}),
            stage="affine",
            highest=0.9,
        ),
        Augmentation(
            "flip",
            0.5,
            "mirrors it left to right with probability {default} (only when "
            "asked: a mirrored digit is not a digit)",
            axes=frozenset({"space"}),
            stage="affine",
            highest=1.0,
        ),
        Augmentation(
            "scaling",
            0.1,
            "multiplies each sample by a factor around 1 (standard deviation "
            "{default})",
            _scaling,
        ),
        Augmentation(
            "jitter",
            0.03,
            "adds Gaussian noise (standard deviation {default}, in units of the "
            "standardised series or of the image's values)",
            _jitter,
        ),
        Augmentation(
            "magnitude_warp",
            0.2,
            "multiplies each series, step by step, by a smooth random curve "
            "around 1 (Gaussian noise of standard deviation {default} at six "
            "evenly spaced points; Um et al., 2017)",
            _magnitude_warp,
            axes=frozenset({"time"}),
        ),
        Augmentation(
            "mixup",
            0.4,
            "mixes each sample and its target with another one of the batch "
            "(Beta({default}, {default}) weights; Zhang et al., 2018; samples of "
            "one length)",
            _mixup,
            stage="mix",
            # Beta(alpha, alpha) weights below this alpha are 0 or 1 in
            # float32, and torch's sampler refuses the concentration
            lowest=0.01,
        ),
        Augmentation(
            "cutmix",
            1.0,
            "pastes a random box of another image of the batch and mixes the "
            "targets by area (Beta({default}, {default}); Yun et al., 2019)",
            _cutmix,
            axes=frozenset({"space"}),
            stage="mix",
            lowest=0.01,
        ),
    )
}


def _described(axes):
    return "; ".join(
        f"'{a.name}' " + a.doc.format(default=f"{a.default:g}")
        for a in AUGMENTATIONS.values()
        if a.axes == axes
    )


AUGMENT = Param(
    "augment",
    None,
    [str, list, dict, None],
    "str, list of str, dict or None",
    f"""
    Data augmentation of the training batches (never of validation data or
    at predict time), drawn from the fit's seeded generator and applied to
    the whole batch on the training device. A name, a list of names, or a
    dict of name to strength (the numbers below are the default strengths).
    For series and images: {_described(frozenset())}. For series and image
    sequences: {_described(frozenset({"time"}))}. For images and image
    sequences (every frame alike; shift, rotation, zoom and flip in one
    resampling with zeros coming in from outside):
    {_described(frozenset({"space"}))}. With both 'mixup' and 'cutmix',
    each batch gets one of the two. 'auto' lets the estimator choose: the
    recurrent classifiers (whose default it is) apply 'time_warp' and
    'window_slice' to numeric series longer than 64 steps (the window slice
    leaving alone any series too short for it), and nothing to shorter
    series and text; every other estimator applies nothing. Augmented
    training needs more epochs than plain training to pay off. Not for
    text.""",
    warm=True,
)


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
        entry = AUGMENTATIONS[key]
        if value is None:
            value = entry.default
        if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
            raise ValueError(
                f"{name} got augment strength {value!r} for {key!r}; it must be a "
                f"number (the default is {entry.default:g})."
            )
        value = float(value)
        low, high = entry.lowest, entry.highest
        if not (low < value <= high and math.isfinite(value)):
            raise ValueError(
                f"{name} got augment strength {value!r} for {key!r}; it must be "
                + (f"above {low:g}" if low else "positive")
                + (f" and at most {high:g}." if high < math.inf else " and finite.")
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
    axes : frozenset, default=frozenset({'time'})
        The axes the input has (``InputKind.axes``): 'time' for series,
        'space' for images, both for image sequences. A transformation runs
        when the input has every axis it needs.
    """

    def __init__(self, strengths, n_classes=None, axes=frozenset({"time"})):
        self.strengths = strengths
        self.n_classes = n_classes
        self.axes = frozenset(axes)
        # the transformations that run, in the registry's order
        self.chosen = [
            entry
            for name, entry in AUGMENTATIONS.items()
            if name in strengths and entry.axes <= self.axes
        ]

    def __call__(self, batch, target, generator):
        x, lengths = batch["x"], batch.get("lengths")
        mask = _mask(x, lengths)
        affine = True
        for entry in self.chosen:
            if entry.stage == "x":
                x = entry.apply(x, lengths, self.strengths[entry.name], generator)
            elif entry.stage == "affine" and affine:
                x, affine = _affine(x, self.strengths, generator), False
        if mask is not None:
            x = x * mask
        batch = {**batch, "x": x}
        mixing = [entry for entry in self.chosen if entry.stage == "mix"]
        if len(mixing) == 2:  # one of the two per batch, as timm's Mixup does
            mixing = [mixing[int(torch.randint(2, (1,), generator=generator))]]
        if mixing:
            strength = self.strengths[mixing[0].name]
            batch, target = mixing[0].apply(self, batch, target, strength, generator)
        return batch, target

    def mix_targets(self, target, lam, partner, dtype):
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


def check_batch(strengths, batch, kind, kind_name, name):
    """A ValueError when the transformations cannot apply to the training
    input (``kind``, its adapter, named ``kind_name``): any to input that is
    not numeric (token ids, text), one that needs an axis the input lacks
    (time for single images, space for series), one to series shorter than
    it takes, mixing sequences of different lengths."""
    if not strengths:
        return
    if not kind.numeric:
        raise ValueError(
            f"{name}: augment applies to numeric series, images and image "
            f"sequences, not to {kind_name}; set augment=None."
        )
    for axis, what in (("space", "images"), ("time", "series along time")):
        needing = sorted(n for n in strengths if axis in AUGMENTATIONS[n].axes)
        if needing and axis not in kind.axes:
            usable = sorted(n for n, a in AUGMENTATIONS.items() if a.axes <= kind.axes)
            raise ValueError(
                f"{name}: augment={needing} transforms {what}, but the training "
                f"input is {kind.described}; for {kind.described} use {usable}."
            )
    if "time" not in kind.axes:
        return
    lengths = batch.get("lengths")
    shortest = int(lengths.min()) if lengths is not None else batch["x"].shape[1]
    for key in strengths:
        if shortest < AUGMENTATIONS[key].min_steps:
            raise ValueError(
                f"{name}: augment={key!r} needs at least "
                f"{AUGMENTATIONS[key].min_steps} steps; the shortest training "
                f"series has {shortest}. Drop {key} from augment."
            )
    mixing = sorted(n for n in strengths if AUGMENTATIONS[n].stage == "mix")
    if mixing and lengths is not None:
        raise ValueError(
            f"{name}: augment={mixing} mixes pairs of sequences step by step, "
            "which needs sequences of one length; the training sequences have "
            "different lengths. Pad or crop them to one length, or drop "
            f"{' and '.join(mixing)} from augment."
        )


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
        mixed = self._target_.mixup_classes
        return Augmenter(strengths, mixed, input_kind(self).axes)

    def _make_net(self, module):
        net = super()._make_net(module)
        net.augmenter = self._augmenter()
        return net

    def _training_input(self, batch, **kwargs):
        if not self._augment_is_auto():
            # 'auto' picks what applies to the input; an explicit choice
            # that does not apply is an error
            strengths = self._augment_strengths()
            check_batch(
                strengths,
                batch,
                input_kind(self),
                self.input_kind_,
                type(self).__name__,
            )
        return super()._training_input(batch, **kwargs)
