"""Input conventions: how user data becomes tensors, in one place.

Every estimator validates its input here, so a shape, dtype or value problem is
reported the same way by all of them, with scikit-learn's own messages where
scikit-learn has one.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    _check_y,
    check_array,
    check_consistent_length,
    validate_data,
)

__all__ = [
    "IMAGE_FORMATS",
    "SEQUENCE_FORMATS",
    "check_images",
    "check_sample_weight",
    "check_sequences",
]

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


def check_images(
    estimator, X, y=None, *, reset, data_format, image_shape, copy=True, **y_kw
):
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
    given (``y_kw`` go to ``validate_data``). Returns ``(X_tensor, y)``; with
    ``copy=False`` (prediction) the tensor may share the caller's float32
    memory, which prediction only reads.
    """
    name = _name(estimator)
    if is_text(X):
        raise TypeError(
            f"{name} expects images as numeric arrays, got text (a collection of "
            "str). For text use TextCNNClassifier or LSTMClassifier."
        )
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
        chw, layout = _image_shape_from_flat(X.shape[1], image_shape, data_format, name)
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
    if copy and tensor.data_ptr() == _data_ptr(X):
        tensor = tensor.clone()  # training never shares memory with the caller
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


# -- texts -------------------------------------------------------------------
PAD_ID = 0
UNKNOWN_ID = 1


def is_text(X) -> bool:
    """Whether X is a collection of texts (str items), not numbers or arrays."""
    if isinstance(X, str):
        return False
    if hasattr(X, "dtype") and getattr(X, "ndim", 1) == 1:
        if X.dtype.kind in "US":
            return True
        if X.dtype.kind != "O":
            return False
    elif not isinstance(X, (list, tuple)):
        return False
    first = next((x for x in X if not _is_missing(x)), None)
    return isinstance(first, str)


def _is_missing(value):
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (type(value).__name__ in ("NAType", "NaTType"))
    )


def check_texts(X, name="TextTokenizer"):
    """The texts of X as a list of str, with a clear error for anything else.

    Missing values (None, NaN, pandas NA) are an error that names their
    position: fill them first, for example with ``X.fillna("")``.
    """
    if isinstance(X, str):
        raise TypeError(
            f"{name} expects a collection of texts (list, numpy array or pandas "
            "Series of str), got a single str. Wrap it in a list."
        )
    values = X.to_numpy() if hasattr(X, "to_numpy") else X
    if hasattr(values, "ndim") and values.ndim != 1:
        raise ValueError(
            f"{name} expects a 1D collection of texts, got an array of shape "
            f"{values.shape}."
        )
    texts = list(values)
    if not texts:
        raise ValueError(f"{name} got an empty collection of texts.")
    for i, text in enumerate(texts):
        if isinstance(text, str):
            continue
        if _is_missing(text):
            raise ValueError(
                f"Text {i} of X is missing ({text!r}); fill missing texts first, "
                "for example with X.fillna('')."
            )
        raise TypeError(
            f"Text {i} of X is a {type(text).__name__} ({text!r}), not a str; every "
            "item of a text collection must be a string."
        )
    return texts


# -- sequences ---------------------------------------------------------------
SEQUENCE_FORMATS = ("channels_last", "channels_first")


def _ragged_items(X):
    """The samples of a list / 1D object array of per-sample arrays, or None
    when X is a regular array (equal-length samples go the regular way)."""
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:
        items = list(X)
    elif isinstance(X, (list, tuple)):
        items = list(X)
    else:
        return None
    if not items:
        return None
    arrays = []
    for i, item in enumerate(items):
        if isinstance(item, (str, bytes)):
            raise TypeError(
                f"Sample {i} of X is a string ({item[:20]!r}); sequence input is a "
                "list of numeric arrays of shape (T_i,) or (T_i, F)."
            )
        try:
            arrays.append(np.asarray(item))
        except ValueError as exc:
            raise ValueError(f"Sample {i} of X is not a numeric array: {exc}") from exc
    ndims = {a.ndim for a in arrays}
    if ndims == {0}:
        odd = next(
            (i for i, a in enumerate(arrays) if a.dtype.kind not in "biuf"), None
        )
        if odd is not None:
            raise ValueError(
                f"X is a 1D collection whose items are not sequences (item {odd} is "
                f"{type(items[odd]).__name__}); pass a 2D (n, T) or 3D (n, T, F) "
                "array or a list of (T_i, F) arrays."
            )
        return None  # a flat list of numbers: the regular path says "Expected 2D"
    if 0 in ndims:
        i = next(i for i, a in enumerate(arrays) if a.ndim == 0)
        raise ValueError(
            f"X mixes sequences and scalars: sample {i} is {items[i]!r}. Each sample "
            "must be an array of shape (T_i,) or (T_i, F)."
        )
    if len({a.shape for a in arrays}) == 1 and arrays[0].dtype != object:
        return None
    return arrays


