"""Numeric series: (n, T), (n, T, F), (n, F, T) or lists of (T_i, F) arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names

from .._params import Attribute, Param
from .._runtime import warn_caller
from ._base import (
    InputKind,
    RunningScaling,
    check_array_input,
    check_float32,
    check_target,
    estimator_name,
    fit_scaling,
    fitted_on_2d,
    learn_features_in,
    ready_array,
)
from ._layout import series_layout

__all__ = ["SERIES", "SEQUENCE_FORMATS", "check_data_format"]

# with standardize=True, a fit warns when, in a channel, the 90th percentile
# of the series' standard deviations is more than SCALE_SPREAD times the 10th:
# the common channel scaling then leaves a tenth of the series at a thousandth
# of the typical amplitude or less (measured on at most SPREAD_SAMPLE series)
SCALE_SPREAD = 1000.0
SPREAD_SAMPLE = 10_000

MAX_LENGTH = Attribute(
    "max_length_", "int", "Longest sequence seen at fit (steps, tokens or frames)."
)
N_CHANNELS = Attribute(
    "n_channels_",
    "int",
    "Features per time step seen at fit (series and image sequences).",
)

SEQUENCE_FORMATS = ("auto", "channels_last", "channels_first")

DATA_FORMAT = Attribute(
    "data_format_",
    "{'channels_last', 'channels_first'}",
    """
    Layout of 3D input and of the samples of a list at fit: ``data_format``,
    with 'auto' resolved ('channels_last' for 2D input, lists of 1D series and
    sktime's DataFrame layouts, whose structure says where time is).""",
)
CHANNEL_SCALING = Attribute(
    "channel_mean_, channel_scale_",
    "ndarray of shape (`n_channels_`,) or None",
    """
    Per-channel statistics used by ``standardize=True`` (None when it is
    False or 'sample'); series and image sequences.""",
)


def check_data_format(estimator):
    if estimator.data_format not in SEQUENCE_FORMATS:
        raise ValueError(
            f"Unknown data_format={estimator.data_format!r} for "
            f"{estimator_name(estimator)}; use one of "
            f"{', '.join(map(repr, SEQUENCE_FORMATS))}."
        )


def check_series_kind(estimator, fitted_kind):
    """A model fitted on token ids or text refuses numeric series."""
    if fitted_kind in ("tokens", "text"):
        what = "token ids" if fitted_kind == "tokens" else "raw text"
        raise ValueError(
            f"{estimator_name(estimator)} was fitted on {what}; pass a 2D integer "
            "array of token ids"
            + (" or texts" if fitted_kind == "text" else "")
            + ", not numeric series."
        )


def check_channels(estimator, n_channels):
    if n_channels != estimator.n_channels_:
        raise ValueError(
            f"X has {n_channels} features per time step, but "
            f"{estimator_name(estimator)} was fitted with {estimator.n_channels_}."
        )


def _check_sample(i, a, layout, name, n_channels):
    """One sample of a list as a finite (T_i, F) array with the features of
    the first sample (``n_channels``, None for the first)."""
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
    elif layout == "channels_first":
        a = a.T
    if a.shape[0] == 0:
        raise ValueError(
            f"Sample {i} of X is an empty sequence (length 0); every sequence "
            "needs at least one time step."
        )
    if n_channels is not None and a.shape[1] != n_channels:
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
    check_float32(a, name, f"Sample {i} of X")
    return a


