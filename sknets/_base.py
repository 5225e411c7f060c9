"""The one estimator base shared by every sknets estimator.

An sknets estimator is a plain scikit-learn estimator. Its ``__init__`` only
stores keyword hyperparameters; ``fit`` validates them, turns the data into
tensors (:mod:`sknets._data`), builds the torch module (:mod:`sknets.modules`)
and a skorch net around it, and trains that net. The net is kept as ``net_``.

Subclasses declare their own hyperparameters and implement two hooks:

- ``_validate_input(X, y=None, *, reset)`` returns ``(X_t, y)``, where ``X_t``
  is a tensor or a dict of tensors (passed to the module as keyword arguments);
- ``_build_module(n_outputs, X_t=None)`` returns the torch module; ``X_t`` is
  the training input when the module is built for a fit (initialisations that
  learn from the data use it), None when a saved model is rebuilt (its weights
  replace the initial ones).

:class:`NeuralNetClassifierMixin` and :class:`NeuralNetRegressorMixin` hold what
differs between classification and regression: target encoding, loss and the
prediction methods.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import warnings
from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from numbers import Integral, Real

import numpy as np
import sklearn
import skorch
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    _fit_context,
    is_classifier,
)
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    LRScheduler,
    PrintLog,
    ProgressBar,
)
from skorch.dataset import unpack_data
from skorch.utils import TeeGenerator

from ._batching import BatchIterator, TensorDataset, take, to_device
from ._data import check_sample_weight

__all__ = [
    "TrainingDivergedWarning",
    "BaseNeuralNet",
    "NeuralNetClassifierMixin",
    "NeuralNetRegressorMixin",
]


class TrainingDivergedWarning(UserWarning):
    """The training loss became NaN or infinite; the last good weights were kept."""


_OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
}


def store_params(estimator, params):
    """The whole ``__init__`` of an estimator: keep the keyword arguments as
    they are, under their own names (called with ``locals()``)."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class _Net(skorch.NeuralNet):
    """skorch's training loop with sknets' data path.

    Three extension points of skorch are overridden for the data: they arrive
    as a ``(train, valid)`` pair of :class:`TensorDataset` (the split is made by
    the estimator), batches come from :class:`BatchIterator` (whole-tensor
    slicing with a seeded permutation), and the loss takes per-sample weights.
    The epoch loop and the training step keep skorch's hooks and history but
    skip the per-batch calls that nothing listens to; autocast and gradient
    scaling serve ``mixed_precision``.
    """

    generator = None  # set by the estimator around each training call
    autocast_dtype = None  # torch.bfloat16 or torch.float16: mixed precision
    grad_scaler = None  # torch.amp.GradScaler for float16

    def infer(self, x, **fit_params):
        # sknets' batches are tensors (or dicts of tensors) already on the
        # device: skorch's conversion and key checks are skipped
        if self.autocast_dtype is None:
            return _call(self.module_, x, **fit_params)
        with autocast(self.device, self.autocast_dtype):
            y_pred = _call(self.module_, x, **fit_params)
        return y_pred.float()  # the loss in float32

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's epoch loop with the same calls and history entries, minus
        # per-batch bookkeeping that nothing listens to: callbacks whose
        # per-batch hooks are skorch's no-ops are not called for every batch.
        if iterator is None:
            return
        begin = self._batch_hooks("on_batch_begin")
        end = self._batch_hooks("on_batch_end")
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batch_count = 0
        for batch in iterator:
            for hook in begin:
                hook(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            record = self.history[-1]["batches"][-1]
            record[loss_key] = step["loss"].item()
            record[size_key] = len(batch[1]["y"])
            for hook in end:
                hook(self, batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)

    def train_step(self, batch, **fit_params):
        # skorch's train_step; on_grad_computed only reaches callbacks that
        # define it (skorch builds a generator of parameters for it per batch)
        hooks = self._batch_hooks("on_grad_computed")[1:]  # not the net's no-op
        accumulator = self.get_train_step_accumulator()

        def step_fn():
            self._zero_grad_optimizer()
            step = self.train_step_single(batch, **fit_params)
            accumulator.store_step(step)
            if hooks:
                params = TeeGenerator(self.get_all_learnable_params())
                for hook in hooks:
                    hook(self, named_parameters=params, batch=batch, training=True)
            return step["loss"]

        self._step_optimizer(step_fn)
        return accumulator.get_step()

    def _batch_hooks(self, name):
        """The net's own ``name`` method, then the callbacks' that do something
        (skorch's ``Callback`` base class defines every hook as a no-op)."""
        noop = getattr(Callback, name)
        hooks = (getattr(callback, name) for _, callback in self.callbacks_)
        return [getattr(self, name)] + [
            hook for hook in hooks if getattr(hook, "__func__", None) is not noop
        ]

    def train_step_single(self, batch, **fit_params):
        if self.grad_scaler is None:
            return super().train_step_single(batch, **fit_params)
        # skorch's step with a scaled loss; the gradients are unscaled before
        # callbacks see them (gradient clipping reads their true norm)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.grad_scaler.scale(loss).backward()
        for name in self._optimizers:
            self.grad_scaler.unscale_(getattr(self, name + "_"))
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        if self.grad_scaler is None:
            return super()._step_optimizer(step_fn)
        step_fn()  # GradScaler.step takes no closure
        for name in self._optimizers:
            self.grad_scaler.step(getattr(self, name + "_"))
        self.grad_scaler.update()

    @property
    def _default_callbacks(self):
        return [
            (name, _PrintLog() if name == "print_log" else callback)
            for name, callback in super()._default_callbacks
        ]

    def get_split_datasets(self, X, y=None, **fit_params):
        return X

    def get_iterator(self, dataset, training=False):
        return BatchIterator(
            dataset,
            self.batch_size,
            shuffle=training,
            generator=self.generator if training else None,
        )

    def _set_training(self, training=True):
        # skorch calls this before every batch; switching the mode of every
        # submodule each time costs about 3 % of a small CNN's fit. The mode
        # only changes between training and validation (or prediction, which
        # restores it), so switch only when the top-level mode differs.
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)
        if training:
            for layer in self._frozen_norms():
                layer.eval()

    def _frozen_norms(self):
        """Batch-norm layers whose parameters are all frozen (found once per
        module; skorch calls ``_set_training`` before every batch)."""
        cache = getattr(self, "_frozen_norm_cache", None)
        if cache is None or cache[0] != id(self.module_):
            cache = (id(self.module_), _frozen_normalization(self.module_))
            self._frozen_norm_cache = cache
        return cache[1]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weight = y_true.get("sample_weight")
        loss = self.criterion_(y_pred, y_true["y"])
        if loss.dim() > 1:
            loss = loss.reshape(len(loss), -1).mean(dim=1)
        if weight is not None:
            loss = loss * weight
        return loss.mean()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("generator", None)
        return state


