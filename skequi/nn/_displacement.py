"""Numerical displacement rank of a group-matrix layer (a diagnostic, for small layers)."""

from __future__ import annotations

import copy

import numpy as np
import torch

from ..transforms import apply_group
from ._cayley_conv import CayleyConv
from ._group_conv import GroupMatrixConv2d
from ._lattice_kernels import field_representation

__all__ = ["displacement_rank", "layer_matrix"]


@torch.no_grad()
def layer_matrix(layer: torch.nn.Module, input_shape: tuple[int, ...]) -> np.ndarray:
    """Dense matrix of a linear layer (bias removed), by pushing the identity through it.

    Works on a float64 copy in eval mode; the layer itself is not touched.

    Parameters
    ----------
    layer : torch.nn.Module
        A linear layer (its bias, if any, is subtracted).
    input_shape : tuple of int
        Shape of one input, e.g. ``(channels, H, W)``.

    Returns
    -------
    ndarray of shape (n_out, n_in), float64

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import layer_matrix
    >>> layer_matrix(torch.nn.Linear(3, 2), (3,)).shape
    (2, 3)
    """
    probe = copy.deepcopy(layer).double().eval()
    n_in = int(np.prod(input_shape))
    basis = torch.eye(n_in, dtype=torch.float64).reshape(n_in, *input_shape)
    zero = torch.zeros((1,) + tuple(input_shape), dtype=torch.float64)
    out = (probe(basis) - probe(zero)).reshape(n_in, -1)
    return out.T.cpu().numpy()


def _kernel_rows_grid(layer: GroupMatrixConv2d, matrix: np.ndarray) -> np.ndarray:
    """Re-index M so that row (h, p) holds the kernel used at output (h, p) in the frame of h."""
    grp, k = layer.group, layer.kernel_radius
    size = 2 * k + 1
    height, width = layer.grid_size
    m = matrix.reshape(
        layer.out_channels, layer.d_out, height, width,
        layer.in_channels, layer.d_in, height, width,
    )
    rho_in = field_representation(layer.in_field, grp.name)
    positions = np.arange(size * size).reshape(size, size)
    frames = range(grp.order) if layer.out_field == "regular" else [grp.identity]
    rows = []
    for h in frames:
        # the canonical kernel entry s is used at array offset offsets[s] in the frame of h
        moved = np.ascontiguousarray(apply_group(positions, h, grp)).ravel()
        offsets = np.stack(np.divmod(np.argsort(moved), size), axis=1) - k
        for pi in range(k, height - k):
            for pj in range(k, width - k):
                if layer.out_field == "regular":
                    block = m[:, h, pi, pj]  # (O, C, d_in, H, W)
                else:
                    block = m[:, :, pi, pj]  # (O, d_out, C, d_in, H, W)
                block = block[..., pi + offsets[:, 0], pj + offsets[:, 1]]
                # undo the rho_in(h)^-1 that the frame of h applies to input components
                block = np.einsum("...js,jl->...ls", block, rho_in[h])
                rows.append(block.ravel())
    return np.array(rows)


def _kernel_rows_cayley(layer: CayleyConv, matrix: np.ndarray) -> np.ndarray:
    """Row a: the kernel ``phi(n) = M[a, n^-1 a]`` used at group element a."""
    grp = layer.group
    m = matrix.reshape(layer.out_channels, grp.order, layer.in_channels, grp.order)
    columns = grp.cayley_table[grp.inverse[layer.support_elements]]
    return np.stack([m[:, a][:, :, columns[:, a]].ravel() for a in range(grp.order)])


def displacement_rank(layer: torch.nn.Module, *, rtol: float = 1e-6) -> int:
    """Measured rank of the layer's displacement from the nearest group matrix.

    The layer's dense matrix ``M`` is re-indexed as ``K[x, n]``: row ``x`` is the
    kernel used at output position ``x`` (in that position's frame), column ``n``
    the kernel entry. A group matrix has identical rows; the paper's relaxed
    layer has ``K = 1 phi^T + sum_{i<r} u_i v_i^T``. The returned number is the
    numerical rank of ``K`` minus its mean row: 0 for an exact layer, at most
    ``relaxation_rank`` for a relaxed one. Only interior positions (whose
    kernel does not meet the zero padding) are used.

    Parameters
    ----------
    layer : GroupMatrixConv2d or CayleyConv
        A small layer (the dense matrix is built); a GroupMatrixConv2d needs
        ``grid_size``.
    rtol : float, default=1e-6
        Singular values below ``rtol`` times the largest singular value of
        ``K`` count as zero.

    Returns
    -------
    int

    Examples
    --------
    >>> from skequi.nn import GroupMatrixConv2d, displacement_rank
    >>> layer = GroupMatrixConv2d(1, 2, "C4", relaxation_rank=2, grid_size=6)
    >>> displacement_rank(layer)  # u_i start at zero
    0
    """
    if isinstance(layer, GroupMatrixConv2d):
        if layer.grid_size is None:
            raise ValueError("displacement_rank needs a layer built with grid_size")
        shape = (layer.in_channels * layer.d_in, *layer.grid_size)
        kernel_rows = _kernel_rows_grid(layer, layer_matrix(layer, shape))
    elif isinstance(layer, CayleyConv):
        shape = (layer.in_channels, layer.group.order)
        kernel_rows = _kernel_rows_cayley(layer, layer_matrix(layer, shape))
    else:
        raise TypeError(
            "displacement_rank takes a GroupMatrixConv2d or CayleyConv, "
            f"got {type(layer).__name__}"
        )
    centred = kernel_rows - kernel_rows.mean(0, keepdims=True)
    scale = np.linalg.norm(kernel_rows, 2)
    singular = np.linalg.svd(centred, compute_uv=False)
    return int((singular > rtol * scale).sum())
