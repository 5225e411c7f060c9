"""Targets as the network sees them: one object per fitted estimator.

A fit learns a :class:`Target` from y (``_target_``), as scikit-learn's
``HistGradientBoosting*`` holds its loss: it encodes y for the network
(class indices, an indicator matrix, standardised values), names the loss
trained on, and turns the network's outputs back into predictions on the
scale and labels of y. Each kind owns its fitted state and saves it
(:meth:`Target.state`); nothing else names it.

- :class:`ClassificationTarget`: labels of one of several classes, softmax;
- :class:`MultiLabelTarget`: an indicator matrix, one sigmoid per label;
- :class:`RegressionTarget`: values, standardised, under one of the losses
  of :mod:`sknets._losses`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
from scipy.special import expit, log_expit, logsumexp
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import _check_sample_weight, column_or_1d
from torch.nn import functional as F

from ._constraints import FLOAT32_MAX
from ._losses import (
    PredictionHead,
    check_quantiles,
    gaussian_parts,
    loss_width,
    regression_loss,
)

__all__ = [
    "ClassificationTarget",
    "MultiLabelTarget",
    "RegressionTarget",
    "Target",
    "classification_target",
    "loss_weights",
    "restore_target",
    "upgrade_fitted",
]


class Target(ABC):
    """What a fit asks of its targets; ``name`` is the estimator's class
    name, for messages. Subclasses keep their fitted state in private
    attributes that :meth:`state` saves and :func:`restore_target` reads."""

    #: the kind's name in a saved model
    kind: str = ""
    #: classes whose one-hot targets mixup mixes (None: y is mixed as is)
    mixup_classes: int | None = None

    def __init__(self, name):
        self.name = name

    @property
    @abstractmethod
    def n_outputs(self) -> int:
        """Values the network gives per sample."""

    @abstractmethod
    def encode(self, y, *, where="y", classes=None) -> torch.Tensor:
        """``y`` (or ``y_val``: ``where``) checked against what the first fit
        learned and encoded for the loss; ``classes`` is partial_fit's."""

    @abstractmethod
    def decode(self, encoded) -> np.ndarray:
        """Encoded targets back as the values or labels of y."""

    @abstractmethod
    def criterion(self) -> torch.nn.Module:
        """The loss, per sample (``reduction='none'``)."""

    @abstractmethod
    def output_module(self, dtype=torch.float32) -> torch.nn.Module:
        """What ``predict`` (regressors) or ``predict_proba`` (classifiers)
        does to the network's output, as a torch module (ONNX export)."""

    @abstractmethod
    def predict(self, outputs) -> np.ndarray:
        """``predict``'s values from the network's outputs (n, n_outputs)."""

    def sample_weight(self, y, class_weight):
        """Per-sample weights that ``class_weight`` gives y (1.0: none)."""
        return 1.0

    def stratify(self, encoded):
        """Labels that a held-out split keeps the proportions of, or None."""
        return None

    def ridge_targets(self, encoded):
        """``(targets, classes)`` of a linear head solved in closed form: one
        column per output (classes as -1/1), and the class of each sample
        (None for targets without classes)."""
        return encoded.cpu(), None

    def state(self):
        """The fitted state, as ``sknets.save`` writes it."""
        return {"kind": self.kind} | {
            k.lstrip("_"): v for k, v in vars(self).items() if k != "name"
        }


def _labels_of(y):
    """y as labels: 1D, or 2D with more than one column (an indicator)."""
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    return y


def _check_labels(y, name):
    """A ValueError for a 1D y that cannot be class labels."""
    kinds = {type(v).__name__ for v in np.asarray(y, dtype=object).ravel()}
    if len(kinds) > 1 and "str" in kinds:
        raise ValueError(
            f"y mixes labels of different types ({', '.join(sorted(kinds))}); "
            f"{name} needs labels of one type, for example all strings "
            "(y.astype(str))."
        )
    check_classification_targets(y)
    if any(isinstance(v, str) and v.endswith("\x00") for v in np.ravel(y)):
        raise ValueError(
            f"y holds labels that end with a NUL character ('\\x00'), which "
            f"numpy's string arrays drop: {name} would merge 'a' and 'a\\x00'. "
            "Remove trailing NUL characters from the labels."
        )


