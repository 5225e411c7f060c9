"""Fast in-memory batching used by every sknets net.

skorch's default dataset and ``DataLoader`` build each batch item by item and
collate the items afterwards. sknets keeps its training data as whole tensors
instead, moved to the device once, and builds each batch with one indexing
operation per tensor. This module holds the two pieces that skorch sees: the
dataset (:class:`TensorDataset`) and the batch iterator (:class:`BatchIterator`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import torch
from torch.utils.data import Dataset

__all__ = ["TensorDataset", "BatchIterator", "take", "to_device"]


def take(X, index):
    """Index a tensor, or every tensor of a mapping, along the first axis.

    A mapping holding ``"lengths"`` (variable-length sequences, padded along the
    second axis) is trimmed to the longest sequence of the batch, so that a batch
    of short sequences does not carry the padding of the longest one.
    """
    if not isinstance(X, Mapping):
        return X[index]
    out = {key: value[index] for key, value in X.items()}
    lengths = out.get("lengths")
    if lengths is not None and len(lengths):
        longest = int(lengths.max())
        for key, value in out.items():
            if key != "lengths" and value.dim() >= 2 and value.shape[1] > longest:
                out[key] = value[:, :longest]
    return out


def to_device(X, device):
    """Move a tensor, a dict of tensors or a :class:`TensorDataset` to
    ``device``; None stays None."""
    if X is None:
        return None
    if isinstance(X, Mapping):
        return {key: value.to(device) for key, value in X.items()}
    return X.to(device)


def _length(X):
    if isinstance(X, Mapping):
        return len(next(iter(X.values())))
    return len(X)


class TensorDataset(Dataset):
    """Training data held as whole tensors.

    Parameters
    ----------
    X : torch.Tensor or dict of str to torch.Tensor
        Model input; a dict is passed to the module's ``forward`` as keyword
        arguments (for example ``x`` and ``lengths``).
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
        return _length(self.X)

    def cpu_lengths(self):
        """Sequence lengths on the CPU (cached), or None for fixed-length data."""
        if not isinstance(self.X, Mapping) or "lengths" not in self.X:
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
            {k: v[index] for k, v in self.X.items()}
            if isinstance(self.X, Mapping)
            else self.X[index],
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
        order = order.to(_device_of(self.dataset.X))
        for start, stop in bounds:
            yield self.dataset.batch(order[start:stop])


def _device_of(X):
    if isinstance(X, Mapping):
        X = next(iter(X.values()))
    return X.device
