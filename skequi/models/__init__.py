"""Torch architectures built from :mod:`skequi.nn` layers."""

from .emlp import EMLP, MLP
from .gmcnn import GMCNN, GMCNNFieldRegressor, PaperGMCNN, is_lattice_group
from .latent import ConvEncoder, LatentModel, MLPHead

__all__ = [
    "EMLP",
    "GMCNN",
    "MLP",
    "ConvEncoder",
    "GMCNNFieldRegressor",
    "LatentModel",
    "MLPHead",
    "PaperGMCNN",
    "is_lattice_group",
]
