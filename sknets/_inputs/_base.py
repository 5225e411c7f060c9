"""What every input kind shares: the adapter interface and sample parsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_y,
    check_array,
    check_consistent_length,
)

from .._constraints import FLOAT32_MAX

__all__ = [
    "InputKind",
    "check_float32",
    "InputView",
    "RunningScaling",
    "check_array_input",
    "check_target",
    "estimator_name",
    "fit_scaling",
    "fitted_on_2d",
    "learn_features_in",
    "ready_array",
    "ragged_items",
]


def estimator_name(estimator) -> str:
    return type(estimator).__name__


def check_float32(values, name, where="X"):
    """A ValueError for values beyond float32's range, which the networks
    compute in (they would become infinite)."""
    values = np.asarray(values)
    if values.size and values.dtype.kind == "f" and values.dtype.itemsize > 4:
        largest = float(np.max(np.abs(values)))
        if largest > FLOAT32_MAX:
            raise ValueError(
                f"{where} holds values up to {largest:.3g}, beyond the range of "
                f"float32 (about 3.4e38) that {name} computes in; rescale it first."
            )


def check_target(estimator, X, y, **y_kw):
    """``y`` checked by scikit-learn and against the number of samples of X
    (None when there is no target); a sparse y (a multi-label indicator
    matrix from ``MultiLabelBinarizer(sparse_output=True)``) made dense."""
    if y is None:
        return None
    y = _check_y(y, estimator=estimator, **y_kw)
    if sp.issparse(y):
        y = y.toarray()
    check_consistent_length(X, y)
    return y


class InputKind:
    """One kind of input, and everything sknets does that depends on it.

    An estimator lists the kinds it takes in ``_input_kinds``; the first
    whose :meth:`claims` accepts X at fit decides how X is read, and its
    ``name`` is kept as ``input_kind_``. The kind declares the
    hyperparameters it adds (``params``) and the attributes it learns at fit
    (``attributes``, documented on every estimator that takes it), checks X
    and turns it into a batch (:meth:`check`), tells the module what its
    input is (:meth:`module_kwargs`) and what ONNX export needs
    (:meth:`export_example`, :meth:`export_scaling`, :meth:`export_layout`).
    """

    name: str = ""
    #: names of the kinds this adapter reads (``input_kind_`` values)
    names: tuple = ()
    params: tuple = ()
    attributes: tuple = ()
    #: private fitted attributes the kind keeps on the estimator (saved with
    #: it, named only in the kind's module; every kind learns
    #: ``n_features_in_`` through :func:`learn_features_in`)
    state: tuple = ("_fitted_on_2d_",)
    #: why ONNX export is refused for this kind, or None when it works
    export_refusal: str | None = "its input cannot be exported"
    #: the axes of a sample beyond its features: 'time' (series, token ids),
    #: 'space' (images), both (image sequences); augmentation needs them
    axes: frozenset = frozenset()
    #: whether the input is values that may be transformed (not ids)
    numeric: bool = True
    #: what messages call this input
    described: str = ""

    def claims(self, view, fitted_kind) -> bool:
        """Whether X (an :class:`InputView`) is of this kind. ``fitted_kind``
        is the estimator's ``input_kind_`` at predict time, None at fit."""
        raise NotImplementedError

    def check(self, estimator, view, y=None, *, reset, **y_kw):
        """Validate X (and y) and return ``(batch, y)``; at ``reset`` learn
        the kind's attributes on the estimator. A kind with :meth:`chunked`
        also takes ``values_only=True`` (a chunk of a fit that reads X chunk
        by chunk): ``batch["x"]`` is then the checked values as a numpy
        array in the kind's layout, neither converted nor scaled, and no
        statistic of the values is learned."""
        raise NotImplementedError

    def module_kwargs(self, estimator, batch=None) -> dict:
        """Keyword arguments that tell a module what its input is; ``batch``
        is the training input when the module is built for a fit (None when
        a saved model is rebuilt)."""
        raise NotImplementedError

    def export_example(self, estimator):
        """``(example input tensor, dynamic axes)`` for ONNX export."""
        raise NotImplementedError

    def export_scaling(self, estimator):
        """``(mean, scale)`` that the exported graph applies to its input
        channels, or None."""
        return None

    def export_layout(self, estimator):
        """'channels_first' when the exported graph takes series (n, F, T),
        in the layout the estimator read at fit, instead of (n, T, F); None
        for a kind without that choice."""
        return None

    def chunked(self, estimator, learn):
        """How a fit reads a regular array of this kind chunk by chunk
        (:mod:`sknets._streaming`), once the first chunk's check taught the
        kind its attributes: an object whose ``add(values)`` takes each
        chunk's checked values (``check(..., values_only=True)``), learning
        what the kind learns from all of X when ``learn`` (the fit's
        training input), and whose ``finish()`` returns ``(convert, finish,
        sample_shape)``: ``convert`` turns raw numpy rows into a host tensor,
        ``finish`` that tensor on the device into the float32 input the
        in-memory path would hold. None: the kind is read whole."""
        return None

    def forget(self, estimator):
        """Remove what a fit on this kind learned (before a fit on new data)."""
        names = [n for a in self.attributes for n in a.name.split(", ")]
        for name in [*names, *self.state]:
            if name in vars(estimator):
                delattr(estimator, name)


