"""Recurrent network for sequences (n, T, F), with optional lengths."""

from __future__ import annotations

import torch
from torch import nn

from ._layers import AttentionPool, SequenceModule, summarize

__all__ = ["RecurrentNet", "StackedRecurrence", "reverse_padded", "windows"]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Reverse each sequence of a padded batch (n, T, F) within its own
    length; the padding stays at the end. Without lengths, flip the time axis."""
    if lengths is None:
        return x.flip(1)
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    lengths = lengths.to(x.device)[:, None]
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    return x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))


def windows(
    x: torch.Tensor, lengths: torch.Tensor | None, size: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Overlapping windows of ``size`` steps, ``size // 2`` apart (at least 1),
    of a padded batch (n, T, F).

    Returns ``(parts, part_lengths, valid)``: the windows as one batch
    (n * K, size, F), sample by sample, one starting at every multiple of
    the stride below T; the valid steps of each window (n * K,), at least 1;
    and which windows belong to their sample (n, K): the first, and each one
    that reaches steps past the window before it (always a row's first
    windows, so their count is a length). Windows start at the same
    steps of every sequence, so a sample's windows do not depend on how long
    the padded batch is. Only tensor operations on T: an ONNX export keeps
    the length dynamic.
    """
    n, steps, features = x.shape
    stride = max(size // 2, 1)
    starts = torch.arange(0, steps, stride, device=x.device)
    index = starts[:, None] + torch.arange(size, device=x.device)[None, :]
    # `size` zeros at the end: every window is complete
    padded = nn.functional.pad(x, (0, 0, 0, size))
    parts = padded[:, index].reshape(-1, size, features)
    if lengths is None:
        remaining = (steps - starts)[None, :].expand(n, -1)
    else:
        remaining = lengths.to(x.device)[:, None] - starts[None, :]
    valid = (starts[None, :] == 0) | (remaining > size - stride)
    part_lengths = remaining.clamp(1, size).reshape(-1)
    return parts, part_lengths, valid


class StackedRecurrence(nn.Module):
    """Stacked recurrent layers that read padded batches exactly, without
    packing.

    The forward direction of each layer reads the padded batch as it is: a
    step's output depends on the steps before it only, so the padding after a
    sequence never reaches its valid steps. The backward direction reads each
    sequence reversed within its own length (:func:`reverse_padded`), so it
    starts at the sequence's last valid step, and its outputs are put back in
    order. This is what packing achieves, at the speed of a plain recurrent
    layer over a dense tensor (packed sequences are slow on the CPU).

    Parameters
    ----------
    cell : {'rnn', 'lstm', 'gru'}
        Recurrent cell.
    input_size, hidden_size : int
        Features in, features of the hidden state of each direction.
    num_layers : int, default=1
        Stacked layers; each reads the concatenated directions of the one
        before.
    bidirectional : bool, default=False
        Whether each layer also reads the sequences backwards.
    dropout : float, default=0.0
        Dropout on the outputs of every layer but the last.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ):
        super().__init__()
        directions = 2 if bidirectional else 1
        self.layers = nn.ModuleList(
            nn.ModuleList(
                _CELLS[cell](
                    input_size if i == 0 else hidden_size * directions,
                    hidden_size,
                    batch_first=True,
                )
                for _ in range(directions)
            )
            for i in range(num_layers)
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None):
        """Outputs (n, T, hidden_size * directions), forward directions first;
        steps beyond a sequence's length hold values that mean nothing."""
        for i, layer in enumerate(self.layers):
            if i:
                x = self.dropout(x)
            out = [layer[0](x)[0]]
            if len(layer) == 2:
                backward = layer[1](reverse_padded(x, lengths))[0]
                out.append(reverse_padded(backward, lengths))
            x = torch.cat(out, dim=2) if len(out) == 2 else out[0]
        return x


class RecurrentNet(SequenceModule):
    """An RNN, LSTM or GRU over the time axis, summarised, then a linear head.

    Variable-length batches (``lengths`` given) are read exactly by
    :class:`StackedRecurrence`: padded steps never reach a valid step's
    output, so a sample's output does not depend on the other samples of its
    batch, without the cost of packed sequences.

    Parameters
    ----------
    %(input)s
    cell : {'rnn', 'lstm', 'gru'}, default='rnn'
        Recurrent cell.
    hidden_size : int, default=128
        Features of the hidden state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Whether to also run the sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    summary : {'last', 'mean', 'max', 'attention'}, default='attention'
        How the per-step outputs become one vector: the final hidden state
        (forward and backward states concatenated when bidirectional), the
        mean or maximum over the valid steps, or their weighted sum with
        learned attention weights (:class:`~sknets.modules.AttentionPool`).
    front : callable or None, default=None
        Builds a stage between the input (or the token embedding) and the
        recurrent layers: called with the number of features per input step
        (``embedding_dim`` for token ids), it returns a module whose
        ``forward(x, lengths)`` takes (n, T, ...) input and returns
        ``(features, lengths)`` with features (n, T', module.num_features).
        :class:`~sknets.modules.CRNN` builds its convolutional front end here.
    window : int or None, default=None
        When set, the recurrent layers read overlapping windows of this many
        steps (of the front's output), half a window apart (:func:`windows`),
        instead of the whole sequence; each window is summarised over its own
        steps as ``summary`` says, and the model pools the windows' summaries
        by their maximum and their mean (concatenated: ``num_features`` is
        twice the recurrent width), so that it finds a local pattern wherever
        it occurs. Padding never counts: a window holds only its sample's own
        steps, and windows past a sample's end are left out.
    %(tokens)s
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        cell: str = "rnn",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        summary: str = "attention",
        front=None,
        window: int | None = None,
        **tokens,
    ):
        super().__init__(input_size, **tokens)
        input_size = self.input_features
        self.front = None if front is None else front(input_size)
        if self.front is not None:
            input_size = self.front.num_features
        self.cell = cell
        self.summary = summary
        self.bidirectional = bidirectional
        self.rnn = StackedRecurrence(
            cell, input_size, hidden_size, num_layers, bidirectional, dropout
        )
        self.window = window
        width = hidden_size * (2 if bidirectional else 1)
        self.attention = AttentionPool(width) if summary == "attention" else None
        self.num_features = width * (2 if window else 1)
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(self.num_features, n_outputs)
        )

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One summary vector per sample, shape (n, num_features)."""
        x = self.embed(x)
        if self.front is not None:
            x, lengths = self.front(x, lengths)
        if not self.window:
            return self._summarize(self.rnn(x, lengths), lengths)
        parts, part_lengths, valid = windows(x, lengths, self.window)
        summaries = self._summarize(self.rnn(parts, part_lengths), part_lengths)
        summaries = summaries.view(*valid.shape, -1)
        # a sample's windows are the first ones: their count is a length
        count = valid.sum(dim=1)
        peak = summarize(summaries, count, "max")
        return torch.cat([peak, summarize(summaries, count, "mean")], dim=1)

    def _summarize(self, out, lengths):
        """One vector per sequence from the recurrent outputs (n, T, H)."""
        if self.summary == "last":
            # the final state of each direction: the forward output at the
            # last valid step, the backward output at the first step
            last = summarize(out, lengths, "last")
            if self.bidirectional:
                half = out.shape[2] // 2
                return torch.cat([last[:, :half], out[:, 0, half:]], dim=1)
            return last
        if self.attention is not None:
            return self.attention(out, lengths)
        return summarize(out, lengths, self.summary)
