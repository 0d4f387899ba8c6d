"""Equivariance error as a metric, parameter counts and scorers on transformed inputs."""

from ._equivariance import equivariance_error, n_params
from ._scorers import TransformedScorer

__all__ = ["TransformedScorer", "equivariance_error", "n_params"]