def _check_indicator(y, where, name):
    """A ValueError for a 2D y that is not an indicator matrix of 0 and 1."""
    # scikit-learn calls any 2D y of two integral values an indicator
    # matrix; its labels (-1/1, 1/2) would come back as 0/1: only 0 and 1
    values = np.unique(np.asarray(y, dtype=object).ravel()).tolist()
    zero_one = all(v in (0, 1) and not isinstance(v, str) for v in values)
    if type_of_target(y) != "multilabel-indicator" or not zero_one:
        raise ValueError(
            f"{where} is 2D with values {values[:5]}{'...' * (len(values) > 5)}; "
            f"{name} takes a 2D {where} only as a multi-label indicator "
            "matrix of 0 and 1 (as MultiLabelBinarizer returns it), and a 1D "
            f"{where} of labels otherwise."
        )


def classification_target(y, classes, name):
    """The target a classifier learns at its first fit: a
    :class:`MultiLabelTarget` for an indicator matrix, else a
    :class:`ClassificationTarget` of the labels of y (or ``classes``)."""
    y = _labels_of(y)
    if y.ndim == 2:
        _check_indicator(y, "y", name)
        n_labels = y.shape[1]
        if classes is not None and len(np.ravel(classes)) != n_labels:
            raise ValueError(
                f"classes has {len(np.ravel(classes))} entries, but y is a "
                f"multi-label indicator matrix of {n_labels} labels; pass "
                f"classes=range({n_labels}) or leave it out."
            )
        never = np.flatnonzero(~np.any(y == 1, axis=0))
        if classes is None and len(never):
            raise ValueError(
                f"y is a multi-label indicator matrix whose label column(s) "
                f"{never.tolist()} are never positive: {name} cannot learn a "
                "label without positive samples. Drop those columns."
            )
        return MultiLabelTarget(name, n_labels, y.dtype.str)
    _check_labels(y, name)
    labels = unique_labels(y) if classes is None else unique_labels(classes)
    if len(labels) < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {labels[0].item()!r}."
        )
    return ClassificationTarget(name, labels)


class ClassificationTarget(Target):
    """One label per sample among ``classes``: class indices, cross-entropy,
    softmax probabilities."""

    kind = "classes"

    def __init__(self, name, classes):
        super().__init__(name)
        self.classes = classes

    @property
    def n_outputs(self):
        return len(self.classes)

    @property
    def mixup_classes(self):
        return self.n_outputs

    def encode(self, y, *, where="y", classes=None):
        y = _labels_of(y)
        if y.ndim == 2:
            _check_indicator(y, where, self.name)
            raise ValueError(
                f"{self.name} was fitted on a 1D y of labels; {where} must be one "
                "too, not a multi-label indicator matrix."
            )
        _check_labels(y, self.name)
        if classes is not None and not np.array_equal(
            unique_labels(classes), self.classes
        ):  # as SGDClassifier.partial_fit says it
            raise ValueError(
                f"classes={np.ravel(classes).tolist()!r} is not the same as on "
                f"the first partial_fit call, {self.classes.tolist()!r}."
            )
        unknown = np.setdiff1d(unique_labels(y), self.classes)
        if len(unknown) and where == "y_val":
            raise ValueError(
                f"y_val holds labels that are not in y: {unknown.tolist()}."
            )
        if len(unknown):
            raise ValueError(
                f"y contains labels that {self.name} did not see in its first fit: "
                f"{unknown.tolist()}; expected labels among "
                f"{self.classes.tolist()}. Pass every label through `classes` "
                "on the first partial_fit call."
            )
        encoded = np.searchsorted(self.classes, np.asarray(y))
        return torch.as_tensor(encoded, dtype=torch.long)

    def decode(self, encoded):
        return self.classes[encoded.numpy()]

    def criterion(self):
        return torch.nn.CrossEntropyLoss(reduction="none")

    def output_module(self, dtype=torch.float32):
        return torch.nn.Softmax(dim=1)

    def proba(self, logits):
        """Softmax of the logits (n, n_classes), in place."""
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def log_proba(self, logits):
        """Log-softmax of the logits, in place."""
        logits -= logsumexp(logits, axis=1, keepdims=True)
        return logits

    def predict(self, outputs):
        return self.classes[np.argmax(outputs, axis=1)]

    def sample_weight(self, y, class_weight):
        if class_weight is None:
            return 1.0
        # a dict, or for a multi-label y a list of one dict per label
        if isinstance(class_weight, list | tuple):
            odd = next((w for w in class_weight if not isinstance(w, dict)), None)
            if odd is not None or not class_weight:
                raise ValueError(
                    f"class_weight={class_weight!r}: a list holds one dict of class "
                    "weights per label of a multi-label y"
                    + ("" if odd is None else f"; {odd!r} is not a dict")
                    + "."
                )
        dicts = [class_weight] if isinstance(class_weight, dict) else class_weight
        if isinstance(dicts, list | tuple) and any(
            not _finite_non_negative(d.values()) for d in dicts
        ):
            raise ValueError(
                f"class_weight={class_weight!r} gives a class a negative or "
                "non-finite weight; weights must be finite and non-negative."
            )
        return compute_sample_weight(class_weight, y)

    def stratify(self, encoded):
        return encoded.cpu().numpy()

    def ridge_targets(self, encoded):
        classes = encoded.cpu()
        return 2 * F.one_hot(classes, self.n_outputs).double() - 1, classes


