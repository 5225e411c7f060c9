"""Fully convolutional network for time series (Wang, Yan and Oates, 2017)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ._conv1d import AveragedBlocks, ConvBlock1d

__all__ = ["FCN"]


class FCN(AveragedBlocks):
    """Convolution blocks (convolution, batch norm, ReLU) without pooling, then
    global average pooling over time and a linear head.

    Wang, Yan and Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017: three blocks of 128, 256
    and 128 filters of widths 8, 5 and 3. Padding after a sequence's end is
    masked out of every block and of the pooling.

    Parameters
    ----------
    %(input)s
    channels : sequence of int, default=(128, 256, 128)
        Filters of each block.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Width of each block's convolution (one per block).
    %(tokens)s
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
        sizes = [self.input_features, *channels]
        self.blocks = nn.ModuleList(
            ConvBlock1d(sizes[i], sizes[i + 1], k) for i, k in enumerate(kernel_sizes)
        )
        self.num_features = sizes[-1]
        self.head = nn.Linear(self.num_features, n_outputs)
