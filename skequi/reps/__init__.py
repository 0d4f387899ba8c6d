"""Representations (numpy/scipy only): tensor types, sums, specs, equivariant bases."""

from ._allocation import uniform_rep
from ._basis import equivariant_basis, invariant_basis
from ._rep import VALID_REP_FORMS, Rep, parse_rep, tensor_drho, tensor_rho

__all__ = [
    "VALID_REP_FORMS",
    "Rep",
    "equivariant_basis",
    "invariant_basis",
    "parse_rep",
    "tensor_drho",
    "tensor_rho",
    "uniform_rep",
]
