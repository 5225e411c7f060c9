"""Residual network for time series (Wang, Yan and Oates, 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._conv1d import ConvBlock1d, MaskedBatchNorm1d, channels_first, global_average
from ._layers import SequenceModule

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


class ResNet(SequenceModule):
    """Residual blocks of 1D convolutions, global average pooling over time and
    a linear head.

    Wang, Yan and Oates (2017), as in the review of Ismail Fawaz et al.
    (2019): three blocks of 64, 128 and 128 filters, each of three
    convolutions of widths 8, 5 and 3 with a shortcut connection. Padding
    after a sequence's end is masked out of every block and of the pooling.

    Parameters
    ----------
    input_size : int
        Features per time step (ignored with ``vocab_size``).
    n_outputs : int
        Number of outputs.
    channels : sequence of int, default=(64, 128, 128)
        Filters of each residual block.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Widths of the convolutions inside every block.
    **tokens
        ``vocab_size``, ``embedding_dim``, ``embeddings`` and
        ``freeze_embeddings``: token-id input, as in
        :class:`~sknets.modules.SequenceModule`.
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
        input_size = self.input_features
        sizes = [input_size, *channels]
        self.blocks = nn.ModuleList(
            _ResidualBlock(sizes[i], sizes[i + 1], tuple(kernel_sizes))
            for i in range(len(channels))
        )
        self.num_features = sizes[-1]
        self.head = nn.Linear(self.num_features, n_outputs)

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Average of the last block's outputs over the valid steps, (n, C)."""
        x = self.embed(x)
        x, mask = channels_first(x, lengths)
        for block in self.blocks:
            x = block(x, mask)
        return global_average(x, mask)
