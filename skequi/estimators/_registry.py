"""The estimator classes a model file may name, filled by the estimator modules.

Persistence looks classes up here by name, so it imports no estimator module
(the estimator modules import persistence, through the base class).
"""

from __future__ import annotations

__all__ = ["ESTIMATORS", "register"]

#: class name -> estimator class
ESTIMATORS: dict = {}


def register(cls):
    """Class decorator: make ``cls`` loadable by :func:`skequi.load`."""
    ESTIMATORS[cls.__name__] = cls
    return cls
