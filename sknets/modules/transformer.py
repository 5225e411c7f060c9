"""Self-attention encoder for sequences (n, T, F), token ids and text."""

from __future__ import annotations

import math

import torch
from torch import nn

from ._layers import SequenceModule, summarize, valid_mask

__all__ = ["TransformerNet", "sinusoidal_positions"]


def sinusoidal_positions(steps: int, d_model: int, device=None) -> torch.Tensor:
    """The fixed sine/cosine position encoding of Vaswani et al. (2017), (T, d)."""
    position = torch.arange(steps, device=device, dtype=torch.float32)[:, None]
    scale = torch.exp(
        torch.arange(0, d_model, 2, device=device, dtype=torch.float32)
        * (-math.log(10000.0) / d_model)
    )
    table = torch.zeros(steps, d_model, device=device)
    table[:, 0::2] = torch.sin(position * scale)
    table[:, 1::2] = torch.cos(position * scale)[:, : d_model // 2]
    return table


class TransformerNet(SequenceModule):
    """Input projection, sinusoidal positions, a Transformer encoder, a summary.

    Padded steps are masked out of attention (``src_key_padding_mask``) and of
    the summary, so they never change a valid step's output. With
    ``patch_size`` P > 1 the encoder reads patches instead of steps, as
    PatchTST does (Nie et al., "A Time Series is Worth 64 Words", ICLR
    2023): each run of P steps (the last one completed with zeros) is
    projected to one token, so attention costs (T / P)**2 instead of T**2
    and each token carries a local shape.

    Parameters
    ----------
    %(input)s
    d_model : int, default=64
        Width of the encoder.
    nhead : int, default=4
        Attention heads (must divide ``d_model``).
    num_layers : int, default=2
        Encoder layers.
    dim_feedforward : int, default=128
        Width of each layer's feed-forward part.
    dropout : float, default=0.1
        Dropout in the encoder.
    summary : {'mean', 'max', 'last'}, default='mean'
        How the per-step outputs become one vector.
    patch_size : int, default=1
        Steps per token.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        d_model: int = 64,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int = 128,
        dropout: float = 0.1,
        summary: str = "mean",
        patch_size: int = 1,
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        self.summary = summary
        self.d_model = d_model
        self.patch_size = patch_size
        if patch_size > 1:  # a linear map of each patch of P steps
            self.patches = nn.Conv1d(
                self.input_features, d_model, patch_size, patch_size
            )
        else:
            self.project = nn.Linear(self.input_features, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, enable_nested_tensor=False
        )
        self.norm = nn.LayerNorm(d_model)
        self.num_features = d_model
        self.head = nn.Linear(d_model, n_outputs)

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One summary vector per sample, shape (n, d_model)."""
        x = self.embed(x)
        if self.patch_size > 1:
            x, lengths = self._patch(x, lengths)
        else:
            x = self.project(x)
        steps = x.shape[1]
        h = x + sinusoidal_positions(steps, self.d_model, x.device)
        mask = None if lengths is None else ~valid_mask(lengths, steps, x.device)
        out = self.norm(self.encoder(h, src_key_padding_mask=mask))
        return summarize(out, lengths, self.summary)

    def _patch(self, x, lengths):
        """(n, T, F) steps -> (n, ceil(T / P), d_model) patch tokens, and the
        patches' lengths. Steps after a sequence's end are zeroed first, so
        its last patch is the same whatever the padding of its batch."""
        size = self.patch_size
        if lengths is not None:
            valid = valid_mask(lengths, x.shape[1], x.device)
            x = x * valid[:, :, None].to(x.dtype)
            lengths = torch.div(lengths + size - 1, size, rounding_mode="floor")
        # P - 1 zeros at the end: ceil(T / P) patches, the last one completed
        x = nn.functional.pad(x.transpose(1, 2), (0, size - 1))
        return self.patches(x).transpose(1, 2), lengths