class MultiLabelTarget(ClassificationTarget):
    """A multi-label indicator matrix (as ``MultiLabelBinarizer`` returns
    it): one sigmoid output per label, binary cross-entropy, as
    ``MLPClassifier`` trains it; predictions in the dtype of y at fit."""

    kind = "multilabel"
    mixup_classes = None  # the indicator rows are mixed as they are

    def __init__(self, name, n_labels, label_dtype):
        super().__init__(name, np.arange(n_labels))
        self._label_dtype = label_dtype

    def encode(self, y, *, where="y", classes=None):
        y = _labels_of(y)
        if y.ndim != 2:
            raise ValueError(
                f"{self.name} was fitted on a multi-label indicator matrix of "
                f"{len(self.classes)} labels; {where} must be one too, not a 1D "
                "array of labels."
            )
        _check_indicator(y, where, self.name)
        if y.shape[1] != len(self.classes):
            raise ValueError(
                f"{where} has {y.shape[1]} labels, but {self.name} was fitted with "
                f"{len(self.classes)}."
            )
        return torch.as_tensor(y == 1, dtype=torch.float32)

    def decode(self, encoded):
        return encoded.numpy().astype(self._label_dtype)

    def criterion(self):
        return torch.nn.BCEWithLogitsLoss(reduction="none")

    def output_module(self, dtype=torch.float32):
        return torch.nn.Sigmoid()

    def proba(self, logits):
        return expit(logits, out=logits)  # no overflow warning for large logits

    def log_proba(self, logits):
        return log_expit(logits, out=logits)

    def predict(self, outputs):
        return (outputs > 0).astype(self._label_dtype)

    def stratify(self, encoded):
        return None

    def ridge_targets(self, encoded):
        return 2 * encoded.cpu().double() - 1, None


class RegressionTarget(Target):
    """Values, standardised with the mean and standard deviation of y at the
    first fit (the loss sees one scale whatever the unit of y; predictions
    come back on the original scale), under ``loss``."""

    kind = "regression"

    def __init__(self, name, loss, quantiles, mean, scale, one_d):
        super().__init__(name)
        self.loss, self.quantiles = loss, quantiles
        self._mean, self._scale, self._one_d = mean, scale, one_d

    @classmethod
    def learn(cls, y, loss, quantile, name):
        """The target of a regressor's first fit on y."""
        y2 = np.asarray(y, dtype=np.float64)
        one_d = y2.ndim == 1
        y2 = y2.reshape(len(y2), -1)
        quantiles = check_quantiles(quantile) if loss == "quantile" else None
        scale = y2.std(axis=0)
        if not np.all(np.isfinite(scale)) or np.abs(y2).max() > FLOAT32_MAX:
            raise ValueError(
                f"y holds values up to {np.abs(y2).max():.3g}, beyond the range "
                f"of float32 that {name} computes in; rescale y."
            )
        scale = np.where(scale > 0, scale, 1.0)
        return cls(name, loss, quantiles, y2.mean(axis=0), scale, one_d)

    @property
    def n_targets(self):
        """Columns of y."""
        return len(self._mean)

    @property
    def n_outputs(self):
        return self.n_targets * loss_width(self.loss, self.quantiles)

    def encode(self, y, *, where="y", classes=None):
        y2 = np.asarray(y, dtype=np.float64)
        y2 = y2.reshape(len(y2), -1)
        if y2.shape[1] != self.n_targets:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but {self.name} was fitted with "
                f"{self.n_targets}."
            )
        scaled = (y2 - self._mean) / self._scale
        if scaled.size and not np.abs(scaled).max() <= FLOAT32_MAX:
            raise ValueError(
                f"{where} holds values up to {np.abs(y2).max():.3g}, which scaled "
                "as y was at fit are beyond the range of float32 that "
                f"{self.name} computes in; rescale {where}."
            )
        return torch.as_tensor(scaled, dtype=torch.float32)

    def _shape(self, values):
        """(n, k) values in the shape of y at fit: (n,) when y was 1D."""
        return values.ravel() if self._one_d else values

    def decode(self, encoded):
        y = encoded.double().numpy().reshape(len(encoded), -1)
        return self._shape(y * self._scale + self._mean)

    def criterion(self):
        return regression_loss(self.loss, self.quantiles)

    def output_module(self, dtype=torch.float32):
        return PredictionHead(
            self._mean, self._scale, self.loss, self.quantiles, dtype=dtype
        )

    def predict(self, outputs):
        """The trained quantile (the median of several), the Gaussian mean,
        or the output itself, on the scale of y."""
        head = self.output_module(torch.float64)
        return self._shape(head(torch.from_numpy(outputs)).numpy())

    def std(self, outputs):
        """Standard deviations of a Gaussian loss's predictions."""
        _, variance = gaussian_parts(torch.from_numpy(outputs), self.n_targets)
        return self._shape(variance.double().sqrt().numpy() * self._scale)

    def predict_quantiles(self, outputs):
        """Every quantile on the scale of y, ordered: (n, q) for a 1D y at
        fit, else (n, k, q)."""
        head = self.output_module(torch.float64)
        out = head.quantiles(torch.from_numpy(outputs)).numpy().transpose(0, 2, 1)
        return out[:, 0] if self._one_d else out