def _check_ragged(arrays, data_format, name):
    checked = []
    n_channels = None
    for i, a in enumerate(arrays):
        if a.dtype.kind == "c":
            raise ValueError(
                f"Sample {i} of X holds complex numbers; complex data is not "
                "supported (pass the real part, or real and imaginary parts as two "
                "features)."
            )
        if a.dtype.kind not in "biuf":
            try:
                a = a.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"Sample {i} of X is not numeric (dtype {a.dtype}): {exc}"
                ) from exc
        if a.ndim > 2:
            raise ValueError(
                f"Sample {i} of X has shape {a.shape}; each sample of a sequence "
                "list must be (T_i,) or (T_i, F)."
            )
        if a.ndim == 1:
            a = a[:, None]
        elif data_format == "channels_first":
            a = a.T
        if a.shape[0] == 0:
            raise ValueError(
                f"Sample {i} of X is an empty sequence (length 0); every sequence "
                "needs at least one time step."
            )
        if n_channels is None:
            n_channels = a.shape[1]
        elif a.shape[1] != n_channels:
            raise ValueError(
                f"Sample {i} of X has {a.shape[1]} features per time step, but "
                f"sample 0 has {n_channels}; all sequences need the same number "
                "of features."
            )
        if not np.isfinite(a).all():
            raise ValueError(
                f"Sample {i} of X contains NaN or infinity; {name} needs finite "
                "values (impute or drop them first)."
            )
        checked.append(a)
    return checked


def _check_columns(estimator, X):
    """2D input of a model fitted on 2D input: scikit-learn's column check."""
    try:
        _check_n_features(estimator, X, reset=False)
    except ValueError as exc:
        raise ValueError(
            f"{exc} A model fitted on 2D (n, T) series reads 2D input as T "
            "columns; to predict on series of another length, pass them as a "
            "3D (n, T, 1) array or as a list of arrays."
        ) from None


