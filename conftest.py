"""What pytest collects: a module of sknets that needs an optional package
(its doctests) is left out where that package is not installed."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("sktime") else ["sknets/sktime.py"]
