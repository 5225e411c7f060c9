"""The skorch callbacks sknets sets up: the training guard, checkpoints,
early stopping and the validation score."""

from __future__ import annotations

import copy
import math
import os
import warnings

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.metrics import get_scorer
from skorch.callbacks import Callback, EarlyStopping, LRScheduler, ProgressBar

from ._batching import take
from ._runtime import warn_caller
from .persistence import check_saveable

__all__ = [
    "Checkpoint",
    "TrainingDivergedWarning",
    "TrainingGuard",
    "ValidScore",
    "ValidatedEarlyStopping",
    "check_checkpoint_dir",
    "net_callbacks",
    "report_stop",
    "set_schedule",
]


class ValidatedEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, idle in epochs without validation data.

    ``partial_fit`` trains without a held-out part, also on a net that ``fit``
    built with early stopping.
    """

    def on_epoch_end(self, net, **kwargs):
        if "valid_loss" in net.history[-1]:
            super().on_epoch_end(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        # no epoch left (stopped in the first one): there is no best epoch
        if len(net.history) and self.best_epoch_ <= len(net.history):
            super().on_train_end(net, **kwargs)


class ValidScore(Callback):
    """Score on the validation data after each epoch, recorded as
    ``valid_score`` in the history (and so printed with ``verbose=1``):
    the ``scorer``'s (with ``scoring='loss'``, accuracy for classifiers and
    R^2 for regressors), computed on the predictions the estimator makes of
    the network's outputs on the validation part (:class:`ScoredOutputs`)."""

    def __init__(self, estimator, scorer):
        self.estimator = estimator
        self.scorer = scorer

    def on_epoch_begin(self, net, **kwargs):
        self._pred, self._true = [], []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training and y_pred is not None:
            self._pred.append(y_pred.detach().float().cpu())
            self._true.append(batch[1]["y"].detach().cpu())

    def on_epoch_end(self, net, **kwargs):
        if not self._pred:
            return
        estimator = self.estimator
        outputs = torch.cat(self._pred).double().numpy()
        kind = ScoredProbabilities if is_classifier(estimator) else ScoredOutputs
        true = estimator._target_.decode(torch.cat(self._true))
        score = float(self.scorer(kind(estimator, outputs), None, true))
        net.history.record("valid_score", score)


def check_scorer(estimator, y):
    """A ValueError before the first epoch when ``scoring`` cannot score the
    estimator's predictions (a classification metric on a regressor, a
    ranking metric without probabilities): the scorer is tried on the
    targets ``y`` against constant outputs, as :class:`ValidScore` calls it."""
    if not estimator.early_stopping_ or estimator.scoring == "loss":
        return
    scorer = get_scorer(estimator.scoring)
    outputs = np.zeros((len(y), estimator._target_.n_outputs))
    kind = ScoredProbabilities if is_classifier(estimator) else ScoredOutputs
    try:
        with warnings.catch_warnings():  # constant outputs: ill-defined metrics
            warnings.simplefilter("ignore")
            scorer(kind(estimator, outputs), None, y)
    except Exception as exc:
        name = type(estimator).__name__
        reason = (
            f"it needs probabilities or decision values, which {name} does not give"
            if isinstance(exc, AttributeError)  # read of the ScoredOutputs
            else str(exc)
        )
        raise ValueError(
            f"scoring={estimator.scoring!r} cannot score the predictions of "
            f"{name}: {reason}."
        ) from None


class ScoredOutputs:
    """What a scikit-learn scorer reads of an estimator during its fit: the
    predictions (and probabilities) of the validation part, made from the
    network's outputs on it with the estimator's own rules. The scorer's X
    is not read."""

    def __init__(self, estimator, outputs):
        self._estimator, self._outputs = estimator, outputs

    def __sklearn_tags__(self):
        return self._estimator.__sklearn_tags__()

    def predict(self, X):
        return self._estimator._target_.predict(self._outputs)


class ScoredProbabilities(ScoredOutputs):
    """:class:`ScoredOutputs` of a classifier, with its probabilities."""

    def __init__(self, estimator, outputs):
        super().__init__(estimator, outputs)
        self.classes_ = estimator.classes_

    def predict_proba(self, X):
        return self._estimator._target_.proba(self._outputs.copy())


def copy_state(module):
    """A copy of ``module``'s state dict (tensors cloned: ``copy.deepcopy``
    takes ten times as long, and the guard copies after every epoch)."""
    state = module.state_dict()
    copied = type(state)((key, value.detach().clone()) for key, value in state.items())
    copied._metadata = getattr(state, "_metadata", None)  # layer versions
    return copied


