"""TextTokenizer: texts to padded integer id sequences, inside a Pipeline."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._constraints import POSITIVE_INT
from ._registry import register
from .persistence import restore_fitted

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

__all__ = ["TextTokenizer", "check_texts", "is_text"]

PAD_ID = 0
UNKNOWN_ID = 1


def is_text(X) -> bool:
    """Whether X is a collection of texts (str items), not numbers or arrays;
    a single column of texts (a one-column DataFrame, an (n, 1) array) is one,
    and a table whose first cell is a str that is not a number is text in
    several columns (which :func:`check_texts` refuses with a clear message;
    a table of numbers written as strings is numeric input)."""
    if isinstance(X, str):
        return False
    X = _one_column(X)
    if _is_table(X) and X.shape[0] and X.shape[1]:
        first = X.iloc[0, 0] if hasattr(X, "iloc") else X[0, 0]
        return isinstance(first, str) and not _is_number(first)
    if hasattr(X, "dtype") and getattr(X, "ndim", 1) == 1:
        if X.dtype.kind in "US":
            return True
        if X.dtype.kind != "O":
            return False
    elif not isinstance(X, (list, tuple)):
        return False
    first = next((x for x in X if not _is_missing(x)), None)
    return isinstance(first, str)


def _one_column(X):
    """The column of a 2D X with one column (a DataFrame or an array), as
    ``df[["text"]]`` selects it; any other X as it is."""
    if _is_table(X) and X.shape[1] == 1:
        return X.iloc[:, 0] if hasattr(X, "iloc") else X[:, 0]
    return X


def _is_table(X):
    """A 2D numpy array or a DataFrame (not a sparse matrix)."""
    return isinstance(X, (np.ndarray, pd.DataFrame)) and X.ndim == 2


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_missing(value):
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (type(value).__name__ in ("NAType", "NaTType"))
    )


def check_texts(X, name="TextTokenizer"):
    """The texts of X as a list of str, with a clear error for anything else.

    Missing values (None, NaN, pandas NA) are an error that names their
    position: fill them first, for example with ``X.fillna("")``.
    """
    if isinstance(X, str):
        raise TypeError(
            f"{name} expects a collection of texts (list, numpy array or pandas "
            "Series of str), got a single str. Wrap it in a list."
        )
    X = _one_column(X)
    values = X.to_numpy() if hasattr(X, "to_numpy") else X
    if hasattr(values, "ndim") and values.ndim != 1:
        raise ValueError(
            f"{name} expects a 1D collection of texts (or one column of them), got "
            f"an array of shape {values.shape}; join several text columns into "
            "one first."
        )
    texts = list(values)
    if not texts:
        raise ValueError(f"{name} got an empty collection of texts.")
    for i, text in enumerate(texts):
        if isinstance(text, str):
            continue
        if _is_missing(text):
            raise ValueError(
                f"Text {i} of X is missing ({text!r}); fill missing texts first, "
                "for example with X.fillna('')."
            )
        decode = (
            " (decode bytes first, for example [t.decode('utf-8') for t in X])"
            if isinstance(text, bytes)
            else ""
        )
        raise TypeError(
            f"Text {i} of X is a {type(text).__name__} ({text!r:.40}), not a str; "
            f"every item of a text collection must be a string{decode}."
        )
    return texts


@register
class TextTokenizer(TransformerMixin, BaseEstimator):
    """Turn texts into padded sequences of integer token ids.

    ``fit`` learns a vocabulary; ``transform`` maps each text to the ids of its
    tokens, truncated or padded to ``max_len``: 0 is padding, 1 an unknown
    token (not in the vocabulary), and the vocabulary's tokens get ids from 2
    on, the most frequent first. Tokens are produced by scikit-learn's own
    ``CountVectorizer(...).build_analyzer()``, so ``analyzer``, ``lowercase``,
    ``strip_accents``, ``token_pattern`` and ``stop_words`` mean what they mean
    there. The output feeds the recurrent and convolutional sequence
    estimators, which read integer input as token ids.

    Parameters
    ----------
    analyzer : {'word', 'char'} or callable, default='word'
        'word' splits into words with ``token_pattern``; 'char' into single
        characters (for DNA or protein strings and languages written without
        spaces); a callable maps one text to its list of tokens.
    lowercase : bool, default=True
        Lowercase texts before tokenizing.
    strip_accents : {'ascii', 'unicode'} or None, default=None
        Remove accents, as in ``CountVectorizer``.
    token_pattern : str, default=r"(?u)\\b\\w+\\b"
        Regular expression of a word for ``analyzer='word'``. Unlike
        ``CountVectorizer``'s default, one-letter words are kept.
    stop_words : {'english'}, list or None, default=None
        Words to drop, as in ``CountVectorizer``.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        As in ``CountVectorizer``: with (1, 2), the word bigrams of a text
        follow its words as extra tokens (scikit-learn's analyzer order).
    min_freq : int, default=1
        Tokens seen fewer times than this at fit are unknown.
    max_vocab : int or None, default=None
        Keep at most this many tokens, the most frequent (ties in order of
        first appearance); None keeps all.
    max_len : int or None, default=None
        Length of the output rows: longer texts are truncated, shorter ones
        padded. None uses the longest text seen at fit.
    truncating : {'post', 'pre'}, default='post'
        Cut the end ('post') or the start ('pre') of a long text.
    vocabulary : list of str, dict of str to int, or None, default=None
        A fixed vocabulary instead of one learned at fit, for example the
        words of pretrained vectors: a list gives ids 2, 3, ... in its order;
        a dict gives each token its id (ids from 2 on, no gaps).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id (ids start at 2; 0 is padding and 1 unknown).
    max_len_ : int
        Length of the transformed rows.
    n_tokens_ : int
        Number of ids in use, padding and unknown included (the embedding
        size a model needs).

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts.

    Notes
    -----
    An empty text (or one whose tokens were all dropped) becomes a single
    unknown token, so that every row holds at least one step.

    Examples
    --------
    >>> from sknets import TextTokenizer
    >>> tok = TextTokenizer().fit(["the cat sat", "the dog"])
    >>> tok.transform(["the cat ran"])
    array([[2, 3, 1]])
    >>> tok.inverse_transform([[2, 3, 1]])
    [['the', 'cat', '<unk>']]
    """

    _parameter_constraints: dict = {
        "analyzer": [StrOptions({"word", "char"}), callable],
        "lowercase": ["boolean"],
        "strip_accents": [StrOptions({"ascii", "unicode"}), None],
        "token_pattern": [str],
        "stop_words": [StrOptions({"english"}), list, None],
        "ngram_range": [tuple],
        "min_freq": [POSITIVE_INT],
        "max_vocab": [POSITIVE_INT, None],
        "max_len": [POSITIVE_INT, None],
        "truncating": [StrOptions({"post", "pre"})],
        "vocabulary": [list, dict, None],
    }

    def __init__(
        self,
        analyzer="word",
        lowercase=True,
        strip_accents=None,
        token_pattern=r"(?u)\b\w+\b",
        stop_words=None,
        ngram_range=(1, 1),
        min_freq=1,
        max_vocab=None,
        max_len=None,
        truncating="post",
        vocabulary=None,
    ):
        self.analyzer = analyzer
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.token_pattern = token_pattern
        self.stop_words = stop_words
        self.ngram_range = ngram_range
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.max_len = max_len
        self.truncating = truncating
        self.vocabulary = vocabulary

    def build_analyzer(self):
        """The callable that turns one text into its list of tokens."""
        return CountVectorizer(
            analyzer=self.analyzer,
            lowercase=self.lowercase,
            strip_accents=self.strip_accents,
            token_pattern=self.token_pattern,
            stop_words=self.stop_words,
            ngram_range=self.ngram_range,
        ).build_analyzer()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary (and ``max_len_``) from texts.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str, or a one-column DataFrame
            Training texts.
        y : None
            Ignored.

        Returns
        -------
        self : TextTokenizer
            The fitted tokenizer.
        """
        texts = check_texts(X, type(self).__name__)
        analyze = self.build_analyzer()
        tokenized = [analyze(text) for text in texts]
        if not any(tokenized):
            raise ValueError(
                "All texts are empty (or hold only stop words, or nothing that "
                f"analyzer={self.analyzer!r} with token_pattern="
                f"{self.token_pattern!r} reads as a token): TextTokenizer found no "
                "token to learn a vocabulary from."
            )
        if self.vocabulary is not None:
            self.vocabulary_ = _fixed_vocabulary(self.vocabulary)
        else:
            counts = Counter(token for tokens in tokenized for token in tokens)
            kept = [t for t, c in counts.most_common() if c >= self.min_freq]
            if not kept:
                raise ValueError(
                    f"The vocabulary is empty: no token appears at least "
                    f"min_freq={self.min_freq} times (the most frequent appears "
                    f"{counts.most_common(1)[0][1]} times). Lower min_freq."
                )
            kept = kept[: self.max_vocab]
            self.vocabulary_ = {token: i + 2 for i, token in enumerate(kept)}
        self.n_tokens_ = max(self.vocabulary_.values()) + 1
        self.max_len_ = self.max_len or max(max(len(t) for t in tokenized), 1)
        return self

    def transform(self, X):
        """Map texts to rows of token ids, padded with 0 to ``max_len_``.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str, or a one-column DataFrame
            Texts.

        Returns
        -------
        ids : ndarray of shape (n_texts, max_len_), dtype int64
            Token ids; 1 for tokens outside the vocabulary, 0 for padding.
        """
        check_is_fitted(self, "vocabulary_")
        texts = check_texts(X, type(self).__name__)
        analyze = self.build_analyzer()
        vocab = self.vocabulary_
        out = np.zeros((len(texts), self.max_len_), dtype=np.int64)
        for i, text in enumerate(texts):
            ids = [vocab.get(token, UNKNOWN_ID) for token in analyze(text)] or [
                UNKNOWN_ID
            ]
            if len(ids) > self.max_len_:
                ids = (
                    ids[: self.max_len_]
                    if self.truncating == "post"
                    else ids[-self.max_len_ :]
                )
            out[i, : len(ids)] = ids
        return out

    def inverse_transform(self, X):
        """Map rows of ids back to their tokens (padding dropped).

        Parameters
        ----------
        X : array-like of shape (n_texts, n_ids)
            Token ids, as returned by ``transform``.

        Returns
        -------
        tokens : list of list of str
            The tokens of each row; unknown ids read '<unk>'.
        """
        check_is_fitted(self, "vocabulary_")
        ids = np.asarray(X)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(
                f"inverse_transform expects a 2D array of integer token ids, got "
                f"shape {ids.shape} and dtype {ids.dtype}."
            )
        ids = np.where((ids < 0) | (ids >= self.n_tokens_), UNKNOWN_ID, ids)
        vocab = self.vocabulary_
        tokens = np.array(
            ["<pad>", "<unk>", *sorted(vocab, key=vocab.get)], dtype=object
        )
        return [list(tokens[row[row != PAD_ID]]) for row in ids]

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the token positions.

        Returns
        -------
        names : ndarray of str of shape (max_len_,)
            ``texttokenizer_0``, ``texttokenizer_1``, ...; the tokens themselves
            are in ``vocabulary_``.
        """
        check_is_fitted(self, "vocabulary_")
        return np.asarray(
            [f"texttokenizer_{i}" for i in range(self.max_len_)], dtype=object
        )

    def embedding_matrix(self, vectors, dim=None):
        """Rows of pretrained vectors aligned with this tokenizer's ids.

        Parameters
        ----------
        vectors : dict of str to array-like
            Vector of each known token, for example loaded from a word2vec or
            GloVe file.
        dim : int or None, default=None
            Vector size; None takes it from the first vector.

        Returns
        -------
        matrix : ndarray of shape (n_tokens_, dim), dtype float32
            Row ``i`` is the vector of token id ``i``; padding (row 0) is zero,
            and unknown ids and tokens without a vector get the mean vector.
        """
        check_is_fitted(self, "vocabulary_")
        return align_vectors(vectors, self.vocabulary_, self.n_tokens_, dim)

    def __sknets_getstate__(self):
        """What ``sknets.save`` writes: the fitted attributes (none when the
        tokenizer is not fitted, as the one given as a parameter)."""
        return {"fitted": {k: v for k, v in vars(self).items() if k.endswith("_")}}

    def __sknets_setstate__(self, state):
        """A fitted tokenizer from what ``__sknets_getstate__`` gave. A
        ``token_pattern`` read from a file must not repeat a repetition
        (``(a+)+``), which can take exponential time to match a text."""
        check_pattern(self.token_pattern)
        allowed = ("vocabulary_", "max_len_", "n_tokens_")
        restore_fitted(self, state["fitted"], allowed)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def check_pattern(pattern):
    """A ValueError for a regular expression that nests repetitions (a
    repeated group that itself repeats, as in ``(a+)+``, or repeats an
    alternation, as in ``(a|aa)+``): the shapes whose matching can backtrack
    catastrophically. Simple token patterns (``\\b\\w+\\b``,
    ``[a-z]{2,}``) pass."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, TypeError) as exc:
        raise ValueError(
            f"token_pattern {pattern!r} is not a regular expression: {exc}"
        ) from exc
    stack = [(parsed, False)]
    while stack:
        items, inside_repeat = stack.pop()
        for op, argument in items:
            if op in _REPEATS:
                _, high, sub = argument
                repeats = high > 1
                if repeats and inside_repeat:
                    raise ValueError(
                        f"token_pattern {pattern!r} repeats a repetition, which can "
                        "take exponential time to match; it is refused."
                    )
                stack.append((sub, inside_repeat or repeats))
            elif op == sre_constants.SUBPATTERN:
                stack.append((argument[-1], inside_repeat))
            elif op == sre_constants.BRANCH:
                if inside_repeat:  # (a|aa)+ matches one text in many ways
                    raise ValueError(
                        f"token_pattern {pattern!r} repeats an alternation, which "
                        "can take exponential time to match; it is refused (use a "
                        "character class, [ab]+, instead)."
                    )
                stack.extend((branch, inside_repeat) for branch in argument[1])
    return pattern


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) + (
    (sre_constants.POSSESSIVE_REPEAT,)
    if hasattr(sre_constants, "POSSESSIVE_REPEAT")
    else ()
)


