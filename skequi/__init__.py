"""skequi: approximately equivariant neural networks behind the scikit-learn API."""

__version__ = "0.1.0"  # before the imports: saved files record it (estimators/_base.py)

from . import datasets
from .estimators import (
    EMLPClassifier,
    EMLPRegressor,
    GMCNNClassifier,
    GMCNNRegressor,
    LatentEquivariantClassifier,
    LatentEquivariantRegressor,
    load,
)

__all__ = [
    "EMLPClassifier",
    "EMLPRegressor",
    "GMCNNClassifier",
    "GMCNNRegressor",
    "LatentEquivariantClassifier",
    "LatentEquivariantRegressor",
    "__version__",
    "datasets",
    "load",
]
