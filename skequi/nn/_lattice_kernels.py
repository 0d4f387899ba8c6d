"""Index tables for point groups acting on conv kernels and on field components.

Pure numpy, computed once per (group, kernel radius, field type) and cached:
the layers only gather with these integer tables at run time.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..groups import get_group
from ..transforms import apply_group, group_matrices

__all__ = ["field_dim", "field_representation", "kernel_gather_index", "FIELDS"]

FIELDS = ("scalar", "vector", "regular")


def field_dim(field: str, group) -> int:
    """Number of tensor channels one field of this type occupies."""
    if field == "scalar":
        return 1
    if field == "vector":
        return group_matrices(group).shape[1]
    if field == "regular":
        return get_group(group).order
    raise ValueError(f"field must be one of {FIELDS}, got {field!r}")


@lru_cache(maxsize=None)
def field_representation(field: str, group_name: str) -> np.ndarray:
    """``rho(h)`` for every element: ``(order, d, d)`` matrices of the field type.

    ``scalar``: 1x1 identities; ``vector``: the group's integer matrices;
    ``regular``: permutation matrices with ``rho(h) e_k = e_{h k}``.
    """
    group = get_group(group_name)
    if field == "scalar":
        rep = np.ones((group.order, 1, 1))
    elif field == "vector":
        rep = group_matrices(group).astype(float)
    elif field == "regular":
        rep = group.regular_representation()
    else:
        raise ValueError(f"field must be one of {FIELDS}, got {field!r}")
    rep.setflags(write=False)
    return rep


@lru_cache(maxsize=None)
def kernel_gather_index(group_name: str, radius: int) -> np.ndarray:
    """``idx[h]`` such that ``w.ravel()[idx[h]]`` is the kernel ``w(h^-1 z)``.

    The kernel is a ``(2 radius + 1)^2`` image centred on offset 0 and is
    transformed exactly like an image by :func:`~skequi.transforms.apply_group`.
    """
    size = 2 * radius + 1
    positions = np.arange(size * size).reshape(size, size)
    group = get_group(group_name)
    index = np.stack(
        [np.ascontiguousarray(apply_group(positions, h, group)).ravel() for h in range(group.order)]
    )
    index.setflags(write=False)
    return index