def _fixed_vocabulary(vocabulary):
    if not len(vocabulary):
        raise ValueError(
            "The vocabulary is empty; give at least one token, or "
            "vocabulary=None to learn it at fit."
        )
    odd = next((t for t in vocabulary if not isinstance(t, str)), None)
    if odd is not None:
        raise ValueError(
            f"The vocabulary holds {odd!r}, not a token; its tokens must be str."
        )
    if isinstance(vocabulary, Mapping):
        ids = sorted(vocabulary.values())
        if ids != list(range(2, len(ids) + 2)):
            raise ValueError(
                "A vocabulary dict must give its tokens the ids 2, 3, ..., "
                f"{len(ids) + 1} (0 is padding, 1 unknown), got ids from {ids[0]} to "
                f"{ids[-1]}."
            )
        return dict(vocabulary)
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError("The vocabulary list holds a token twice.")
    return {token: i + 2 for i, token in enumerate(vocabulary)}


def align_vectors(vectors, vocabulary, n_tokens, dim=None):
    """Embedding rows for ids 0..n_tokens-1 from a token -> vector mapping."""
    if not isinstance(vectors, Mapping) or not vectors:
        raise TypeError("vectors must be a non-empty dict of token to vector.")
    first = np.asarray(next(iter(vectors.values())), dtype=np.float32)
    dim = dim or first.shape[0]
    found = [
        np.asarray(vectors[t], dtype=np.float32) for t in vocabulary if t in vectors
    ]
    if any(v.shape != (dim,) for v in found):
        raise ValueError(f"Every vector must have shape ({dim},).")
    mean = np.mean(found, axis=0) if found else np.zeros(dim, dtype=np.float32)
    matrix = np.tile(mean, (n_tokens, 1)).astype(np.float32)
    matrix[PAD_ID] = 0.0
    for token, i in vocabulary.items():
        if token in vectors:
            matrix[i] = vectors[token]
    return matrix