def check_sequences(
    estimator,
    X,
    y=None,
    *,
    reset,
    data_format,
    standardize,
    tokenizer=None,
    frames=False,
    **y_kw,
):
    """Validate sequence input and return ``(X_t, y)``.

    Three kinds of input (four with ``frames``), decided at fit and kept in
    ``input_kind_``:

    - 'series': (n, T) univariate series (numpy or a DataFrame with one column
      per time step), (n, T, F) batch-first channels-last arrays, (n, F, T)
      with ``data_format='channels_first'``, and lists (or 1D object arrays) of
      per-sample arrays of shape (T_i,) or (T_i, F) (or (F, T_i)) of varying
      lengths. ``X_t`` is a float32 tensor (n, T, F) when all samples have one
      length, else a dict with the zero-padded tensor ``x`` (n, T_max, F) and
      the int64 ``lengths``. With ``standardize``, each channel is centred and
      scaled by statistics learned at fit (``channel_mean_``,
      ``channel_scale_``).
    - 'tokens': a 2D integer array of token ids, 0 being padding (what
      :class:`~sknets.TextTokenizer` returns). ``X_t`` is a dict of int64 ids
      ``x`` and ``lengths`` (up to the last non-padding id); ids the model has
      not seen at fit read as unknown (1).
    - 'text': a list, array or Series of str, turned into token ids by a clone
      of ``tokenizer`` fitted at fit (``tokenizer_``).
    - 'frames' (only with ``frames=True``): image sequences, see
      :func:`_check_frames`.
    """
    name = _name(estimator)
    if data_format not in SEQUENCE_FORMATS:
        raise ValueError(
            f"Unknown data_format={data_format!r} for {name}; use one of "
            f"{', '.join(map(repr, SEQUENCE_FORMATS))}."
        )
    fitted_kind = None if reset else estimator.input_kind_
    if is_text(X):
        texts = check_texts(X, name)
        if fitted_kind not in (None, "text"):
            raise ValueError(
                f"{name} was fitted on {fitted_kind}, not on raw text; pass the "
                "input in the form used at fit (or keep the TextTokenizer in the "
                "pipeline)."
            )
        if y is not None:
            y = _check_y(y, estimator=estimator, **y_kw)
            check_consistent_length(texts, y)
        if reset:
            _check_feature_names(estimator, texts, reset=True)
            estimator.tokenizer_ = clone(tokenizer).fit(texts)
            _set_kind(estimator, "text", n_features=None)
            estimator.n_tokens_ = estimator.tokenizer_.n_tokens_
        return _token_tensors(estimator, estimator.tokenizer_.transform(texts)), y

    arrays = _ragged_items(X)
    ndim = getattr(X, "ndim", None)
    if frames and (
        (arrays is not None and arrays[0].ndim >= 3)
        or (arrays is None and _ndim(X) >= 4)
        or fitted_kind == "frames"
    ):
        return _check_frames(
            estimator,
            X,
            arrays,
            y,
            reset=reset,
            data_format=data_format,
            standardize=standardize,
            **y_kw,
        )
    if arrays is not None:
        _check_feature_names(estimator, X, reset=reset)
        arrays = _check_ragged(arrays, data_format, name)
        if y is not None:
            y = _check_y(y, estimator=estimator, **y_kw)
            check_consistent_length(arrays, y)
        _check_series_kind(estimator, fitted_kind, name)
        n_channels = arrays[0].shape[1]
        if reset:
            _set_kind(estimator, "series", n_features=None, n_channels=n_channels)
            _fit_scaling(estimator, np.concatenate(arrays), standardize)
        _check_channels(estimator, n_channels, name)
        return _padded_series(estimator, arrays), y

    if ndim is None and not isinstance(X, str):
        X = np.asarray(X)
        ndim = X.ndim
    if ndim is not None and ndim > 3:
        raise ValueError(
            f"{name} expects sequences as a 2D (n, T) or 3D (n, T, F) array or "
            f"a list of (T_i, F) arrays, got an array with {ndim} dimensions "
            f"(shape {tuple(np.shape(X))})."
        )
    token_ids = ndim == 2 and _is_integer(X) and fitted_kind in (None, "tokens", "text")
    _check_feature_names(estimator, X, reset=reset)
    X = check_array(
        X,
        allow_nd=True,
        dtype=None if token_ids else (np.float64, np.float32),
        estimator=estimator,
        input_name="X",
    )
    if y is not None:
        y = _check_y(y, estimator=estimator, **y_kw)
        check_consistent_length(X, y)
    if X.ndim == 2 and not reset and estimator._fitted_on_2d:
        _check_columns(estimator, X)
    if token_ids:
        if reset:
            _set_kind(estimator, "tokens", n_features=X.shape[1])
            estimator.n_tokens_ = max(int(X.max()) + 1, 2)
        return _token_tensors(estimator, X), y
    _check_series_kind(estimator, fitted_kind, name)
    columns = X.shape[1] if X.ndim == 2 else None
    if X.ndim == 2:
        X = X[:, :, None]
    elif data_format == "channels_first":
        X = X.transpose(0, 2, 1)
    if X.shape[1] == 0:
        raise ValueError(
            f"X holds sequences of length 0 (shape {X.shape}); {name} needs at "
            "least one time step."
        )
    n_channels = X.shape[2]
    if reset:
        _set_kind(estimator, "series", n_features=columns, n_channels=n_channels)
        _fit_scaling(estimator, X.reshape(-1, n_channels), standardize)
    _check_channels(estimator, n_channels, name)
    if estimator.channel_mean_ is not None:
        X = (X - estimator.channel_mean_) / estimator.channel_scale_
    return torch.tensor(X, dtype=torch.float32), y


