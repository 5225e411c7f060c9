"""Training on arrays larger than memory.

A regular array that is not in memory (an ``np.memmap``, a Dask or zarr
array, an HDF5 dataset: anything with ``shape``, ``dtype`` and row slicing)
whose float32 copy would pass :data:`CHUNK_BYTES` is
never read whole at fit. :func:`check_streamed` checks it in one pass, chunk
by chunk, learning what the input kind learns at fit (shapes, and the
channel statistics of ``standardize`` merged over the chunks), and returns a
batch whose ``"x"`` is a :class:`SourceRows`: it stands for the float32
input tensor and reads the rows asked for from the source when they are
asked for. Training reads it in pools of contiguous blocks
(:class:`StreamIterator`):
the order of the blocks is shuffled every epoch and the rows within a pool,
and the next pool is read in a background thread while the current one
trains. A uint8 image stays uint8 until it is on the device.

This is what tsai (memmap and zarr input) and skorch's streaming-dataset
recipe offer, with the shuffling of WebDataset-style shard readers: a
shuffled order of blocks, and a shuffle within a buffer of blocks.
"""

from __future__ import annotations

import math
import mmap
import re
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from ._batching import BatchIterator
from ._inputs import check_input, input_kind
from ._inputs._base import check_target

__all__ = [
    "CHUNK_BYTES",
    "POOL_BYTES",
    "SourceRows",
    "StreamIterator",
    "check_streamed",
    "check_training_input",
    "chunk_rows",
    "release",
    "streamed_rows",
]

# A large regular array is checked at fit and read at predict time this many
# bytes of float32 input at a time (a memmap, Dask or zarr array is never read
# whole).
CHUNK_BYTES = 64 * 2**20