def corpus_embeddings(ids, n_tokens, dim, *, window=5, random_state=0):
    """Token vectors learned from a corpus of token ids, without labels.

    The positive pointwise mutual information (PPMI) of tokens that occur
    within ``window`` positions of each other, with the context distribution
    smoothed by the exponent 0.75, reduced to ``dim`` columns by a truncated
    SVD; each row is the token's left singular vector coordinates, scaled to
    unit length. These are the settings Levy, Goldberg and Dagan (2015) found
    to match word2vec on similarity tasks ("Improving distributional
    similarity with lessons learned from word embeddings", TACL).

    Parameters
    ----------
    ids : ndarray of shape (n_texts, max_len)
        Token ids, 0 being padding (never counted).
    n_tokens : int
        Number of rows of the result (ids 0 .. n_tokens - 1).
    dim : int
        Number of columns. A vocabulary too small for ``dim`` independent
        directions gets zero columns after the ones it has.
    window : int, default=5
        Largest distance between two tokens counted as co-occurring.
    random_state : int, default=0
        Seed of the randomized SVD.

    Returns
    -------
    vectors : ndarray of shape (n_tokens, dim), dtype float32
        Row 0 (padding) and rows of tokens without co-occurrences are zero.
    """
    ids = np.asarray(ids)
    rows, cols = [], []
    for distance in range(1, min(window, ids.shape[1] - 1) + 1):
        left, right = ids[:, :-distance], ids[:, distance:]
        both = (left != PAD_ID) & (right != PAD_ID)
        rows.append(left[both])
        cols.append(right[both])
    vectors = np.zeros((n_tokens, dim), dtype=np.float32)
    if not rows or not sum(len(r) for r in rows):
        return vectors
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    counts = sp.coo_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_tokens, n_tokens)
    ).tocsr()
    counts = (counts + counts.T).tocoo()  # symmetric windows
    total = counts.data.sum()
    token_freq = np.asarray(counts.sum(axis=1)).ravel() / total
    context_freq = token_freq**0.75
    context_freq /= context_freq.sum()
    pmi = np.log(
        counts.data / total / token_freq[counts.row] / context_freq[counts.col]
    )
    keep = pmi > 0
    ppmi = sp.csr_matrix(
        (pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape
    )
    if n_tokens <= 2 * dim:  # small vocabulary: the exact SVD
        left, _, _ = np.linalg.svd(ppmi.toarray())
        left = left[:, :dim]
    else:
        svd = TruncatedSVD(dim, random_state=random_state).fit(ppmi)
        left = svd.transform(ppmi) / np.maximum(svd.singular_values_, 1e-12)
    norms = np.linalg.norm(left, axis=1, keepdims=True)
    left = np.where(norms > 1e-12, left / np.maximum(norms, 1e-12), 0.0)
    left[PAD_ID] = 0.0
    vectors[:, : left.shape[1]] = left
    return vectors
