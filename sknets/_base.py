"""The scikit-learn contract shared by every sknets estimator.

An sknets estimator is a plain scikit-learn estimator. Its ``__init__`` only
stores keyword hyperparameters; ``fit`` validates them, reads the data
through its input kinds (:mod:`sknets._inputs`), builds the torch module
(:mod:`sknets.modules`) and a skorch net around it (:mod:`sknets._net`), and
trains that net. The net is kept as ``net_``.

A concrete estimator combines three parts, and declares nothing twice:

- a task mixin (:mod:`sknets._tasks`): classification or regression, whose
  fit learns a target object (:mod:`sknets._targets`, ``_target_``);
- a family base, which declares its hyperparameters (``_family_params``), the
  input kinds it takes (``_input_kinds``), default overrides (``_defaults``)
  and builds its network (``_build_network``);
- :class:`BaseNeuralNet`, which composes the declarations into the
  ``__init__`` signature, ``_parameter_constraints`` and the docstring's
  Parameters and Attributes sections (:mod:`sknets._params`) when the class
  is defined.

sknets' own helpers talk to an estimator through the protocol methods of its
fitted state (:mod:`sknets._state`): ``__sknets_getstate__`` /
``__sknets_setstate__`` (what ``sknets.save`` and ``sknets.load`` write and
read) and ``__sknets_onnx__`` (what ``sknets.export_onnx`` needs).

A fit either completes or leaves the estimator as it was: an exception
restores the previous fitted state, a fit that completes no epoch (it
diverged or was interrupted at once) leaves it unfitted, with a warning.
After a fit the module is in evaluation mode, and prediction
(:mod:`sknets._predicting`) changes no state, so that several threads can
predict with one fitted estimator.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import os
import threading

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state

from . import _params
from ._batching import TensorDataset, call, n_samples, take, to_device
from ._budget import AUTO_EARLY_STOPPING, Budget
from ._callbacks import (
    TrainingDivergedWarning,
    check_checkpoint_dir,
    check_scorer,
    net_callbacks,
    report_stop,
)
from ._distributed import broadcast_seed, broadcast_state, process_group
from ._inputs import input_kind
from ._net import Net
from ._predicting import PredictionMixin
from ._registry import register
from ._runtime import (
    AUTOCAST_DTYPES,
    check_mixed_precision,
    optimizer_class,
    resolve_device,
    torch_seed,
)
from ._state import READ_BY_FIT, StateMixin
from ._streaming import check_training_input
from ._targets import loss_weights
from ._transfer import probe_head, transfer_features
from ._unused import warn_unused_params
from ._validation import ValidationMixin, validation_arguments
from .persistence import save

__all__ = ["BaseNeuralNet", "TrainingDivergedWarning"]

# torch's random generator is one per process: fits that seed it run one at a
# time, so that a seeded fit in a thread gives what it gives alone
FIT_LOCK = threading.RLock()


class BaseNeuralNet(StateMixin, ValidationMixin, PredictionMixin, BaseEstimator):
    """Shared base of sknets estimators; not meant to be used directly."""

    #: the family's own hyperparameters (:class:`sknets._params.Param`)
    _family_params: tuple = ()
    #: fitted attributes the family adds (:class:`sknets._params.Attribute`)
    _family_attributes: tuple = ()
    #: the kinds of input the estimator takes, in the order they claim X
    _input_kinds: tuple = ()
    #: parameters a group of families adds (gradient clipping for sequences)
    _extra_params: tuple = ()
    #: set by the task mixin (:mod:`sknets._tasks`)
    _target_params: tuple = ()
    _target_attributes: tuple = ()
    #: defaults that differ from the declarations, merged along the MRO
    _defaults: dict = {}
    #: the family's training budget for max_epochs='auto' and batch_size='auto'
    _budget = Budget()
    #: where a fit of the family trains no epoch (None: it always trains), in
    #: words that follow "the fit trains no epoch"
    _untrained_fit: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        params, attributes = cls._declarations()
        cls.__init__ = _params.make_init(params)
        cls.__init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls._parameter_constraints = {p.name: p.constraints for p in params}
        cls.__doc__ = _params.render_doc(
            cls.__doc__, params, attributes, cls._budget, cls._untrained_fit
        )
        register(cls)

    @classmethod
    def _declarations(cls):
        """The class's hyperparameters (in signature order, defaults
        overridden) and fitted attributes, composed from its parts."""
        params = _params.merge(
            cls._family_params,
            *(kind.params for kind in cls._input_kinds),
            cls._extra_params,
            (_params.MODULE,),
            _params.TRAINING,
            cls._target_params,
        )
        defaults = {}
        for klass in reversed(cls.__mro__):
            defaults.update(vars(klass).get("_defaults", {}))
        unknown = set(defaults) - {p.name for p in params}
        if unknown:
            raise TypeError(f"{cls.__name__} overrides unknown defaults {unknown}.")
        params = tuple(
            dataclasses.replace(p, default=defaults[p.name])
            if p.name in defaults
            else p
            for p in params
        )
        attributes = _params.merge(
            cls._target_attributes,
            cls._family_attributes,
            *(kind.attributes for kind in cls._input_kinds),
            _params.FITTED,
        )
        return params, attributes

    # -- family hooks -------------------------------------------------------
    #: the family's torch module class (built by :meth:`_build_network`)
    _module: type | None = None

    def _network_settings(self, inputs):
        """Each declared family hyperparameter the module takes, by name, as
        its ``Param`` converts it. A family extends this to resolve an 'auto'
        (recording the choice as a fitted attribute) or to add what its module
        needs besides; ``inputs`` are the input kind's ``module_kwargs``."""
        takes = _params.module_settings(self._module)
        return {p.name: p.value(self) for p in self._family_params if p.name in takes}

    def _build_network(self, n_outputs, **inputs):
        """The family's built-in torch module, built only: its settings come
        from :meth:`_network_settings`, ``inputs`` from the input kind's
        ``module_kwargs``."""
        settings = self._network_settings(inputs)
        return self._module(n_outputs=n_outputs, **settings, **inputs)

    def _extra_callbacks(self):
        """Callbacks a family adds to every net (for example gradient clipping)."""
        return []

    def _augmented(self):
        """Whether training augments its batches (``augment``)."""
        return False

    def _initialize_head(self, data):
        """Set the head from the training data before any epoch: on frozen
        copied features (``init_from`` with ``freeze_features``), fitted to
        them (:func:`~sknets._transfer.probe_head`); a family whose head has
        a closed form (MiniRocket's ridge regression) sets its own."""
        if self.init_from is not None and self.freeze_features:
            probe_head(self.net_.module_, data, self._target_)

    def _resolve_network(self):
        """Resolve the family's network 'auto's from what the input kind
        learned (``max_length_``, ...), as fitted attributes that
        :meth:`_network_settings` reads; called once, at a new fit."""

    # -- task hooks (the task mixins of :mod:`sknets._tasks`) ---------------
    #: what y must be, as ``check_X_y`` takes it
    _y_check_params: dict = {}

    def _learn_target(self, y, classes=None):
        """Learn ``_target_`` (:mod:`sknets._targets`) and the task's fitted
        attributes from y at a new fit; return y encoded."""
        raise NotImplementedError

    def _class_weight(self, y):
        """Per-sample weights of the classes of y (1.0: none)."""
        return 1.0

    def _sample_weight(self, y, sample_weight):
        """The loss weights of y's samples (:func:`~sknets._targets.loss_weights`)."""
        return loss_weights(y, sample_weight, self._class_weight, type(self).__name__)

    # -- fitting ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to X and y.

        Parameters
        ----------
        X : array-like
            Training input, in one of the layouts the estimator documents.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target labels (classifiers) or values (regressors).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights, multiplied into the loss.
        X_val : array-like, default=None
            Validation input for early stopping, in the layout of X (another
            site, patient or period), as ``HistGradientBoostingClassifier``
            takes it: given with ``y_val``, it is the validation data instead
            of a part held out of X, and early stopping is on with it
            (``early_stopping='auto'`` or True). In a ``Pipeline``, route it
            with metadata routing and ``transform_input=["X_val"]`` so that
            the preceding steps transform it as they transform X.
        y_val : array-like, default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        reset = not (self.warm_start and hasattr(self, "net_"))
        validation = validation_arguments(self, X_val, y_val, sample_weight_val)
        return self._fit(
            X, y, sample_weight, reset=reset, incremental=False, validation=validation
        )

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        reset = not hasattr(self, "net_")
        return self._fit(
            X, y, sample_weight, reset=reset, incremental=True, classes=classes
        )

    def _fit(
        self, X, y, sample_weight, *, reset, incremental, classes=None, validation=None
    ):
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, "
                "but the target y is None."
            )
        snapshot = self._snapshot(weights=not reset)
        try:
            with FIT_LOCK:
                self._fit_unguarded(
                    X, y, sample_weight, reset, incremental, classes, validation
                )
        except BaseException:
            self._restore(snapshot)  # a failed fit leaves the estimator as it was
            raise
        self._record_history()
        if report_stop(self) and reset and self.n_iter_ == 0:
            self._unfit()  # no epoch completed: nothing usable was learned
        return self

    def _fit_unguarded(
        self, X, y, sample_weight, reset, incremental, classes, validation=None
    ):
        changed = [] if reset else self._continued_settings()
        batch, y = check_training_input(self, X, y, reset=reset, **self._y_check_params)
        if reset:
            y_t = self._learn_target(y, classes)
        else:
            y_t = self._target_.encode(y, classes=classes)
        weight = self._sample_weight(y, sample_weight)
        given = None if validation is None else self._check_validation(*validation)
        rebuild = self._resolve_settings(
            batch,
            reset,
            incremental,
            validation_given=given is not None,
            changed=changed,
        )
        if reset:
            check_mixed_precision(self.mixed_precision, self.device_)
            if not incremental:
                warn_unused_params(self, self._declarations()[0])
            check_scorer(self, y)
        else:
            self._continue(rebuild, incremental)
        check_checkpoint_dir(self)
        seed = self._draw_seed(reset)
        group = process_group()
        if group is not None:  # every process: rank 0's seed
            seed = broadcast_seed(seed)
        with torch_seed(seed, self.device_):
            if reset:
                self.net_ = self._make_net(self._build_checked_module(batch))
                self.net_.initialize()
            data = TensorDataset(self._training_input(batch), y_t, weight)
            if reset:
                self._initialize_head(data)
            if given is None:
                train, valid = self._split(data, seed, holdout=not incremental)
            else:
                v_batch, v_y, v_weight = given
                valid = TensorDataset(self._training_input(v_batch), v_y, v_weight)
                train = data
            self._train(train, valid, seed, epochs=1 if incremental else None)

    def _resolve_settings(
        self, batch, reset, incremental, validation_given=False, changed=()
    ):
        """The one place where the settings of a fit are resolved from the
        parameters, the training input and the kind of fit (new or continued,
        whole or ``partial_fit``; distributed fits resolve alike in every
        process): ``device_``, ``early_stopping_`` (on with validation data
        given to fit), ``batch_size_``, ``max_epochs_`` and, at a new fit, the
        family's network (:meth:`_resolve_network`). A continued fit keeps
        what it resolved before but for the parameters ``changed`` since (a
        value replaces the resolved one, 'auto' keeps it). Returns whether
        the net, which holds these settings, must be rebuilt around the
        trained module."""
        before = None if reset else (self.early_stopping_, self.batch_size_)
        if reset or changed:
            self.device_ = resolve_device(self.device)
        group = process_group()  # a distributed fit: each process its own GPU
        if (
            group is not None
            and self.device_.type == "cuda"
            and self.device_.index is None
        ):
            self.device_ = torch.device(
                "cuda", int(os.environ.get("LOCAL_RANK", group[0]))
            )
        if reset and self.early_stopping == "auto":
            self.early_stopping_ = n_samples(batch) >= AUTO_EARLY_STOPPING
        elif reset or (changed and self.early_stopping != "auto"):
            self.early_stopping_ = bool(self.early_stopping)
        self.early_stopping_ = self.early_stopping_ or validation_given
        n = n_samples(batch)
        held_out = self.early_stopping_ and not (validation_given or incremental)
        n_train = n - self._n_valid(n) if held_out else n
        if self.batch_size != "auto" and (reset or changed):
            self.batch_size_ = int(self.batch_size)
        elif reset:
            self.batch_size_ = self._budget.resolve_batch_size(n_train)
        if reset or not incremental:
            self.max_epochs_ = self._epochs_for(batch, self.batch_size_, n_train)
        if reset and self.module is None:
            self._resolve_network()
        rebuild = any(name not in READ_BY_FIT for name in changed)
        return not reset and (
            rebuild or before != (self.early_stopping_, self.batch_size_)
        )

    def _epochs_for(self, batch, batch_size, n=None):
        """Epochs for training on ``n`` samples of ``batch`` (all by default).
        The budget's work counts the steps of sequences read: their mean
        length (batches of similar lengths carry little padding), 1 for
        images."""
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        n = n_samples(batch) if n is None else n
        if "lengths" in batch:
            length = float(batch["lengths"].double().mean())
        else:
            length = batch["x"].shape[1] if batch["x"].dim() == 3 else 1
        return self._budget.resolve_epochs(n, batch_size, length, self._augmented())

    def _training_input(self, batch, max_bytes=2**30):
        """The batch training reads. A module whose feature part is fixed
        (``fixed_features``: no trainable parameter, no randomness before its
        head) trains its head on features computed once, when they fit in
        ``max_bytes`` (those its ``data_init`` kept, if it kept them:
        ``pop_initial_features``); otherwise they are computed batch by
        batch."""
        module = self.net_.module_
        if not getattr(module, "fixed_features", False):
            return batch
        n, width = n_samples(batch), getattr(module, "num_features", 0)
        fits = n * width * 4 <= max_bytes
        pop = getattr(module, "pop_initial_features", None)
        if pop is not None:
            # the features its data_init kept for this batch, computed on the
            # CPU without autocast as below; dropped also where not used
            plain = self.device_.type == "cpu" and self.net_.autocast_dtype is None
            initial = pop(batch["x"] if fits and plain else None)
            if initial is not None:
                return {"features": initial}
        if not fits:
            return batch
        out = torch.empty((n, width), dtype=torch.float32, device=self.device_)
        return {"features": self._in_batches(module.forward_features, batch, out)}

    def _train(self, train, valid, seed, epochs=None):
        """Train the net on ``train`` (validating on ``valid``) for ``epochs``
        (``max_epochs_`` when None); the checkpoint callback writes this
        estimator while it trains."""
        net = self.net_
        net.generator = torch.Generator().manual_seed(seed)
        group = process_group()
        if group is not None and self.batch_size_ < group[1]:
            raise ValueError(
                f"batch_size={self.batch_size_} is smaller than the {group[1]} "
                "processes of the distributed fit, which share every batch; use a "
                f"batch_size of at least {group[1]} (a multiple of it keeps the "
                "shares equal)."
            )
        net.distributed = group
        if group is not None:
            broadcast_state(net.module_)  # every process starts from rank 0's
        checkpoint = dict(net.callbacks_).get("checkpoint")
        if checkpoint is not None and (group or (0,))[0] == 0:
            checkpoint.write = lambda path: save(self, path, _skip=("callbacks",))
        try:
            net.partial_fit(
                (to_device(train, self.device_), to_device(valid, self.device_)),
                epochs=self.max_epochs_ if epochs is None else epochs,
            )
        except ValueError as exc:
            if "Expected more than 1 value per channel" not in str(exc):
                raise
            raise ValueError(
                f"{type(self).__name__}: batch normalisation cannot train on a "
                "batch that holds a single value per channel (batch_size="
                f"{self.batch_size_} on inputs of one step or pixel); use a larger "
                "batch_size, or batch_norm=False."
            ) from exc
        finally:
            net.generator = None
            net.distributed = None
            if checkpoint is not None:
                checkpoint.write = None
            net.module_.eval()  # predictions read the module, never switch it
        self._fit_params = self.get_params(deep=False)

    def _draw_seed(self, reset):
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if not reset:  # continued training: new shuffles, still reproducible
            seed = (seed + 7919 * self.n_iter_) % np.iinfo(np.int32).max
        return int(seed)

    def _make_net(self, module):
        optimizer, extra = optimizer_class(self.optimizer)
        net = Net(
            module=module,
            criterion=self._target_.criterion(),
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs_,
            batch_size=self.batch_size_,
            train_split=None,
            callbacks=net_callbacks(self, self._extra_callbacks()),
            device=self.device_,
            verbose=self.verbose,
            **{f"optimizer__{k}": v for k, v in extra.items()},
            optimizer__weight_decay=self.weight_decay,
        )
        net.autocast_dtype = AUTOCAST_DTYPES.get(self.mixed_precision)
        if self.mixed_precision == "fp16":
            net.grad_scaler = torch.amp.GradScaler(self.device_.type)
        return net

    def _build_module(self, n_outputs, batch=None):
        """The torch module: the family's network, or the user's ``module``.

        ``batch`` is the training input when the module is built for a fit
        (initialisations that learn from the data use it), None when a saved
        model is rebuilt (its weights replace the initial ones).
        """
        inputs = input_kind(self).module_kwargs(self, batch)
        if self.module is None:
            return self._build_network(n_outputs, **inputs)
        if not inspect.isclass(self.module):
            return copy.deepcopy(self.module)  # fit never trains the caller's module
        try:
            return self.module(**inputs, n_outputs=n_outputs)
        except TypeError as exc:
            args = ", ".join(
                f"{k}={_short(v)}"
                for k, v in {**inputs, "n_outputs": n_outputs}.items()
            )
            raise TypeError(
                f"{type(self).__name__} builds a module class as module({args}), "
                f"which {self.module.__name__} refused: {exc}. Accept these keyword "
                "arguments, or pass an instance."
            ) from exc

    def _build_checked_module(self, batch):
        """Build the module and check it on two samples: shape problems surface
        here as a ValueError that says what was expected, not deep in torch.

        Only torch's own errors (RuntimeError: a shape or dtype the layers
        cannot take) become that ValueError, with the original chained; any
        other exception from a module's ``forward`` is a bug in the module and
        propagates as it is.
        """
        module = self._build_module(self._target_.n_outputs, batch)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                f"module must be a torch.nn.Module subclass or instance, got "
                f"{type(module).__name__}."
            )
        data_init = getattr(module, "data_init", None)
        if callable(data_init):  # a module that learns its initial state from X
            data_init(batch["x"], batch.get("lengths"))
        if self.init_from is not None:
            transfer_features(module, self.init_from, self.freeze_features)
        probe = take(batch, slice(0, 2))
        expected = (n_samples(probe), self._target_.n_outputs)
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = call(module, probe)
        except RuntimeError as exc:
            raise ValueError(
                f"The module of {type(self).__name__} failed on input of shape "
                f"{_shape_of(probe)}: {exc}"
            ) from exc
        finally:
            module.train(was_training)
        if isinstance(out, torch.Tensor) and not out.is_floating_point():
            raise ValueError(
                f"The module of {type(self).__name__} returned {out.dtype} output; "
                "it must return floating-point logits or values."
            )
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
        if self.validation_scores_ and self.scoring != "loss":
            self.best_epoch_ = int(np.argmax(self.validation_scores_)) + 1
        elif self.validation_loss_curve_:
            self.best_epoch_ = int(np.argmin(self.validation_loss_curve_)) + 1
        else:
            self.best_epoch_ = self.n_iter_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.input_tags.three_d_array = True
        return tags


def _epochs_of(history, key):
    if not len(history):
        return [] if key == "train_loss" else None
    return [float(v) for v in history[:, key]] if key in history[-1] else None


def _shape_of(batch):
    if set(batch) == {"x"}:
        return tuple(batch["x"].shape)
    return {k: tuple(v.shape) for k, v in batch.items()}


def _short(value):
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    return repr(value)