class _PrintLog(PrintLog):
    """skorch's PrintLog, which formats its table after every epoch even when
    nothing is printed; idle with ``verbose=0``."""

    def on_epoch_end(self, net, **kwargs):
        if net.verbose:
            super().on_epoch_end(net, **kwargs)


class _EarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, idle in epochs without validation data.

    ``partial_fit`` trains without a held-out part, also on a net that ``fit``
    built with early stopping.
    """

    def on_epoch_end(self, net, **kwargs):
        if "valid_loss" in net.history[-1]:
            super().on_epoch_end(net, **kwargs)


class _ValidScore(Callback):
    """Score on the validation data after each epoch, recorded as
    ``valid_score`` in the history (and so printed with ``verbose=1``):
    accuracy for classifiers, R^2 for regressors (on the standardised targets,
    which leaves R^2 unchanged)."""

    def __init__(self, classifier):
        self.classifier = classifier

    def on_epoch_begin(self, net, **kwargs):
        self._pred, self._true = [], []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training and y_pred is not None:
            self._pred.append(y_pred.detach().float().cpu())
            self._true.append(batch[1]["y"].detach().cpu())

    def on_epoch_end(self, net, **kwargs):
        if not self._pred:
            return
        pred, true = torch.cat(self._pred), torch.cat(self._true)
        if self.classifier:
            score = (pred.argmax(dim=1) == true).double().mean().item()
        else:
            pred, true = pred.reshape(len(pred), -1), true.reshape(len(true), -1)
            residual = ((true - pred) ** 2).sum(dim=0)
            total = ((true - true.mean(dim=0)) ** 2).sum(dim=0).clamp_min(1e-12)
            score = (1 - residual / total).mean().item()
        net.history.record("valid_score", score)


def _copy_state(module):
    """A copy of ``module``'s state dict (tensors cloned: ``copy.deepcopy``
    takes ten times as long, and the guard copies after every epoch)."""
    state = module.state_dict()
    copied = type(state)((key, value.detach().clone()) for key, value in state.items())
    copied._metadata = getattr(state, "_metadata", None)  # layer versions
    return copied


class _TrainingGuard(Callback):
    """Keeps usable weights whatever happens during training.

    - A non-finite loss stops training at once (divergence). The weights of
      the good epoch with the lowest training loss come back (the epochs just
      before a divergence often have finite but exploding losses and weights),
      the history is cut after that epoch, and the optimizer restarts from it.
    - A ``KeyboardInterrupt`` (or anything else that ends training inside an
      epoch) leaves the weights of the last completed epoch.

    What happened is kept in ``stop_reason_`` for the estimator to report.
    """

    def on_train_begin(self, net, **kwargs):
        self.stop_reason_ = None
        state = _copy_state(net.module_)
        self._last = self._best = (len(net.history), state)
        self._best_loss = np.inf

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss", np.inf)
        if not np.isfinite(loss):
            return
        self._last = (len(net.history), _copy_state(net.module_))
        if loss <= self._best_loss:
            self._best_loss = loss
            self._best = self._last

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if loss is not None and not math.isfinite(loss.item()):
            self.stop_reason_ = "diverged"
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        history = net.history
        complete, state = self._best if self.stop_reason_ == "diverged" else self._last
        if len(history) > complete:
            del history[complete:]
            net.module_.load_state_dict(state)
            if self.stop_reason_ == "diverged":  # the optimizer state is broken too
                net.initialize_optimizer()
                for group in net.optimizer_.param_groups:
                    group.setdefault("initial_lr", group["lr"])  # for LR schedules
            else:
                self.stop_reason_ = "interrupted"
        self._last = self._best = None

    def __getstate__(self):
        state = super().__getstate__()
        state["_last"] = state["_best"] = None
        return state


class _Checkpoint(Callback):
    """Write the estimator to ``dirname`` after every epoch (last and best).

    The estimator is attached by ``fit`` for the duration of training only.
    """

    estimator = None

    def __init__(self, dirname):
        self.dirname = dirname

    def on_epoch_end(self, net, **kwargs):
        if self.estimator is None:
            return
        from .persistence import save

        os.makedirs(self.dirname, exist_ok=True)
        row = net.history[-1]
        save(
            self.estimator,
            os.path.join(self.dirname, "last.sknets"),
            _skip=("callbacks",),
        )
        if row.get("valid_loss_best", row.get("train_loss_best")):
            save(
                self.estimator,
                os.path.join(self.dirname, "best.sknets"),
                _skip=("callbacks",),
            )

    def __getstate__(self):
        state = super().__getstate__()
        state["estimator"] = None
        return state


def check_channels_param(channels):
    """``channels`` as a tuple of positive ints (the convolution blocks of the
    CNN and CRNN estimators), or a ValueError."""
    sizes = tuple(int(c) for c in channels)
    if not sizes or min(sizes) < 1:
        raise ValueError(
            f"channels must hold at least one positive number of channels, got "
            f"{channels!r}."
        )
    return sizes


def _epochs_of(history, key):
    if not len(history):
        return [] if key == "train_loss" else None
    return [float(v) for v in history[:, key]] if key in history[-1] else None


@contextmanager
def _torch_seed(seed, device):
    """Seed torch's generator for ``device`` inside, restore the caller's after."""
    cuda = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.random.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        yield


class BaseNeuralNet(BaseEstimator):
    """Shared base of sknets estimators; not meant to be used directly."""

    _parameter_constraints: dict = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "mixed_precision": [StrOptions({"bf16", "fp16"}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "checkpoint_dir": [str, os.PathLike, None],
        "init_from": [HasMethods(["fit", "predict"]), torch.nn.Module, None],
        "freeze_features": ["boolean"],
    }

    # -- hooks ------------------------------------------------------------
    def _validate_input(self, X, y=None, *, reset):  # pragma: no cover
        raise NotImplementedError

    def _build_module(self, n_outputs, X_t=None):  # pragma: no cover
        raise NotImplementedError

    def _extra_callbacks(self):
        """Callbacks a family adds to every net (for example gradient clipping)."""
        return []

    # -- fitting ----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to X and y.

        Parameters
        ----------
        X : array-like
            Training input, in one of the layouts the estimator documents.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target labels (classifiers) or values (regressors).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights, multiplied into the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        reset = not (self.warm_start and hasattr(self, "net_"))
        return self._fit(X, y, sample_weight, reset=reset, incremental=False)

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        reset = not hasattr(self, "net_")
        return self._fit(
            X, y, sample_weight, reset=reset, incremental=True, classes=classes
        )

    def _fit(self, X, y, sample_weight, *, reset, incremental, classes=None):
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, "
                "but the target y is None."
            )
        X_t, y = self._validate_input(X, y, reset=reset)
        y_t = self._encode_target(y, reset=reset, classes=classes)
        weight = self._sample_weight(y, sample_weight)
        if reset:
            self.device_ = _resolve_device(self.device)
            _check_mixed_precision(self.mixed_precision, self.device_)
        seed = self._draw_seed(reset)
        if weight is not None:
            weight = torch.as_tensor(weight, dtype=torch.float32)
        data = TensorDataset(X_t, y_t, weight)
        with _torch_seed(seed, self.device_):
            if reset:
                self.net_ = self._make_net(self._build_checked_module(X_t))
                self.net_.initialize()
            train, valid = self._split(data, seed, holdout=not incremental)
            generator = torch.Generator().manual_seed(seed)
            self.net_.generator = generator
            checkpoint = dict(self.net_.callbacks_).get("checkpoint")
            if checkpoint is not None:
                checkpoint.estimator = self
            try:
                epochs = 1 if incremental else self.max_epochs
                self.net_.partial_fit(
                    (to_device(train, self.device_), to_device(valid, self.device_)),
                    epochs=epochs,
                )
            finally:
                self.net_.generator = None
                if checkpoint is not None:
                    checkpoint.estimator = None
        self._record_history()
        self._report_stop()
        return self

    def _report_stop(self):
        reason = dict(self.net_.callbacks_)["training_guard"].stop_reason_
        name = type(self).__name__
        if reason == "diverged":
            _warn_caller(
                f"{name}: the training loss became NaN or infinite; training "
                f"stopped and the weights of epoch {self.n_iter_}, the good epoch "
                "with the lowest training loss, were restored. Try a lower lr, "
                "scaling the inputs (and targets), or gradient clipping.",
                TrainingDivergedWarning,
            )
        elif reason == "interrupted":
            _warn_caller(
                f"{name}: training was interrupted during epoch {self.n_iter_ + 1}; "
                f"the estimator keeps the weights of epoch {self.n_iter_}.",
                UserWarning,
            )

    def _draw_seed(self, reset):
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if not reset:  # continued training: new shuffles, still reproducible
            seed = (seed + 7919 * self.n_iter_) % np.iinfo(np.int32).max
        return int(seed)

    def _split(self, data, seed, holdout):
        if not (holdout and self.early_stopping):
            return data, None
        n = len(data)
        stratify = self._stratify_labels(data)
        n_valid = max(1, int(round(self.validation_fraction * n)))
        if n - n_valid < 2:
            raise ValueError(
                f"early_stopping=True needs at least 3 samples to hold out a "
                f"validation part, got {n}. Set early_stopping=False."
            )
        try:
            train_idx, valid_idx = train_test_split(
                np.arange(n), test_size=n_valid, random_state=seed, stratify=stratify
            )
        except ValueError:  # a class too small to stratify
            train_idx, valid_idx = train_test_split(
                np.arange(n), test_size=n_valid, random_state=seed
            )
        return (
            data.subset(torch.as_tensor(np.sort(train_idx))),
            data.subset(torch.as_tensor(np.sort(valid_idx))),
        )

    def _stratify_labels(self, data):
        return None

    def _make_net(self, module):
        optimizer, extra = (
            _OPTIMIZERS[self.optimizer]
            if isinstance(self.optimizer, str)
            else (self.optimizer, {})
        )
        callbacks = [("training_guard", _TrainingGuard()), *self._extra_callbacks()]
        if self.early_stopping:  # before early stopping, which may end the fit
            callbacks.append(("valid_score", _ValidScore(is_classifier(self))))
        if self.lr_schedule == "cosine":
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                        T_max=self.max_epochs,
                    ),
                )
            )
        if self.checkpoint_dir is not None:  # before early stopping ends an epoch
            callbacks.append(("checkpoint", _Checkpoint(self.checkpoint_dir)))
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    _EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        load_best=True,
                    ),
                )
            )
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks += [copy.deepcopy(cb) for cb in self.callbacks or []]
        net = _Net(
            module=module,
            criterion=self._criterion(),
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=None,
            callbacks=callbacks,
            device=self.device_,
            verbose=self.verbose,
            **{f"optimizer__{k}": v for k, v in extra.items()},
            optimizer__weight_decay=self.weight_decay,
        )
        net.autocast_dtype = _AUTOCAST_DTYPES.get(self.mixed_precision)
        if self.mixed_precision == "fp16":
            net.grad_scaler = torch.amp.GradScaler(self.device_.type)
        return net

    def _build_checked_module(self, X_t):
        """Build the module and check it on two samples: shape problems surface
        here as a ValueError that says what was expected, not deep in torch."""
        module = self._build_module(self._n_outputs, X_t)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                f"module must be a torch.nn.Module subclass or instance, got "
                f"{type(module).__name__}."
            )
        if self.init_from is not None:
            _transfer_features(module, self.init_from, self.freeze_features)
        probe = take(X_t, slice(0, 2))
        expected = (len(probe["x"] if isinstance(probe, Mapping) else probe),)
        expected += (self._n_outputs,)
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = _call(module, probe)
        except Exception as exc:  # torch raises RuntimeError, TypeError, ...
            raise ValueError(
                f"The module of {type(self).__name__} failed on input of shape "
                f"{_shape_of(probe)}: {exc}"
            ) from exc
        finally:
            module.train(was_training)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
            raise ValueError(
                f"The module of {type(self).__name__} returned output of shape "
                f"{got} for input of shape {_shape_of(probe)}; expected "
                f"{expected} (n_samples, n_outputs)."
            )
        return module

    def _record_history(self):
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = _epochs_of(history, "train_loss")
        self.validation_loss_curve_ = _epochs_of(history, "valid_loss")
        self.validation_scores_ = _epochs_of(history, "valid_score")
        if self.validation_loss_curve_:
            self.best_epoch_ = int(np.argmin(self.validation_loss_curve_)) + 1
        else:
            self.best_epoch_ = self.n_iter_

    def _sample_weight(self, y, sample_weight):
        """Per-sample loss weights, normalised to mean 1 over the data, or None
        when every sample weighs the same (the loss is then a plain mean)."""
        weight = check_sample_weight(sample_weight, len(y))
        weight = weight * self._class_weight(y)
        if np.all(weight == weight[0]) and weight[0] > 0:
            return None
        total = weight.sum()
        if not total > 0:
            raise ValueError(
                f"The sample weights of {type(self).__name__} sum to zero once "
                "class_weight is applied; at least one sample needs a positive "
                "weight."
            )
        return weight * (len(weight) / total)

    def _class_weight(self, y):
        return 1.0

    # -- prediction -------------------------------------------------------
    def _forward(self, X):
        """Raw module output for X as a float64 array, computed batch by batch
        under ``torch.inference_mode()`` into one preallocated array."""
        check_is_fitted(self, "net_")
        X_t, _ = self._validate_input(X, reset=False)
        module = self.net_.module_
        was_training = module.training
        module.eval()
        n = len(X_t["x"] if isinstance(X_t, Mapping) else X_t)
        out = np.empty((n, self._n_outputs), dtype=np.float64)
        batch = max(self.batch_size, 256)
        # variable lengths: predict in order of length, so that batches carry
        # little padding, and write each result back to its own row
        order = (
            torch.argsort(X_t["lengths"], stable=True)
            if isinstance(X_t, Mapping) and "lengths" in X_t
            else None
        )
        try:
            with torch.inference_mode():
                for start in range(0, n, batch):
                    rows = slice(start, start + batch)
                    if order is not None:
                        rows = order[rows]
                    xb = to_device(take(X_t, rows), self.device_)
                    with autocast(self.device_, self.net_.autocast_dtype):
                        out[rows] = _call(module, xb).double().cpu()
        finally:
            module.train(was_training)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


def _transfer_features(module, source, freeze):
    """Copy every parameter and buffer outside ``head.`` from ``source`` (a
    fitted sknets estimator or a torch module) into ``module``; optionally
    freeze them."""
    if isinstance(source, torch.nn.Module):
        source_module = source
    else:
        check_is_fitted(source, "net_")
        source_module = source.net_.module_
    available = source_module.state_dict()
    wanted = {k: v for k, v in module.state_dict().items() if not k.startswith("head.")}
    for key, value in wanted.items():
        if key not in available:
            raise ValueError(
                f"init_from is not compatible: its network has no {key!r}, which "
                f"this estimator's network needs (it holds {sorted(available)[:6]}...)."
            )
        if available[key].shape != value.shape:
            raise ValueError(
                f"init_from is not compatible: {key!r} has shape "
                f"{tuple(available[key].shape)} there, but this estimator's network "
                f"needs {tuple(value.shape)} (different input channels, vocabulary "
                "or layer sizes?)."
            )
    module.load_state_dict({k: available[k] for k in wanted}, strict=False)
    if freeze:
        for name, parameter in module.named_parameters():
            if not name.startswith("head."):
                parameter.requires_grad_(False)


def _frozen_normalization(module):
    """The batch-norm layers of ``module`` whose parameters are all frozen.

    ``requires_grad=False`` stops the gradient, but a batch-norm layer in
    training mode still normalises with the statistics of the current batch
    and overwrites its running statistics with them: frozen features would
    then change with every (small) batch of the new task. The training loop
    keeps these layers in evaluation mode, so they use and keep the
    statistics they came with.
    """
    frozen = []
    for layer in module.modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
            params = list(layer.parameters(recurse=False))
            if params and not any(p.requires_grad for p in params):
                frozen.append(layer)
    return frozen


_AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def autocast(device, dtype):
    """``torch.autocast`` to ``dtype`` on ``device``; a no-op for None."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


