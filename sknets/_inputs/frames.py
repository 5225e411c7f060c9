"""Image sequences (video, gestures): (n, T, H, W[, C]) or lists of them."""

from __future__ import annotations

import math

import numpy as np
import torch

from .._params import Attribute
from ._base import (
    InputKind,
    check_target,
    estimator_name,
    fit_scaling,
    learn_features_in,
)
from .images import resolve_channel_axis
from .series import (
    CHANNEL_SCALING,
    DATA_FORMAT,
    MAX_LENGTH,
    N_CHANNELS,
    check_data_format,
)

__all__ = ["FRAMES"]

_EXPECTED = (
    "image sequences: a 4D (n, T, H, W) or 5D (n, T, H, W, C) array, or a "
    "list of (T_i, H, W[, C]) arrays"
)


def _frames_of(a, where, name, per_sample, layout):
    """One sample (or the whole array) as float frames (..., C, H, W); uint8
    scaled to [0, 1]."""
    frame_ndim = a.ndim - (0 if per_sample else 1)  # of one sample
    if frame_ndim not in (3, 4):
        raise ValueError(f"{where} has shape {a.shape}; {name} expects {_EXPECTED}.")
    if a.dtype.kind not in "biuf":
        raise ValueError(
            f"{where} is not numeric (dtype {a.dtype}); {name} expects {_EXPECTED}."
        )
    scale = a.dtype == np.uint8
    a = np.asarray(a, dtype=np.float32 if a.dtype == np.float32 else np.float64)
    if not np.isfinite(a).all():
        raise ValueError(
            f"{where} contains NaN or infinity; {name} needs finite values."
        )
    if frame_ndim == 3:  # grayscale frames, no channel axis
        a = np.expand_dims(a, -3)
    elif layout == "channels_last":
        a = np.moveaxis(a, -1, -3)
    return a / 255.0 if scale else a


def _frame_layout(estimator, sample, per_sample, reset, name):
    """The layout of frames: ``data_format``, or with 'auto' the fit's, or
    at fit the one the frame shape tells (a ValueError when it cannot tell;
    'channels_last' for grayscale frames, which have no channel axis)."""
    if estimator.data_format != "auto":
        return estimator.data_format
    if not reset:
        return getattr(estimator, "data_format_", "channels_last")
    shape = np.shape(sample)
    if len(shape) - (0 if per_sample else 1) != 4:
        return "channels_last"
    return resolve_channel_axis(shape[-3:], "auto", name)


