"""Residual network for time series (Wang, Yan and Oates, 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._conv1d import AveragedBlocks, ConvBlock1d, MaskedBatchNorm1d

__all__ = ["ResNet"]


class _ResidualBlock(nn.Module):
    """Convolution blocks of the given widths (the last without ReLU) plus a
    shortcut (batch norm, after a 1x1 convolution when the number of channels
    changes), then ReLU."""

    def __init__(self, in_channels, out_channels, kernel_sizes):
        super().__init__()
        sizes = [in_channels] + [out_channels] * len(kernel_sizes)
        self.convs = nn.ModuleList(
            ConvBlock1d(sizes[i], sizes[i + 1], k, activation=i < len(kernel_sizes) - 1)
            for i, k in enumerate(kernel_sizes)
        )
        self.project = (
            nn.Conv1d(in_channels, out_channels, 1, bias=False)
            if in_channels != out_channels
            else None
        )
        self.shortcut_bn = MaskedBatchNorm1d(out_channels)

    def forward(self, x, mask=None):
        if mask is not None:
            x = x * mask
        shortcut = x if self.project is None else self.project(x)
        for conv in self.convs:
            x = conv(x, mask)
        return torch.relu(x + self.shortcut_bn(shortcut, mask))


class ResNet(AveragedBlocks):
    """Residual blocks of 1D convolutions, global average pooling over time and
    a linear head.

    Wang, Yan and Oates (2017), as in the review of Ismail Fawaz et al.
    (2019): three blocks of 64, 128 and 128 filters, each of three
    convolutions of widths 8, 5 and 3 with a shortcut connection. Padding
    after a sequence's end is masked out of every block and of the pooling.

    Parameters
    ----------
    %(input)s
    channels : sequence of int, default=(64, 128, 128)
        Filters of each residual block.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Widths of the convolutions inside every block.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        channels: Sequence[int] = (64, 128, 128),
        kernel_sizes: Sequence[int] = (8, 5, 3),
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        sizes = [self.input_features, *channels]
        self.blocks = nn.ModuleList(
            _ResidualBlock(sizes[i], sizes[i + 1], tuple(kernel_sizes))
            for i in range(len(channels))
        )
        self.num_features = sizes[-1]
        self.head = nn.Linear(self.num_features, n_outputs)
