"""Prediction on a fitted estimator: the module's output and its features,
batch by batch, read-only (several threads may predict at once)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._batching import call, n_samples, take, to_device
from ._inputs import check_input
from ._runtime import autocast
from ._streaming import chunk_rows, release

__all__ = ["PredictionMixin", "power_of_two"]

# A prediction batch holds at most this many input values (2 MB of float32),
# so that the activations of large samples stay bounded.
PREDICT_VALUES = 2**19


class PredictionMixin(TransformerMixin):
    """``_forward`` (the raw output ``predict`` and ``predict_proba`` read),
    ``transform`` and its feature names, and the batched evaluation they
    share, for :class:`~sknets._base.BaseNeuralNet`.

    A subclass of ``TransformerMixin``, so that scikit-learn wraps the
    ``transform`` defined here for ``set_output`` (it wraps only a method
    defined in the body of one of its subclasses)."""

    #: rows of a prediction batch for small samples: larger batches amortise
    #: the per-batch cost, but beyond about 1,024 the activations of the
    #: digits CNN and of an LSTM on short series leave the cache (measured
    #: on 2 cores against plain loops of 256 to 4,096)
    _predict_batch_max = 1024

    def _prediction_batch_size(self, batch):
        """Rows per prediction batch, chosen for throughput rather than tied
        to training: ``_predict_batch_max`` for small samples, fewer for large
        ones (at most :data:`PREDICT_VALUES` input values per batch), never
        fewer than the training batch size; a power of two."""
        x = batch.get("x")
        per_sample = max(1, x[0].numel()) if x is not None and len(x) else 1
        rows = min(self._predict_batch_max, PREDICT_VALUES // per_sample)
        return max(self.batch_size_, power_of_two(rows))

    def _forward(self, X):
        """Raw module output for X as a float64 array, computed batch by batch
        under ``torch.inference_mode()`` into one preallocated array."""
        check_is_fitted(self, "net_")
        return self._run(self.net_.module_, X, self._target_.n_outputs)

    def transform(self, X):
        """The features the network's head receives, one row per sample.

        The output of the fitted module's ``forward_features``: what its last
        layer before the output reads (the summary of a sequence, the pooled
        features of a convolutional network, the dense layer of the CNN),
        computed batch by batch without gradients as ``predict`` is. They
        feed another estimator: a linear model, a clustering, a 2D embedding
        for a plot.

        As scikit-learn's own classifiers with ``transform`` (for example
        ``LinearDiscriminantAnalysis``), the estimator is also a transformer:
        ``fit_transform(X, y)`` fits on y, then transforms, and in the middle
        of a ``Pipeline`` the network learns from the pipeline's y (the
        features are supervised). To use a network fitted elsewhere as a
        fixed step, wrap it in ``sklearn.frozen.FrozenEstimator``.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            The head's input features.
        """
        check_is_fitted(self, "net_")
        module = self.net_.module_
        if not callable(getattr(module, "forward_features", None)):
            raise TypeError(
                f"transform needs a module with a forward_features method (the "
                f"layers before the head); {type(module).__name__} has none."
            )
        return self._run(module.forward_features, X, self._n_features_out)

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output: the module's ``num_features``."""
        width = getattr(self.net_.module_, "num_features", None)
        if not isinstance(width, int):
            raise TypeError(
                f"transform needs the module to declare num_features, the width of "
                f"its forward_features; {type(self.net_.module_).__name__} does not."
            )
        return width

    def get_feature_names_out(self, input_features=None):
        """Names of the ``transform`` features: the class name in lower case
        and the feature's index, as scikit-learn's transformers name theirs.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored; present for the scikit-learn API.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``['lstmclassifier0', 'lstmclassifier1', ...]``.
        """
        check_is_fitted(self, "net_")
        prefix = type(self).__name__.lower()
        return np.asarray(
            [f"{prefix}{i}" for i in range(self._n_features_out)], dtype=object
        )

    def _run(self, function, X, width):
        """``function`` of the fitted module on X (checked as at fit), as an
        (n, width) float64 array; a large array is read and checked chunk by
        chunk (:func:`chunk_rows`), so that only one chunk is in memory as
        float32 at a time."""
        rows = chunk_rows(X)
        if rows is None:
            batch, _ = check_input(self, X, reset=False, **self._y_check_params)
            out = np.empty((n_samples(batch), width), dtype=np.float64)
            return self._in_batches(function, batch, out)
        out = np.empty((X.shape[0], width), dtype=np.float64)
        for start in range(0, X.shape[0], rows):
            part = np.asarray(X[start : start + rows])
            batch, _ = check_input(self, part, reset=False, **self._y_check_params)
            self._in_batches(function, batch, out[start : start + rows])
            release(X)  # a memmap's pages of this chunk leave the process
        return out

    def _in_batches(self, function, batch, out):
        """``function`` (the module or one of its methods) on ``batch``, batch
        by batch on the device in evaluation mode without gradients, each
        result written to its rows of ``out`` (a preallocated numpy array or
        tensor). Variable lengths go in order of length, so that batches
        carry little padding."""
        module = self.net_.module_
        was_training = module.training  # False after a fit: nothing is switched
        if was_training:
            module.eval()
        size = getattr(self, "predict_batch_size", "auto")  # older model files
        if size == "auto":
            size = self._prediction_batch_size(batch)
        order = (
            torch.argsort(batch["lengths"], stable=True) if "lengths" in batch else None
        )
        try:
            with torch.inference_mode():
                for start in range(0, n_samples(batch), size):
                    rows = slice(start, start + size)
                    if order is not None:
                        rows = order[rows]
                    xb = to_device(take(batch, rows), self.device_)
                    with autocast(self.device_, self.net_.autocast_dtype):
                        result = call(function, xb)
                    if isinstance(out, np.ndarray):
                        out[rows] = result.double().cpu()
                    else:
                        out[rows] = result.to(out.dtype)
        finally:
            if was_training:
                module.train()
        return out


def power_of_two(n):
    """The largest power of two at most n (1 for n below 1)."""
    return 1 << max(0, int(n).bit_length() - 1)