class TrainingGuard(Callback):
    """Keeps usable weights whatever happens during training.

    - A non-finite loss stops training at once (divergence). The weights of
      the good epoch with the lowest training loss come back (the epochs just
      before a divergence often have finite but exploding losses and weights),
      the history is cut after that epoch, and the optimizer restarts from it.
    - So does an epoch that ends with non-finite weights (or buffers), or
      whose weights give non-finite outputs on a few training samples (kept
      from the first batch): finite but huge weights overflow a forward pass.
    - A ``KeyboardInterrupt`` (or anything else that ends training inside an
      epoch) leaves the weights of the last completed epoch.

    What happened is kept in ``stop_reason_`` for the estimator to report.
    """

    def on_train_begin(self, net, **kwargs):
        self.stop_reason_ = None
        state = copy_state(net.module_)
        self._last = self._best = (len(net.history), state)
        self._best_loss = np.inf
        self._probe = None

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss", np.inf)
        if not np.isfinite(loss):
            return
        if not self._usable(net):
            self.stop_reason_ = "diverged"
            raise KeyboardInterrupt  # on_train_end restores the best good epoch
        self._last = (len(net.history), copy_state(net.module_))
        if loss <= self._best_loss:
            self._best_loss = loss
            self._best = self._last

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if loss is not None and not math.isfinite(loss.item()):
            self.stop_reason_ = "diverged" if training else "diverged in validation"
            raise KeyboardInterrupt
        if training and self._probe is None and batch is not None:
            self._probe = take(batch[0], slice(0, 2))

    def _usable(self, net):
        """Whether the module's weights and buffers are finite, and so are its
        outputs on the probe samples in evaluation mode."""
        module = net.module_
        for tensor in module.state_dict().values():
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                return False
        if self._probe is None:
            return True
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = net.infer(self._probe)
        finally:
            module.train(was_training)
        return not isinstance(out, torch.Tensor) or bool(torch.isfinite(out).all())

    def on_train_end(self, net, **kwargs):
        history = net.history
        # weights spoiled after the last epoch's check (by a later callback)
        unusable = self.stop_reason_ is None and not self._usable(net)
        if unusable:
            self.stop_reason_ = "diverged"
        diverged = (self.stop_reason_ or "").startswith("diverged")
        complete, state = self._best if diverged else self._last
        if len(history) > complete or unusable:
            del history[complete:]
            net.module_.load_state_dict(state)
            if diverged:  # the optimizer state is broken too
                net.initialize_optimizer()
                for group in net.optimizer_.param_groups:
                    group.setdefault("initial_lr", group["lr"])  # for LR schedules
            else:
                self.stop_reason_ = "interrupted"
        self._last = self._best = self._probe = None

    def __getstate__(self):
        state = super().__getstate__()
        state["_last"] = state["_best"] = state["_probe"] = None
        return state


class TrainingDivergedWarning(UserWarning):
    """The training loss became NaN or infinite; the last good weights were kept."""


def report_stop(estimator):
    """Warn when the estimator's training stopped on its own (its guard's
    ``stop_reason_``); True when it did."""
    reason = dict(estimator.net_.callbacks_)["training_guard"].stop_reason_
    name = type(estimator).__name__
    if reason is None:
        return False
    kept = (
        f"the weights of epoch {estimator.n_iter_}, the good epoch with the lowest "
        "training loss, were restored"
        if estimator.n_iter_
        else "no epoch completed, so the estimator is not fitted"
    )
    if reason == "interrupted":
        warn_caller(
            f"{name}: training was interrupted during epoch {estimator.n_iter_ + 1}; "
            + (
                f"the estimator keeps the weights of epoch {estimator.n_iter_}."
                if estimator.n_iter_
                else "no epoch completed, so the estimator is not fitted."
            ),
            UserWarning,
        )
    else:
        which = "validation" if reason == "diverged in validation" else "training"
        warn_caller(
            f"{name}: the {which} loss became NaN or infinite; training "
            f"stopped and {kept}. Try a lower lr, scaling the inputs (and "
            "targets), or gradient clipping"
            + (
                "; check the held-out data, which the model cannot score."
                if which == "validation"
                else "."
            ),
            TrainingDivergedWarning,
        )
    return True


