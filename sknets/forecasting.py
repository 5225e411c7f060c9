"""Old import path: ``make_windows`` lives in :mod:`sknets.windows`."""

from .windows import make_windows

__all__ = ["make_windows"]
