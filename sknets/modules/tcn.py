"""Temporal convolutional network (Bai, Kolter and Koltun, 2018)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ._layers import SequenceModule, summarize

__all__ = ["TCN", "receptive_field"]


def receptive_field(kernel_size: int, num_levels: int) -> int:
    """Time steps one output of a TCN sees: two causal convolutions per level,
    dilation doubling at each level."""
    return 1 + 2 * (kernel_size - 1) * (2**num_levels - 1)


class _CausalConv(nn.Conv1d):
    """Conv1d that pads on the left only: output step t sees steps <= t."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        self.left = (kernel_size - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left, 0)))


class _Block(nn.Module):
    """Two dilated causal convolutions with a residual connection."""

    def __init__(
        self, in_channels, out_channels, kernel_size, dilation, dropout, batch_norm
    ):
        super().__init__()
        layers = []
        for i in range(2):
            layers += [
                _CausalConv(
                    in_channels if i == 0 else out_channels,
                    out_channels,
                    kernel_size,
                    dilation,
                ),
                nn.BatchNorm1d(out_channels) if batch_norm else nn.Identity(),
                nn.ReLU(),
                nn.Dropout(dropout),
            ]
        self.net = nn.Sequential(*layers)
        self.residual = (
            nn.Conv1d(in_channels, out_channels, 1)
            if in_channels != out_channels
            else nn.Identity()
        )

    def forward(self, x):
        return torch.relu(self.net(x) + self.residual(x))


class TCN(SequenceModule):
    """Stacked residual blocks of dilated causal 1D convolutions.

    Level ``i`` dilates its two convolutions by ``2**i``, so the receptive
    field grows exponentially with depth (see :func:`receptive_field`).
    Convolutions are causal: an output step depends on the input steps up to
    it only, so zero padding after a sequence never reaches its valid steps,
    and summaries over the valid steps make predictions independent of
    padding.

    Parameters
    ----------
    %(input)s
    num_channels : int, default=64
        Channels of every level.
    num_levels : int, default=4
        Number of residual blocks.
    kernel_size : int, default=5
        Width of each convolution.
    dropout : float, default=0.1
        Dropout after each convolution.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    summary : {'last', 'mean', 'max'}, default='max'
        How the per-step outputs become one vector: the output at the last
        valid step, or the mean or maximum over the valid steps.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        num_channels: int = 64,
        num_levels: int = 4,
        kernel_size: int = 5,
        dropout: float = 0.1,
        batch_norm: bool = True,
        summary: str = "max",
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        self.summary = summary
        self.blocks = nn.Sequential(
            *(
                _Block(
                    self.input_features if i == 0 else num_channels,
                    num_channels,
                    kernel_size,
                    2**i,
                    dropout,
                    batch_norm,
                )
                for i in range(num_levels)
            )
        )
        self.receptive_field = receptive_field(kernel_size, num_levels)
        self.num_features = num_channels
        self.head = nn.Linear(num_channels, n_outputs)

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One summary vector per sample, shape (n, num_channels)."""
        x = self.embed(x)
        out = self.blocks(x.transpose(1, 2)).transpose(1, 2)  # (n, T, C)
        return summarize(out, lengths, self.summary)
