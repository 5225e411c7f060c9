"""What differs between classification and regression: targets, loss,
prediction methods, and their hyperparameters and fitted attributes."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d

from ._constraints import FLOAT32_MAX, Range
from ._losses import (
    LOSSES,
    PredictionHead,
    check_quantiles,
    gaussian_parts,
    loss_width,
    regression_loss,
)
from ._params import Attribute, Param

__all__ = ["NeuralNetClassifierMixin", "NeuralNetRegressorMixin"]


class NeuralNetClassifierMixin(ClassifierMixin):
    """Classification: labels, cross-entropy, ``predict_proba`` and ``predict``.

    A 2D y of zeros and ones (a multi-label indicator matrix, as
    ``MultiLabelBinarizer`` returns it) trains one sigmoid output per label
    with binary cross-entropy instead, as ``MLPClassifier`` does.
    """

    _target_params = (
        Param(
            "class_weight",
            None,
            [StrOptions({"balanced"}), dict, list, None],
            "dict, list of dict, 'balanced' or None",
            """
            Weights of the classes in the loss, as in scikit-learn's classifiers;
            multiplied with ``sample_weight``. For a multi-label y, a list of one
            dict per label (keys 0 and 1) or 'balanced', as for scikit-learn's
            multi-output classifiers: a sample's weight is the product of its
            labels' weights.""",
            warm=True,
        ),
    )
    _target_attributes = (
        Attribute(
            "classes_",
            "ndarray of shape (n_classes,)",
            """
            Class labels; for a multi-label y, the label indices
            ``0, ..., n_labels - 1`` (the columns of y), as in
            ``MLPClassifier``.""",
        ),
    )
    _y_check_params: dict = {"multi_output": True}

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on X and y, starting from the current weights.

        Parameters
        ----------
        X : array-like
            Training input.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Target labels, or a multi-label indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            All the labels that can appear. Required on the first call, when
            the batches may not hold every class; ignored afterwards. For a
            multi-label y, ``range(n_labels)`` (optional; it lets the first
            batch lack positives of a label).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._partial_fit_with_context(X, y, sample_weight, classes)

    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit_with_context(self, X, y, sample_weight, classes):
        return self._partial_fit(X, y, sample_weight, classes=classes)

    @property
    def _n_outputs(self):
        return len(self.classes_)

    def _criterion(self):
        if self._multilabel:
            return torch.nn.BCEWithLogitsLoss(reduction="none")
        return torch.nn.CrossEntropyLoss(reduction="none")

    @property
    def _multilabel(self):
        return getattr(self, "_multilabel_", False)

    @property
    def _mixup_classes(self):
        """Classes whose one-hot targets mixup mixes (None: y is mixed as is)."""
        return None if self._multilabel else self._n_outputs

    def _encode_target(self, y, *, reset, classes=None, validation=False):
        name = type(self).__name__
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        multilabel = y.ndim == 2
        if multilabel:
            return self._encode_indicator(y, reset, classes, validation)
        if not reset and self._multilabel:
            where = "y_val" if validation else "y"
            raise ValueError(
                f"{name} was fitted on a multi-label indicator matrix of "
                f"{len(self.classes_)} labels; {where} must be one too, not a 1D "
                "array of labels."
            )
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
        if reset:
            labels = unique_labels(y) if classes is None else unique_labels(classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes in the data, but "
                    f"the data contains only one class: {labels[0].item()!r}."
                )
            self.classes_ = labels
            self._multilabel_ = False
        elif classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):  # as SGDClassifier.partial_fit says it
            raise ValueError(
                f"classes={np.ravel(classes).tolist()!r} is not the same as on "
                f"the first partial_fit call, {self.classes_.tolist()!r}."
            )
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unknown) and validation:
            raise ValueError(
                f"y_val holds labels that are not in y: {unknown.tolist()}."
            )
        if len(unknown):
            raise ValueError(
                f"y contains labels that {name} did not see in its first fit: "
                f"{unknown.tolist()}; expected labels among "
                f"{self.classes_.tolist()}. Pass every label through `classes` "
                "on the first partial_fit call."
            )
        encoded = np.searchsorted(self.classes_, np.asarray(y))
        return torch.as_tensor(encoded, dtype=torch.long)

    def _encode_indicator(self, y, reset, classes, validation):
        """A multi-label indicator matrix (n, n_labels) as a float tensor."""
        name = type(self).__name__
        where = "y_val" if validation else "y"
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
        n_labels = y.shape[1]
        if reset:
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
            self.classes_ = np.arange(n_labels)
            self._multilabel_ = True
            self._label_dtype_ = y.dtype.str
        elif not self._multilabel:
            raise ValueError(
                f"{name} was fitted on a 1D y of labels; {where} must be one too, "
                f"not a multi-label indicator matrix."
            )
        elif n_labels != len(self.classes_):
            raise ValueError(
                f"{where} has {n_labels} labels, but {name} was fitted with "
                f"{len(self.classes_)}."
            )
        return torch.as_tensor(y == 1, dtype=torch.float32)

    def _class_weight(self, y):
        if self.class_weight is None:
            return 1.0
        # a dict, or for a multi-label y a list of one dict per label
        weights = self.class_weight
        if isinstance(weights, list | tuple):
            odd = next((w for w in weights if not isinstance(w, dict)), None)
            if odd is not None or not weights:
                raise ValueError(
                    f"class_weight={weights!r}: a list holds one dict of class "
                    "weights per label of a multi-label y"
                    + ("" if odd is None else f"; {odd!r} is not a dict")
                    + "."
                )
        dicts = [weights] if isinstance(weights, dict) else weights
        if isinstance(dicts, list | tuple) and any(
            not _finite_non_negative(d.values()) for d in dicts
        ):
            raise ValueError(
                f"class_weight={self.class_weight!r} gives a class a negative or "
                "non-finite weight; weights must be finite and non-negative."
            )
        return compute_sample_weight(self.class_weight, y)

    def _stratify_labels(self, data):
        return None if self._multilabel else data.y.cpu().numpy()

    def _output_module(self):
        """What ``predict_proba`` does to the module's output, as a torch
        module (for ONNX export)."""
        return torch.nn.Sigmoid() if self._multilabel else torch.nn.Softmax(dim=1)

    def predict_proba(self, X):
        """Class probabilities (softmax of the module's logits).

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``; two
            columns also for two classes. For a multi-label model, the
            probability of each label (a sigmoid per label; rows do not sum
            to 1), as ``MLPClassifier`` returns it.
        """
        return self._proba_from(self._forward(X))

    def _proba_from(self, logits):
        """Softmax (multi-label: sigmoid) of the module's outputs
        (n, n_classes), in place."""
        if self._multilabel:
            return expit(logits, out=logits)  # no overflow warning for large logits
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, from the module's logits.

        Computed as a log-softmax (multi-label: a log-sigmoid per label) of
        the logits rather than as the log of :meth:`predict_proba`, so a class
        whose probability rounds to 0 still gets a finite log-probability.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, in the order of ``classes_`` (of
            each label for a multi-label model).
        """
        logits = self._forward(X)
        if self._multilabel:
            return log_expit(logits, out=logits)
        logits -= logsumexp(logits, axis=1, keepdims=True)
        return logits

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels from ``classes_`` (the original labels, strings included);
            for a multi-label model, the indicator matrix of the labels whose
            probability is above 0.5, in the dtype of y at fit.
        """
        return self._predict_from(self._forward(X))

    def _predict_from(self, logits):
        """Labels from the module's outputs."""
        if self._multilabel:
            return (logits > 0).astype(self._label_dtype_)
        return self.classes_[np.argmax(logits, axis=1)]

    def _decode_target(self, y):
        """Encoded targets (class indices, or a multi-label indicator
        matrix) as the labels of y."""
        if self._multilabel:
            return y.numpy().astype(self._label_dtype_)
        return self.classes_[y.numpy()]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


