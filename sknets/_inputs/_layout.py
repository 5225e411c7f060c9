"""Which axis of a series array is time: ``data_format='auto'``.

sktime and aeon lay a panel of series out as (n, channels, steps), torch and
Keras as (n, steps, channels). With 'auto', a series estimator reads the
layout from the counts of the two axes, checks it against the values, and
refuses a shape it cannot read one way only.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._base import estimator_name

__all__ = ["series_layout"]

# data_format='auto' reads the longer of the two axes of a 3D array (or of the
# samples of a list) as time when it holds at least LAYOUT_RATIO times the
# values of the shorter, or when the shorter holds one; otherwise the shape
# could be read both ways and it asks. A reading by the counts is refused too
# when the values are much smoother along the axis it would take as channels
# than along the one it would take as time (neighbouring time steps of a
# series are alike, neighbouring channels need not be): a lag-one correlation
# of at least SMOOTH along the other axis, LAYOUT_MARGIN above the time axis'
# (measured on at most LAYOUT_SAMPLE series)
LAYOUT_RATIO = 2
SMOOTH = 0.4
LAYOUT_MARGIN = 0.3
LAYOUT_SAMPLE = 256


def series_layout(estimator, view, reset):
    """The layout in which to read X's 3D array or the 2D samples of its
    list: the structure's for sktime's DataFrames, ``data_format`` when it is
    set, else at fit the one the counts and values tell
    (:func:`_layout_by_counts`) and at predict the fit's, or the other one
    where only that gives the channels of the fit."""
    if view.layout is not None:
        return view.layout
    if estimator.data_format != "auto":
        return estimator.data_format
    shapes = _sample_shapes(view)
    if not reset:
        fitted = getattr(estimator, "data_format_", "channels_last")
        if not shapes:
            return fitted
        other = _OTHER[fitted]
        if _read(shapes[0], fitted)[1] != estimator.n_channels_:
            if _read(shapes[0], other)[1] == estimator.n_channels_:
                return other
        return fitted
    if not shapes:
        return "channels_last"  # 2D input or 1D series: no channel axis
    name = estimator_name(estimator)
    if view.arrays is None:
        return _layout_by_counts(shapes[0], _shape(view.X), view.X, name)
    first, second = ({s[axis] for s in shapes} for axis in (0, 1))
    if len(first) > 1 and len(second) > 1:
        i, shape = next(
            (i, s)
            for i, s in enumerate(shapes)
            if s[0] != shapes[0][0] and s[1] != shapes[0][1]
        )
        raise ValueError(
            f"Sample {i} of X has shape {shape}, but sample 0 has {shapes[0]}: they "
            "differ along both axes, so in neither layout do the sequences have "
            "one number of features per time step."
        )
    if len(first) > 1:
        return "channels_last"  # the lengths differ along the first axis
    if len(second) > 1:
        return "channels_first"
    return _layout_by_counts(shapes[0], None, None, name)


_OTHER = {"channels_last": "channels_first", "channels_first": "channels_last"}


def _read(shape, layout):
    """(steps, channels) of a (2D) sample shape read in ``layout``."""
    return tuple(shape) if layout == "channels_last" else tuple(shape[::-1])


def _sample_shapes(view):
    """The shapes of X's 2D samples (a 3D array's sample shape), or []."""
    arrays = view.arrays
    if arrays is not None:
        return [a.shape for a in arrays if a.ndim == 2]
    shape = _shape(view.X)
    return [tuple(shape[1:])] if len(shape) == 3 else []


def _shape(X):
    """The shape of an array-like, read without copying an array."""
    shape = getattr(X, "shape", None)
    return tuple(shape) if shape is not None else np.asarray(X).shape


def _layout_by_counts(shape, array_shape, X, name):
    """Which axis of samples of ``shape`` (2 numbers) is time, by their
    counts: the longer one, when it holds at least LAYOUT_RATIO times the
    values of the shorter or the shorter holds one value; a ValueError that
    shows both readings otherwise, or when the values of ``X`` (a 3D array,
    when known) are much smoother along the axis this would read as channels
    (:func:`_smoothness`)."""
    first, second = shape
    short, long = sorted(shape)
    layout = "channels_last" if first >= second else "channels_first"
    clear = short == 1 or long >= LAYOUT_RATIO * short
    where = (
        f"X (shape {tuple(array_shape)})"
        if array_shape is not None
        else f"the samples of X (shape {tuple(shape)})"
    )
    readings = (
        f"series of {first} steps with {second} channels "
        "(data_format='channels_last', as torch and Keras lay series out) or "
        f"of {second} steps with {first} channels (data_format='channels_first', "
        "as sktime's and aeon's numpy3D do)"
    )
    if not clear:
        raise ValueError(
            f"{name} cannot tell which axis of {where} is time: it reads as "
            f"{readings}. Set data_format to the one you mean."
        )
    if short > 1 and X is not None:
        along_time, along_channels = _smoothness(X, time_axis=1 + (first < second))
        if along_channels >= SMOOTH and along_channels > along_time + LAYOUT_MARGIN:
            steps, channels = _read(shape, layout)
            raise ValueError(
                f"{name} cannot tell which axis of {where} is time. By their "
                f"counts they would be {steps} steps with {channels} channels "
                f"(data_format={layout!r}), but the values are smoother across "
                f"what would be the channels (lag-one correlation "
                f"{along_channels:.2f}) than along what would be time "
                f"({along_time:.2f}), as if the {channels} were time steps. X reads "
                f"as {readings}. Set data_format to the one you mean."
            )
    return layout


def _smoothness(X, time_axis):
    """The lag-one correlation of neighbouring values of a 3D array along
    ``time_axis`` and along the other axis (of at most LAYOUT_SAMPLE
    samples; 0 where no value varies): one minus the mean squared difference
    of neighbours over twice the mean variance along that axis, pooled over
    the array (NaN padding left out)."""
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    sample = np.asarray(X[:LAYOUT_SAMPLE])
    if sample.dtype.kind not in "biuf":
        return 0.0, 0.0  # not numbers: the check of X says so
    sample = sample.astype(np.float64)
    values = []
    for axis in (time_axis, 3 - time_axis):
        # NaN padding is left out; infinite values give no reading
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            jumps = np.nanmean(np.diff(sample, axis=axis) ** 2)
            centred = sample - np.nanmean(sample, axis=axis, keepdims=True)
            variance = np.nanmean(centred**2)
        smooth = np.isfinite(variance) and variance > 0 and np.isfinite(jumps)
        values.append(float(1 - jumps / (2 * variance)) if smooth else 0.0)
    return tuple(values)
