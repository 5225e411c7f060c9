"""Data augmentation of series, batch by batch during training.

``augment`` names the transformations (and optionally their strength); the
net applies them to every training batch, never to validation data or at
predict time, drawing from the fit's seeded generator so that a fit with an
int ``random_state`` is reproducible. Batches are dicts (see
:mod:`sknets._batching`): ``x`` of shape (n, T, ...) with time on axis 1 and,
for series of different lengths, ``lengths``; padding stays zero.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

__all__ = ["AUGMENTATIONS", "Augmenter", "check_augment", "check_batch"]

# name -> default strength
AUGMENTATIONS = {
    "jitter": 0.03,  # standard deviation of added noise, per unit of the data's
    "scaling": 0.1,  # standard deviation of a factor around 1, per series
    "window_slice": 0.9,  # fraction of each series kept, stretched back
    "mixup": 0.4,  # alpha of the Beta(alpha, alpha) mixing weights
}


def check_augment(augment, name):
    """``augment`` as a dict of name to strength, or a ValueError."""
    if augment is None:
        return {}
    if isinstance(augment, Mapping):
        items = dict(augment)
    elif isinstance(augment, str):
        items = {augment: None}
    else:
        items = {a: None for a in augment}
    unknown = sorted(set(items) - set(AUGMENTATIONS))
    if unknown or not items:
        raise ValueError(
            f"{name} got augment={augment!r}; use one or several of "
            f"{sorted(AUGMENTATIONS)} (a name, a list of names, or a dict of "
            "name to strength)."
        )
    strengths = {}
    for key, value in items.items():
        value = AUGMENTATIONS[key] if value is None else float(value)
        if not (value > 0 and (key != "window_slice" or value <= 1)):
            raise ValueError(
                f"{name} got augment strength {value!r} for {key!r}; it must be "
                "positive" + (" and at most 1." if key == "window_slice" else ".")
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
        Number of classes for a classifier (mixup mixes one-hot targets),
        None for a regressor (mixup mixes the targets themselves).
    """

    def __init__(self, strengths, n_classes=None):
        self.strengths = strengths
        self.n_classes = n_classes

    def __call__(self, batch, target, generator):
        x, lengths = batch["x"], batch.get("lengths")
        mask = _mask(x, lengths)
        for name in ("window_slice", "scaling", "jitter"):
            if name in self.strengths:
                x = getattr(self, "_" + name)(x, lengths, generator)
        if mask is not None:
            x = x * mask
        batch = {**batch, "x": x}
        if "mixup" in self.strengths:
            batch, target = self._mixup(batch, target, generator)
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
        full = torch.full((n,), steps) if lengths is None else lengths.cpu()
        kept = torch.clamp(torch.floor(full * self.strengths["window_slice"]), min=2)
        start = torch.rand(n, generator=generator) * (full - kept)
        t = torch.arange(steps)[None, :].double()
        scale = (kept - 1).double() / (full - 1).clamp(min=1).double()
        position = start[:, None].double() + t * scale[:, None]
        position = torch.minimum(position, (full - 1)[:, None].double())
        low = position.floor().long().clamp(0, steps - 1)
        high = (low + 1).clamp(max=steps - 1)
        fraction = (position - low).to(x.dtype).to(x.device)
        index = low.to(x.device), high.to(x.device)
        below, above = (_take_steps(x, i) for i in index)
        fraction = fraction.view(n, steps, *([1] * (x.dim() - 2)))
        return below + (above - below) * fraction

    def _mixup(self, batch, target, generator):
        """Each sample mixed with a random partner of the batch, its target
        (one-hot for a classifier) and weight mixed alike (Zhang et al., 2018)."""
        n = len(batch["x"])
        alpha = self.strengths["mixup"]
        weight = torch.distributions.Beta(alpha, alpha).sample((n,))
        # a fresh draw from the fit's generator decides the partners
        partner = torch.randperm(n, generator=generator)
        device = batch["x"].device
        lam = weight.to(device)
        partner = partner.to(device)
        x = batch["x"]
        shape = (n,) + (1,) * (x.dim() - 1)
        mixed = lam.view(shape) * x + (1 - lam.view(shape)) * x[partner]
        y = target["y"]
        if self.n_classes is not None:
            y = torch.nn.functional.one_hot(y, self.n_classes).to(x.dtype)
        y_shape = (n,) + (1,) * (y.dim() - 1)
        target = {
            **target,
            "y": lam.view(y_shape) * y + (1 - lam.view(y_shape)) * y[partner],
        }
        if target.get("sample_weight") is not None:
            w = target["sample_weight"]
            target["sample_weight"] = lam * w + (1 - lam) * w[partner]
        return {**batch, "x": mixed}, target


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
    input: token ids or text, window slicing of series under 4 steps, mixup
    of series of different lengths."""
    if not strengths:
        return
    if kind in ("tokens", "text"):
        raise ValueError(
            f"{name}: augment applies to numeric series and image sequences, not "
            f"to {kind}; set augment=None."
        )
    lengths = batch.get("lengths")
    shortest = int(lengths.min()) if lengths is not None else batch["x"].shape[1]
    if "window_slice" in strengths and shortest < 4:
        raise ValueError(
            f"{name}: augment='window_slice' crops and stretches each series, "
            f"which needs at least 4 steps; the shortest training series has "
            f"{shortest}. Drop window_slice from augment."
        )
    if "mixup" in strengths and lengths is not None:
        raise ValueError(
            f"{name}: augment='mixup' mixes pairs of series step by step, which "
            "needs series of one length; the training series have different "
            "lengths. Pad or crop them to one length, or drop mixup from augment."
        )