LOSS = Param(
    "loss",
    "squared_error",
    [StrOptions(set(LOSSES))],
    "{'squared_error', 'absolute_error', 'huber', 'quantile', 'gaussian'}",
    """
    The loss trained on, with the names of scikit-learn's
    ``HistGradientBoostingRegressor`` where it has them. 'squared_error'
    predicts the conditional mean; 'absolute_error' the conditional median,
    robust to outliers; 'huber' is squared within one standard deviation of y
    and absolute beyond; 'quantile' predicts the quantiles ``quantile`` (see
    :meth:`predict_quantiles`); 'gaussian' predicts a mean and a variance per
    target, trained by their Gaussian likelihood, for
    ``predict(X, return_std=True)``. Targets are standardised before any
    loss, so 'huber''s threshold follows the spread of y.""",
)
QUANTILE = Param(
    "quantile",
    0.5,
    [Range(Real, 0, 1, closed="neither"), "array-like"],
    "float or array-like of float",
    """
    With ``loss='quantile'``: the quantile, or several quantiles trained
    together in one network (for example ``[0.05, 0.5, 0.95]`` for a 90 %
    interval), each strictly between 0 and 1. The median is always among the
    trained quantiles, since ``predict`` returns it (``quantiles_``). Ignored
    with other losses, as in ``HistGradientBoostingRegressor``.""",
)


