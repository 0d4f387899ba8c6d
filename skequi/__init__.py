"""skequi: approximately equivariant neural networks behind the scikit-learn API."""

from . import datasets
from .estimators import GMCNNClassifier, GMCNNRegressor, load

__version__ = "0.1.0"

__all__ = ["GMCNNClassifier", "GMCNNRegressor", "__version__", "datasets", "load"]
