"""Fast in-memory batching used by every sknets net.

skorch's default dataset and ``DataLoader`` build each batch item by item and
collate the items afterwards. sknets keeps its training data as whole tensors
instead, moved to the device once, and builds each batch with one indexing
operation per tensor. This module holds the two pieces that skorch sees: the
dataset (:class:`TensorDataset`) and the batch iterator (:class:`BatchIterator`).

Model input is always a *batch*: a dict with the input tensor ``"x"`` (first
axis: samples) and, for sequences of different lengths, the int64
``"lengths"``. Every input kind (:mod:`sknets._inputs`) returns one, and a
module is called as ``module(batch["x"], lengths=...)`` (:func:`call`). A
module whose feature part is fixed (``fixed_features = True``) may be trained
on batches of its precomputed ``"features"`` instead, which go to its head.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Dataset

__all__ = ["TensorDataset", "BatchIterator", "call", "take", "to_device"]


def call(module, batch, **kwargs):
    """``module`` on a batch: the input tensor positionally, the other
    entries (the lengths) as keyword arguments; precomputed features go to
    the module's head."""
    if "features" in batch:
        return module.forward_head(batch["features"])
    extra = {key: value for key, value in batch.items() if key != "x"}
    return module(batch["x"], **extra, **kwargs)


def take(batch, index):
    """The samples at ``index`` of every tensor of a batch.

    A batch holding ``"lengths"`` (variable-length sequences, padded along the
    second axis) is trimmed to the longest sequence taken, so that a batch of
    short sequences does not carry the padding of the longest one.
    """
    out = {key: value[index] for key, value in batch.items()}
    lengths = out.get("lengths")
    if lengths is not None and len(lengths):
        longest = int(lengths.max())
        x = out.get("x")
        if x is not None and x.dim() >= 2 and x.shape[1] > longest:
            out["x"] = x[:, :longest]
    return out


def to_device(value, device):
    """Move a tensor, a batch or a :class:`TensorDataset` to ``device``; None
    stays None."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: tensor.to(device) for key, tensor in value.items()}
    return value.to(device)


def n_samples(batch):
    return len(next(iter(batch.values())))


class TensorDataset(Dataset):
    """Training data held as whole tensors.

    Parameters
    ----------
    X : dict of str to torch.Tensor
        Model input, a batch of all the samples (see the module docstring).
    y : torch.Tensor or None
        Targets (class indices or standardised regression targets).
    sample_weight : torch.Tensor or None
        One weight per sample, multiplied into the per-sample loss.
    """

    def __init__(self, X, y=None, sample_weight=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def __len__(self) -> int:
        return n_samples(self.X)

    def cpu_lengths(self):
        """Sequence lengths on the CPU (cached), or None for fixed-length data."""
        if "lengths" not in self.X:
            return None
        if getattr(self, "_cpu_lengths", None) is None:
            self._cpu_lengths = self.X["lengths"].cpu()
        return self._cpu_lengths

    def batch(self, index):
        """Return ``(X_batch, target_batch)`` for a tensor of indices or a slice."""
        Xb = take(self.X, index)
        if self.y is None:
            return Xb, None
        target = {"y": self.y[index]}
        if self.sample_weight is not None:
            target["sample_weight"] = self.sample_weight[index]
        return Xb, target

    def __getitem__(self, i):
        # Item access keeps the dataset usable by a plain DataLoader; sknets
        # itself only ever asks for whole batches.
        return self.batch(i)

    def subset(self, index) -> TensorDataset:
        """A dataset holding the samples at ``index`` (a tensor of indices)."""
        return TensorDataset(
            {key: _select(value, index) for key, value in self.X.items()},
            None if self.y is None else self.y[index],
            None if self.sample_weight is None else self.sample_weight[index],
        )

    def to(self, device) -> TensorDataset:
        """Move every tensor to ``device`` (once, before training)."""
        return TensorDataset(
            to_device(self.X, device),
            to_device(self.y, device),
            to_device(self.sample_weight, device),
        )


def _select(value, index):
    """The samples at ``index`` of an input tensor; an input read from its
    source (:class:`~sknets._streaming.SourceRows`) selects them unread."""
    subset = getattr(value, "subset", None)
    return subset(index) if subset is not None else value[index]


class BatchIterator:
    """Iterate over a :class:`TensorDataset` in batches sliced from whole tensors.

    Each pass (epoch) draws a new permutation from ``generator`` when
    ``shuffle`` is True, so a seeded generator gives the same batches for the
    same seed. Variable-length data (a ``lengths`` tensor in X) are bucketed:
    the shuffled samples are cut into pools of ``pool_batches`` batches, each
    pool is sorted by length before it is cut into batches, and the batches
    are shuffled again; batches then hold sequences of similar lengths and
    carry little padding. A last batch of a single sample is merged into the
    one before it: batch normalisation cannot train on one sample, and one
    sample adds nothing but noise to an epoch.
    """

    def __init__(
        self,
        dataset: TensorDataset,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        pool_batches: int = 50,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.pool_batches = pool_batches

    def _bounds(self, n):
        starts = list(range(0, n, self.batch_size))
        stops = [min(s + self.batch_size, n) for s in starts]
        if len(starts) > 1 and stops[-1] - starts[-1] == 1:
            starts.pop()
            stops.pop()
            stops[-1] = n
        return list(zip(starts, stops))

    def __len__(self) -> int:
        return len(self._bounds(len(self.dataset)))

    def __iter__(self) -> Iterator:
        n = len(self.dataset)
        if not self.shuffle:
            for start, stop in self._bounds(n):
                yield self.dataset.batch(slice(start, stop))
            return
        order = torch.randperm(n, generator=self.generator)
        bounds = self._bounds(n)
        lengths = self.dataset.cpu_lengths()
        if lengths is not None:
            pool = self.batch_size * self.pool_batches
            order = torch.cat(
                [
                    chunk[torch.argsort(lengths[chunk], stable=True)]
                    for chunk in order.split(pool)
                ]
            )
            shuffled = torch.randperm(len(bounds), generator=self.generator)
            bounds = [bounds[i] for i in shuffled]
        order = order.to(next(iter(self.dataset.X.values())).device)
        for start, stop in bounds:
            yield self.dataset.batch(order[start:stop])
