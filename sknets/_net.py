"""The one skorch ``NeuralNet`` subclass: sknets' data path, a leaner epoch
loop, mixed precision.

The estimator (:mod:`sknets._base`) builds a :class:`Net` inside ``fit`` and
keeps it as ``net_``; users never build one. :class:`Net` overrides a few of
skorch's methods, some of them private, and copies parts of skorch's epoch
loop and training step. ``SKORCH_INTERNALS`` lists every skorch method whose
code this relies on; ``tests/test_net.py`` fails when one of them changes
(signature or source), so that upgrading skorch beyond the version range in
``pyproject.toml`` is a decision, not a surprise.
"""

from __future__ import annotations

import numpy as np
import skorch
import torch
from skorch.callbacks import Callback, PassthroughScoring, PrintLog
from skorch.dataset import unpack_data
from skorch.utils import TeeGenerator

from . import _distributed
from ._batching import BatchIterator, call, n_samples, take
from ._runtime import autocast
from ._streaming import SourceRows, StreamIterator
from ._transfer import frozen_normalization

__all__ = ["Net", "SKORCH_INTERNALS"]

# skorch methods that Net overrides, copies or calls beyond skorch's public
# API, and callbacks whose methods sknets' callbacks override.
SKORCH_INTERNALS = (
    "NeuralNet.infer",
    "NeuralNet.run_single_epoch",
    "NeuralNet.train_step",
    "NeuralNet.train_step_single",
    "NeuralNet._step_optimizer",
    "NeuralNet._zero_grad_optimizer",
    "NeuralNet.get_train_step_accumulator",
    "NeuralNet.get_all_learnable_params",
    "NeuralNet._default_callbacks",
    "NeuralNet.get_split_datasets",
    "NeuralNet.get_iterator",
    "NeuralNet._set_training",
    "NeuralNet.get_loss",
    "NeuralNet.__getstate__",
    "NeuralNet.partial_fit",
    "NeuralNet.fit_loop",
    "callbacks.PrintLog.on_epoch_end",
    "callbacks.EarlyStopping.on_epoch_end",
    "callbacks.EarlyStopping.on_train_end",
    "callbacks.PassthroughScoring.on_epoch_end",
    "callbacks.Callback.on_batch_begin",
    "callbacks.Callback.on_batch_end",
    "callbacks.Callback.on_grad_computed",
)


class Net(skorch.NeuralNet):
    """skorch's training loop with sknets' data path.

    Three extension points of skorch are overridden for the data: they arrive
    as a ``(train, valid)`` pair of :class:`~sknets._batching.TensorDataset`
    (the split is made by the estimator), batches come from
    :class:`~sknets._batching.BatchIterator` (whole-tensor slicing with a
    seeded permutation), and the loss takes per-sample weights. The epoch
    loop and the training step keep skorch's hooks and history but skip the
    per-batch calls that nothing listens to; autocast and gradient scaling
    serve ``mixed_precision``.
    """

    generator = None  # set by the estimator around each training call
    autocast_dtype = None  # torch.bfloat16 or torch.float16: mixed precision
    grad_scaler = None  # torch.amp.GradScaler for float16
    augmenter = None  # sknets._augment.Augmenter: training batches only
    distributed = None  # (rank, world size) when training data-parallel

    def infer(self, x, **fit_params):
        # sknets' batches are dicts of tensors already on the device: skorch's
        # conversion and key checks are skipped
        if self.autocast_dtype is None:
            return call(self.module_, x, **fit_params)
        with autocast(self.device, self.autocast_dtype):
            y_pred = call(self.module_, x, **fit_params)
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
        if self.distributed is not None:
            _distributed.average_buffers(self.module_)
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
        if self.augmenter is not None:
            # the whole batch, on every process alike: their generators stay equal
            batch = self.augmenter(*unpack_data(batch), self.generator)
        if self.distributed is not None:
            return self._data_parallel_step(batch, **fit_params)
        return self._step_on(batch, **fit_params)

    def _data_parallel_step(self, batch, **fit_params):
        """This process's share of the batch forward and backward, then the
        gradients and the loss of the whole batch summed across processes
        (see :mod:`sknets._distributed`)."""
        rank, world = self.distributed
        Xi, yi = unpack_data(batch)
        n = n_samples(Xi)
        start, stop = _distributed.shard(n, rank, world)
        share = (stop - start) / n
        if stop > start:
            rows = slice(start, stop)
            part = {k: None if v is None else v[rows] for k, v in yi.items()}
            step = self._step_on((take(Xi, rows), part), **fit_params)
        else:  # a batch smaller than the number of processes
            loss = torch.zeros((), device=self.device)
            step = {"loss": loss, "y_pred": None}
        parameters = [p for p in self.module_.parameters() if p.requires_grad]
        _distributed.reduce_gradients(parameters, share)
        return {**step, "loss": _distributed.reduce_loss(step["loss"], share)}

    def _step_on(self, batch, **fit_params):
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
        streamed = isinstance(dataset.X.get("x"), SourceRows)
        return (StreamIterator if streamed else BatchIterator)(
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
            cache = (id(self.module_), frozen_normalization(self.module_))
            self._frozen_norm_cache = cache
        return cache[1]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y, weight = y_true["y"], y_true.get("sample_weight")
        if len(y_pred) != len(y):
            # an ensemble in training stacks its members' outputs along the
            # batch axis: each member is scored against the targets
            repeats = len(y_pred) // len(y)
            y = y.repeat(repeats, *([1] * (y.dim() - 1)))
            weight = None if weight is None else weight.repeat(repeats)
        loss = self.criterion_(y_pred, y)
        if loss.dim() > 1:
            loss = loss.reshape(len(loss), -1).mean(dim=1)
        if weight is not None:
            loss = loss * weight
        return loss.mean()

    def restore_history(self, rows):
        """Write the epoch rows of a saved history back (after ``initialize``),
        and tell skorch's scoring callbacks which scores were the best so far,
        so that the ``*_best`` flags (and the checkpoints that follow them)
        stay right when training resumes."""
        for group in self.optimizer_.param_groups:
            group.setdefault("initial_lr", group["lr"])  # lets an LR schedule resume
        for row in rows:
            self.history.new_epoch()
            for key, value in row.items():
                self.history.record(key, value)
        for _, callback in self.callbacks_:
            if isinstance(callback, PassthroughScoring) and rows:
                scores = [row[callback.name] for row in rows if callback.name in row]
                if scores:
                    best = np.min if callback.lower_is_better else np.max
                    callback.best_score_ = float(best(scores))

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
