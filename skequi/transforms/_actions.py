"""apply_group: one group element acting on images, vector fields and volumes.

The conventions are in the docstring of :mod:`skequi.transforms`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..groups import LATTICE_GROUPS, get_group

__all__ = ["FIELD_TYPES", "apply_group", "group_matrices"]

FIELD_TYPES = ("scalar", "vector", "regular")

# From array axes to math coordinates, on centred indices: q = S a.
# 2-D: a = (row, col) -> (x, y) = (col, -row). 3-D: a = (d, h, w) -> (x, y, z) = (w, h, d).
_AXES_TO_COORDS = {
    2: np.array([[0, 1], [-1, 0]]),
    3: np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]]),
}


@lru_cache(maxsize=None)
def _array_steps(matrix: tuple) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Axes to flip, then the axis permutation, that realise ``out[a'] = in[M_arr^-1 a']``."""
    m = np.array(matrix)
    d = m.shape[0]
    s = _AXES_TO_COORDS[d]
    n = np.linalg.inv(s) @ np.linalg.inv(m) @ s  # M_arr^-1, a signed permutation
    n = np.rint(n).astype(int)
    source = np.argmax(np.abs(n), axis=1)  # a_j = t_j a'_{source[j]}
    signs = n[np.arange(d), source]
    flips = tuple(int(j) for j in np.flatnonzero(signs < 0))
    perm = tuple(int(j) for j in np.argsort(source))  # out axis k = flipped axis perm[k]
    return flips, perm


def _is_torch(x) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _move_pixels(x, matrix: np.ndarray):
    d = matrix.shape[0]
    flips, perm = _array_steps(tuple(map(tuple, matrix.tolist())))
    lead = x.ndim - d
    flip_axes = tuple(lead + j for j in flips)
    full_perm = tuple(range(lead)) + tuple(lead + p for p in perm)
    if _is_torch(x):
        if flip_axes:
            x = x.flip(flip_axes)
        return x.permute(full_perm)
    if flip_axes:
        x = np.flip(x, axis=flip_axes)
    return np.transpose(x, full_perm)


def _turn_vectors(x, matrix: np.ndarray):
    d = matrix.shape[0]
    channel_axis = x.ndim - d - 1
    n_channels = x.shape[channel_axis]
    shape = tuple(x.shape)
    grouped = x.reshape(shape[:channel_axis] + (n_channels // d, d) + shape[channel_axis + 1:])
    comps = [grouped[(Ellipsis, j) + (slice(None),) * d] for j in range(d)]
    turned = [sum(int(matrix[i, j]) * comps[j] for j in range(d) if matrix[i, j]) for i in range(d)]
    if _is_torch(x):
        import torch

        stacked = torch.stack(turned, dim=channel_axis + 1)
    else:
        stacked = np.stack(turned, axis=channel_axis + 1)
    return stacked.reshape(shape)


def _permute_regular(x, grp, g: int, d: int):
    channel_axis = x.ndim - d - 1
    n_channels = x.shape[channel_axis]
    if n_channels % grp.order:
        raise ValueError(
            f"field='regular' needs channels in blocks of |{grp.name}| = {grp.order}, "
            f"got {n_channels} channels"
        )
    # new block entry h holds old entry g^-1 h
    source = grp.cayley_table[grp.inverse[g]]
    index = (np.arange(n_channels // grp.order)[:, None] * grp.order + source[None]).ravel()
    if _is_torch(x):
        import torch

        return x.index_select(channel_axis, torch.as_tensor(index, device=x.device))
    return np.take(x, index, axis=channel_axis)


def _check_field(field: str) -> None:
    if field not in FIELD_TYPES:
        raise ValueError(f"field must be one of {FIELD_TYPES}, got {field!r}")


def group_matrices(group) -> np.ndarray:
    """Integer matrices through which ``group`` acts on grids, or a clear error.

    Parameters
    ----------
    group : str or FiniteGroup

    Returns
    -------
    ndarray of shape (order, d, d)
        ``d = 2`` for the planar point groups, 3 for the cube rotations.

    Raises
    ------
    ValueError
        If the group has no action on pixel grids or volumes.

    Examples
    --------
    >>> from skequi.transforms import group_matrices
    >>> group_matrices("C4")[1].tolist()  # the quarter turn r
    [[0, -1], [1, 0]]
    """
    g = get_group(group)
    if g.matrices is None:
        raise ValueError(
            f"group {g.name!r} cannot act on a square pixel grid or a voxel grid; use one of "
            f"{', '.join(LATTICE_GROUPS)} for images or 'O' for volumes"
        )
    return g.matrices


def apply_group(X, g, group, field: str = "scalar"):
    """Act on a batch of images, vector fields or volumes with a group element.

    Parameters
    ----------
    X : ndarray or torch.Tensor
        Images ``(..., H, W)`` for the point groups C1, C2, C4, D1, D2, D4, or
        volumes ``(..., D, H, W)`` for the cube rotations ``"O"``. For
        ``field="vector"`` the axis before the spatial ones holds vector
        components, grouped in (u, v) pairs (images) or (u, v, w) triples
        (volumes). Conventions: see the module docstring.
    g : int or str
        Element index, or label such as ``"r^1"``.
    group : str or FiniteGroup
        The group, e.g. ``"D4"``.
    field : {"scalar", "vector", "regular"}, default="scalar"
        Whether channels are scalars (moved), vector components (moved and
        turned) or regular fields (moved and permuted within blocks of |G|).

    Returns
    -------
    ndarray or torch.Tensor
        Same type and shape as ``X``; a view where possible.

    Raises
    ------
    ValueError
        If the group cannot act on grids, the spatial axes are not square
        (cube) for a rotation, or vector channels are not a multiple of the
        dimension.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.transforms import apply_group
    >>> img = np.arange(4).reshape(2, 2)
    >>> np.array_equal(apply_group(img, "r^1", "C4"), np.rot90(img))
    True
    >>> apply_group(img, "f", "D4").tolist()
    [[1, 0], [3, 2]]
    """
    _check_field(field)
    grp = get_group(group)
    matrices = group_matrices(grp)
    matrix = matrices[grp.index(g)]
    d = matrix.shape[0]
    min_ndim = d + (0 if field == "scalar" else 1)
    if X.ndim < min_ndim:
        raise ValueError(
            f"group {grp.name} acts on arrays with at least {min_ndim} axes "
            f"({'(' if field == 'scalar' else '(C, '}{', '.join('DHW'[3 - d:])}), got shape "
            f"{tuple(X.shape)}"
        )
    spatial = tuple(X.shape[-d:])
    _, perm = _array_steps(tuple(map(tuple, matrix.tolist())))
    if any(spatial[p] != spatial[k] for k, p in enumerate(perm)):
        raise ValueError(
            f"element {grp.elements[grp.index(g)]!r} of {grp.name} swaps spatial axes and "
            f"needs equal sizes along them, got spatial shape {spatial}"
        )
    out = _move_pixels(X, matrix)
    if field == "regular":
        out = _permute_regular(out, grp, grp.index(g), d)
    if field == "vector":
        n_channels = X.shape[-d - 1]
        if n_channels % d:
            raise ValueError(
                f"field='vector' needs channels in groups of {d} vector components, "
                f"got {n_channels} channels"
            )
        out = _turn_vectors(out, matrix)
    return out
