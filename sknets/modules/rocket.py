"""MiniRocket as a torch module: fixed convolutions, PPV pooling, a linear head
(Dempster, Schmidt and Webb, 2021)."""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._layers import SequenceModule
from ._ridge import fit_temperature, ridge_loo

__all__ = ["MiniRocket", "minirocket_dilations"]

_KERNEL_LENGTH = 9
# the 84 kernels: weight -1 everywhere and 2 at three of the nine positions
_INDICES = np.array(list(itertools.combinations(range(_KERNEL_LENGTH), 3)))
N_KERNELS = len(_INDICES)
# values (samples x kernels x biases x steps) compared with their biases at
# once: a boolean tensor of this size stays in the CPU's cache, where the
# comparisons of a whole batch (hundreds of MB) would go through its memory
_COMPARED_AT_ONCE = 2**20


def minirocket_dilations(input_length, num_features=10_000, max_dilations=32):
    """MiniRocket's dilations for series of ``input_length`` steps and how
    many features (biases) each dilation gets per kernel: up to
    ``max_dilations`` dilations spread exponentially from 1 to the largest
    that keeps the kernel within the series."""
    per_kernel = max(num_features // N_KERNELS, 1)
    true_max = min(per_kernel, max_dilations)
    multiplier = per_kernel / true_max
    max_exponent = np.log2(max(input_length - 1, 1) / (_KERNEL_LENGTH - 1))
    max_exponent = max(max_exponent, 0.0)
    dilations, counts = np.unique(
        np.logspace(0, max_exponent, true_max, base=2).astype(np.int64),
        return_counts=True,
    )
    counts = (counts * multiplier).astype(np.int64)
    remainder = per_kernel - counts.sum()
    i = 0
    while remainder > 0:
        counts[i] += 1
        remainder -= 1
        i = (i + 1) % len(counts)
    return [int(d) for d in dilations], [int(c) for c in counts]


def _count_above(out, bias, region=None):
    """How many steps of ``out`` (n, k, 1, T) are above each bias of ``bias``
    (1, k, c, 1), counting only the steps in ``region`` (boolean, (n, 1, 1,
    T)) when given: (n, k, c). The comparisons go a few samples at a time
    (:data:`_COMPARED_AT_ONCE` values), into integer counts, which is about
    twice as fast on a CPU as one comparison of the whole batch cast to
    floats, with the same result. An ONNX export keeps one comparison: a
    loop over the samples would fix the batch size of the graph."""
    if torch.onnx.is_in_onnx_export():
        above = out > bias
        return (above if region is None else above & region).float().sum(3)
    n, kernels, count, steps = out.shape[0], *bias.shape[1:3], out.shape[3]
    rows = max(1, _COMPARED_AT_ONCE // max(1, kernels * count * steps))
    parts = []
    for start in range(0, n, rows):
        above = out[start : start + rows] > bias
        if region is not None:
            above &= region[start : start + rows]
        parts.append(above.sum(3, dtype=torch.int32))
    return torch.cat(parts)


def _quantiles(n):
    """MiniRocket's low-discrepancy sequence of quantiles (golden ratio)."""
    return (np.arange(1, n + 1) * ((np.sqrt(5) + 1) / 2)) % 1


class MiniRocket(SequenceModule):
    """MiniRocket features (fixed, learned from the training data once) and a
    trainable linear head.

    Dempster, Schmidt and Webb, "MiniRocket: A Very Fast (Almost)
    Deterministic Transform for Time Series Classification", KDD 2021. The
    84 kernels of length 9 (weights -1, and 2 at three positions) are
    applied at dilations spread exponentially up to the length of the
    series; each (kernel, dilation) pair has several biases, drawn as
    quantiles of its convolution output on a random training series, and
    each bias gives one feature: the proportion of positive values (PPV) of
    the convolution output minus the bias, over the whole output or, for
    every other pair, the part computed without padding. Multivariate series
    use a random subset of the channels for each pair, as MiniRocket's
    multivariate version does. Variable-length series count each series'
    own steps only, so padding never changes a feature.

    The features are standardised with their mean and standard deviation
    over the training data and fed to a linear ``head``; only the head has
    trainable parameters. :meth:`data_init` fits the biases, channel
    subsets and feature statistics (buffers, saved with the weights).

    Parameters
    ----------
    input_size : int
        Channels (features per time step).
    n_outputs : int
        Number of outputs.
    input_length : int
        Length of the series the dilations are chosen for (the longest
        training series).
    num_features : int, default=10000
        Number of features (rounded down to a multiple of 84).
    max_dilations : int, default=32
        Most dilations per kernel.
    """

    fixed_features = True  # no trainable parameter before the head
    scale_powers = (0.0, 0.5, 1.0)  # feature weightings fit_head chooses among
    selection_samples = 1024  # samples fit_head chooses the weighting on

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        input_length: int,
        num_features: int = 10_000,
        max_dilations: int = 32,
    ):
        super().__init__()
        self.dilations, self.counts = minirocket_dilations(
            input_length, num_features, max_dilations
        )
        weights = -np.ones((N_KERNELS, _KERNEL_LENGTH), dtype=np.float32)
        weights[np.arange(N_KERNELS)[:, None], _INDICES] = 2.0
        self.register_buffer("kernels", torch.from_numpy(weights)[:, None, :])
        odd = torch.arange(N_KERNELS) % 2 == 1  # kernels reading the unpadded part
        self.register_buffer("inner_even", odd, persistent=False)  # even dilations
        self.register_buffer("inner_odd", ~odd, persistent=False)
        self.num_features = N_KERNELS * sum(self.counts)
        n_dilations = len(self.dilations)
        self.register_buffer(
            "channels", torch.ones(n_dilations, N_KERNELS, input_size, 1)
        )
        self.register_buffer("biases", torch.zeros(self.num_features))
        self.register_buffer("feature_mean", torch.zeros(self.num_features))
        self.register_buffer("feature_scale", torch.ones(self.num_features))
        self.head = nn.Linear(self.num_features, n_outputs)

    def _convolve(self, x, index):
        """(n, C, T) -> (n, 84, T) convolution outputs at dilation ``index``."""
        dilation = self.dilations[index]
        weight = self.kernels * self.channels[index]  # (84, C, 9)
        return F.conv1d(x, weight, padding=4 * dilation, dilation=dilation)

    def _ppv(self, x, lengths):
        """Raw PPV features, (n, num_features)."""
        x = x.transpose(1, 2)
        n, steps = x.shape[0], x.shape[2]
        if lengths is None and torch.onnx.is_in_onnx_export():
            # the masked path, whose regions follow the length of the input
            # (the sliced one would fix them to the example's length)
            lengths = (x[:, 0, :] == x[:, 0, :]).sum(dim=1)
        if lengths is not None:
            lengths = lengths.to(x.device)
            position = torch.arange(steps, device=x.device)
            full = (position[None, :] < lengths[:, None])[:, None, None, :]
        features, start = [], 0
        for index, count in enumerate(self.counts):
            pad = 4 * self.dilations[index]
            size = N_KERNELS * count
            bias = self.biases[start : start + size].view(1, N_KERNELS, count, 1)
            start += size
            out = self._convolve(x, index)[:, :, None, :]  # (n, 84, 1, T)
            # every other (kernel, dilation) pair reads the unpadded part only
            inner_kernels = self.inner_odd if index % 2 else self.inner_even
            result = torch.empty(n, N_KERNELS, count, device=x.device)
            if lengths is None:
                whole = slice(None)
                part = slice(pad, steps - pad) if steps > 2 * pad else slice(None)
                for kernels, read in ((~inner_kernels, whole), (inner_kernels, part)):
                    steps_read = out[:, kernels, :, read]
                    hits = _count_above(steps_read, bias[:, kernels])
                    result[:, kernels] = hits / steps_read.shape[3]
            else:
                inner = (
                    full
                    & (position >= pad)
                    & (position < lengths[:, None, None, None] - pad)
                )
                inner = inner | (full & ~inner.any(dim=3, keepdim=True))
                for kernels, region in ((~inner_kernels, full), (inner_kernels, inner)):
                    # steps outside the region never count as positive
                    hits = _count_above(out[:, kernels], bias[:, kernels], region)
                    result[:, kernels] = hits / region.sum(3)
            features.append(result.flatten(1))
        return torch.cat(features, dim=1)

    def _ppv_by_length(self, x, lengths, rows, chunk=64):
        """Raw PPV features of the series ``rows`` of the padded batch ``x``,
        in that order, computed ``chunk`` series of similar lengths at a time,
        each chunk cut to its longest series: a series' features never read
        the padding past its end, so they are those of the whole batch, at a
        fraction of the cost and memory when lengths differ."""
        order = torch.argsort(lengths[rows], stable=True)
        parts = []
        for part in order.split(chunk):
            picked = rows[part]
            picked_lengths = lengths[picked]
            longest = int(picked_lengths.max())
            equal = bool((picked_lengths == longest).all())
            rows_read = x[picked]  # rows first: x may be rows read from a source
            parts.append(
                self._ppv(rows_read[:, :longest], None if equal else picked_lengths)
            )
        raw = torch.cat(parts)
        return raw[torch.argsort(order)]

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Standardised PPV features, (n, num_features)."""
        return (self._ppv(x, lengths) - self.feature_mean) / self.feature_scale

    @torch.no_grad()
    def data_init(self, x, lengths=None, max_series=1024):
        """Fit the biases, the channel subsets and the feature statistics to
        the training series ``x`` (n, T, C) with their ``lengths`` (None:
        all of length T), drawing from torch's random generator. The feature
        statistics come from at most ``max_series`` series."""
        n, steps, n_channels = x.shape
        if lengths is None:
            lengths = torch.full((n,), steps, device=x.device)
        quantiles = torch.as_tensor(_quantiles(self.num_features), dtype=torch.float32)
        biases, start = [], 0
        for index, count in enumerate(self.counts):
            if n_channels > 1:
                self.channels[index] = self._draw_channels(n_channels).to(x.device)
            pick = torch.randint(n, (N_KERNELS,)).to(x.device)
            out = self._convolve(x[pick].transpose(1, 2), index)
            rows = out[torch.arange(N_KERNELS), torch.arange(N_KERNELS)]  # (84, T)
            q = quantiles[start : start + N_KERNELS * count].view(N_KERNELS, count)
            biases.append(_row_quantiles(rows, lengths[pick], q.to(x.device)))
            start += N_KERNELS * count
        self.biases.copy_(torch.cat([b.flatten() for b in biases]))
        sample = torch.randperm(n)[:max_series].to(x.device)
        raw = self._ppv_by_length(x, lengths, sample)
        std = raw.std(dim=0, unbiased=False)
        self.feature_mean.copy_(raw.mean(dim=0))
        self.feature_scale.copy_(torch.where(std > 0, std, torch.ones_like(std)))
        self._initial = None
        if len(sample) == n:  # the features of every series: kept for training
            in_order = torch.empty_like(raw)
            in_order[sample] = raw
            self._initial = (x, in_order)

    def pop_initial_features(self, x):
        """The standardised features of ``x`` (what :meth:`forward_features`
        gives), when ``x`` is the batch :meth:`data_init` read and it computed
        the features of all its series; None otherwise (also for ``x=None``,
        which only drops them). The kept features are dropped either way. A
        fit on up to ``max_series`` series thus computes their features once,
        not once for the statistics and again for the head."""
        initial, self._initial = getattr(self, "_initial", None), None
        if initial is None or initial[0] is not x:
            return None
        return (initial[1] - self.feature_mean) / self.feature_scale

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_initial", None)  # never pickled with the module
        return state

    @torch.no_grad()
    def fit_head(
        self, features, targets, sample_weight=None, classes=None, alphas=None
    ):
        """Set the head to the ridge regression of ``targets`` (n, k) on the
        (standardised) ``features``, its penalty chosen among ``alphas`` by
        leave-one-out error (:func:`ridge_loo`). With ``classes`` (the class
        index of each sample; ``targets`` then hold +1 for the class and -1
        elsewhere, as scikit-learn's ``RidgeClassifierCV``), the weights are
        scaled so that the softmax of the leave-one-out scores has the
        lowest log loss: probabilities, not only the argmax.

        The features enter the ridge regression divided by a power of their
        standard deviation: 0 (the raw PPV features, as sktime's MiniRocket
        examples use them), 1/2, or 1 (standardised, as the MiniRocket
        paper's ``normalize=True`` did). Neither end is best on every data
        set, so the power is chosen with the penalty, by the lowest
        leave-one-out error, and kept in ``feature_scale``. On more than
        ``selection_samples`` samples the power is chosen on that many,
        evenly spaced, and the head is then fitted once on all of them (each
        fit costs an eigendecomposition of the n x n Gram matrix)."""
        centred = features * self.feature_scale  # undo the standardisation
        n = len(centred)
        rows = torch.linspace(0, n - 1, min(n, self.selection_samples)).long()
        weight = None if sample_weight is None else sample_weight[rows]
        best = None
        for power in self.scale_powers:
            scale = self.feature_scale**power
            scale = scale / scale.mean()
            fit = ridge_loo(centred[rows] / scale, targets[rows], weight, alphas)
            residual = ((targets[rows].double() - fit[2]) ** 2).sum(1)
            error = float(
                residual.mean() if weight is None else weight.double() @ residual
            )
            if best is None or error < best[0]:
                best = (error, scale, fit)
        _, feature_scale, fit = best
        if len(rows) < n:
            fit = ridge_loo(centred / feature_scale, targets, sample_weight, alphas)
        weights, intercept, loo = fit
        self.feature_scale.copy_(feature_scale)
        scale = 1.0 if classes is None else fit_temperature(loo.float(), classes)
        self.head.weight.copy_(scale * weights.T)
        self.head.bias.copy_(scale * intercept)

    @staticmethod
    def _draw_channels(n_channels):
        """(84, C, 1) masks: each kernel reads a random subset of 1 to
        min(C, 9) channels (more often few), as MiniRocketMultivariate."""
        limit = np.log2(min(n_channels, _KERNEL_LENGTH) + 1)
        sizes = (2 ** (torch.rand(N_KERNELS) * limit)).long()
        masks = torch.zeros(N_KERNELS, n_channels, 1)
        for k in range(N_KERNELS):
            masks[k, torch.randperm(n_channels)[: int(sizes[k])]] = 1.0
        return masks


def _row_quantiles(rows, lengths, q):
    """Quantiles ``q`` (r, m) of each row of ``rows`` (r, T) within its own
    length, interpolated linearly as ``numpy.quantile`` does: (r, m)."""
    steps = rows.shape[1]
    valid = torch.arange(steps, device=rows.device)[None, :] < lengths[:, None]
    ordered = rows.masked_fill(~valid, float("inf")).sort(dim=1).values
    position = q * (lengths[:, None] - 1).to(q.dtype)
    low = position.floor().long()
    high = position.ceil().long()
    fraction = position - low
    below, above = ordered.gather(1, low), ordered.gather(1, high)
    return below + (above - below) * fraction