def is_best_epoch(history):
    """Whether the last epoch has the lowest validation loss so far (the
    training loss without validation data), read from the history itself, so
    that a resumed fit compares with the epochs before it."""
    key = "valid_loss" if "valid_loss" in history[-1] else "train_loss"
    earlier = [row[key] for row in history[:-1] if key in row]
    return not earlier or history[-1][key] < min(earlier)


class Checkpoint(Callback):
    """Write the estimator to ``dirname`` after every epoch: ``last.sknets``
    always, ``best.sknets`` when the epoch is the best so far.

    ``write(path)``, the function that writes the estimator, is handed over
    by the estimator for the duration of training only.
    """

    write = None

    def __init__(self, dirname):
        self.dirname = dirname

    def on_epoch_end(self, net, **kwargs):
        if self.write is None:
            return
        os.makedirs(self.dirname, exist_ok=True)
        self.write(os.path.join(self.dirname, "last.sknets"))
        if is_best_epoch(net.history):
            self.write(os.path.join(self.dirname, "best.sknets"))

    def __getstate__(self):
        state = super().__getstate__()
        state["write"] = None
        return state


class Cosine:
    """The factor of ``lr`` in epoch ``epoch`` of a cosine schedule: from 1
    down towards 0 over ``epochs`` epochs, counted from ``start`` (the epochs
    trained before the fit that set the schedule). A closed form (no chained
    update), so that a net rebuilt around a trained module resumes it exactly;
    past ``epochs`` (``partial_fit`` beyond ``max_epochs``) it rises again, as
    torch's ``CosineAnnealingLR`` does."""

    def __init__(self, epochs, start=0):
        self.epochs, self.start = max(int(epochs), 1), int(start)

    def __call__(self, epoch):
        return 0.5 * (
            1.0 + math.cos(math.pi * max(epoch - self.start, 0) / self.epochs)
        )


def set_schedule(net, epochs, start=0):
    """Point the net's cosine schedule (if any) at a cycle of ``epochs``
    starting at epoch ``start``."""
    schedule = dict(net.callbacks_).get("lr_schedule")
    if schedule is not None:
        schedule.lr_lambda = Cosine(epochs, start)


def net_callbacks(estimator, extra=()):
    """The callbacks of an estimator's new net, in the order they run;
    ``extra`` are those its family adds (gradient clipping)."""
    callbacks = [("training_guard", TrainingGuard()), *extra]
    if estimator.early_stopping_:  # before early stopping, which may end the fit
        scoring = estimator.scoring
        if scoring == "loss":  # the loss decides; the score is for information
            scoring = "accuracy" if is_classifier(estimator) else "r2"
        score = ValidScore(estimator, get_scorer(scoring))
        callbacks.append(("valid_score", score))
    if estimator.lr_schedule == "cosine":
        schedule = LRScheduler(
            policy=torch.optim.lr_scheduler.LambdaLR,
            lr_lambda=Cosine(estimator.max_epochs_),
        )
        callbacks.append(("lr_schedule", schedule))
    if estimator.checkpoint_dir is not None:  # before early stopping ends an epoch
        callbacks.append(("checkpoint", Checkpoint(estimator.checkpoint_dir)))
    if estimator.early_stopping_:
        by_score = estimator.scoring != "loss"
        # a score of either sign: any higher one is better (so that the epoch
        # kept is the argmax of validation_scores_)
        threshold = dict(threshold=0.0, threshold_mode="abs") if by_score else {}
        stopping = ValidatedEarlyStopping(
            monitor="valid_score" if by_score else "valid_loss",
            lower_is_better=not by_score,
            patience=estimator.n_iter_no_change,
            load_best=True,
            **threshold,
        )
        callbacks.append(("early_stopping", stopping))
    if estimator.verbose and estimator.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    extra_callbacks = estimator.callbacks or []
    odd = next(
        (i for i, cb in enumerate(extra_callbacks) if not isinstance(cb, Callback)),
        None,
    )
    if odd is not None:
        raise TypeError(
            f"callbacks must hold skorch callbacks (skorch.callbacks.Callback "
            f"instances); item {odd} is {type(extra_callbacks[odd]).__name__}."
        )
    return callbacks + [copy.deepcopy(cb) for cb in extra_callbacks]


def check_checkpoint_dir(estimator):
    """Checkpoint problems before the first epoch: a directory that cannot be
    made, parameters that a model file cannot hold."""
    path = estimator.checkpoint_dir
    if path is None:
        return
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"checkpoint_dir={os.fspath(path)!r} cannot be used as a directory: {exc}."
        ) from exc
    check_saveable(estimator, skip=("callbacks",))