def chunk_rows(X):
    """Rows of X to read at a time (the chunks of fit's check pass and of
    prediction), or None to read X whole:
    a regular array (numpy, including ``np.memmap``, Dask, zarr: anything
    with ``shape``, ``dtype`` and row slicing) whose float32 copy would pass
    :data:`CHUNK_BYTES`. Lists, DataFrames, object arrays and sparse
    matrices (which the input check refuses) go whole."""
    shape, dtype = getattr(X, "shape", None), getattr(X, "dtype", None)
    if shape is None or dtype is None or len(shape) < 2:
        return None
    if isinstance(X, (pd.DataFrame, pd.Series)) or np.dtype(dtype) == object:
        return None
    if sp.issparse(X):
        return None
    if not all(isinstance(d, Integral) for d in shape):  # NaN: not known yet
        raise ValueError(
            f"X has dimensions of unknown size, shape {tuple(shape)} (a Dask array "
            "with unknown chunk sizes); call X.compute_chunk_sizes() first."
        )
    if shape[0] == 0:
        return None
    rows = max(1, CHUNK_BYTES // (4 * max(1, math.prod(shape[1:]))))
    if shape[0] <= rows:
        return None
    if not hasattr(X, "__getitem__"):
        raise TypeError(
            f"X of type {type(X).__name__} has shape {tuple(shape)} but no row "
            "slicing (X[start:stop]), which sknets needs to read a large array chunk "
            "by chunk; pass a numpy, memmap, Dask or zarr array."
        )
    return rows


#: bytes of source rows read at a time in training (a pool of blocks); two
#: pools are in memory at once, the one training and the one being read
POOL_BYTES = 64 * 2**20
#: rows between two rows asked for that are read rather than skipped
GAP_ROWS = 64


def streamed_rows(X):
    """Rows per chunk of the check pass when fit streams X, else None: a
    regular array that is not an in-memory numpy array and whose float32
    copy would pass :data:`CHUNK_BYTES` (:func:`chunk_rows`)."""
    if isinstance(X, np.ndarray) and not isinstance(X, np.memmap):
        return None
    return chunk_rows(X)


def _mapping(X):
    """The ``mmap`` under a memmap whose pages may be dropped after a read
    (not a copy-on-write map, whose changed pages only the map holds)."""
    while X is not None:
        mapped = getattr(X, "_mmap", None)
        if mapped is not None:
            return mapped if getattr(X, "mode", "c") != "c" else None
        X = getattr(X, "base", None)
    return None


def release(X):
    """Drop the pages of a memmap that this process has read (the operating
    system keeps them in its file cache), so that reading a large file does
    not grow the resident memory by the file's size."""
    mapped = _mapping(X) if isinstance(X, np.memmap) else None
    if mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


def check_training_input(estimator, X, y=None, *, reset, **y_kw):
    """:func:`~sknets._inputs.check_input` for training input: an array
    that is not in memory and large (:func:`streamed_rows`) is checked
    chunk by chunk and read batch by batch (:func:`check_streamed`)."""
    rows = streamed_rows(X)
    if rows is None:
        return check_input(estimator, X, y, reset=reset, **y_kw)
    return check_streamed(estimator, X, y, rows, reset=reset, **y_kw)


class SourceRows:
    """The float32 input tensor of a fit, read from its source when asked.

    Indexing (an int, a slice, or integer indices in any order) reads those
    rows and returns them as the tensor the in-memory path would hold, on
    ``device``; :meth:`subset` selects rows without reading them.

    Parameters
    ----------
    source : array-like
        The caller's array (only read).
    convert : callable
        Raw numpy rows to a tensor on the host, in the layout the network
        reads; it may keep a compact dtype (uint8) that ``finish`` converts.
    finish : callable
        The host tensor, moved to the device, to float32 input.
    sample_shape : tuple of int
        Shape of one sample as the network reads it.
    rows : ndarray of int or None
        The source rows this stands for, in order (None: all of them).
    """

    dtype = torch.float32

    def __init__(self, source, convert, finish, sample_shape, rows=None, device=None):
        self.source = source
        self.convert = convert
        self.finish = finish
        self.sample_shape = tuple(sample_shape)
        self.rows = rows
        self.device = torch.device("cpu") if device is None else torch.device(device)

    def __len__(self):
        return self.source.shape[0] if self.rows is None else len(self.rows)

    @property
    def shape(self):
        return torch.Size((len(self), *self.sample_shape))

    def dim(self):
        return 1 + len(self.sample_shape)

    def _replace(self, **changes):
        kwargs = dict(
            source=self.source,
            convert=self.convert,
            finish=self.finish,
            sample_shape=self.sample_shape,
            rows=self.rows,
            device=self.device,
        )
        return SourceRows(**{**kwargs, **changes})

    def to(self, device):
        return self._replace(device=device)

    def _positions(self, index):
        """Positions (an int array) of an int, a slice or integer indices,
        without building an array of every position."""
        if isinstance(index, slice):
            return np.arange(*index.indices(len(self)))
        if isinstance(index, torch.Tensor):
            index = index.cpu().numpy()
        positions = np.asarray(index, dtype=np.int64)
        return np.where(positions < 0, positions + len(self), positions)

    def subset(self, index):
        """The rows at ``index`` (positions in this one), not read."""
        positions = self._positions(index)
        rows = positions if self.rows is None else self.rows[positions]
        return self._replace(rows=rows)

    def host(self, positions):
        """The rows at ``positions`` (an int array) converted on the host, in
        that order. Rows are read in ascending order, nearby rows in one
        slice of the source."""
        positions = np.asarray(positions, dtype=np.int64)
        rows = positions if self.rows is None else self.rows[positions]
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        cuts = np.flatnonzero(np.diff(ordered) > GAP_ROWS) + 1
        parts = [
            np.asarray(self.source[int(run[0]) : int(run[-1]) + 1])[run - run[0]]
            for run in np.split(ordered, cuts)
            if len(run)
        ]
        if parts:
            raw = np.concatenate(parts)  # a copy: the source's pages go
        else:
            raw = np.empty((0, *self.source.shape[1:]), self.source.dtype)
        release(self.source)
        tensor = self.convert(raw)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return tensor[torch.from_numpy(inverse)]

    def __getitem__(self, index):
        single = isinstance(index, (int, np.integer))
        positions = self._positions(index)
        tensor = self.finish(self.host(np.atleast_1d(positions)).to(self.device))
        return tensor[0] if single else tensor


def check_streamed(estimator, X, y, rows, *, reset, **y_kw):
    """Check X chunk by chunk as :func:`~sknets._inputs.check_input` checks
    a whole array; return ``(batch, y)`` with a :class:`SourceRows` as
    ``batch["x"]``, or X read whole when its kind does not stream.

    One pass down: each chunk is checked once by its input kind (the first,
    at ``reset``, teaches the kind its attributes), and its checked values
    go to the kind's chunked reading, which learns what the kind learns
    from all of X (``standardize``'s statistics) and gives the reader of
    the rows at the end."""
    y = check_target(estimator, X, y, **y_kw)
    reading = None
    for start in range(0, X.shape[0], rows):
        part = np.asarray(X[start : start + rows])
        first = start == 0
        try:
            batch, _ = check_input(
                estimator, part, reset=reset and first, values_only=True
            )
        except ValueError as exc:  # samples named by their place in all of X
            message = _renumbered(str(exc), start)
            if message == str(exc):
                raise
            raise ValueError(message) from exc
        if first:
            reading = input_kind(estimator).chunked(estimator, learn=reset)
            if reading is None:  # a kind read whole (token ids, image sequences)
                return check_input(estimator, X, y, reset=reset, **y_kw)
        if "lengths" in batch:
            raise ValueError(
                f"Rows {start} to {start + len(part) - 1} of X hold series that "
                "end in NaN padding; an array read chunk by chunk must hold series "
                "of one length. Pass series of different lengths as a list of "
                "arrays."
            )
        reading.add(batch["x"])
        release(X)  # a memmap's pages of this chunk leave the process
    convert, finish, sample_shape = reading.finish()
    return {"x": SourceRows(X, convert, finish, sample_shape)}, y


def _renumbered(message, offset):
    """A chunk's error message with its samples numbered in the whole array."""
    return re.sub(
        r"\bSample (\d+) of X",
        lambda match: f"Sample {int(match[1]) + offset} of X",
        message,
    )


def pool_blocks(x, batch_size):
    """Blocks (of one batch) per pool: as many as fill :data:`POOL_BYTES` of
    source rows, at least one."""
    row_bytes = np.dtype(x.source.dtype).itemsize * max(
        1, int(np.prod(x.source.shape[1:]))
    )
    return max(1, POOL_BYTES // max(1, batch_size * row_bytes))


class StreamIterator(BatchIterator):
    """Batches of a dataset whose input is a :class:`SourceRows`.

    The positions are cut into blocks of ``batch_size`` contiguous rows;
    when shuffling, the blocks come in a random order and the rows of each
    pool of blocks are shuffled. Pools are read by a background thread one
    ahead of training; every random draw is made in the training thread, in
    order, from ``generator``. Each pool is cut into batches as
    :class:`~sknets._batching.BatchIterator` cuts a whole dataset (a last
    batch of one sample joins the one before it).
    """

    def __iter__(self):
        dataset, size, generator = self.dataset, self.batch_size, self.generator
        x = dataset.X["x"]
        n = len(x)
        starts = torch.arange(0, n, size)
        if self.shuffle:
            starts = starts[torch.randperm(len(starts), generator=generator)]
        pools = [
            torch.cat([torch.arange(s, min(s + size, n)) for s in group.tolist()])
            for group in starts.split(pool_blocks(x, size))
        ]
        if not pools:
            return
        with ThreadPoolExecutor(1, thread_name_prefix="sknets-read") as reader:
            pending = reader.submit(x.host, pools[0].numpy())
            for i, positions in enumerate(pools):
                host = pending.result()
                if i + 1 < len(pools):
                    pending = reader.submit(x.host, pools[i + 1].numpy())
                order = (
                    torch.randperm(len(positions), generator=generator)
                    if self.shuffle
                    else torch.arange(len(positions))
                )
                for start, stop in self._bounds(len(positions)):
                    local = order[start:stop]
                    xb = {"x": x.finish(host[local].to(x.device, non_blocking=True))}
                    yield xb, _targets(dataset, positions[local])


def _targets(dataset, index):
    """The targets (and weights) of the samples at ``index``, or None."""
    if dataset.y is None:
        return None
    index = index.to(dataset.y.device)
    target = {"y": dataset.y[index]}
    if dataset.sample_weight is not None:
        target["sample_weight"] = dataset.sample_weight[index]
    return target
