"""Padding-aware 1D convolution blocks shared by the convolutional time-series
networks (FCN, ResNet, InceptionTime) and the convolution front of the
recurrent and CNN+RNN networks (:class:`ConvFront1d`).

Tensors are channels-first (n, C, T). A *mask* (n, 1, T) of ones at the valid
steps and zeros at the padding after each sequence's end is given for batches
of unequal lengths, None otherwise. Each block zeroes the padding of its input
before convolving, so a 'same' convolution near a sequence's end reads zeros
there exactly as it does at the end of a sequence that fills its batch; batch
normalisation takes its statistics over the valid steps only; pooling over
time reads valid steps only. A sequence's result therefore does not depend on
the padding its batch carries.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ._layers import SequenceModule, valid_mask

__all__ = [
    "AveragedBlocks",
    "ConvBlock1d",
    "ConvFront1d",
    "SameConv1d",
    "MaskedBatchNorm1d",
    "channels_first",
    "global_average",
    "max_pool_same",
]


def channels_first(x: torch.Tensor, lengths: torch.Tensor | None):
    """(n, T, F) input as (n, F, T), with its mask (n, 1, T) or None."""
    x = x.transpose(1, 2)
    if lengths is None:
        return x, None
    return x, valid_mask(lengths, x.shape[2], x.device)[:, None, :].to(x.dtype)


class SameConv1d(nn.Conv1d):
    """``Conv1d`` whose output has the input's length, for any kernel size:
    (k - 1) // 2 zeros before, the rest after (as torch's ``padding='same'``,
    which warns about even kernels and copies the input for them)."""

    def __init__(self, in_channels, out_channels, kernel_size, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, bias=bias)
        left = (kernel_size - 1) // 2
        self.pad = (left, kernel_size - 1 - left)

    def forward(self, x):
        return super().forward(F.pad(x, self.pad) if self.pad != (0, 0) else x)


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """``BatchNorm1d`` whose training statistics leave the padding out."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None):
        if mask is None or not self.training:
            return super().forward(x)
        count = mask.sum()
        mean = (x * mask).sum(dim=(0, 2)) / count
        centred = (x - mean[None, :, None]) * mask
        var = (centred**2).sum(dim=(0, 2)) / count
        if self.track_running_stats:
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp_min(1)
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(unbiased, self.momentum)
                self.num_batches_tracked += 1
        out = (x - mean[None, :, None]) / torch.sqrt(var[None, :, None] + self.eps)
        if self.affine:
            out = out * self.weight[None, :, None] + self.bias[None, :, None]
        return out


class ConvBlock1d(nn.Module):
    """Convolution ('same' padding, any kernel size), batch normalisation and
    (optionally) ReLU, with the padding of the input zeroed first."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        activation: bool = True,
    ):
        super().__init__()
        self.conv = SameConv1d(in_channels, out_channels, kernel_size, bias=False)
        self.bn = MaskedBatchNorm1d(out_channels)
        self.activation = activation

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None):
        if mask is not None:
            x = x * mask
        x = self.bn(self.conv(x), mask)
        return torch.relu(x) if self.activation else x


def max_pool_same(x: torch.Tensor, mask: torch.Tensor | None, kernel_size: int = 3):
    """Max pooling over time with stride 1 and 'same' length, never reading a
    padded step."""
    pad = kernel_size // 2
    if mask is None:
        return F.max_pool1d(x, kernel_size, stride=1, padding=pad)
    hidden = x.masked_fill(mask == 0, float("-inf"))
    return F.max_pool1d(hidden, kernel_size, stride=1, padding=pad).masked_fill(
        mask == 0, 0.0
    )


def global_average(x: torch.Tensor, mask: torch.Tensor | None):
    """Mean over time of (n, C, T), over the valid steps only: (n, C)."""
    if mask is None:
        return x.mean(dim=2)
    return (x * mask).sum(dim=2) / mask.sum(dim=2)


class AveragedBlocks(SequenceModule):
    """A sequence module whose ``blocks`` (each called as ``block(x, mask)``
    on channels-first input) are followed by global average pooling over the
    valid steps: :class:`~sknets.modules.FCN` and
    :class:`~sknets.modules.ResNet`."""

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Average of the last block's outputs over the valid steps, (n, C)."""
        x = self.embed(x)
        x, mask = channels_first(x, lengths)
        for block in self.blocks:
            x = block(x, mask)
        return global_average(x, mask)


class ConvFront1d(nn.Module):
    """Blocks of (1D convolution, batch norm, ReLU, pooling by 2) that shorten
    a sequence (n, T, F) to (n, ceil(T / 2**blocks), channels[-1]).

    With ``lengths``, steps past each sequence's end are zeroed before every
    convolution and left out of every pooling window, and the lengths are
    halved (rounded up) with the sequence: a sample's output does not depend
    on how much padding its batch carries.

    Parameters
    ----------
    in_features : int
        Features per input step.
    channels : sequence of int, default=(32, 64)
        Output channels of each block; each block halves the length.
    kernel_size : int, default=3
        Convolution width ('same' padding).
    pooling : {'max', 'avg'}, default='max'
        Pooling by 2 after each block.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    """

    def __init__(
        self,
        in_features: int,
        channels: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        pooling: str = "max",
        batch_norm: bool = True,
    ):
        super().__init__()
        self.pooling = pooling
        self.padding = ((kernel_size - 1) // 2, kernel_size // 2)  # 'same'
        blocks = []
        prev = in_features
        for out in channels:
            blocks.append(
                nn.Sequential(
                    nn.Conv1d(prev, out, kernel_size, bias=not batch_norm),
                    nn.BatchNorm1d(out) if batch_norm else nn.Identity(),
                    nn.ReLU(),
                )
            )
            prev = out
        self.blocks = nn.ModuleList(blocks)
        self.num_features = prev

    def _pool(self, x, mask):
        if mask is None:
            pool = F.max_pool1d if self.pooling == "max" else F.avg_pool1d
            return pool(x, 2, ceil_mode=True)
        if self.pooling == "max":
            return F.max_pool1d(
                x.masked_fill(~mask[:, None], float("-inf")), 2, ceil_mode=True
            )
        weight = mask[:, None].to(x.dtype)
        total = F.avg_pool1d(x * weight, 2, ceil_mode=True)
        count = F.avg_pool1d(weight, 2, ceil_mode=True)
        return total / count.clamp_min(1e-12)

    def forward(self, x, lengths=None):
        x = x.transpose(1, 2)  # (n, F, T)
        for block in self.blocks:
            mask = None
            if lengths is not None:
                mask = valid_mask(lengths, x.shape[2], x.device)
                x = x.masked_fill(~mask[:, None], 0.0)
            x = self._pool(block(F.pad(x, self.padding)), mask)
            if lengths is not None:
                lengths = torch.div(lengths + 1, 2, rounding_mode="floor")
        if lengths is not None:
            mask = valid_mask(lengths, x.shape[2], x.device)
            x = x.masked_fill(~mask[:, None], 0.0)
        return x.transpose(1, 2), lengths
