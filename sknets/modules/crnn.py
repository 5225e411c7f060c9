"""CNN+RNN hybrids: a convolutional front end feeding a recurrent network."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ._conv1d import ConvFront1d
from ._layers import valid_mask
from .cnn import ConvNet
from .rnn import RecurrentNet

__all__ = ["CRNN", "FrameEncoder"]


class FrameEncoder(nn.Module):
    """A 2D CNN applied to every frame of an image sequence.

    Input (n, T, C, H, W), output (n, T, num_features). With ``lengths``,
    only the valid frames go through the CNN (padding frames are neither
    computed nor seen by batch normalisation) and padded steps hold zeros.

    Parameters
    ----------
    frame_shape : tuple of int
        (C, H, W) of one frame.
    channels, kernel_size, pooling, batch_norm
        The convolution blocks, as in :class:`~sknets.modules.ConvNet`.
    num_features : int, default=128
        Units of the dense layer that turns each frame's pooled feature map
        into its feature vector; 0 keeps the flattened map.
    grid : int, default=4
        The last feature map is average-pooled to at most ``grid`` x ``grid``
        cells, so that the features keep where things are in the frame.
    """

    def __init__(
        self,
        frame_shape: Sequence[int],
        channels: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        pooling: str = "max",
        batch_norm: bool = True,
        num_features: int = 128,
        grid: int = 4,
    ):
        super().__init__()
        c, h, w = frame_shape
        self.cnn = ConvNet(
            c,
            None,
            (h, w),
            channels=channels,
            kernel_size=kernel_size,
            convs_per_block=1,
            pooling=pooling,
            batch_norm=batch_norm,
            dropout=0.0,
            dense_units=num_features,
            head_size=grid,
        )
        self.num_features = self.cnn.num_features

    def forward(self, x, lengths=None):
        n, steps = x.shape[:2]
        if lengths is None:
            return self.cnn.forward_features(x.flatten(0, 1)).view(n, steps, -1), None
        mask = valid_mask(lengths, steps, x.device)
        out = x.new_zeros(n, steps, self.num_features)
        out[mask] = self.cnn.forward_features(x[mask])
        return out, lengths


class CRNN(RecurrentNet):
    """A convolutional front end, then a recurrent network over its outputs.

    With ``frame_shape`` the input is a sequence of images (n, T, C, H, W)
    and a :class:`FrameEncoder` turns each frame into a feature vector
    (video, gestures). Without it the input is a sequence (n, T, F) or token
    ids, shortened by :class:`ConvFront1d` before the recurrence (long
    signals, DNA). The recurrent part, summary and head are those of
    :class:`~sknets.modules.RecurrentNet`.

    Parameters
    ----------
    input_size : int
        Features per step of a sequence, or channels of a frame.
    n_outputs : int
        Number of outputs.
    frame_shape : tuple of int or None, default=None
        (C, H, W) of one frame for image-sequence input.
    channels, kernel_size, pooling, batch_norm
        The convolutional front end.
    frame_features : int, default=128
        Size of each frame's feature vector (image sequences only).
    cell : {'rnn', 'lstm', 'gru'}, default='gru'
    hidden_size : int, default=64
    num_layers : int, default=1
    bidirectional : bool, default=True
    dropout : float, default=0.0
    summary : {'last', 'mean', 'max', 'attention'}, default='attention'
        The recurrent part, as in :class:`~sknets.modules.RecurrentNet`.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        frame_shape: Sequence[int] | None = None,
        channels: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        pooling: str = "max",
        batch_norm: bool = True,
        frame_features: int = 128,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        summary: str = "attention",
        **tokens,
    ):
        def front(in_features):
            if frame_shape is not None:  # frames: in_features is their channels
                return FrameEncoder(
                    frame_shape,
                    channels,
                    kernel_size,
                    pooling,
                    batch_norm,
                    frame_features,
                )
            return ConvFront1d(in_features, channels, kernel_size, pooling, batch_norm)

        super().__init__(
            input_size,
            n_outputs,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            summary=summary,
            front=front,
            **tokens,
        )
