"""Torch architectures built from :mod:`skequi.nn` layers."""

from ._ddmnist_cnn import DDMNISTCNNEncoder, DDMNISTCNNHead
from ._emlp import EMLP, MLP, HamiltonianField
from ._gmcnn import GMCNN, GMCNNFieldRegressor, PaperGMCNN, is_lattice_group
from ._latent import ConvEncoder, ConvFieldEncoder, ConvFieldHead, LatentModel, MLPHead
from ._rollout import AutoregressiveRollout, roll_out

__all__ = [
    "EMLP",
    "AutoregressiveRollout",
    "GMCNN",
    "MLP",
    "ConvEncoder",
    "ConvFieldEncoder",
    "ConvFieldHead",
    "DDMNISTCNNEncoder",
    "DDMNISTCNNHead",
    "GMCNNFieldRegressor",
    "HamiltonianField",
    "LatentModel",
    "MLPHead",
    "PaperGMCNN",
    "is_lattice_group",
    "roll_out",
]
