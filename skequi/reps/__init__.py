"""Representations (numpy/scipy only): tensor types, sums, specs, equivariant bases."""

from ._allocation import uniform_rep
from ._basis import equivariant_basis, invariant_basis
from ._basis_cache import (
    basis_cache_dir,
    default_basis_cache_dir,
    set_basis_cache_dir,
    usable_cache_dir,
)
from ._rep import VALID_REP_FORMS, Rep, parse_rep, tensor_drho, tensor_rho

__all__ = [
    "VALID_REP_FORMS",
    "Rep",
    "basis_cache_dir",
    "default_basis_cache_dir",
    "equivariant_basis",
    "invariant_basis",
    "parse_rep",
    "set_basis_cache_dir",
    "tensor_drho",
    "tensor_rho",
    "uniform_rep",
    "usable_cache_dir",
]
