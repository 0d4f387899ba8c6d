"""Batch normalisation shared across the group axis, so it commutes with the group."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["FieldBatchNorm"]


class FieldBatchNorm(nn.Module):
    """BatchNorm with one statistic and affine pair per field.

    Statistics are pooled over the batch, the field's ``field_dim`` channels
    (the group axis of a regular field) and all positions, so permuting a
    regular field or moving pixels commutes with normalisation.

    Parameters
    ----------
    n_fields : int
        Number of fields.
    field_dim : int
        Channels per field (``|H|`` for regular fields, 1 for scalar fields).

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import FieldBatchNorm
    >>> FieldBatchNorm(3, 4)(torch.randn(5, 12, 6, 6)).shape
    torch.Size([5, 12, 6, 6])
    """

    def __init__(self, n_fields: int, field_dim: int) -> None:
        super().__init__()
        self.field_dim = field_dim
        self.norm = nn.BatchNorm1d(n_fields)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        out = self.norm(x.reshape(shape[0], -1, self.field_dim * shape[2:].numel()))
        return out.reshape(shape)