class InputView:
    """X as it came, with what several kinds ask about it computed once:
    its number of dimensions and, for a list of per-sample arrays, the
    arrays (None for a regular array).

    The two DataFrame layouts of sktime's panels are read by their
    structure: a DataFrame holding a series in every cell ('nested_univ':
    rows are samples, columns channels) and one with a (sample, time)
    MultiIndex on its rows ('pd-multiindex', or more levels before the time
    for 'pd_multiindex_hier': one column per channel). Each becomes the list
    of its samples as time-major (T_i, F) arrays, ``layout`` is then
    'channels_last' (the structure says which axis is time; None for any
    other X), and samples of one length become a regular (n, T, F) array.
    ``source`` is X as given (its column names are the channels' names).
    """

    def __init__(self, X):
        self._arrays = _UNSET
        self.source = X
        self.layout = None
        samples = panel_samples(X)
        if samples is not None:
            self.layout = "channels_last"
            if len({a.shape for a in samples}) == 1:
                X = np.stack(samples)
            else:
                self._arrays = samples
        self.X = X

    @property
    def ndim(self):
        ndim = getattr(self.X, "ndim", None)
        if ndim is not None:
            return ndim
        if isinstance(self.X, str):
            return 0
        return np.asarray(self.X).ndim  # lists, and array-likes with __array__

    @property
    def arrays(self):
        if self._arrays is _UNSET:
            self._arrays = ragged_items(self.X)
        return self._arrays


_UNSET = object()


_SERIES_CELLS = (pd.Series, np.ndarray, list, tuple)

_NESTED = (
    "(a DataFrame with a series in every cell, rows samples and columns "
    "channels, as sktime's 'nested_univ')"
)
_MULTIINDEX = (
    "(a DataFrame with a (sample, time) MultiIndex on its rows and one column "
    "per channel, as sktime's 'pd-multiindex')"
)


def panel_samples(X):
    """The samples of a DataFrame in one of sktime's panel layouts
    (:func:`nested_samples`, :func:`multiindex_samples`) as time-major
    (T_i, F) arrays; None for any other X."""
    if not isinstance(X, pd.DataFrame):
        return None
    if isinstance(X.index, pd.MultiIndex):
        return multiindex_samples(X)
    return nested_samples(X)


def nested_samples(X):
    """The samples of a DataFrame with a series (a pandas Series, a 1D array
    or a list of numbers) in every cell, each stacked from its row's cells
    into an array (T_i, F); None for any other X."""
    if not (
        isinstance(X, pd.DataFrame)
        and X.size
        and all(dtype.kind == "O" for dtype in X.dtypes)
        and isinstance(X.iat[0, 0], _SERIES_CELLS)
    ):
        return None
    samples = []
    for i, row in enumerate(X.itertuples(index=False)):
        cells = []
        for j, cell in enumerate(row):
            if not isinstance(cell, _SERIES_CELLS) or np.ndim(cell) != 1:
                raise ValueError(
                    f"Sample {i} of X {_NESTED} holds {type(cell).__name__} in "
                    f"column {X.columns[j]!r}; every cell must be a 1D series."
                )
            cells.append(np.asarray(cell))
        lengths = {len(c) for c in cells}
        if len(lengths) > 1:
            raise ValueError(
                f"Sample {i} of X {_NESTED} has series of lengths {sorted(lengths)} "
                "in its columns; the channels of one sample need the same length."
            )
        samples.append(np.stack(cells, axis=1))
    return samples


def multiindex_samples(X):
    """The samples of a DataFrame whose rows carry a MultiIndex: its last
    level is the time, the levels before it name the sample (two levels:
    sktime's 'pd-multiindex'; more: 'pd_multiindex_hier'), its columns are
    the channels. Samples come in the order of their first row, each as a
    (T_i, F) array with its rows in time order; a repeated time point or a
    column that is not numeric is a ValueError."""
    if not X.shape[1]:
        raise ValueError(f"X {_MULTIINDEX} has no columns: no channel to read.")
    odd = [c for c, t in X.dtypes.items() if t.kind not in "biuf"]
    if odd:
        raise ValueError(
            f"X {_MULTIINDEX} has columns that are not numeric ({odd[0]!r} is "
            f"{X.dtypes[odd[0]]}); every column must hold one channel's values."
        )
    levels = list(range(X.index.nlevels - 1))
    samples = []
    for key, rows in X.groupby(level=levels, sort=False):
        when = rows.index.get_level_values(-1)
        if not when.is_unique:
            key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
            raise ValueError(
                f"Sample {_plain(key)!r} of X {_MULTIINDEX} has the time point "
                f"{_plain(when[when.duplicated()][0])!r} more than once; each "
                "time point of a sample needs one row."
            )
        if not when.is_monotonic_increasing:
            rows = rows.sort_index(level=-1)
        samples.append(rows.to_numpy(dtype=np.float64, na_value=np.nan))
    return samples


