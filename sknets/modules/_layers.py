"""Small building blocks shared by several module families."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TokenEmbedding", "token_input"]


class TokenEmbedding(nn.Embedding):
    """Embedding of token ids with id 0 as padding (a zero vector, no gradient).

    Parameters
    ----------
    num_embeddings : int
        Number of ids (padding and unknown included).
    embedding_dim : int
        Size of each vector.
    weights : array-like of shape (num_embeddings, embedding_dim) or None
        Pretrained vectors, row ``i`` for id ``i``; row 0 is set to zero.
    freeze : bool, default=False
        Keep pretrained vectors fixed during training.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        weights=None,
        freeze: bool = False,
    ):
        super().__init__(num_embeddings, embedding_dim, padding_idx=0)
        if weights is not None:
            with torch.no_grad():
                self.weight.copy_(torch.as_tensor(weights, dtype=torch.float32))
                self.weight[0].zero_()
        self.weight.requires_grad_(not freeze)


def token_input(input_size, vocab_size, embedding_dim, embeddings, freeze):
    """The input stage shared by the sequence modules.

    Returns ``(embedding, features)``: a :class:`TokenEmbedding` and its size
    when ``vocab_size`` is set (token-id input), else ``None`` and
    ``input_size`` (numeric series).
    """
    if vocab_size is None:
        return None, input_size
    return TokenEmbedding(vocab_size, embedding_dim, embeddings, freeze), embedding_dim