KINDS = {k.kind: k for k in (ClassificationTarget, MultiLabelTarget, RegressionTarget)}
_FIELDS = {
    "classes": ("classes",),
    "multilabel": ("classes", "label_dtype"),
    "regression": ("loss", "quantiles", "mean", "scale", "one_d"),
}


def restore_target(state, name):
    """The target that :meth:`Target.state` saved; a ValueError for a state
    of no known kind or with other fields."""
    kind = state.get("kind") if isinstance(state, dict) else None
    fields = set(state) - {"kind"} if kind in KINDS else None
    if fields is None or fields != set(_FIELDS[kind]):
        raise ValueError(
            f"The model file's target state {_short(state)} is not one sknets "
            "writes; it is refused."
        )
    if kind == "classes":
        return ClassificationTarget(name, state["classes"])
    if kind == "multilabel":
        return MultiLabelTarget(name, len(state["classes"]), state["label_dtype"])
    return RegressionTarget(name, *(state[f] for f in _FIELDS[kind]))


def upgrade_fitted(fitted, classifier):
    """The fitted attributes of a file of model format 2, where the target's
    state was attributes of the estimator, with that state as ``_target_``
    (a file of an earlier version may lack the loss, as for a model trained
    before sknets had losses)."""
    if "_target_" in fitted:
        return fitted
    fitted = dict(fitted)
    if classifier and "classes_" in fitted:
        multilabel = fitted.pop("_multilabel_", False)
        state = {"kind": "classes", "classes": fitted["classes_"]}
        if multilabel:
            dtype = fitted.pop("_label_dtype_", "<i8")
            state = {**state, "kind": "multilabel", "label_dtype": dtype}
        fitted["_target_"] = state
    elif not classifier and "_y_mean_" in fitted:
        fitted.setdefault("quantiles_", None)
        fitted["_target_"] = {
            "kind": "regression",
            "loss": fitted.pop("_loss_", "squared_error"),
            "quantiles": fitted["quantiles_"],
            "mean": fitted.pop("_y_mean_"),
            "scale": fitted.pop("_y_scale_", None),
            "one_d": fitted.pop("_y_1d_", True),
        }
    return fitted


def loss_weights(y, sample_weight, class_weight, name):
    """Per-sample loss weights, ``sample_weight`` times what the function
    ``class_weight`` gives y, normalised to mean 1, as a float32 tensor; None
    when every sample weighs the same (the loss is then a plain mean)."""
    weight = _check_sample_weight(
        sample_weight,
        np.empty((len(y), 0)),
        dtype=np.float64,
        ensure_non_negative=True,
        copy=True,
    )
    if not weight.any():  # as scikit-learn >= 1.7 says it, for earlier ones
        raise ValueError("Sample weights must contain at least one non-zero number.")
    weight = weight * class_weight(y)
    if np.all(weight == weight[0]) and weight[0] > 0:
        return None
    total = weight.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"The sample weights of {name} sum to {total}; rescale them (only "
            "their ratios matter)."
        )
    if not total > 0:
        raise ValueError(
            f"The sample weights of {name} sum to zero once class_weight is "
            "applied; at least one sample needs a positive weight."
        )
    return torch.as_tensor(weight * (len(weight) / total), dtype=torch.float32)


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _finite_non_negative(values):
    """Whether every value is a finite number of at least 0."""
    try:
        return all(np.isfinite(float(v)) and float(v) >= 0 for v in values)
    except (TypeError, ValueError):
        return False
