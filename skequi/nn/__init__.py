"""Torch layers: group-matrix convolutions (exact and LDR-relaxed), pooling, normalisation."""

from ._cayley_conv import (
    CayleyConv,
    CosetPool,
    cayley_ball,
    halving_quotient,
    kernel_support,
    product_neighbourhood,
)
from ._displacement import displacement_rank, layer_matrix
from ._equivariant_linear import EquivariantLinear
from ._augmentation import GroupElementSampler, apply_representation
from ._bilinear import EquivariantBilinear
from ._gated import GatedNonlinearity, gated
from ._group_conv import GroupMatrixConv2d
from ._latent_action import LatentRegularAction, latent_representation, shortest_words
from ._norm import FieldBatchNorm
from ._pooling import GlobalPool, GroupPool, SpatialPool2d

__all__ = [
    "CayleyConv",
    "CosetPool",
    "EquivariantBilinear",
    "EquivariantLinear",
    "FieldBatchNorm",
    "GatedNonlinearity",
    "GlobalPool",
    "GroupElementSampler",
    "GroupMatrixConv2d",
    "GroupPool",
    "LatentRegularAction",
    "SpatialPool2d",
    "apply_representation",
    "cayley_ball",
    "displacement_rank",
    "gated",
    "halving_quotient",
    "kernel_support",
    "latent_representation",
    "layer_matrix",
    "product_neighbourhood",
    "shortest_words",
]
