"""What a hyperparameter's value must be: scikit-learn constraints that
refuse bools, the numeric ranges the declarations share, and converters that
turn a value into what a module takes (:attr:`sknets._params.Param.convert`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

__all__ = [
    "FLOAT32_MAX",
    "FRACTION",
    "NON_NEGATIVE_INT",
    "POSITIVE_INT",
    "POSITIVE_REAL",
    "Range",
    "positive_ints",
    "positive_ints_of",
]


class Range(Interval):
    """scikit-learn's ``Interval`` that refuses bools: ``True`` is an int to
    Python, but never the count, size or rate a parameter asks for."""

    def is_satisfied_by(self, val):
        return not isinstance(val, bool | np.bool_) and super().is_satisfied_by(val)


POSITIVE_INT = Range(Integral, 1, None, closed="left")
NON_NEGATIVE_INT = Range(Integral, 0, None, closed="left")
FRACTION = Range(Real, 0, 1, closed="left")  # dropout rates
POSITIVE_REAL = Range(Real, 0, None, closed="neither")
# what the optimizer multiplies float32 weights by: within float32's range
FLOAT32_MAX = float(np.finfo(np.float32).max)


def positive_ints(value, name, what):
    """A parameter that holds a sequence of positive ints (the ``channels``
    of a CNN, the ``kernel_sizes`` of a TextCNN) as a tuple, or a ValueError."""
    items = (
        list(value)
        if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)
        else None
    )
    if not items or not all(
        isinstance(v, Integral) and not isinstance(v, bool | np.bool_) and v >= 1
        for v in items
    ):
        raise ValueError(
            f"{name} must hold at least one positive {what} (a list or tuple of "
            f"ints), got {value!r}."
        )
    return tuple(int(v) for v in items)


def positive_ints_of(what):
    """A converter for :attr:`Param.convert`: the value as a tuple of
    positive ints (``what`` each is, for the message), or a ValueError."""

    def convert(value, name):
        return positive_ints(value, name, what)

    return convert
