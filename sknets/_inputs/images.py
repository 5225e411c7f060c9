"""Images: (n, H, W), (n, H, W, C), (n, C, H, W) or flat (n, H*W*C) rows."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from .._params import Attribute, Param
from ..text import is_text
from ._base import InputKind, check_float32, estimator_name, ready_array

__all__ = ["IMAGES"]

IMAGE_FORMATS = ("auto", "channels_last", "channels_first")


def resolve_channel_axis(shape, data_format, name):
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
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(
            f"image_shape={tuple(image_shape)} is not the shape of an image: give "
            "(H, W) or (H, W, C) with positive sizes."
        )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {math.prod(shape)} values per "
            f"image, but X has {n_features} features. Set image_shape to the "
            "shape of one image, (H, W) or (H, W, C)."
        )
    if len(shape) == 2:
        return (1, *shape), "channels_first"
    layout = resolve_channel_axis(shape, data_format, name)
    if layout == "channels_last":
        return (shape[2], shape[0], shape[1]), layout
    return shape, layout


def _arrange(X, chw, layout):
    """Flat rows (n, H*W*C) as an (n, C, H, W) view."""
    n = X.shape[0]
    if layout == "channels_last":
        c, h, w = chw
        return X.reshape(n, h, w, c).transpose(0, 3, 1, 2)
    return X.reshape(n, *chw)


def _data_ptr(array):
    try:
        return array.__array_interface__["data"][0]
    except (AttributeError, KeyError):
        return None


class ImageInput(InputKind):
    """Image arrays, as a float32 batch ``x`` of shape (n, C, H, W).

    Accepted: flat (n, H*W*C) rows (with ``image_shape``, or square grayscale
    images when the feature count is a square, else 1-row images), (n, H, W)
    grayscale, (n, H, W, C) channels-last and (n, C, H, W) channels-first
    arrays, of any real dtype; uint8 values are scaled to [0, 1]. At fit the
    image shape and layout are learned (``input_shape_``, ``data_format_``);
    later calls must match them. Values are checked by scikit-learn's
    ``validate_data`` on a flat view, so NaN, inf, empty input, a feature count
    other than the fitted one and X/y length mismatches get scikit-learn's
    messages.
    """

    name = "images"
    names = ("images",)
    described = "images"
    axes = frozenset({"space"})
    export_refusal = None
    params = (
        Param(
            "data_format",
            "auto",
            [StrOptions(set(IMAGE_FORMATS))],
            "{'auto', 'channels_last', 'channels_first'}",
            """
            Layout of 4D input (and of a 3-element ``image_shape``): (n, H, W, C) or
            (n, C, H, W). 'auto' takes the axis that is shorter than both spatial
            axes as the channel axis and raises a ValueError asking for this
            parameter when that is ambiguous. 3D input (n, H, W) is grayscale.""",
        ),
        Param(
            "image_shape",
            None,
            ["array-like", None],
            "tuple of int or None",
            """
            Shape of one image, (H, W) or (H, W, C), for flat 2D input
            (n, H*W*C), such as the output of a scikit-learn transformer in a
            Pipeline. None reads a square feature count as square grayscale images
            (64 features are 8x8 images) and any other count as one-row images.""",
        ),
    )
    attributes = (
        Attribute(
            "input_shape_",
            "tuple of int",
            "Shape (C, H, W) of one image as the network sees it.",
        ),
        Attribute(
            "data_format_", "str", "Layout resolved from ``data_format`` at fit."
        ),
    )

    def claims(self, view, fitted_kind):
        return True

    def check(self, estimator, view, y=None, *, reset, values_only=False, **y_kw):
        name = estimator_name(estimator)
        X = view.X
        if is_text(X):
            raise TypeError(
                f"{name} expects images as numeric arrays, got text (a collection of "
                "str). For text use TextCNNClassifier or LSTMClassifier."
            )
        data_format = estimator.data_format
        if data_format not in IMAGE_FORMATS:
            raise ValueError(
                f"Unknown data_format={data_format!r} for {name}; use one of "
                f"{', '.join(map(repr, IMAGE_FORMATS))}."
            )
        scale = getattr(X, "dtype", None) == np.uint8
        X, chw, layout = self._unflatten(estimator, X, reset=reset)
        ready = ready_array(estimator, X, y, reset, (np.float32, np.float64, np.uint8))
        if ready is not None:
            X = ready
        else:
            Xy = validate_data(
                estimator,
                X,
                y=y if y is not None else "no_validation",
                reset=reset,
                dtype=(np.float32, np.float64),
                **({} if y is None else y_kw),
            )
            X, y = Xy if y is not None else (Xy, None)
            if sp.issparse(y):  # MultiLabelBinarizer(sparse_output=True)
                y = y.toarray()
        check_float32(X, name)
        if chw is None and reset:
            chw, layout = _image_shape_from_flat(
                X.shape[1], estimator.image_shape, data_format, name
            )
        elif chw is None:
            chw, layout = estimator.input_shape_, estimator.data_format_
        if reset:
            estimator.input_shape_ = tuple(int(s) for s in chw)
            estimator.data_format_ = layout
        if values_only:
            return {"x": X}, y
        return {"x": self._tensor(X, chw, layout, scale, copy=y is not None)}, y

    def _unflatten(self, estimator, X, *, reset):
        """3D and 4D images as flat rows, with their (C, H, W) and layout;
        other input unchanged (its shape is known after validation)."""
        name = estimator_name(estimator)
        ndim = getattr(X, "ndim", None)
        if ndim is None and not hasattr(X, "__array__") and not hasattr(X, "tocsr"):
            ndim = np.ndim(X) if not isinstance(X, str) else 0
        if ndim is not None and ndim > 4:
            shape = getattr(X, "shape", None)
            raise ValueError(
                f"{name} expects images as a 2D (n, H*W*C), 3D (n, H, W) or 4D "
                f"(n, H, W, C) / (n, C, H, W) array, got {ndim} dimensions "
                f"(shape {tuple(shape) if shape is not None else '?'})."
            )
        if ndim not in (3, 4):
            return X, None, None
        X = np.asarray(X)
        shape = X.shape
        if ndim == 3:
            layout, chw = "channels_first", (1, shape[1], shape[2])
        else:
            try:
                layout = resolve_channel_axis(shape[1:], estimator.data_format, name)
            except ValueError:
                if reset:
                    raise
                layout = estimator.data_format_  # ambiguous: read as at fit
            chw = (
                (shape[3], shape[1], shape[2])
                if layout == "channels_last"
                else tuple(shape[1:])
            )
        if not reset and tuple(chw) != tuple(estimator.input_shape_):
            raise ValueError(
                f"X holds images of shape (C, H, W)={tuple(chw)}, but {name} was "
                f"fitted on images of shape {tuple(estimator.input_shape_)}. Pass "
                "images of the fitted shape (resize or crop them first)."
            )
        X = X.reshape(shape[0], -1) if shape[0] else X.reshape(0, 0)
        return X, chw, layout

    def chunked(self, estimator, learn):
        return _ImageChunks(self, estimator)

    def reader(self, estimator):
        """Raw rows of any accepted layout to (n, C, H, W) on the host, uint8
        kept as uint8 (a quarter of the bytes to read and move) and scaled to
        [0, 1] in float32 on the device, as the in-memory path scales it."""
        chw, layout = estimator.input_shape_, estimator.data_format_

        def convert(raw):
            flat = raw.reshape(len(raw), -1)
            if flat.dtype == np.uint8:
                return torch.from_numpy(
                    np.ascontiguousarray(_arrange(flat, chw, layout))
                )
            if flat.dtype.kind != "f":
                flat = flat.astype(np.float32)
            return self._tensor(flat, chw, layout, scale=False, copy=False)

        def finish(x):
            return x.float().div_(255.0) if x.dtype == torch.uint8 else x

        return convert, finish, tuple(chw)

    @staticmethod
    def _tensor(X, chw, layout, scale, copy):
        """Flat rows as a float32 (n, C, H, W) tensor; with ``copy=False``
        (prediction, which only reads) it may share the caller's memory."""
        images = _arrange(X, chw, layout)
        tensor = torch.as_tensor(np.ascontiguousarray(images, dtype=np.float32))
        if copy and tensor.data_ptr() == _data_ptr(X):
            tensor = tensor.clone()  # training never shares memory with the caller
        if scale:
            tensor = tensor / 255.0
        return tensor

    def module_kwargs(self, estimator, batch=None):
        return {"in_channels": estimator.input_shape_[0]}

    def export_example(self, estimator):
        return torch.zeros(2, *estimator.input_shape_), {0: "n"}


class _ImageChunks:
    """A chunked fit's images: they learn nothing beyond the first chunk."""

    def __init__(self, kind, estimator):
        self.kind, self.estimator = kind, estimator

    def add(self, values):
        pass

    def finish(self):
        return self.kind.reader(self.estimator)


IMAGES = ImageInput()
