"""Input conventions: how user data becomes tensors, in one place.

Every estimator validates its input here, so a shape, dtype or value problem is
reported the same way by all of them, with scikit-learn's own messages where
scikit-learn has one.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = ["check_images", "check_sample_weight", "IMAGE_FORMATS"]

IMAGE_FORMATS = ("auto", "channels_last", "channels_first")


def _name(estimator) -> str:
    return type(estimator).__name__


def _resolve_channel_axis(shape, data_format, name):
    """Channel layout of one image shape (H, W, C) or (C, H, W), 3 numbers."""
    if data_format != "auto":
        return data_format
    first, last = shape[0], shape[-1]
    first_is_channel = first < min(shape[1], shape[2])
    last_is_channel = last < min(shape[0], shape[1])
    if first_is_channel and not last_is_channel:
        return "channels_first"
    if last_is_channel and not first_is_channel:
        return "channels_last"
    raise ValueError(
        f"{name} cannot tell which axis of images of shape {tuple(shape)} holds "
        "the channels. Set data_format='channels_last' for (n, H, W, C) images "
        "or data_format='channels_first' for (n, C, H, W) images."
    )


def _image_shape_from_flat(n_features, image_shape, data_format, name):
    """(C, H, W) and layout for flat rows of ``n_features`` values."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side == n_features:
            return (1, side, side), "channels_first"
        return (1, 1, n_features), "channels_first"
    shape = tuple(int(s) for s in image_shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {math.prod(shape)} values per "
            f"image, but X has {n_features} features. Set image_shape to the "
            "shape of one image, (H, W) or (H, W, C)."
        )
    if len(shape) == 2:
        return (1, *shape), "channels_first"
    layout = _resolve_channel_axis(shape, data_format, name)
    if layout == "channels_last":
        return (shape[2], shape[0], shape[1]), layout
    return shape, layout


def check_images(estimator, X, y=None, *, reset, data_format, image_shape, **y_kw):
    """Validate image input and return it as a float32 tensor (n, C, H, W).

    Accepted: flat (n, H*W*C) rows (with ``image_shape``, or square grayscale
    images when the feature count is a square, else 1-row images), (n, H, W)
    grayscale, (n, H, W, C) channels-last and (n, C, H, W) channels-first
    arrays, of any real dtype; uint8 values are scaled to [0, 1]. At
    ``reset`` the image shape and layout are stored on the estimator
    (``input_shape_``, ``data_format_``); later calls must match them.

    Values are checked by scikit-learn's ``validate_data`` on a flat view, so
    NaN, inf, empty input, a feature count other than the fitted one and X/y
    length mismatches get scikit-learn's messages. ``y`` is validated too when
    given (``y_kw`` go to ``validate_data``). Returns ``(X_tensor, y)``.
    """
    name = _name(estimator)
    if data_format not in IMAGE_FORMATS:
        raise ValueError(
            f"Unknown data_format={data_format!r} for {name}; use one of "
            f"{', '.join(map(repr, IMAGE_FORMATS))}."
        )
    ndim = getattr(X, "ndim", None)
    if ndim is None and not hasattr(X, "__array__") and not hasattr(X, "tocsr"):
        ndim = np.ndim(X) if not isinstance(X, str) else 0
    scale = getattr(X, "dtype", None) == np.uint8
    shape = getattr(X, "shape", None)
    if ndim is not None and ndim > 4:
        raise ValueError(
            f"{name} expects images as a 2D (n, H*W*C), 3D (n, H, W) or 4D "
            f"(n, H, W, C) / (n, C, H, W) array, got {ndim} dimensions "
            f"(shape {tuple(shape) if shape is not None else '?'})."
        )
    layout = chw = None
    if ndim in (3, 4):
        X = np.asarray(X)
        shape = X.shape
        if ndim == 3:
            layout, chw = "channels_first", (1, shape[1], shape[2])
        else:
            try:
                layout = _resolve_channel_axis(shape[1:], data_format, name)
            except ValueError:
                if reset:
                    raise
                layout = estimator.data_format_  # ambiguous: read as at fit
            chw = (
                (shape[3], shape[1], shape[2])
                if layout == "channels_last"
                else tuple(shape[1:])
            )
        if not reset:
            _check_image_shape(estimator, chw)
        X = X.reshape(shape[0], -1) if shape[0] else X.reshape(0, 0)
    Xy = validate_data(
        estimator,
        X,
        y=y if y is not None else "no_validation",
        reset=reset,
        dtype=(np.float32, np.float64),
        **({} if y is None else y_kw),
    )
    X, y = Xy if y is not None else (Xy, None)
    if chw is None and reset:
        chw, layout = _image_shape_from_flat(
            X.shape[1], image_shape, data_format, name
        )
    elif chw is None:
        chw, layout = estimator.input_shape_, estimator.data_format_

    if reset:
        estimator.input_shape_ = tuple(int(s) for s in chw)
        estimator.data_format_ = layout

    n = X.shape[0]
    if layout == "channels_last":
        c, h, w = chw
        images = X.reshape(n, h, w, c).transpose(0, 3, 1, 2)
    else:
        images = X.reshape(n, *chw)
    tensor = torch.as_tensor(np.ascontiguousarray(images, dtype=np.float32))
    if tensor.data_ptr() == _data_ptr(X):
        tensor = tensor.clone()  # never share memory with the caller's array
    if scale:
        tensor = tensor / 255.0
    return tensor, y


def _check_image_shape(estimator, chw):
    if tuple(chw) != tuple(estimator.input_shape_):
        raise ValueError(
            f"X holds images of shape (C, H, W)={tuple(chw)}, but "
            f"{_name(estimator)} was fitted on images of shape "
            f"{tuple(estimator.input_shape_)}. Pass images of the fitted shape "
            "(resize or crop them first)."
        )


def _data_ptr(array):
    try:
        return array.__array_interface__["data"][0]
    except (AttributeError, KeyError):
        return None


def check_sample_weight(sample_weight, n_samples):
    """Validated, non-negative float64 weights that do not all vanish
    (scikit-learn's checks and messages)."""
    return _check_sample_weight(
        sample_weight,
        np.empty((n_samples, 0)),
        dtype=np.float64,
        ensure_non_negative=True,
        copy=True,
    )
