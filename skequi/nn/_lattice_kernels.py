"""Index tables for point groups acting on conv kernels and on field components.

Pure numpy, computed once per (group, kernel radius, field type) and cached:
the layers only gather with these integer tables at run time.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..groups import get_group
from ..transforms import apply_group, group_matrices

__all__ = [
    "FIELDS",
    "equivariant_kernel_basis",
    "field_dim",
    "field_representation",
    "kernel_gather_index",
    "regular_bank_gather",
]

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


@lru_cache(maxsize=None)
def regular_bank_gather(group_name: str, radius: int, in_field: str):
    """Index and sign tables that build a regular-output filter bank in one gather.

    For an output field of type regular, the bank entry for output component
    ``h``, input component ``i`` and kernel position ``s`` is
    ``(w(h^-1 .) rho_in(h)^-1)[i, s] = sign[h, i] * w[source[h, i], index[h, s]]``,
    because ``rho_in(h)`` of a scalar, vector or regular field of a lattice
    point group is a signed permutation.

    Returns
    -------
    flat : ndarray of int, shape (|H|, d_in, K^2)
        Position in one field pair's flattened ``(d_in, K^2)`` weights.
    sign : ndarray of float, shape (|H|, d_in)
        All ones unless the input is a vector field.
    """
    group = get_group(group_name)
    rho_inv = field_representation(in_field, group.name)[group.inverse]  # (|H|, d_in, d_in)
    if not np.all(np.isin(rho_inv, (-1.0, 0.0, 1.0))) or not np.all(
            np.abs(rho_inv).sum(axis=1) == 1):
        raise ValueError(
            f"{in_field} fields of {group.name} are not acted on by signed permutations")
    # rho_inv[h, j, i] != 0 for exactly one j per (h, i)
    source = np.abs(rho_inv).argmax(axis=1)  # (|H|, d_in): j for each (h, i)
    sign = np.take_along_axis(rho_inv, source[:, None, :], axis=1)[:, 0, :]
    index = kernel_gather_index(group.name, radius)  # (|H|, K^2)
    k2 = index.shape[1]
    flat = source[:, :, None] * k2 + index[:, None, :]
    for table in (flat, sign):
        table.setflags(write=False)
    return flat, sign


@lru_cache(maxsize=None)
def equivariant_kernel_basis(group_name: str, radius: int, in_field: str,
                             out_field: str) -> np.ndarray:
    """Orthonormal basis of the kernels ``K`` with ``K(h z) = rho_out(h) K(z) rho_in(h)^-1``.

    The basis is the eigenvalue-1 eigenspace of the group average of that
    action on ``(d_out, d_in, K^2)`` kernels (an orthogonal projector, since
    every ``rho`` here is orthogonal).

    Returns
    -------
    ndarray of shape (n_basis, d_out, d_in, K^2)
    """
    group = get_group(group_name)
    rho_in = field_representation(in_field, group.name)
    rho_out = field_representation(out_field, group.name)
    index = kernel_gather_index(group.name, radius)  # w.ravel()[index[h]] = w(h^-1 z)
    d_out, d_in, k2 = rho_out.shape[1], rho_in.shape[1], index.shape[1]
    size = d_out * d_in * k2
    projector = np.zeros((size, size))
    eye = np.eye(size).reshape(size, d_out, d_in, k2)
    for h in range(group.order):
        moved = eye[..., index[h]]  # K(h^-1 z)
        moved = np.einsum("ab,nbcs,cd->nads", rho_out[h], moved, rho_in[group.inverse[h]])
        projector += moved.reshape(size, size)
    projector /= group.order
    values, vectors = np.linalg.eigh((projector + projector.T) / 2)
    basis = vectors[:, values > 0.5].T.reshape(-1, d_out, d_in, k2)
    basis.setflags(write=False)
    return basis
