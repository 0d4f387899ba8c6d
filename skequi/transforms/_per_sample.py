"""Each sample of a batch acted on by its own group element, in one gather."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..groups import get_group
from ._actions import _check_field, _is_torch, apply_group, group_matrices

__all__ = ["apply_group_per_sample"]


@lru_cache(maxsize=None)
def _pixel_sources(group_name: str, spatial: tuple) -> np.ndarray:
    """``src[g, p]``: the flat input position that lands on flat output position ``p``."""
    grp = get_group(group_name)
    positions = np.arange(int(np.prod(spatial))).reshape(spatial)
    table = np.stack([np.ascontiguousarray(apply_group(positions, g, grp)).ravel()
                      for g in range(grp.order)])
    table.setflags(write=False)
    return table


def apply_group_per_sample(X, elements, group, field: str = "scalar"):
    """Act on each sample of a batch with its own group element, in one gather.

    The same as ``stack([apply_group(x, g, group, field) for x, g in zip(X, elements)])``
    without a Python loop over samples, so it stays on the GPU with no
    synchronisation for torch tensors.

    Parameters
    ----------
    X : ndarray or torch.Tensor
        A batch ``(n, C, H, W)`` (point groups) or ``(n, C, D, H, W)`` (``"O"``).
    elements : array-like or torch.Tensor of int, shape (n,)
        Element index for each sample.
    group : str or FiniteGroup
    field : {"scalar", "vector", "regular"}, default="scalar"

    Returns
    -------
    ndarray or torch.Tensor
        Same type and shape as ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.transforms import apply_group, apply_group_per_sample
    >>> X = np.arange(2 * 9, dtype=float).reshape(2, 1, 3, 3)
    >>> out = apply_group_per_sample(X, [1, 2], "C4")
    >>> np.array_equal(out[1], apply_group(X[1], 2, "C4"))
    True
    """
    _check_field(field)
    grp = get_group(group)
    matrices = group_matrices(grp)
    d = matrices.shape[1]
    if X.ndim != d + 2:
        raise ValueError(
            f"apply_group_per_sample needs a batch (n, C, {', '.join('DHW'[3 - d:])}), got shape "
            f"{tuple(X.shape)}"
        )
    spatial = tuple(int(s) for s in X.shape[2:])
    torch_input = _is_torch(X)
    if torch_input:
        import torch

        index = torch.as_tensor(elements, device=X.device).long()
    else:
        index = np.asarray(elements, dtype=np.int64)
    needs_square = any(abs(m - np.diag(np.diag(m))).sum() for m in matrices)
    if needs_square and len(set(spatial)) != 1:
        raise ValueError(
            f"group {grp.name} swaps spatial axes and needs equal sizes, got {spatial}")
    sources = _pixel_sources(grp.name, spatial)
    n, channels = X.shape[:2]
    if torch_input:
        flat = X.reshape(n, channels, -1)
        src = torch.tensor(sources, device=X.device)[index]  # (n, N)
        out = flat.gather(2, src[:, None, :].expand(n, channels, -1))
    else:
        flat = X.reshape(n, channels, -1)
        out = np.take_along_axis(flat, sources[index][:, None, :], axis=2)
    if field == "regular":
        if channels % grp.order:
            raise ValueError(
                f"field='regular' needs channels in blocks of |{grp.name}| = {grp.order}, "
                f"got {channels} channels"
            )
        inverse_rows = grp.cayley_table[grp.inverse]  # row g: entry h holds old g^-1 h
        blocks = np.arange(channels // grp.order)[:, None] * grp.order
        perms = (blocks[None] + inverse_rows[:, None, :]).reshape(grp.order, channels)
        if torch_input:
            perm = torch.as_tensor(perms, device=X.device)[index]
            out = out.gather(1, perm[:, :, None].expand_as(out))
        else:
            out = np.take_along_axis(out, perms[index][:, :, None], axis=1)
    if field == "vector":
        if channels % d:
            raise ValueError(
                f"field='vector' needs channels in groups of {d} vector components, "
                f"got {channels} channels"
            )
        grouped = out.reshape(n, channels // d, d, -1)
        if torch_input:
            mats = torch.tensor(matrices, device=X.device, dtype=X.dtype)[index]
            out = torch.einsum("nij,ncjp->ncip", mats, grouped)
        else:
            out = np.einsum("nij,ncjp->ncip", matrices[index].astype(X.dtype), grouped)
    return out.reshape(X.shape)