class NeuralNetRegressorMixin(RegressorMixin):
    """Regression: standardised targets, a regression loss, ``predict``.

    Targets are standardised with the mean and standard deviation seen at the
    first fit, which keeps the loss on one scale whatever the unit of y;
    predictions come back on the original scale.
    """

    _target_params = (LOSS, QUANTILE)
    _target_attributes = (
        Attribute("n_outputs_", "int", "Number of targets."),
        Attribute(
            "quantiles_",
            "ndarray of shape (n_quantiles,) or None",
            """
            The quantiles the network predicts, in increasing order, with
            ``loss='quantile'`` (``quantile`` and the median); None otherwise.""",
        ),
    )
    _y_check_params: dict = {"multi_output": True, "y_numeric": True}
    _mixup_classes = None  # mixup mixes the targets themselves

    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on X and y, starting from the current weights.

        Parameters
        ----------
        X : array-like
            Training input.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._partial_fit_with_context(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit_with_context(self, X, y, sample_weight):
        return self._partial_fit(X, y, sample_weight)

    @property
    def _n_outputs(self):
        return self.n_outputs_ * loss_width(*self._fitted_loss())

    def _criterion(self):
        return regression_loss(self.loss, self._fitted_loss()[1])

    def _encode_target(self, y, *, reset, classes=None, validation=False):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(len(y), -1)
        if reset:
            quantile = self.loss == "quantile"
            self.quantiles_ = check_quantiles(self.quantile) if quantile else None
            self._loss_ = self.loss
            self.n_outputs_ = y2.shape[1]
            self._y_1d_ = y.ndim == 1
            self._y_mean_ = y2.mean(axis=0)
            scale = y2.std(axis=0)
            if not np.all(np.isfinite(scale)) or np.abs(y2).max() > FLOAT32_MAX:
                raise ValueError(
                    f"y holds values up to {np.abs(y2).max():.3g}, beyond the range "
                    f"of float32 that {type(self).__name__} computes in; rescale y."
                )
            self._y_scale_ = np.where(scale > 0, scale, 1.0)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}."
            )
        scaled = (y2 - self._y_mean_) / self._y_scale_
        if scaled.size and not np.abs(scaled).max() <= FLOAT32_MAX:
            name = "y_val" if validation else "y"
            raise ValueError(
                f"{name} holds values up to {np.abs(y2).max():.3g}, which scaled "
                "as y was at fit are beyond the range of float32 that "
                f"{type(self).__name__} computes in; rescale {name}."
            )
        return torch.as_tensor(scaled, dtype=torch.float32)

    def _class_weight(self, y):
        return 1.0

    def _stratify_labels(self, data):
        return None

    def _output_module(self, dtype=torch.float32):
        """What ``predict`` does to the module's output, as a torch module
        (for ONNX export; ``predict`` runs it in float64)."""
        mean, scale = self._y_mean_, self._y_scale_
        return PredictionHead(mean, scale, *self._fitted_loss(), dtype=dtype)

    def _fitted_loss(self):
        """The loss the model was trained with and its quantiles (a model
        saved before sknets had losses trained with the squared error)."""
        return getattr(self, "_loss_", "squared_error"), getattr(
            self, "quantiles_", None
        )

    def _shape(self, values):
        """(n, k) values in the shape of y at fit: (n,) when y was 1D."""
        return values.ravel() if self._y_1d_ else values

    def predict(self, X, return_std=False):
        """Predicted target values, and their standard deviations.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.
        return_std : bool, default=False
            Also return the predicted standard deviation of each target, as
            ``GaussianProcessRegressor.predict`` does; needs
            ``loss='gaussian'``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions on the scale of the training targets (the mean, or
            with ``loss='absolute_error'`` and ``'quantile'`` the median);
            1D when y was 1D at fit.
        std : ndarray of the shape of y
            Standard deviations of the predictive distribution, returned with
            ``return_std=True``.
        """
        out = self._forward(X)
        loss, _ = self._fitted_loss()
        if return_std and loss != "gaussian":
            raise ValueError(
                "return_std=True needs a model trained with loss='gaussian', which "
                f"predicts a variance; this one was trained with loss={loss!r}."
            )
        mean = self._predict_from(out)
        if not return_std:
            return mean
        _, variance = gaussian_parts(torch.from_numpy(out), self.n_outputs_)
        return mean, self._shape(variance.double().sqrt().numpy() * self._y_scale_)

    def _predict_from(self, out):
        """Point predictions on the scale of y from the module's outputs: the
        median of the quantiles, the Gaussian mean, or the output itself."""
        head = self._output_module(torch.float64)
        return self._shape(head(torch.from_numpy(out)).numpy())

    def _decode_target(self, y):
        """Encoded (standardised) targets back on the scale of y."""
        y = y.double().numpy().reshape(len(y), -1)
        return self._shape(y * self._y_scale_ + self._y_mean_)

    def predict_quantiles(self, X):
        """Predicted quantiles of the targets, for a model trained with
        ``loss='quantile'``.

        The quantiles are those of ``quantiles_`` (the ``quantile`` parameter
        and the median), in increasing order; each sample's predictions are
        sorted so that they never cross (the rearrangement of Chernozhukov,
        Fernandez-Val and Galichon, 2010), which leaves a model whose
        quantiles do not cross unchanged.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        quantiles : ndarray of shape (n_samples, n_quantiles) or \
                (n_samples, n_outputs, n_quantiles)
            The predicted quantiles on the scale of y, the last axis following
            ``quantiles_``; the middle axis is there when y was 2D at fit.
        """
        out = self._forward(X)
        loss, _ = self._fitted_loss()
        if loss != "quantile":
            raise ValueError(
                "predict_quantiles needs a model trained with loss='quantile'; this "
                f"one was trained with loss={loss!r}."
            )
        head = self._output_module(torch.float64)
        out = head.quantiles(torch.from_numpy(out)).numpy().transpose(0, 2, 1)
        return out[:, 0] if self._y_1d_ else out  # (n, k, q) or (n, q)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _finite_non_negative(values):
    """Whether every value is a finite number of at least 0."""
    try:
        return all(np.isfinite(float(v)) and float(v) >= 0 for v in values)
    except (TypeError, ValueError):
        return False
