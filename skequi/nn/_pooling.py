"""Pooling that commutes with the group: over the group axis, over 2x2 blocks, globally."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["GlobalPool", "GroupPool", "SpatialPool2d"]

_MODES = ("max", "mean")


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"pooling mode must be one of {_MODES}, got {mode!r}")


class GroupPool(nn.Module):
    """Max or mean over each block of ``group_order`` channels: regular -> scalar fields.

    The result is invariant to the permutation of each block, so regular
    features become scalar (rotation-invariant) fields.

    Parameters
    ----------
    group_order : int
        Size of each channel block ``|H|``.
    mode : {"max", "mean"}, default="max"

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GroupPool
    >>> GroupPool(4)(torch.randn(2, 12, 5, 5)).shape
    torch.Size([2, 3, 5, 5])
    """

    def __init__(self, group_order: int, mode: str = "max") -> None:
        super().__init__()
        _check_mode(mode)
        self.group_order, self.mode = group_order, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        blocks = x.unflatten(1, (-1, self.group_order))
        return blocks.amax(2) if self.mode == "max" else blocks.mean(2)


class SpatialPool2d(nn.Module):
    """2x2 block pooling with stride 2; needs even sizes so that it commutes with rot90.

    Parameters
    ----------
    mode : {"max", "mean"}, default="max"

    Raises
    ------
    ValueError
        In forward, for an odd spatial size (the blocks would not map onto
        blocks under a rotation or mirror).

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import SpatialPool2d
    >>> SpatialPool2d("max")(torch.randn(2, 4, 8, 8)).shape
    torch.Size([2, 4, 4, 4])
    """

    def __init__(self, mode: str = "max") -> None:
        super().__init__()
        _check_mode(mode)
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 2 or x.shape[-2] % 2:
            raise ValueError(
                f"2x2 pooling commutes with the point group only on even grids, got "
                f"{tuple(x.shape[-2:])}"
            )
        return F.max_pool2d(x, 2) if self.mode == "max" else F.avg_pool2d(x, 2)


class GlobalPool(nn.Module):
    """Mean (or max) over all trailing axes after the channel axis: (B, C, ...) -> (B, C).

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GlobalPool
    >>> GlobalPool("mean")(torch.ones(2, 3, 5, 5)).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """

    def __init__(self, mode: str = "mean") -> None:
        super().__init__()
        _check_mode(mode)
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(2)
        return flat.amax(2) if self.mode == "max" else flat.mean(2)
