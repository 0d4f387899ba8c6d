"""Equivariance error against any group, parameter counts and scorers on transformed data."""

from ._equivariance import equivariance_error, equivariance_errors, n_params, relative_l2_error
from ._scorers import EquivarianceScorer, TransformedScorer, make_equivariance_scorer

__all__ = [
    "EquivarianceScorer",
    "TransformedScorer",
    "equivariance_error",
    "equivariance_errors",
    "make_equivariance_scorer",
    "n_params",
    "relative_l2_error",
]
