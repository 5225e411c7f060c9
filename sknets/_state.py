"""An estimator's fitted state: what persistence and export ask of it, and
how a fit that fails or continues keeps it consistent.

:class:`StateMixin` is part of every sknets estimator (through
:class:`~sknets._base.BaseNeuralNet`). sknets' own helpers talk to an
estimator through its protocol methods: ``__sknets_getstate__`` /
``__sknets_setstate__`` (``sknets.save`` / ``sknets.load``) and
``__sknets_onnx__`` (``sknets.export_onnx``).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._callbacks import copy_state, set_schedule
from ._inputs import exportable_kind
from ._runtime import resolve_device
from ._targets import restore_target, upgrade_fitted
from .persistence import restore_fitted

__all__ = ["READ_BY_FIT", "StateMixin", "is_state_name"]

# settings a fit reads itself (or that only prediction reads), not the net it
# continues to train
READ_BY_FIT = (
    "predict_batch_size",
    "random_state",
    "class_weight",
    "validation_fraction",
    "validation_split",
    "validation_gap",
)


def is_state_name(name):
    """A fitted attribute: ends in ``_``, is no dunder name, is not ``net_``."""
    return (
        name.isidentifier()
        and name.endswith("_")
        and not name.startswith("__")
        and name != "net_"
    )


def same_value(a, b):
    """Whether two parameter values are the same (arrays compared by value)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b))
        except (TypeError, ValueError):
            return False
    try:
        return bool(a == b)
    except Exception:  # objects that cannot say
        return False


class StateMixin:
    """Fitted state of an sknets estimator: save, load, export, snapshots."""

    # -- persistence and export ---------------------------------------------
    def __sknets_getstate__(self):
        """What ``sknets.save`` writes: the fitted attributes (every instance
        attribute ending in ``_`` but ``net_``), the training history (one
        dict of scalars per epoch) and the module's weights (on the CPU)."""
        check_is_fitted(self, "net_")
        fitted = {k: v for k, v in vars(self).items() if is_state_name(k)}
        return {
            "fitted": fitted | {"_target_": self._target_.state()},
            "history": [
                {k: v for k, v in row.items() if k != "batches"}
                for row in self.net_.history
            ],
            "weights": {
                k: v.detach().cpu() for k, v in self.net_.module_.state_dict().items()
            },
        }

    @classmethod
    def _state_names(cls):
        """The fitted attributes an estimator of this class may hold: those
        declared, its target, and what its input kinds keep privately."""
        _, attributes = cls._declarations()
        names = {n for a in attributes for n in a.name.split(", ")}
        private = {n for kind in cls._input_kinds for n in kind.state}
        return names | private | {"_target_"}

    def __sknets_setstate__(self, state):
        """Rebuild a fitted estimator from what ``__sknets_getstate__`` gave,
        on its device or, for a model saved on a GPU, on the CPU when no GPU
        is here. A name that is not a fitted attribute of the class is
        refused."""
        fitted = upgrade_fitted(state["fitted"], is_classifier(self))
        restore_fitted(self, fitted, self._state_names())
        self._target_ = restore_target(self._target_, type(self).__name__)
        requested = self.device
        if str(requested).startswith("cuda") and not torch.cuda.is_available():
            requested = "cpu"  # saved on a GPU, loaded without one
        self.device_ = resolve_device(requested)
        module = self._build_module(self._target_.n_outputs)
        module.load_state_dict(state["weights"])
        self.net_ = self._make_net(module)
        self.net_.initialize()
        self.net_.restore_history(state["history"])
        self.net_.module_.eval()
        self._record_history()  # a checkpoint is written before fit records it
        self._fit_params = self.get_params(deep=False)
        return self

    def __sknets_onnx__(self):
        """What ``sknets.export_onnx`` needs: a copy of the network on the
        CPU, the input scaling and output transform that ``predict`` /
        ``predict_proba`` add around it, an example input and its dynamic
        axes. A ValueError when the input kind cannot be exported."""
        check_is_fitted(self, "net_")
        kind = exportable_kind(self)
        example, axes = kind.export_example(self)
        return {
            "module": copy.deepcopy(self.net_.module_).cpu().eval(),
            "scaling": kind.export_scaling(self),
            "layout": kind.export_layout(self),
            "output": self._target_.output_module(),
            "example": example,
            "axes": axes,
        }

    # -- consistency of a fit -----------------------------------------------
    def _snapshot(self, weights):
        """The fitted state before a fit: the fitted attributes, the net and,
        when the fit trains that net further (``weights``), copies of its
        weights and the length of its history."""
        state = {k: v for k, v in vars(self).items() if is_state_name(k)}
        if "net_" in vars(self):
            state["net_"] = self.net_
            if weights:
                state["weights"] = copy_state(self.net_.module_)
                state["epochs"] = len(self.net_.history)
        return state

    def _restore(self, state):
        """Back to a snapshot: what a failed fit left is removed."""
        for key in [k for k in vars(self) if is_state_name(k) or k == "net_"]:
            delattr(self, key)
        for key, value in state.items():
            if key not in ("weights", "epochs"):
                setattr(self, key, value)
        if "weights" in state:
            self.net_.module_.load_state_dict(state["weights"])
            del self.net_.history[state["epochs"] :]
        if "net_" in vars(self):
            self.net_.module_.eval()

    def _unfit(self):
        """Leave the estimator unfitted (``NotFittedError`` on predict)."""
        self._restore({})

    def _changed_params(self):
        """``(structural, settings)``: the names of the parameters changed
        since the net was built; ``settings`` are those a continued fit
        applies (``Param.warm``), ``structural`` the others."""
        before = getattr(self, "_fit_params", None)
        if before is None:
            return [], []
        now = self.get_params(deep=False)
        changed = [k for k in now if k in before and not same_value(now[k], before[k])]
        warm = {p.name for p in type(self)._declarations()[0] if p.warm}
        changed = [k for k in changed if k != "warm_start"]
        return (
            [k for k in changed if k not in warm],
            [k for k in changed if k in warm],
        )

    def _continued_settings(self):
        """The training settings changed since the net was built, which a
        continued fit (``warm_start``, ``partial_fit``) applies; a changed
        parameter of the network or of its input is a ValueError."""
        structural, settings = self._changed_params()
        if structural:
            raise ValueError(
                f"{type(self).__name__}: {', '.join(map(repr, structural))} changed "
                "since the network was built, which a continued fit cannot apply "
                "to the trained network. Refit without warm_start (or set the "
                "parameter back)."
            )
        return settings

    def _continue(self, rebuild, incremental):
        """Set up a continued fit, once its settings are resolved: a new net
        around the trained module when settings that the net holds changed
        (``rebuild``), and a new cosine cycle from ``lr`` over a whole fit's
        epochs."""
        if rebuild:
            rows = [
                {k: v for k, v in row.items() if k != "batches"}
                for row in self.net_.history
            ]
            self.net_ = self._make_net(self.net_.module_)
            self.net_.initialize()
            self.net_.restore_history(rows)
        if not incremental:
            set_schedule(self.net_, self.max_epochs_, start=len(self.net_.history))
