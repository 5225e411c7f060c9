"""Fully convolutional network for time series (Wang, Yan and Oates, 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._conv1d import ConvBlock1d, channels_first, global_average
from ._layers import SequenceModule

__all__ = ["FCN"]


class FCN(SequenceModule):
    """Convolution blocks (convolution, batch norm, ReLU) without pooling, then
    global average pooling over time and a linear head.

    Wang, Yan and Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017: three blocks of 128, 256
    and 128 filters of widths 8, 5 and 3. Padding after a sequence's end is
    masked out of every block and of the pooling.

    Parameters
    ----------
    input_size : int
        Features per time step (ignored with ``vocab_size``).
    n_outputs : int
        Number of outputs.
    channels : sequence of int, default=(128, 256, 128)
        Filters of each block.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Width of each block's convolution (one per block).
    **tokens
        ``vocab_size``, ``embedding_dim``, ``embeddings`` and
        ``freeze_embeddings``: token-id input, as in
        :class:`~sknets.modules.SequenceModule`.
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        channels: Sequence[int] = (128, 256, 128),
        kernel_sizes: Sequence[int] = (8, 5, 3),
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        if len(channels) != len(kernel_sizes):
            raise ValueError(
                f"FCN needs one kernel size per block: {len(channels)} blocks of "
                f"channels {tuple(channels)}, kernel sizes {tuple(kernel_sizes)}."
            )
        input_size = self.input_features
        sizes = [input_size, *channels]
        self.blocks = nn.ModuleList(
            ConvBlock1d(sizes[i], sizes[i + 1], k) for i, k in enumerate(kernel_sizes)
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
