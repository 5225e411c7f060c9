"""What a fit validates on for early stopping: a part held out of the
training data (at random, stratified for classifiers, or the last part in
time order), or validation data given to ``fit``."""

from __future__ import annotations

import re

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from ._streaming import check_training_input

__all__ = ["ValidationMixin", "validation_arguments"]


class ValidationMixin:
    """The validation part of a fit, for :class:`~sknets._base.BaseNeuralNet`."""

    def _n_valid(self, n):
        return max(1, int(round(self.validation_fraction * n)))

    def _split(self, data, seed, holdout):
        if not (holdout and self.early_stopping_):
            return data, None
        n = len(data)
        stratify = self._target_.stratify(data.y)
        n_valid = self._n_valid(n)
        if n - n_valid < 2:
            raise ValueError(
                f"early_stopping=True needs at least 3 samples to hold out a "
                f"validation part, got {n}. Set early_stopping=False."
            )
        if self.validation_split == "last":
            n_train = n - n_valid - self.validation_gap
            if n_train < 2:
                raise ValueError(
                    f"validation_gap={self.validation_gap} leaves {max(n_train, 0)} "
                    f"of {n} samples for training after the last {n_valid} are held "
                    "out for validation; lower validation_gap or "
                    "validation_fraction."
                )
            return (
                data.subset(torch.arange(n_train)),
                data.subset(torch.arange(n - n_valid, n)),
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

    def _check_validation(self, X_val, y_val, sample_weight_val):
        """The validation data given to fit, checked as X and y are (after
        them, against what fit learned of X and y): (batch, targets,
        weights)."""
        if self.early_stopping is False:
            raise ValueError(
                "X_val and y_val are validation data for early stopping, which "
                "early_stopping=False turns off; set early_stopping='auto' or True."
            )
        try:
            batch, y_val = check_training_input(
                self, X_val, y_val, reset=False, **self._y_check_params
            )
        except (ValueError, TypeError) as exc:  # named as the user passed them
            message = re.sub(r"\by\b", "y_val", re.sub(r"\bX\b", "X_val", str(exc)))
            raise type(exc)(message) from exc
        y_t = self._target_.encode(y_val, where="y_val")
        return batch, y_t, self._sample_weight(y_val, sample_weight_val)


def validation_arguments(estimator, X_val, y_val, sample_weight_val):
    """``(X_val, y_val, sample_weight_val)`` when validation data is given to
    fit, None when not; both or neither of X_val and y_val."""
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError(
                "sample_weight_val is given without X_val and y_val; pass all of "
                "them, or none."
            )
        return None
    if X_val is None or y_val is None:
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(
            f"{type(estimator).__name__}.fit got {given} without {missing}; "
            "validation data needs both."
        )
    return X_val, y_val, sample_weight_val
