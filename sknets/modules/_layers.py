"""Small building blocks shared by several module families."""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "AttentionPool",
    "SequenceModule",
    "TokenEmbedding",
    "summarize",
    "token_input",
    "valid_mask",
]


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


def valid_mask(lengths, steps, device):
    """(n, steps) boolean mask, True at the valid (non-padding) steps."""
    return torch.arange(steps, device=device)[None, :] < lengths.to(device)[:, None]


def summarize(outputs, lengths, how):
    """Summarise per-step outputs (n, T, H) over the valid steps of each sample.

    ``how`` is 'mean', 'max' or 'last' (the output at the last valid step);
    padded steps (beyond ``lengths``) never count.
    """
    if how == "last":
        if lengths is None:
            return outputs[:, -1]
        last = (lengths.to(outputs.device) - 1)[:, None, None]
        return outputs.gather(1, last.expand(-1, 1, outputs.shape[2]))[:, 0]
    if lengths is None:
        return outputs.mean(dim=1) if how == "mean" else outputs.amax(dim=1)
    mask = valid_mask(lengths, outputs.shape[1], outputs.device)[:, :, None]
    if how == "mean":
        total = (outputs * mask).sum(dim=1)
        return total / lengths.to(outputs.device)[:, None].to(outputs.dtype)
    return outputs.masked_fill(~mask, float("-inf")).amax(dim=1)


class AttentionPool(nn.Module):
    """Attention pooling over time (Bahdanau-style additive scores).

    Each step's output ``h_t`` gets a score ``v . tanh(W h_t)``; the scores
    are softmax-normalised over the valid steps of each sample (padding gets
    weight 0) and the summary is the weighted sum of the outputs. The model
    learns which steps matter instead of using the last one or an average.

    Parameters
    ----------
    num_features : int
        Size of each step's output.
    hidden_size : int or None, default=None
        Size of the scoring layer; None uses ``num_features``.
    """

    def __init__(self, num_features: int, hidden_size: int | None = None):
        super().__init__()
        hidden_size = hidden_size or num_features
        self.proj = nn.Linear(num_features, hidden_size)
        self.score = nn.Linear(hidden_size, 1, bias=False)

    def weights(self, outputs, lengths=None):
        """Attention weights (n, T), summing to 1 over the valid steps."""
        scores = self.score(torch.tanh(self.proj(outputs)))[..., 0]
        if lengths is not None:
            mask = valid_mask(lengths, outputs.shape[1], outputs.device)
            scores = scores.masked_fill(~mask, float("-inf"))
        return torch.softmax(scores, dim=1)

    def forward(self, outputs, lengths=None):
        return torch.einsum("nt,nth->nh", self.weights(outputs, lengths), outputs)


#: numpydoc entries every sequence module's docstring shares, by marker
SHARED_DOCS = {
    "input": """input_size : int
        Features per time step (ignored with ``vocab_size``).
    n_outputs : int
        Number of outputs (classes for a classifier).""",
    "tokens": """**tokens
        ``vocab_size``, ``embedding_dim``, ``embeddings`` and
        ``freeze_embeddings``: token-id input, as in
        :class:`~sknets.modules.SequenceModule`.""",
}


class SequenceModule(nn.Module):
    """Base class of the sequence modules, and of your own for ``module=``.

    A subclass builds its layers in ``__init__``, sets ``self.head`` (the
    output layer, which transfer learning replaces) and implements
    ``forward_features(x, lengths=None)``, which returns one feature vector
    per sample; ``forward(x, lengths)`` is then
    ``forward_head(forward_features(x, lengths))``. ``x`` is a batch of
    series (n, T, F) (or token ids (n, T)); ``lengths`` (n,) is given when
    the sequences of a batch have different lengths, which are then
    zero-padded after their end, and is None when every sequence fills the
    batch. :func:`valid_mask` and :func:`summarize` (and
    :class:`AttentionPool`) keep padding out of a result.

    An sknets sequence estimator calls a module class as
    ``module(input_size=F, n_outputs=k)`` for series, and with
    ``vocab_size``, ``embedding_dim``, ``embeddings`` and
    ``freeze_embeddings`` for token ids and text: pass those on to
    ``SequenceModule.__init__``, which builds that input stage
    (``self.embedding`` and ``self.input_features``), and start
    ``forward_features`` with ``x = self.embed(x)``.

    Parameters
    ----------
    input_size : int or None, default=None
        Features per time step of a numeric series (ignored with
        ``vocab_size``).
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

    Examples
    --------
    >>> import torch
    >>> from sknets.modules import SequenceModule, summarize
    >>> class MeanPoolNet(SequenceModule):
    ...     def __init__(self, input_size, n_outputs):
    ...         super().__init__()
    ...         self.proj = torch.nn.Linear(input_size, 16)
    ...         self.head = torch.nn.Linear(16, n_outputs)
    ...
    ...     def forward_features(self, x, lengths=None):
    ...         return summarize(torch.relu(self.proj(x)), lengths, "mean")
    >>> net = MeanPoolNet(input_size=3, n_outputs=2)
    >>> net(torch.zeros(4, 7, 3), torch.tensor([7, 5, 2, 1])).shape
    torch.Size([4, 2])
    """

    def __init_subclass__(cls, **kwargs):
        """Fill the shared entries of a subclass's docstring: ``%(input)s``
        (``input_size`` and ``n_outputs``) and ``%(tokens)s`` (``**tokens``),
        as matplotlib's ``_docstring.interpd`` fills its own."""
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            for key, text in SHARED_DOCS.items():
                cls.__doc__ = cls.__doc__.replace(f"%({key})s", text)

    def __init__(
        self,
        input_size: int | None = None,
        *,
        vocab_size: int | None = None,
        embedding_dim: int = 64,
        embeddings=None,
        freeze_embeddings: bool = False,
    ):
        """The input stage: a :class:`TokenEmbedding` (``self.embedding``)
        when ``vocab_size`` is set, for token ids, else None; and the number
        of features each step then has (``self.input_features``)."""
        super().__init__()
        self.embedding, self.input_features = token_input(
            input_size, vocab_size, embedding_dim, embeddings, freeze_embeddings
        )

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Token ids (n, T) as their vectors (n, T, embedding_dim); a numeric
        series as it is."""
        return x if self.embedding is None else self.embedding(x)

    def forward_features(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One feature vector per sample, shape (n, num_features)."""
        raise NotImplementedError

    def get_head(self) -> nn.Module:
        """The output layer, which transfer learning replaces and leaves
        unfrozen (``self.head``; as timm's ``get_classifier``)."""
        return self.head

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """Logits (or raw regression outputs) from the feature vectors."""
        return self.head(features)

    def forward(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.forward_head(self.forward_features(x, lengths))
