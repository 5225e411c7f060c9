"""Input conventions: one adapter per kind of input.

Every estimator reads its input through the kinds it lists in
``_input_kinds`` (:data:`IMAGES`; :data:`TOKENS`, :data:`FRAMES` and
:data:`SERIES` for the sequence estimators). :func:`check_input` picks the
kind, which checks X and returns a *batch* (a dict with the tensor ``"x"``
and, for sequences of different lengths, ``"lengths"``); a shape, dtype or
value problem is reported the same way by every estimator that takes the
kind, with scikit-learn's own messages where scikit-learn has one.
"""

from __future__ import annotations

from ._base import InputKind, InputView
from .frames import FRAMES
from .images import IMAGES
from .series import SERIES
from .tokens import TOKENS

__all__ = [
    "FRAMES",
    "IMAGES",
    "SERIES",
    "TOKENS",
    "InputKind",
    "check_input",
    "exportable_kind",
    "input_kind",
]


def check_input(estimator, X, y=None, *, reset, values_only=False, **y_kw):
    """Validate X (and y) for ``estimator``; return ``(batch, y)``.

    At fit (``reset``) the first of the estimator's ``_input_kinds`` that
    claims X reads it, after what an earlier fit learned about its input is
    forgotten; it records its name as ``input_kind_``. Later calls go to the
    kind that claims X given the fitted kind, which refuses input of another
    kind with a message that says what the model was fitted on.
    ``values_only``: a chunk of a fit that reads X chunk by chunk, which a
    kind read that way checks without building its batch
    (:meth:`InputKind.chunked`).
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{type(estimator).__name__} got a single string as X; pass a "
            "collection of samples (a list or array of texts, series or images)."
        )
    view = InputView(X)
    fitted_kind = None if reset else getattr(estimator, "input_kind_", None)
    kind = next(k for k in estimator._input_kinds if k.claims(view, fitted_kind))
    if reset:
        for each in estimator._input_kinds:
            each.forget(estimator)
        estimator.input_kind_ = kind.name
    if values_only and type(kind).chunked is not InputKind.chunked:
        y_kw["values_only"] = True  # only a kind read chunk by chunk takes it
    return kind.check(estimator, view, y, reset=reset, **y_kw)


def input_kind(estimator):
    """The adapter of the kind the estimator was fitted on."""
    kinds = estimator._input_kinds
    fitted = getattr(estimator, "input_kind_", None)
    if fitted is None and len(kinds) == 1:
        return kinds[0]  # a model file written before input_kind_ existed
    return next(k for k in kinds if fitted in k.names)


def exportable_kind(estimator):
    """The adapter of the fitted kind, or a ValueError when ONNX export
    cannot carry that kind of input."""
    kind = input_kind(estimator)
    if kind.export_refusal is not None:
        raise ValueError(
            f"export_onnx supports estimators fitted on images or numeric "
            f"series; this {type(estimator).__name__} was fitted on "
            f"{estimator.input_kind_}. {kind.export_refusal}."
        )
    return kind
