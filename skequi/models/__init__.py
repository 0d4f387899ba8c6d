"""Torch architectures built from :mod:`skequi.nn` layers."""

from .gmcnn import GMCNN, GMCNNFieldRegressor, PaperGMCNN, is_lattice_group

__all__ = ["GMCNN", "GMCNNFieldRegressor", "PaperGMCNN", "is_lattice_group"]
