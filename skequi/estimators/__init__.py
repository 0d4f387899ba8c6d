"""scikit-learn estimators on skorch: the public front door."""

from ._base import EquivariantNetMixin
from ._emlp import EMLPClassifier
from ._emlp_regressor import EMLPRegressor
from ._gmcnn import GMCNNClassifier
from ._gmcnn_regressor import GMCNNRegressor
from ._latent import LatentEquivariantClassifier
from ._latent_regressor import LatentEquivariantRegressor
from ._persistence import load

__all__ = [
    "EMLPClassifier",
    "EMLPRegressor",
    "EquivariantNetMixin",
    "GMCNNClassifier",
    "GMCNNRegressor",
    "LatentEquivariantClassifier",
    "LatentEquivariantRegressor",
    "load",
]
