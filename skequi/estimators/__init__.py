"""scikit-learn estimators on skorch: the public front door."""

from ._base import EquivariantNetMixin
from ._gmcnn import GMCNNClassifier, GMCNNRegressor
from ._persistence import load

__all__ = ["EquivariantNetMixin", "GMCNNClassifier", "GMCNNRegressor", "load"]
