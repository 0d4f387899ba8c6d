"""Torch architectures built from :mod:`skequi.nn` layers."""

from .emlp import EMLP, MLP
from .gmcnn import GMCNN, GMCNNFieldRegressor, PaperGMCNN, is_lattice_group

__all__ = ["EMLP", "GMCNN", "GMCNNFieldRegressor", "MLP", "PaperGMCNN", "is_lattice_group"]