def _check_frames(estimator, X, arrays, y, *, reset, data_format, standardize, **y_kw):
    """Image sequences: a 4D (n, T, H, W) or 5D array, (n, T, H, W, C) with
    ``data_format='channels_last'`` or (n, T, C, H, W) with 'channels_first',
    or a list of per-sample (T_i, H, W[, C]) arrays of varying lengths.

    uint8 values are scaled to [0, 1]; ``standardize`` centres and scales each
    channel by its statistics over all frames seen at fit. Returns a float32
    tensor (n, T, C, H, W), or a dict of the zero-padded tensor ``x`` and the
    ``lengths`` for a list of unequal lengths. The frame shape is kept in
    ``frame_shape_`` (C, H, W); ``n_features_in_`` is the number of values of
    one frame.
    """
    name = _name(estimator)
    expected = (
        "image sequences: a 4D (n, T, H, W) or 5D (n, T, H, W, C) array, or a "
        "list of (T_i, H, W[, C]) arrays"
    )
    if not reset and estimator.input_kind_ != "frames":
        raise ValueError(
            f"{name} was fitted on {estimator.input_kind_}, not on image sequences; "
            "pass the input in the form used at fit."
        )
    samples = arrays
    if samples is None:
        X = np.asarray(X) if not hasattr(X, "ndim") else X
        if X.ndim < 4:
            raise ValueError(
                f"{name} was fitted on {expected}; got an array of shape "
                f"{tuple(X.shape)}. A 3D array reads as (n, T, F) series, which "
                "this model was not fitted on."
            )
        if X.ndim > 5:
            raise ValueError(
                f"{name} expects {expected}; got an array with {X.ndim} dimensions "
                f"(shape {tuple(X.shape)})."
            )
        samples = [X]  # one block, checked as a whole
    checked = []
    for i, a in enumerate(samples):
        where = "X" if arrays is None else f"Sample {i} of X"
        frame_ndim = a.ndim - (1 if arrays is None else 0)  # of one sample
        if frame_ndim not in (3, 4):
            raise ValueError(f"{where} has shape {a.shape}; {name} expects {expected}.")
        if a.dtype.kind not in "biuf":
            raise ValueError(
                f"{where} is not numeric (dtype {a.dtype}); {name} expects {expected}."
            )
        scale = a.dtype == np.uint8
        a = np.asarray(a, dtype=np.float32 if a.dtype == np.float32 else np.float64)
        if not np.isfinite(a).all():
            raise ValueError(
                f"{where} contains NaN or infinity; {name} needs finite values."
            )
        if frame_ndim == 3:  # grayscale frames, no channel axis
            a = np.expand_dims(a, -3)
        elif data_format == "channels_last":
            a = np.moveaxis(a, -1, -3)
        checked.append(a / 255.0 if scale else a)
    frame = tuple(int(s) for s in checked[0].shape[-3:])
    lengths = [c.shape[0] if arrays is not None else c.shape[1] for c in checked]
    for i, c in enumerate(checked):
        if tuple(c.shape[-3:]) != frame:
            raise ValueError(
                f"Sample {i} of X holds frames of shape (C, H, W)={c.shape[-3:]}, "
                f"but sample 0 holds {frame}; all frames need one shape."
            )
    if arrays is None and (checked[0].shape[0] == 0 or 0 in frame):
        raise ValueError(
            f"{name} got an empty array of shape {tuple(X.shape)}; it needs at "
            "least one sample, one frame and one pixel."
        )
    if min(lengths) == 0:
        i = lengths.index(0)
        raise ValueError(f"Sample {i} of X has no frames; every sequence needs one.")
    if y is not None:
        y = _check_y(y, estimator=estimator, **y_kw)
        check_consistent_length(checked[0] if arrays is None else checked, y)
    if reset:
        _set_kind(estimator, "frames", n_features=None, n_channels=frame[0])
        estimator.n_features_in_ = math.prod(frame)
        estimator.frame_shape_ = frame
        if standardize:  # per-channel statistics over every pixel of every frame
            pixels = [np.moveaxis(c, -3, -1).reshape(-1, frame[0]) for c in checked]
            _fit_scaling(estimator, np.concatenate(pixels), standardize)
    elif frame != tuple(estimator.frame_shape_):
        raise ValueError(
            f"X holds frames of shape (C, H, W)={frame}, but {name} was fitted on "
            f"frames of shape {tuple(estimator.frame_shape_)}."
        )
    mean, scale = estimator.channel_mean_, estimator.channel_scale_

    def scaled(c):
        if mean is None:
            return c
        return (c - mean[:, None, None]) / scale[:, None, None]

    if arrays is None:
        return torch.tensor(scaled(checked[0]), dtype=torch.float32), y
    padded = np.zeros((len(checked), max(lengths), *frame), np.float32)
    for i, c in enumerate(checked):
        padded[i, : len(c)] = scaled(c)
    return {
        "x": torch.from_numpy(padded),
        "lengths": torch.as_tensor(lengths, dtype=torch.int64),
    }, y