def _plain(value):
    """A numpy scalar as the Python number it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def ragged_items(X):
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
        if isinstance(item, bytes):
            raise TypeError(
                f"Sample {i} of X is bytes ({item[:20]!r}); texts must be str: "
                "decode them first, for example [t.decode('utf-8') for t in X]."
            )
        if isinstance(item, str):
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


class RunningScaling:
    """Per-channel mean and standard deviation merged over chunks of rows
    (Chan, Golub and LeVeque's pairwise update, in float64): what
    :func:`fit_scaling` gives for all the rows at once."""

    def __init__(self):
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def update(self, values):
        values = np.asarray(values, dtype=np.float64)
        count = len(values)
        if not count:
            return
        mean = values.mean(axis=0)
        m2 = ((values - mean) ** 2).sum(axis=0)
        total = self.count + count
        delta = mean - self.mean
        self.mean = self.mean + delta * (count / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.count * count / total)
        self.count = total

    def result(self):
        """``(mean, scale)`` as :func:`fit_scaling` returns them."""
        scale = np.sqrt(self.m2 / self.count)
        return self.mean, np.where(scale > 0, scale, 1.0)


def fit_scaling(values, standardize):
    """Per-channel ``(mean, scale)`` of ``values`` (rows of channels), or
    ``(None, None)`` without ``standardize``."""
    if not standardize:
        return None, None
    scale = values.std(axis=0)
    return values.mean(axis=0), np.where(scale > 0, scale, 1.0)


def ready_array(estimator, X, y, reset, dtypes, ndims=(2,)):
    """X itself when the full check of a fitted model's input to predict
    (``reset`` false, no ``y``) would pass it as it is: a plain numpy array
    of one of ``dtypes`` and ``ndims`` holding at least one sample, finite,
    with the fitted number of columns when 2D, for a model fitted without
    feature names (whose absence scikit-learn warns about). None: check X
    fully, which also says what is wrong with it. The caller checks the other
    axes of an array of more dimensions. Prediction on a few samples costs
    about half as much again without this shortcut."""
    if (
        reset
        or y is not None
        or type(X) is not np.ndarray
        or X.dtype not in dtypes
        or X.ndim not in ndims
        or not len(X)
        or (X.ndim == 2 and X.shape[1] != getattr(estimator, "n_features_in_", None))
        or hasattr(estimator, "feature_names_in_")
    ):
        return None
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        return None
    return X


def check_array_input(estimator, X, y, *, reset, dtype, source=None, **y_kw):
    """A regular array (not a list of samples) checked by scikit-learn: its
    feature names (those of ``source``, X as the caller gave it, when X was
    read from it), values and dtype, y, and for 2D input of a model fitted on
    2D input the number of columns."""
    _check_feature_names(estimator, X if source is None else source, reset=reset)
    X = check_array(X, allow_nd=True, dtype=dtype, estimator=estimator, input_name="X")
    y = check_target(estimator, X, y, **y_kw)
    if X.ndim == 2 and not reset and fitted_on_2d(estimator):
        try:
            _check_n_features(estimator, X, reset=False)
        except ValueError as exc:
            raise ValueError(
                f"{exc} A model fitted on 2D (n, T) series reads 2D input as T "
                "columns; to predict on series of another length, pass them as a "
                "3D (n, T, 1) array or as a list of arrays."
            ) from None
    return X, y


def fitted_on_2d(estimator):
    """Whether the estimator was fitted on a 2D array, whose columns are
    the features (steps of one series for series kinds)."""
    return estimator._fitted_on_2d_


def learn_features_in(estimator, columns=None, channels=None):
    """``n_features_in_`` as scikit-learn sets it for 2D arrays (the number of
    columns), the features per time step for 3D and list input, none for
    raw text; ``_fitted_on_2d_`` remembers which."""
    estimator._fitted_on_2d_ = columns is not None
    if columns is not None:
        estimator.n_features_in_ = columns
    elif channels is not None:
        estimator.n_features_in_ = channels
    elif hasattr(estimator, "n_features_in_"):
        del estimator.n_features_in_
