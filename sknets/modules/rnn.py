"""Recurrent network for sequences (n, T, F), with optional lengths."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._layers import AttentionPool, SequenceModule, summarize, token_input

__all__ = ["RecurrentNet"]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentNet(SequenceModule):
    """An RNN, LSTM or GRU over the time axis, summarised, then a linear head.

    Variable-length batches (``lengths`` given) are packed with
    ``pack_padded_sequence``, so padded steps never enter the recurrence and a
    sample's output does not depend on the other samples of its batch.

    Parameters
    ----------
    input_size : int
        Features per time step.
    n_outputs : int
        Number of outputs (classes for a classifier).
    cell : {'rnn', 'lstm', 'gru'}, default='lstm'
        Recurrent cell.
    hidden_size : int, default=64
        Features of the hidden state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Whether to also run the sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    summary : {'last', 'mean', 'max', 'attention'}, default='last'
        How the per-step outputs become one vector: the final hidden state
        (forward and backward states concatenated when bidirectional), the
        mean or maximum over the valid steps, or their weighted sum with
        learned attention weights (:class:`~sknets.modules.AttentionPool`).
    vocab_size : int or None, default=None
        When set, the input is integer token ids (0 = padding) that go through
        a :class:`TokenEmbedding` of ``embedding_dim`` first; ``input_size``
        is then ignored.
    embedding_dim : int, default=64
        Size of the token vectors.
    embeddings : array-like of shape (vocab_size, embedding_dim) or None
        Pretrained token vectors.
    freeze_embeddings : bool, default=False
        Keep the token vectors fixed.
    front : torch.nn.Module or None, default=None
        A stage between the input (or the token embedding) and the recurrent
        layers: ``front(x, lengths)`` takes (n, T, ...) input and returns
        ``(features, lengths)`` with features (n, T', front.num_features).
        :class:`~sknets.modules.CRNN` passes its convolutional front end here.
    """

    def __init__(
        self,
        input_size: int,
        n_outputs: int,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        summary: str = "last",
        vocab_size: int | None = None,
        embedding_dim: int = 64,
        embeddings=None,
        freeze_embeddings: bool = False,
        front: nn.Module | None = None,
    ):
        super().__init__()
        self.embedding, input_size = token_input(
            input_size, vocab_size, embedding_dim, embeddings, freeze_embeddings
        )
        self.front = front
        if front is not None:
            input_size = front.num_features
        self.cell = cell
        self.summary = summary
        self.bidirectional = bidirectional
        self.rnn = _CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        self.num_features = hidden_size * (2 if bidirectional else 1)
        self.attention = (
            AttentionPool(self.num_features) if summary == "attention" else None
        )
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(self.num_features, n_outputs)
        )

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One summary vector per sample, shape (n, num_features)."""
        if self.embedding is not None:
            x = self.embedding(x)
        if self.front is not None:
            x, lengths = self.front(x, lengths)
        if lengths is not None:
            packed = pack_padded_sequence(
                x, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            out, state = self.rnn(packed)
        else:
            out, state = self.rnn(x)
        if self.summary == "last":
            h_n = state[0] if self.cell == "lstm" else state
            if self.bidirectional:
                return torch.cat([h_n[-2], h_n[-1]], dim=1)
            return h_n[-1]
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        if self.attention is not None:
            return self.attention(out, lengths)
        return summarize(out, lengths, self.summary)