class FrameInput(InputKind):
    """Image sequences, as a float32 batch ``x`` of shape (n, T, C, H, W),
    with ``lengths`` for a list of unequal lengths (zero-padded frames).

    A 4D (n, T, H, W) or 5D array, (n, T, H, W, C) with
    ``data_format='channels_last'`` or (n, T, C, H, W) with 'channels_first'
    ('auto' takes the axis shorter than both sides of a frame as its
    channels, as for images, and keeps the reading in ``data_format_``), or
    a list of per-sample (T_i, H, W[, C]) arrays. uint8 values are scaled
    to [0, 1]; ``standardize`` centres and scales each channel by its
    statistics over all frames seen at fit. The frame shape is kept in
    ``frame_shape_`` (C, H, W); ``n_features_in_`` is the number of values of
    one frame.
    """

    name = "frames"
    names = ("frames",)
    described = "image sequences"
    axes = frozenset({"time", "space"})
    export_refusal = (
        "torch's exporter cannot yet trace the frame CNN of image sequences with "
        "a dynamic number of frames"
    )
    attributes = (
        Attribute(
            "frame_shape_",
            "tuple of int",
            "(C, H, W) of the frames seen at fit (image sequences only).",
        ),
        N_CHANNELS,
        DATA_FORMAT,
        CHANNEL_SCALING,
        MAX_LENGTH,
    )

    def claims(self, view, fitted_kind):
        if fitted_kind == "frames":
            return True
        arrays = view.arrays
        if arrays is not None:
            return arrays[0].ndim >= 3
        return view.ndim >= 4

    def check(self, estimator, view, y=None, *, reset, **y_kw):
        check_data_format(estimator)
        name = estimator_name(estimator)
        if not reset and estimator.input_kind_ != "frames":
            raise ValueError(
                f"{name} was fitted on {estimator.input_kind_}, not on image "
                "sequences; pass the input in the form used at fit."
            )
        arrays, X = view.arrays, view.X
        if arrays is None:
            X = self._check_block(X, name)
        samples = [X] if arrays is None else arrays
        layout = _frame_layout(estimator, samples[0], arrays is not None, reset, name)
        checked = [
            _frames_of(
                a,
                "X" if arrays is None else f"Sample {i} of X",
                name,
                arrays is not None,
                layout,
            )
            for i, a in enumerate(samples)
        ]
        frame, lengths = self._shapes(checked, arrays is None, X, name)
        y = check_target(
            estimator, checked[0] if arrays is None else checked, y, **y_kw
        )
        if reset:
            self._learn(estimator, checked, frame, lengths)
            estimator.data_format_ = layout
        elif frame != tuple(estimator.frame_shape_):
            raise ValueError(
                f"X holds frames of shape (C, H, W)={frame}, but {name} was fitted "
                f"on frames of shape {tuple(estimator.frame_shape_)}."
            )
        return self._batch(estimator, checked, arrays is None, lengths, frame), y

    @staticmethod
    def _check_block(X, name):
        X = np.asarray(X) if not hasattr(X, "ndim") else X
        if X.ndim < 4:
            raise ValueError(
                f"{name} was fitted on {_EXPECTED}; got an array of shape "
                f"{tuple(X.shape)}. A 3D array reads as (n, T, F) series, which "
                "this model was not fitted on."
            )
        if X.ndim > 5:
            raise ValueError(
                f"{name} expects {_EXPECTED}; got an array with {X.ndim} dimensions "
                f"(shape {tuple(X.shape)})."
            )
        return X

    @staticmethod
    def _shapes(checked, block, X, name):
        """The common frame shape (C, H, W) and the number of frames of each
        sample, or a ValueError."""
        frame = tuple(int(s) for s in checked[0].shape[-3:])
        lengths = [c.shape[1] if block else c.shape[0] for c in checked]
        for i, c in enumerate(checked):
            if tuple(c.shape[-3:]) != frame:
                raise ValueError(
                    f"Sample {i} of X holds frames of shape (C, H, W)="
                    f"{c.shape[-3:]}, but sample 0 holds {frame}; all frames need "
                    "one shape."
                )
        if block and (checked[0].shape[0] == 0 or 0 in frame):
            raise ValueError(
                f"{name} got an empty array of shape {tuple(X.shape)}; it "
                "needs at least one sample, one frame and one pixel."
            )
        if min(lengths) == 0:
            i = lengths.index(0)
            raise ValueError(
                f"Sample {i} of X has no frames; every sequence needs one."
            )
        return frame, lengths

    @staticmethod
    def _learn(estimator, checked, frame, lengths):
        if estimator.standardize == "sample":
            raise ValueError(
                "standardize='sample' scales each numeric series by its own "
                f"statistics; {estimator_name(estimator)} scales image sequences "
                "by channel statistics over the fit (standardize=True) or not at "
                "all (False)."
            )
        estimator.input_kind_ = "frames"
        estimator.n_channels_ = frame[0]
        learn_features_in(estimator, channels=math.prod(frame))
        estimator.frame_shape_ = frame
        estimator.max_length_ = max(lengths)
        pixels = None
        if estimator.standardize:  # per-channel statistics over every pixel
            pixels = np.concatenate(
                [np.moveaxis(c, -3, -1).reshape(-1, frame[0]) for c in checked]
            )
        estimator.channel_mean_, estimator.channel_scale_ = fit_scaling(
            pixels, estimator.standardize
        )

    @staticmethod
    def _batch(estimator, checked, block, lengths, frame):
        mean, scale = estimator.channel_mean_, estimator.channel_scale_

        def scaled(c):
            if mean is None:
                return c
            return (c - mean[:, None, None]) / scale[:, None, None]

        if block:
            return {"x": torch.tensor(scaled(checked[0]), dtype=torch.float32)}
        padded = np.zeros((len(checked), max(lengths), *frame), np.float32)
        for i, c in enumerate(checked):
            padded[i, : len(c)] = scaled(c)
        return {
            "x": torch.from_numpy(padded),
            "lengths": torch.as_tensor(lengths, dtype=torch.int64),
        }

    def module_kwargs(self, estimator, batch=None):
        return {
            "input_size": estimator.n_channels_,
            "frame_shape": estimator.frame_shape_,
        }


FRAMES = FrameInput()
