"""InceptionTime for time series (Ismail Fawaz et al., 2020)."""

from __future__ import annotations

import torch
from torch import nn

from ._conv1d import (
    ConvBlock1d,
    MaskedBatchNorm1d,
    SameConv1d,
    channels_first,
    global_average,
    max_pool_same,
)
from ._layers import SequenceModule

__all__ = ["InceptionTime"]


class _InceptionModule(nn.Module):
    """A 1x1 bottleneck, three convolutions of decreasing width on its output
    and a max pooling + 1x1 convolution branch, concatenated, batch norm,
    ReLU: (n, C, T) -> (n, 4 * num_filters, T)."""

    def __init__(self, in_channels, num_filters, kernel_size, bottleneck_size):
        super().__init__()
        widths = [max(kernel_size // 2**i, 1) for i in range(3)]
        use_bottleneck = bottleneck_size > 0 and in_channels > 1
        self.bottleneck = (
            nn.Conv1d(in_channels, bottleneck_size, 1, bias=False)
            if use_bottleneck
            else None
        )
        inner = bottleneck_size if use_bottleneck else in_channels
        self.convs = nn.ModuleList(
            SameConv1d(inner, num_filters, k, bias=False) for k in widths
        )
        self.pool_conv = nn.Conv1d(in_channels, num_filters, 1, bias=False)
        self.bn = MaskedBatchNorm1d(4 * num_filters)

    def forward(self, x, mask=None):
        if mask is not None:
            x = x * mask
        inner = x if self.bottleneck is None else self.bottleneck(x)
        branches = [conv(inner) for conv in self.convs]
        branches.append(self.pool_conv(max_pool_same(x, mask)))
        return torch.relu(self.bn(torch.cat(branches, dim=1), mask))


class _InceptionNetwork(nn.Module):
    """``depth`` inception modules with a shortcut around every three."""

    def __init__(self, in_channels, num_filters, depth, kernel_size, bottleneck_size):
        super().__init__()
        width = 4 * num_filters
        self.blocks = nn.ModuleList(
            _InceptionModule(
                in_channels if d == 0 else width,
                num_filters,
                kernel_size,
                bottleneck_size,
            )
            for d in range(depth)
        )
        self.shortcuts = nn.ModuleList(
            ConvBlock1d(in_channels if d == 2 else width, width, 1, activation=False)
            for d in range(2, depth, 3)
        )
        self.num_features = width

    def forward(self, x, mask=None):
        residual = x
        for d, block in enumerate(self.blocks):
            x = block(x, mask)
            if d % 3 == 2:
                x = torch.relu(x + self.shortcuts[d // 3](residual, mask))
                residual = x
        return global_average(x, mask)


class _EnsembleHead(nn.Module):
    """One linear output layer per network of an ensemble. In training mode
    the members' outputs are stacked along the batch axis (each member is
    scored against the targets on its own, so the members train
    independently); in evaluation mode they are averaged."""

    def __init__(self, n_networks, num_features, n_outputs):
        super().__init__()
        self.n_networks = n_networks
        self.layers = nn.ModuleList(
            nn.Linear(num_features, n_outputs) for _ in range(n_networks)
        )

    def forward(self, features):
        parts = features.chunk(self.n_networks, dim=1)
        outputs = [layer(part) for layer, part in zip(self.layers, parts)]
        if self.training and self.n_networks > 1:
            return torch.cat(outputs, dim=0)
        return torch.stack(outputs).mean(dim=0)


class InceptionTime(SequenceModule):
    """An ensemble of Inception networks for time series.

    Ismail Fawaz et al., "InceptionTime: Finding AlexNet for Time Series
    Classification", Data Mining and Knowledge Discovery, 2020. Each network
    stacks ``depth`` inception modules (a bottleneck, convolutions of widths
    ``kernel_size``, ``kernel_size // 2`` and ``kernel_size // 4``, and a max
    pooling branch) with a residual connection around every three, then
    global average pooling. The ``n_networks`` networks start from different
    random weights and are trained independently on the same batches; their
    outputs (logits) are averaged. Padding after a sequence's end is masked
    out of every module and of the pooling.

    Parameters
    ----------
    %(input)s
    num_filters : int, default=32
        Filters of each branch (a module outputs four times as many).
    depth : int, default=6
        Inception modules per network.
    kernel_size : int, default=40
        Width of the widest convolution.
    bottleneck_size : int, default=32
        Channels of the 1x1 bottleneck (0 for none).
    n_networks : int, default=1
        Networks in the ensemble.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        num_filters: int = 32,
        depth: int = 6,
        kernel_size: int = 40,
        bottleneck_size: int = 32,
        n_networks: int = 1,
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        self.networks = nn.ModuleList(
            _InceptionNetwork(
                self.input_features, num_filters, depth, kernel_size, bottleneck_size
            )
            for _ in range(n_networks)
        )
        width = self.networks[0].num_features
        self.num_features = width * n_networks
        self.head = _EnsembleHead(n_networks, width, n_outputs)

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The pooled features of every network, side by side: (n, n_networks
        * 4 * num_filters)."""
        x = self.embed(x)
        x, mask = channels_first(x, lengths)
        return torch.cat([network(x, mask) for network in self.networks], dim=1)