def _ndim(X):
    ndim = getattr(X, "ndim", None)
    if ndim is not None:
        return ndim
    if isinstance(X, str):
        return 0
    return np.asarray(X).ndim  # lists, and array-likes with only __array__


def _is_integer(X):
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and not hasattr(X, "dtype"):  # DataFrame
        return all(getattr(d, "kind", "O") in "iu" for d in dtypes)
    return getattr(X, "dtype", None) is not None and X.dtype.kind in "iu"


def _set_kind(estimator, kind, *, n_features, n_channels=None):
    """Record at fit what the input was. ``n_features_in_`` follows
    scikit-learn for 2D arrays (the number of columns); for 3D and list input
    it is the number of features per time step; raw text has none."""
    estimator.input_kind_ = kind
    estimator.n_channels_ = n_channels
    estimator._fitted_on_2d = n_features is not None
    if n_features is not None:
        estimator.n_features_in_ = n_features
    elif n_channels is not None:
        estimator.n_features_in_ = n_channels
    elif hasattr(estimator, "n_features_in_"):
        del estimator.n_features_in_
    if kind != "text" and hasattr(estimator, "tokenizer_"):
        del estimator.tokenizer_
    if kind != "frames" and hasattr(estimator, "frame_shape_"):
        del estimator.frame_shape_
    if kind == "series":
        estimator.n_tokens_ = None
    estimator.channel_mean_ = estimator.channel_scale_ = None


def _check_series_kind(estimator, fitted_kind, name):
    if fitted_kind in ("tokens", "text"):
        what = "token ids" if fitted_kind == "tokens" else "raw text"
        raise ValueError(
            f"{name} was fitted on {what}; pass a 2D integer array of token ids"
            + (" or texts" if fitted_kind == "text" else "")
            + ", not numeric series."
        )


def _fit_scaling(estimator, values, standardize):
    if standardize:
        estimator.channel_mean_ = values.mean(axis=0)
        scale = values.std(axis=0)
        estimator.channel_scale_ = np.where(scale > 0, scale, 1.0)


def _check_channels(estimator, n_channels, name):
    if n_channels != estimator.n_channels_:
        raise ValueError(
            f"X has {n_channels} features per time step, but {name} was fitted "
            f"with {estimator.n_channels_}."
        )


def _padded_series(estimator, arrays):
    mean, scale = estimator.channel_mean_, estimator.channel_scale_
    lengths = np.array([len(a) for a in arrays])
    padded = np.zeros((len(arrays), lengths.max(), arrays[0].shape[1]), np.float32)
    for i, a in enumerate(arrays):
        padded[i, : len(a)] = a if mean is None else (a - mean) / scale
    return {"x": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths)}


def _token_tensors(estimator, ids):
    """Token ids as a model input: unseen ids read as unknown, lengths up to the
    last non-padding id (at least 1)."""
    if ids.shape[1] == 0:
        raise ValueError("X holds token sequences of length 0; no token to read.")
    if (ids < 0).any():
        raise ValueError(
            "X holds negative integers, which are not token ids (0 is padding, 1 "
            "unknown, 2 and above tokens). To read an integer-valued series as a "
            "series, cast it to float first: X.astype(float)."
        )
    ids = np.where(ids >= estimator.n_tokens_, UNKNOWN_ID, ids).astype(np.int64)
    nonpad = ids != PAD_ID
    last = ids.shape[1] - np.argmax(nonpad[:, ::-1], axis=1)
    lengths = np.where(nonpad.any(axis=1), last, 1)
    return {"x": torch.from_numpy(ids), "lengths": torch.from_numpy(lengths)}
