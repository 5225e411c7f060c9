"""Convolutional network for image arrays (n, C, H, W)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["ConvNet"]


class ConvNet(nn.Module):
    """Blocks of 3x3-style convolutions with pooling, then a dense head.

    Each block is ``convs_per_block`` times (convolution, optional batch norm,
    ReLU), followed by 2x2 pooling on every spatial axis still longer than 1.
    Pooling that would shrink an axis below 1 is skipped, so the network adapts
    to any image size, from 1x1 up. The last feature map is pooled to at most
    ``head_size`` x ``head_size`` (adaptive average pooling), flattened, and
    passed through dropout and an optional hidden dense layer: that is the
    feature part (``forward_features``). The head is the output layer alone.

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    n_outputs : int or None
        Number of outputs (classes for a classifier); None for a feature
        extractor without an output layer (``head`` is the identity), as in
        the frame encoder of :class:`~sknets.modules.CRNN`.
    input_size : tuple of int
        (H, W) of the input images; used to decide where to pool.
    channels : sequence of int, default=(32, 64)
        Output channels of each block; one block per entry.
    kernel_size : int, default=3
        Convolution kernel size ('same' padding).
    convs_per_block : int, default=2
        Convolutions in each block.
    pooling : {'max', 'avg'}, default='max'
        Pooling between blocks.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    dropout : float, default=0.25
        Dropout before the hidden and the output dense layer.
    dense_units : int, default=128
        Units of the hidden dense layer; 0 for none.
    head_size : int, default=2
        Side of the adaptive average pooling before the head.
    """

    def __init__(
        self,
        in_channels: int,
        n_outputs: int | None,
        input_size: tuple[int, int],
        channels: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        convs_per_block: int = 2,
        pooling: str = "max",
        batch_norm: bool = True,
        dropout: float = 0.25,
        dense_units: int = 128,
        head_size: int = 2,
    ):
        super().__init__()
        pool = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}[pooling]
        layers: list[nn.Module] = []
        height, width = input_size
        prev = in_channels
        for out in channels:
            for _ in range(convs_per_block):
                layers += [
                    nn.Conv2d(
                        prev,
                        out,
                        kernel_size,
                        padding=kernel_size // 2,
                        bias=not batch_norm,
                    ),
                    *([nn.BatchNorm2d(out)] if batch_norm else []),
                    nn.ReLU(inplace=True),
                ]
                prev = out
                # even kernels grow the map by one with padding k // 2
                height += 1 - kernel_size % 2
                width += 1 - kernel_size % 2
            kh, kw = min(2, height), min(2, width)
            if kh > 1 or kw > 1:
                layers.append(pool((kh, kw), ceil_mode=True))
                height, width = -(-height // kh), -(-width // kw)
        self.features = nn.Sequential(*layers)
        head_h, head_w = min(head_size, height), min(head_size, width)
        self.pool = nn.AdaptiveAvgPool2d((head_h, head_w))
        flat = prev * head_h * head_w
        neck: list[nn.Module] = [nn.Flatten(), nn.Dropout(dropout)]
        if dense_units:
            neck += [
                nn.Linear(flat, dense_units),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
            ]
        self.neck = nn.Sequential(*neck)
        self.num_features = dense_units or flat
        self.head = (
            nn.Identity()
            if n_outputs is None
            else nn.Linear(self.num_features, n_outputs)
        )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Feature vector of each image, shape (n, num_features): the
        convolution blocks, pooling and the hidden dense layer."""
        return self.neck(self.pool(self.features(x)))

    def get_head(self) -> nn.Module:
        """The output layer, which transfer learning replaces and leaves
        unfrozen (as timm's ``get_classifier``)."""
        return self.head

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Logits (or raw regression outputs): the output layer alone, which
        transfer learning replaces."""
        return self.head(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
