"""skequi: approximately equivariant neural networks behind the scikit-learn API."""

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

__version__ = "0.1.0"

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
