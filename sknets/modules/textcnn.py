"""Convolutional sequence classifier with max-over-time pooling (Kim, 2014)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._layers import SequenceModule, valid_mask

__all__ = ["TextCNN"]


class TextCNN(SequenceModule):
    """Parallel 1D convolutions of several widths, max-pooled over time.

    Kim, "Convolutional Neural Networks for Sentence Classification" (2014):
    each kernel width looks at n-grams of that many steps; the maximum of each
    filter over the valid positions of a sequence is its feature, so padding
    never counts and the output does not depend on the sequence length.

    Parameters
    ----------
    %(input)s
    kernel_sizes : sequence of int, default=(3, 4, 5)
        Widths of the parallel convolutions.
    num_filters : int, default=100
        Filters per width.
    dropout : float, default=0.5
        Dropout before the output layer.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        kernel_sizes: Sequence[int] = (3, 4, 5),
        num_filters: int = 100,
        dropout: float = 0.5,
        embedding_dim: int = 128,
        **tokens,
    ):
        super().__init__(input_size, embedding_dim=embedding_dim, **tokens)
        self.convs = nn.ModuleList(
            nn.Conv1d(self.input_features, num_filters, k, padding=k // 2)
            for k in kernel_sizes
        )
        self.num_features = num_filters * len(kernel_sizes)
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(self.num_features, n_outputs)
        )

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Max over the valid positions of each filter, shape (n, num_features)."""
        x = self.embed(x)
        x = x.transpose(1, 2)  # (n, F, T) for Conv1d
        steps = x.shape[2]
        if lengths is not None:
            valid = valid_mask(lengths, steps, x.device)
        pooled = []
        for conv in self.convs:
            out = torch.relu(conv(x))[:, :, :steps]
            if lengths is not None:
                out = out.masked_fill(~valid[:, None, :], float("-inf"))
            pooled.append(out.amax(dim=2))
        return torch.cat(pooled, dim=1)