class SeriesInput(InputKind):
    """Numeric series, as a float32 batch ``x`` of shape (n, T, F), with the
    ``lengths`` of the samples of a list of unequal lengths (zero-padded).

    (n, T) univariate series (numpy, or a DataFrame with one column per time
    step), (n, T, F) time-major arrays, (n, F, T) with
    ``data_format='channels_first'``, and lists (or 1D object arrays) of
    per-sample arrays (T_i,) or (T_i, F) (or (F, T_i)) of varying lengths;
    also regular arrays whose shorter series end in NaN (read as that list,
    :func:`_nan_padded`) and DataFrames with a series in every cell (read by
    :class:`~sknets._inputs.InputView`). With ``standardize``, each channel
    is centred and scaled by statistics learned at fit.
    """

    name = "series"
    names = ("series",)
    state = (*InputKind.state, "_per_sample_scaling_")
    described = "numeric series"
    axes = frozenset({"time"})
    export_refusal = None
    params = (
        Param(
            "data_format",
            "auto",
            [StrOptions(set(SEQUENCE_FORMATS))],
            "{'auto', 'channels_last', 'channels_first'}",
            """
            Layout of 3D input and of the samples of a list: 'channels_last' for
            (n, T, F) and (T_i, F), time-major, as torch (batch_first) and Keras
            use them; 'channels_first' for (n, F, T) and (F, T_i), as sktime's and
            aeon's ``numpy3D`` give them. 'auto' reads the longer axis as time
            when it holds at least twice the values of the shorter, or the
            shorter holds one (a series of fewer steps than channels is rarely
            what is meant), and for a list of series of different lengths the
            axis whose length varies; a shape that could be read both ways (say
            (n, 10, 12)), or values much smoother across the channels that
            reading would give than along its time, is a ValueError that shows
            both readings. Data with more channels than steps needs the layout
            set. The reading is ``data_format_``; prediction reads input in it
            (with 'auto', in the other layout where only that gives the fitted
            number of channels). 2D input is always (n, T) univariate series, and
            sktime's DataFrames are read by their structure: a series in every
            cell (``nested_univ``) has its samples in rows and its channels in
            columns, a (sample, time) MultiIndex on the rows (``pd-multiindex``)
            one column per channel. In any layout, NaN after a series' last value
            is padding: the series ends there.""",
        ),
        Param(
            "standardize",
            True,
            ["boolean", StrOptions({"sample"})],
            "bool or 'sample'",
            """
            How numeric series are scaled before the network reads them. True:
            centre and scale each feature (channel) by its mean and standard
            deviation over all the time steps seen at fit, which keeps the
            differences in level and amplitude between series. 'sample': centre and
            scale each channel of each series by its own mean and standard
            deviation over its steps (the z-normalisation of the UCR archive), at
            fit and at predict; the model then sees shapes only, whatever a
            series' level and amplitude, which is what series whose amplitudes
            differ by orders of magnitude need (on them a per-channel scaling
            leaves most series near zero and a network may learn nothing), and
            what to avoid where the amplitude carries the answer, as in
            forecasting. False: the values as given. Unscaled signals are the most
            common reason a recurrent network does not learn.""",
        ),
    )
    attributes = (N_CHANNELS, DATA_FORMAT, CHANNEL_SCALING, MAX_LENGTH)

    def claims(self, view, fitted_kind):
        return True

    def check(self, estimator, view, y=None, *, reset, values_only=False, **y_kw):
        check_data_format(estimator)
        _check_frame(estimator, view)
        fitted_kind = None if reset else estimator.input_kind_
        if fitted_kind is None or fitted_kind == "series":
            layout = series_layout(estimator, view, reset)
        else:
            layout = "channels_last"  # refused below, as not the fitted kind
        if reset:
            estimator.data_format_ = layout
        samples = view.arrays
        if samples is None:
            samples = _nan_padded(view.X, layout)
        if samples is not None:
            return self._check_list(
                estimator, view.source, samples, layout, y, fitted_kind, reset, y_kw
            )
        return self._check_array(
            estimator, view, layout, y, fitted_kind, reset, y_kw, values_only
        )

    def _check_list(self, estimator, X, samples, layout, y, fitted_kind, reset, y_kw):
        name = estimator_name(estimator)
        _check_feature_names(estimator, X, reset=reset)
        arrays = []
        for i, a in enumerate(samples):
            n_channels = arrays[0].shape[1] if arrays else None
            arrays.append(_check_sample(i, a, layout, name, n_channels))
        y = check_target(estimator, arrays, y, **y_kw)
        check_series_kind(estimator, fitted_kind)
        if reset:
            self._learn(estimator, np.concatenate(arrays), arrays[0].shape[1], None)
            estimator.max_length_ = max(len(a) for a in arrays)
            step = max(1, len(arrays) // SPREAD_SAMPLE)
            _check_spread(estimator, np.stack([a.std(axis=0) for a in arrays[::step]]))
        check_channels(estimator, arrays[0].shape[1])
        return self._padded(estimator, arrays), y

    def _check_array(
        self, estimator, view, layout, y, fitted_kind, reset, y_kw, values_only
    ):
        name = estimator_name(estimator)
        X = view.X
        if getattr(X, "ndim", None) is None and not isinstance(X, str):
            X = np.asarray(X)
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 3:
            raise ValueError(
                f"{name} expects sequences as a 2D (n, T) or 3D (n, T, F) array or "
                f"a list of (T_i, F) arrays, got an array with {ndim} dimensions "
                f"(shape {tuple(np.shape(X))})."
            )
        # a fitted model's plain float array skips scikit-learn's check (2D
        # only for a model fitted on 2D, whose columns are steps); the
        # channels and steps are checked below
        ndims = (2, 3) if not reset and fitted_on_2d(estimator) else (3,)
        ready = ready_array(estimator, X, y, reset, (np.float64, np.float32), ndims)
        if ready is not None:
            X = ready
        else:
            X, y = check_array_input(
                estimator,
                X,
                y,
                reset=reset,
                dtype=(np.float64, np.float32),
                source=view.source,
                **y_kw,
            )
        check_float32(X, name)
        check_series_kind(estimator, fitted_kind)
        columns = X.shape[1] if X.ndim == 2 else None
        X = _time_major(X, layout)
        if X.shape[1] == 0:
            raise ValueError(
                f"X holds sequences of length 0 (shape {X.shape}); {name} needs at "
                "least one time step."
            )
        if reset:
            values = None if values_only else X.reshape(-1, X.shape[2])
            self._learn(estimator, values, X.shape[2], columns)
            estimator.max_length_ = X.shape[1]
            _check_spread(estimator, X[:: max(1, len(X) // SPREAD_SAMPLE)].std(axis=1))
        check_channels(estimator, X.shape[2])
        return {"x": X if values_only else _standardized(estimator, X)}, y

    def chunked(self, estimator, learn):
        return _SeriesChunks(self, estimator, learn)

    def reader(self, estimator):
        """Raw rows to the standardised float32 (n, T, F) tensor, on the host
        and in float64 as the in-memory path computes it."""

        def convert(raw):
            if raw.dtype not in (np.float32, np.float64):
                raw = raw.astype(np.float64)
            layout = estimator.data_format_
            return _standardized(estimator, _time_major(raw, layout))

        return convert, _unchanged, (estimator.max_length_, estimator.n_channels_)

    @staticmethod
    def _learn(estimator, values, n_channels, columns):
        """The attributes of a fit on ``values`` (rows of channels; None for
        a chunked fit, whose channel statistics come from every chunk)."""
        estimator.n_channels_ = n_channels
        learn_features_in(estimator, columns=columns, channels=n_channels)
        estimator._per_sample_scaling_ = estimator.standardize == "sample"
        standardize = _channel_scaling(estimator) and values is not None
        estimator.channel_mean_, estimator.channel_scale_ = fit_scaling(
            values, standardize
        )

    @staticmethod
    def _padded(estimator, arrays):
        lengths = np.array([len(a) for a in arrays])
        padded = np.zeros((len(arrays), lengths.max(), arrays[0].shape[1]), np.float32)
        for i, a in enumerate(arrays):
            padded[i, : len(a)] = _scaled(estimator, a[None])[0]
        return {"x": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths)}

    def module_kwargs(self, estimator, batch=None):
        return {"input_size": estimator.n_channels_}

    def export_example(self, estimator):
        shape = (max(estimator.max_length_, 2), estimator.n_channels_)
        if self.export_layout(estimator) == "channels_first":
            return torch.zeros(2, *shape[::-1]), {0: "n", 2: "steps"}
        return torch.zeros(2, *shape), {0: "n", 1: "steps"}

    def export_layout(self, estimator):
        return getattr(estimator, "data_format_", "channels_last")

    def export_scaling(self, estimator):
        if getattr(estimator, "_per_sample_scaling_", False):
            return "sample"
        if estimator.channel_mean_ is None:
            return None
        return estimator.channel_mean_, estimator.channel_scale_


def _check_frame(estimator, view):
    """A ValueError for a DataFrame in none of the layouts read as series."""
    X = view.source
    if not isinstance(X, pd.DataFrame) or view.layout is not None:
        return
    odd = next((c for c, t in X.dtypes.items() if t.kind not in "biuf"), None)
    if odd is None:
        return
    raise ValueError(
        f"{estimator_name(estimator)} reads a DataFrame of series in one of three "
        "layouts: one numeric column per time step (each row a univariate "
        "series), a series in every cell (sktime's nested_univ: rows samples, "
        "columns channels), or a (sample, time) MultiIndex on the rows and one "
        "numeric column per channel (sktime's pd-multiindex). X fits none of "
        f"them: its column {odd!r} holds {X[odd].dtype} values. A long table of "
        "(id, time, value) rows reads as pd-multiindex once indexed by its id "
        "and time columns: X.set_index([id_column, time_column])."
    )


def _check_spread(estimator, stds):
    """Warn when ``standardize=True`` meets series whose amplitudes differ by
    orders of magnitude; ``stds`` (n, F) holds each series' standard
    deviation per channel (constant series left out)."""
    if not estimator.standardize or estimator.standardize == "sample":
        return
    for channel, values in enumerate(np.asarray(stds, dtype=np.float64).T):
        values = values[values > 0]
        if len(values) < 10:
            continue
        low, high = np.percentile(values, [10, 90])
        if high > SCALE_SPREAD * low:
            where = f" in channel {channel}" if len(stds[0]) > 1 else ""
            warn_caller(
                f"The series' amplitudes differ by orders of magnitude{where}: "
                "the 90th percentile of their standard deviations is "
                f"{high / low:.3g} times the 10th. standardize=True scales every "
                "series by the same channel statistics, which leaves the quiet "
                "ones near zero, where a network may learn nothing from them. If "
                "the shapes rather than the amplitudes carry the answer, set "
                "standardize='sample' to scale each series by its own statistics.",
                UserWarning,
            )
            return


def _nan_padded(X, layout):
    """The series of a regular array whose shorter series end in NaN (as the
    UCR archive's files and tslearn pad series of unequal lengths), as a list
    of arrays in X's layout without their padding; None when no series ends
    in NaN. A step is padding when every channel is NaN there and at every
    later step; a NaN anywhere else is a ValueError."""
    if isinstance(X, pd.DataFrame):  # one column per step: the last one first
        if not (X.size and all(t.kind == "f" for t in X.dtypes)):
            return None
        if not X.iloc[:, -1].isna().any():
            return None
        X = X.to_numpy(dtype=np.float64, na_value=np.nan)  # pandas NA too
    if not (isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim in (2, 3)):
        return None
    steps = _time_major(X, layout)
    if not steps.size or not np.isnan(steps[:, -1]).any():
        return None  # no series ends in NaN (any other NaN: scikit-learn's check)
    missing = np.isnan(steps)
    padding = np.cumprod(missing.all(axis=2)[:, ::-1], axis=1).sum(axis=1)
    lengths = steps.shape[1] - padding
    before_end = np.arange(steps.shape[1])[None, :] < lengths[:, None]
    inside = missing & before_end[:, :, None]
    if inside.any():
        i, t, f = np.argwhere(inside)[0]
        where = f", channel {f}" if steps.shape[2] > 1 else ""
        raise ValueError(
            f"Sample {i} of X has NaN at step {t}{where}, before the end of its "
            "series. NaN is read as padding only after a series' last value "
            "(in every channel), to give series of different lengths; impute "
            "values missing inside a series first."
        )
    if not lengths.all():
        raise ValueError(
            f"Sample {int(np.argmin(lengths))} of X holds only NaN: an empty "
            "series; every sequence needs at least one time step."
        )
    if X.ndim == 2:
        return [row[:n] for row, n in zip(X, lengths)]
    if layout == "channels_first":
        return [sample[:, :n] for sample, n in zip(X, lengths)]
    return [sample[:n] for sample, n in zip(X, lengths)]


def _time_major(X, layout):
    """A regular array of series in ``layout`` as (n, T, F)."""
    if X.ndim == 2:
        return X[:, :, None]
    if layout == "channels_first":
        return X.transpose(0, 2, 1)
    return X


def _scaled(estimator, X):
    """(n, T, F) series scaled as the fitted ``standardize`` says: each series
    by its own channel statistics ('sample'), every series by the channel
    statistics of the fit (True), or as they are."""
    if getattr(estimator, "_per_sample_scaling_", False):
        return _sample_standardized(X)
    if estimator.channel_mean_ is not None:
        return (X - estimator.channel_mean_) / estimator.channel_scale_
    return X


def _standardized(estimator, X):
    """:func:`_scaled` series as a float32 tensor."""
    return torch.tensor(_scaled(estimator, X), dtype=torch.float32)


def _sample_standardized(X):
    """Each series of X (n, T, F) centred and scaled, channel by channel, by
    its own mean and standard deviation over its T steps (computed in
    float64); a constant channel becomes zeros."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=1, keepdims=True)
    scale = X.std(axis=1, keepdims=True)
    return (X - mean) / np.where(scale > 0, scale, 1.0)


def _unchanged(x):
    return x


def _channel_scaling(estimator):
    """Whether every series is scaled by the channel statistics of the fit."""
    return bool(estimator.standardize) and estimator.standardize != "sample"


class _SeriesChunks:
    """A chunked fit's series: ``standardize``'s channel statistics merged
    over the chunks' checked (n, T, F) values (when ``learn``)."""

    def __init__(self, kind, estimator, learn):
        self.kind, self.estimator = kind, estimator
        self.statistics = (
            RunningScaling() if learn and _channel_scaling(estimator) else None
        )

    def add(self, values):
        if self.statistics is not None:
            self.statistics.update(values.reshape(-1, values.shape[2]))

    def finish(self):
        if self.statistics is not None:
            scaling = self.statistics.result()
            self.estimator.channel_mean_, self.estimator.channel_scale_ = scaling
        return self.kind.reader(self.estimator)


SERIES = SeriesInput()
