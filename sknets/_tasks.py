"""What differs between classification and regression for the estimator:
its parameters, fitted attributes and prediction methods. The targets
themselves, encoded for the network and decoded back, are
:mod:`sknets._targets`' objects."""

from __future__ import annotations

from numbers import Real

from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

from ._constraints import Range
from ._losses import LOSSES
from ._params import Attribute, Param
from ._targets import RegressionTarget, classification_target

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

    def _learn_target(self, y, classes=None):
        self._target_ = classification_target(y, classes, type(self).__name__)
        self.classes_ = self._target_.classes
        return self._target_.encode(y)

    def _class_weight(self, y):
        return self._target_.sample_weight(y, self.class_weight)

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
        outputs = self._forward(X)  # NotFittedError before fit
        return self._target_.proba(outputs)

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
        outputs = self._forward(X)  # NotFittedError before fit
        return self._target_.log_proba(outputs)

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
        outputs = self._forward(X)  # NotFittedError before fit
        return self._target_.predict(outputs)

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
    and absolute beyond; 'quantile' predicts the quantile ``quantile``, as
    ``HistGradientBoostingRegressor(loss='quantile')`` does (several
    quantiles: the median, and :meth:`predict_quantiles` gives them all);
    'gaussian' predicts a mean and a variance per target, trained by their
    Gaussian likelihood, for ``predict(X, return_std=True)``. Targets are
    standardised before any loss, so 'huber''s threshold follows the spread
    of y.""",
)
QUANTILE = Param(
    "quantile",
    0.5,
    [Range(Real, 0, 1, closed="neither"), "array-like"],
    "float or array-like of float",
    """
    With ``loss='quantile'``: the quantile that ``predict`` returns, as in
    scikit-learn's ``HistGradientBoostingRegressor`` (two models with 0.05
    and 0.95 bound a 90 % interval); or several quantiles trained together
    in one network (for example ``[0.05, 0.95]`` for a 90 % interval from one
    fit), each strictly between 0 and 1, to which the median is added:
    ``predict`` then returns the median and :meth:`predict_quantiles` every
    one (``quantiles_``). Ignored with other losses, as in
    ``HistGradientBoostingRegressor``.""",
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
            ``loss='quantile'`` (``quantile``, with the median when it holds
            several); None otherwise.""",
        ),
    )
    _y_check_params: dict = {"multi_output": True, "y_numeric": True}

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

    def _learn_target(self, y, classes=None):
        name = type(self).__name__
        self._target_ = RegressionTarget.learn(y, self.loss, self.quantile, name)
        self.n_outputs_ = self._target_.n_targets
        self.quantiles_ = self._target_.quantiles
        return self._target_.encode(y)

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
            Predictions on the scale of the training targets: the mean; with
            ``loss='absolute_error'`` the median; with ``loss='quantile'`` the
            quantile ``quantile`` (the median when it holds several). 1D when
            y was 1D at fit.
        std : ndarray of the shape of y
            Standard deviations of the predictive distribution, returned with
            ``return_std=True``.
        """
        out = self._forward(X)
        target = self._target_
        if return_std and target.loss != "gaussian":
            raise ValueError(
                "return_std=True needs a model trained with loss='gaussian', which "
                f"predicts a variance; this one was trained with loss={target.loss!r}."
            )
        mean = target.predict(out)
        return (mean, target.std(out)) if return_std else mean

    def predict_quantiles(self, X):
        """Predicted quantiles of the targets, for a model trained with
        ``loss='quantile'``.

        The quantiles are those of ``quantiles_`` (the ``quantile`` parameter,
        with the median when it holds several), in increasing order; each
        sample's predictions are sorted so that they never cross (the
        rearrangement of Chernozhukov, Fernandez-Val and Galichon, 2010),
        which leaves a model whose quantiles do not cross unchanged.

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
        if self._target_.loss != "quantile":
            raise ValueError(
                "predict_quantiles needs a model trained with loss='quantile'; this "
                f"one was trained with loss={self._target_.loss!r}."
            )
        return self._target_.predict_quantiles(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
