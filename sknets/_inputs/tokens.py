"""Token ids (a 2D integer array, 0 = padding) and raw text (str items)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import _check_feature_names

from .._constraints import POSITIVE_INT
from .._params import Attribute, Param
from ..text import (
    PAD_ID,
    UNKNOWN_ID,
    TextTokenizer,
    align_vectors,
    check_texts,
    corpus_embeddings,
    is_text,
)
from ._base import (
    InputKind,
    check_array_input,
    check_target,
    estimator_name,
    learn_features_in,
)
from .series import MAX_LENGTH

__all__ = ["TOKENS"]


def _is_integer(X):
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and not hasattr(X, "dtype"):  # DataFrame
        return all(getattr(d, "kind", "O") in "iu" for d in dtypes)
    dtype = getattr(X, "dtype", None)
    if dtype is None:  # lists, and array-likes with only __array__
        dtype = np.asarray(X).dtype
    return dtype.kind in "iu"


def _token_batch(estimator, ids):
    """Token ids as a batch: unseen ids read as unknown, lengths up to the
    last non-padding id (at least 1)."""
    if ids.shape[1] == 0:
        raise ValueError("X holds token sequences of length 0; no token to read.")
    if (ids < 0).any():
        raise ValueError(
            "X holds negative integers, which are not token ids (0 is padding, 1 "
            "unknown, 2 and above tokens). To read an integer-valued series as a "
            "series, cast it to float first: X.astype(float)."
        )
    ids = np.where(ids >= estimator.n_tokens_, UNKNOWN_ID, ids).astype(np.int64)
    nonpad = ids != PAD_ID
    last = ids.shape[1] - np.argmax(nonpad[:, ::-1], axis=1)
    lengths = np.where(nonpad.any(axis=1), last, 1)
    return {"x": torch.from_numpy(ids), "lengths": torch.from_numpy(lengths)}


class TokenInput(InputKind):
    """Token ids and raw text, as an int64 batch ``x`` (n, T) with ``lengths``.

    'tokens': a 2D integer array of token ids, 0 being padding (what
    :class:`~sknets.TextTokenizer` returns); lengths run up to the last
    non-padding id, and ids the model has not seen at fit read as unknown
    (1). 'text': a list, array or Series of str, turned into token ids by a
    clone of ``tokenizer`` fitted at fit (``tokenizer_``). A model fitted on
    text also takes token ids from its tokenizer.
    """

    name = "tokens"
    names = ("tokens", "text")
    described = "token ids and text"
    axes = frozenset({"time"})
    numeric = False
    export_refusal = (
        "Token and text models need per-sample lengths, which the export does not carry"
    )
    params = (
        Param(
            "embedding_dim",
            64,
            [POSITIVE_INT],
            "int",
            """
            Size of the token vectors, for token-id and text input (a 2D integer
            array, or strings). The number of tokens is learned at fit.""",
        ),
        Param(
            "embeddings",
            "corpus",
            [StrOptions({"corpus"}), "array-like", dict, None],
            "'corpus', array-like of shape (n_tokens, dim), dict or None",
            """
            Initial token vectors. 'corpus' learns them from the training texts
            themselves before training, without labels: positive pointwise mutual
            information of tokens within 5 positions, reduced to ``embedding_dim``
            by a truncated SVD (Levy, Goldberg and Dagan, 2015); cheap (about a
            second for 10,000 short texts), and a large gain on text when no
            pretrained vectors are at hand. None draws them at random. Pretrained
            vectors: a matrix whose row ``i`` is the vector of token id ``i`` (row 0
            padding, row 1 unknown; see :meth:`TextTokenizer.embedding_matrix`), or,
            for raw text input, a dict of token to vector aligned with the fitted
            tokenizer's vocabulary; their size replaces ``embedding_dim``.""",
        ),
        Param(
            "freeze_embeddings",
            False,
            ["boolean"],
            "bool",
            "Keep the initial ``embeddings`` fixed (True) or fine-tune them (False).",
        ),
        Param(
            "tokenizer",
            None,
            [HasMethods(["fit", "transform"]), None],
            "TextTokenizer or None",
            """
            Tokenizer for raw text input (a list, array or Series of str), cloned and
            fitted at fit as ``tokenizer_``; None uses ``TextTokenizer()``.""",
        ),
    )
    attributes = (
        Attribute(
            "n_tokens_",
            "int",
            """
            Number of token ids the embedding holds (token and text input). Larger
            ids at predict time read as unknown.""",
        ),
        Attribute(
            "tokenizer_",
            "TextTokenizer",
            "The tokenizer fitted on raw text (only after a fit on text).",
        ),
        MAX_LENGTH,
    )

    def claims(self, view, fitted_kind):
        if is_text(view.X):
            return True
        return (
            fitted_kind in (None, "tokens", "text")
            and view.arrays is None
            and view.ndim == 2
            and _is_integer(view.X)
        )

    def check(self, estimator, view, y=None, *, reset, **y_kw):
        if is_text(view.X):
            return self._check_text(estimator, view.X, y, reset, y_kw)
        X, y = check_array_input(estimator, view.X, y, reset=reset, dtype=None, **y_kw)
        if reset:
            estimator.input_kind_ = "tokens"
            learn_features_in(estimator, columns=X.shape[1])
            estimator.n_tokens_ = max(int(X.max()) + 1, 2)
        batch = _token_batch(estimator, X)
        if reset:
            estimator.max_length_ = int(batch["lengths"].max())
        return batch, y

    def _check_text(self, estimator, X, y, reset, y_kw):
        name = estimator_name(estimator)
        texts = check_texts(X, name)
        fitted_kind = None if reset else estimator.input_kind_
        if fitted_kind not in (None, "text"):
            raise ValueError(
                f"{name} was fitted on {fitted_kind}, not on raw text; pass the "
                "input in the form used at fit (or keep the TextTokenizer in the "
                "pipeline)."
            )
        y = check_target(estimator, texts, y, **y_kw)
        if reset:
            _check_feature_names(estimator, texts, reset=True)
            tokenizer = estimator.tokenizer
            tokenizer = TextTokenizer() if tokenizer is None else tokenizer
            estimator.tokenizer_ = clone(tokenizer).fit(texts)
            estimator.input_kind_ = "text"
            learn_features_in(estimator)
            estimator.n_tokens_ = estimator.tokenizer_.n_tokens_
        batch = _token_batch(estimator, estimator.tokenizer_.transform(texts))
        if reset:
            estimator.max_length_ = int(batch["lengths"].max())
        return batch, y

    def module_kwargs(self, estimator, batch=None):
        """The embedding of the module: its size, and its initial vectors
        (``embeddings='corpus'`` learns them from the training ids in
        ``batch``; a rebuilt model gets zeros, its saved vectors follow)."""
        weights = estimator.embeddings
        if weights is None:
            return {
                "input_size": 1,
                "vocab_size": estimator.n_tokens_,
                "embedding_dim": estimator.embedding_dim,
            }
        if isinstance(weights, str):  # 'corpus': learned from the training ids
            shape = (estimator.n_tokens_, estimator.embedding_dim)
            weights = (
                np.zeros(shape, dtype=np.float32)
                if batch is None
                else corpus_embeddings(batch["x"], *shape)
            )
        elif isinstance(weights, Mapping):
            weights = self._aligned(estimator, weights)
        weights = np.asarray(weights, dtype=np.float32)
        if weights.ndim != 2 or weights.shape[0] < estimator.n_tokens_:
            raise ValueError(
                f"embeddings of shape {weights.shape} do not cover the input's "
                f"{estimator.n_tokens_} token ids; {estimator_name(estimator)} needs "
                "a 2D matrix with one row per id (row 0 padding, row 1 unknown)."
            )
        estimator.n_tokens_ = weights.shape[0]
        return {
            "input_size": 1,
            "vocab_size": weights.shape[0],
            "embedding_dim": weights.shape[1],
            "embeddings": weights,
            "freeze_embeddings": estimator.freeze_embeddings,
        }

    @staticmethod
    def _aligned(estimator, vectors):
        if estimator.input_kind_ != "text":
            raise ValueError(
                f"{estimator_name(estimator)} got embeddings as a dict of token "
                "vectors, which needs raw text input (its own tokenizer). With token "
                "ids from a TextTokenizer in a pipeline, pass the matrix "
                "tokenizer.embedding_matrix(vectors) instead."
            )
        tokenizer = estimator.tokenizer_
        return align_vectors(vectors, tokenizer.vocabulary_, estimator.n_tokens_)


TOKENS = TokenInput()
