"""Export fitted estimators to ONNX, for runtimes other than PyTorch."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._inputs import check_input, exportable_kind
from .modules.transformer import TransformerNet

__all__ = ["export_onnx", "onnx_input"]


class _Exported(torch.nn.Module):
    """The fitted network with what ``predict_proba`` / ``predict`` add around
    it: channel standardisation of series, softmax or target scaling."""

    def __init__(self, parts):
        super().__init__()
        self.module = parts["module"]
        scaling = parts["scaling"]
        self.per_sample = isinstance(scaling, str)  # standardize='sample'
        self.standardize = scaling is not None and not self.per_sample
        if self.standardize:
            mean, scale = scaling
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.output = parts["output"]
        self.channels_first = parts["layout"] == "channels_first"

    def forward(self, x):
        if self.channels_first:  # (n, F, T) as the estimator read it at fit
            x = x.transpose(1, 2)
        if self.per_sample:  # each series by its own statistics over time
            x = x - x.mean(dim=1, keepdim=True)
            scale = x.square().mean(dim=1, keepdim=True).sqrt()
            x = x / torch.where(scale > 0, scale, torch.ones_like(scale))
        elif self.standardize:
            x = (x - self.mean) / self.scale
        return self.output(self.module(x))


def _torch_version():
    """(major, minor) of the installed torch."""
    return tuple(int(part) for part in torch.__version__.split(".")[:2])


def onnx_input(estimator, X):
    """X as the float32 array that an exported model takes.

    Images become (n, C, H, W) (uint8 scaled to [0, 1]); series become
    arrays of raw values in the layout the estimator read at fit
    (``data_format_``: (n, T, F) channels-last or (n, F, T) channels-first;
    2D input as (n, T, 1)) (the exported graph
    standardises them as the estimator does; with ``standardize='sample'``
    each series comes already scaled by its own statistics, which the graph's
    scaling leaves as they are). Lists of unequal lengths cannot
    go in one array: pass equal-length batches.

    Parameters
    ----------
    estimator : fitted sknets estimator
    X : array-like
        Input in any layout the estimator accepts at predict.

    Returns
    -------
    X_onnx : ndarray of float32
    """
    check_is_fitted(estimator, "net_")
    kind = exportable_kind(estimator)
    scaling = kind.export_scaling(estimator)
    batch, _ = check_input(estimator, X, reset=False)
    if "lengths" in batch:
        raise ValueError(
            "Sequences of unequal lengths cannot go in one array for the exported "
            "model; pass batches of equal-length sequences."
        )
    x = batch["x"].numpy().astype(np.float32, copy=True)
    # standardize='sample' leaves x scaled: the graph's per-series scaling
    # gives the same values again
    if scaling is not None and not isinstance(scaling, str):
        mean, scale = scaling
        x = x * scale.astype(np.float32)
        x += mean.astype(np.float32)
    if kind.export_layout(estimator) == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 2, 1))
    return x


def export_onnx(estimator, path, *, opset_version=17):
    """Write a fitted estimator as an ONNX model.

    The model takes one input, ``X``: float32 images (n, C, H, W), or series with
    any n and T in the layout the estimator read at fit, (n, T, F) or, for
    ``data_format_='channels_first'``, (n, F, T) (see :func:`onnx_input` to convert
    input in another layout). Its output, ``output``, is what ``predict_proba``
    returns for a classifier (probabilities, columns in the order of ``classes_``)
    and what ``predict`` returns for a regressor, as (n, n_outputs). Supported:
    :class:`CNNClassifier`, the recurrent, TCN, Transformer and CRNN estimators
    fitted on numeric series, and their regressors. Needs the ``onnx`` package
    (``pip install sknets[onnx]``, which also installs ``onnxscript`` and
    ``onnxruntime``).

    Parameters
    ----------
    estimator : fitted sknets estimator
    path : str or path-like
        File to write.
    opset_version : int, default=17
        ONNX operator set (at least 18 for Transformer models, which go
        through torch's ``torch.export``-based exporter and need
        ``onnxscript``).

    Returns
    -------
    path : str or path-like
        The path written.

    Examples
    --------
    >>> import numpy as np, onnxruntime  # doctest: +SKIP
    >>> from sknets import CNNClassifier, export_onnx, onnx_input
    >>> X, y = np.random.rand(40, 8, 8), np.arange(40) % 2
    >>> clf = CNNClassifier(max_epochs=2).fit(X, y)
    >>> export_onnx(clf, "clf.onnx")  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession("clf.onnx")  # doctest: +SKIP
    >>> session.run(None, {"X": onnx_input(clf, X)})[0].shape  # doctest: +SKIP
    (40, 2)
    """
    parts = estimator.__sknets_onnx__()
    try:
        import onnx  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "export_onnx needs the onnx package: pip install onnx (or sknets[onnx])."
        ) from exc
    if _torch_version() < (2, 5):
        raise ImportError(
            f"export_onnx needs torch 2.5 or later (this is torch {torch.__version__}, "
            "whose exporter lacks the dynamo argument): pip install 'sknets[onnx]'."
        )
    wrapper = _Exported(parts)
    example, axes = parts["example"], parts["axes"]
    if isinstance(wrapper.module, TransformerNet):
        # torch's TorchScript-based exporter bakes the traced batch size into
        # the attention reshapes; the torch.export-based one keeps n and T
        # dynamic (it needs onnxscript).
        dims = {i: torch.export.Dim(name, min=1) for i, name in axes.items()}
        with contextlib.redirect_stdout(io.StringIO()):  # its progress lines
            torch.onnx.export(
                wrapper,
                (example,),
                path,
                input_names=["X"],
                output_names=["output"],
                dynamic_shapes=(dims,),
                opset_version=max(opset_version, 18),
                dynamo=True,
            )
        return path
    # The TorchScript-based exporter keeps recurrent layers as ONNX RNN/LSTM/GRU
    # operators with a dynamic number of steps. Gradients stay on while tracing.
    with torch.enable_grad():
        torch.onnx.export(
            wrapper,
            (example,),
            path,
            input_names=["X"],
            output_names=["output"],
            dynamic_axes={"X": axes, "output": {0: "n"}},
            opset_version=opset_version,
            dynamo=False,
        )
    return path