# files whose frames a warning skips to reach the code that called sknets
_INTERNAL_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, skorch.__file__)
)


def _warn_caller(message, category):
    """``warnings.warn`` attributed to the first frame outside sknets,
    scikit-learn and skorch: the user's ``fit`` or ``partial_fit`` call (or a
    pipeline's, a search's), however deep the path to the warning."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL_DIRS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


def _check_mixed_precision(mixed_precision, device):
    if mixed_precision == "fp16" and device.type == "cpu":
        _warn_caller(
            "mixed_precision='fp16' on the CPU is many times slower than "
            "float32: torch has no fast float16 kernels there. It is meant for "
            "GPUs; on the CPU use mixed_precision='bf16' or None.",
            UserWarning,
        )
    if (
        mixed_precision == "bf16"
        and device.type == "cuda"
        and not torch.cuda.is_bf16_supported()
    ):
        raise ValueError(
            f"mixed_precision='bf16' needs a GPU with bfloat16 support, which "
            f"{torch.cuda.get_device_name(device)} lacks; use 'fp16' or None."
        )


def _call(module, xb, **kwargs):
    """``module`` on a batch: a tensor, or a dict of keyword arguments."""
    return module(**xb, **kwargs) if isinstance(xb, Mapping) else module(xb, **kwargs)


def _shape_of(X):
    if isinstance(X, Mapping):
        return {k: tuple(v.shape) for k, v in X.items()}
    return tuple(X.shape)


def _resolve_device(device):
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch finds no CUDA device "
            "here. Use device='auto' or device='cpu'."
        )
    return resolved


class NeuralNetClassifierMixin(ClassifierMixin):
    """Classification: labels, cross-entropy, ``predict_proba`` and ``predict``."""

    _classifier_constraints: dict = {
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }
    _y_check_params: dict = {}

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on X and y, starting from the current weights.

        Parameters
        ----------
        X : array-like
            Training input.
        y : array-like of shape (n_samples,)
            Target labels.
        classes : array-like of shape (n_classes,), default=None
            All the labels that can appear. Required on the first call, when
            the batches may not hold every class; ignored afterwards.
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
        return torch.nn.CrossEntropyLoss(reduction="none")

    def _encode_target(self, y, *, reset, classes=None):
        name = type(self).__name__
        kinds = {type(v).__name__ for v in np.asarray(y, dtype=object).ravel()}
        if len(kinds) > 1 and "str" in kinds:
            raise ValueError(
                f"y mixes labels of different types ({', '.join(sorted(kinds))}); "
                f"{name} needs labels of one type, for example all strings "
                "(y.astype(str))."
            )
        check_classification_targets(y)
        if reset:
            labels = unique_labels(y) if classes is None else unique_labels(classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes in the data, but "
                    f"the data contains only one class: {labels[0].item()!r}."
                )
            self.classes_ = labels
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unknown):
            raise ValueError(
                f"y contains labels that {name} did not see in its first fit: "
                f"{unknown.tolist()}; expected labels among "
                f"{self.classes_.tolist()}. Pass every label through `classes` "
                "on the first partial_fit call."
            )
        encoded = np.searchsorted(self.classes_, np.asarray(y))
        return torch.as_tensor(encoded, dtype=torch.long)

    def _class_weight(self, y):
        if self.class_weight is None:
            return 1.0
        return compute_sample_weight(self.class_weight, y)

    def _stratify_labels(self, data):
        return data.y.cpu().numpy()

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
            columns also for two classes.
        """
        logits = self._forward(X)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_`` (the original labels, strings included).
        """
        logits = self._forward(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class NeuralNetRegressorMixin(RegressorMixin):
    """Regression: standardised targets, mean squared error, ``predict``.

    Targets are standardised with the mean and standard deviation seen at the
    first fit, which keeps the loss on one scale whatever the unit of y;
    predictions come back on the original scale.
    """

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

    @property
    def _n_outputs(self):
        return self.n_outputs_

    def _criterion(self):
        return torch.nn.MSELoss(reduction="none")

    def _encode_target(self, y, *, reset, classes=None):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(len(y), -1)
        if reset:
            self.n_outputs_ = y2.shape[1]
            self._y_1d = y.ndim == 1
            self._y_mean = y2.mean(axis=0)
            scale = y2.std(axis=0)
            self._y_scale = np.where(scale > 0, scale, 1.0)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}."
            )
        return torch.as_tensor((y2 - self._y_mean) / self._y_scale, dtype=torch.float32)

    def predict(self, X):
        """Predicted target values.

        Parameters
        ----------
        X : array-like
            Input, in the layout used at fit.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions on the scale of the training targets; 1D when y was 1D
            at fit.
        """
        out = self._forward(X) * self._y_scale + self._y_mean
        return out.ravel() if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
