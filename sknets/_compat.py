"""Work-arounds for dependencies, each with the reason it exists.

skorch 1.4 cannot be imported under ``python -OO``: ``skorch/classifier.py``
and ``skorch/regressor.py`` build their classes' docstrings from
``NeuralNet.__doc__`` at import time, and ``-OO`` strips docstrings
(``AttributeError: 'NoneType' object has no attribute 'split'``). Under
``-OO``, and only when skorch is not imported yet, importing this module
(the first thing ``import sknets`` does) imports skorch from its source
compiled with docstrings kept; everything else (sknets included) keeps
running without docstrings.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

__all__ = ["import_skorch"]


class _KeepDocstrings(importlib.machinery.SourceFileLoader):
    """Compile a module from its source with docstrings, whatever ``-O``."""

    def get_code(self, fullname):
        source = self.get_data(self.path)
        return compile(source, self.path, "exec", dont_inherit=True, optimize=0)


class _SkorchFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "skorch" and not name.startswith("skorch."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and isinstance(
            spec.loader, importlib.machinery.SourceFileLoader
        ):
            spec.loader = _KeepDocstrings(spec.loader.name, spec.loader.path)
        return spec


def import_skorch():
    """Import skorch, under ``python -OO`` with its docstrings kept."""
    if sys.flags.optimize < 2 or "skorch" in sys.modules:
        importlib.import_module("skorch")
        return
    finder = _SkorchFinder()
    sys.meta_path.insert(0, finder)
    try:
        importlib.import_module("skorch")
    finally:
        sys.meta_path.remove(finder)


import_skorch()
