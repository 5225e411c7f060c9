"""sknets' own estimator classes by name: the only classes a model file may
name (:mod:`sknets.persistence`). Filled as the classes are defined."""

from __future__ import annotations

__all__ = ["ESTIMATORS", "register"]

ESTIMATORS: dict[str, type] = {}


def register(cls):
    """Record a public class defined in sknets (a user's subclass, or a
    class of the same name elsewhere, is never registered)."""
    if cls.__module__.startswith("sknets.") and not cls.__name__.startswith("_"):
        ESTIMATORS[cls.__name__] = cls
    return cls
