"""Group-matrix convolution on images: a point group times pixel translations."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..groups import get_group
from ._lattice_kernels import (
    FIELDS,
    equivariant_kernel_basis,
    field_dim,
    regular_bank_gather,
)

__all__ = ["GroupMatrixConv2d"]


def _pair(grid_size) -> tuple[int, int]:
    if isinstance(grid_size, int):
        return (grid_size, grid_size)
    return tuple(int(s) for s in grid_size)


class GroupMatrixConv2d(nn.Module):
    """Group-matrix layer for a point group H of the pixel lattice times translations.

    An exact layer is the group matrix ``M = sum_g phi(g) B_g`` of the group
    ``H x Z^2`` with a radius-``k`` kernel, i.e. a lifting (``in_field`` scalar
    or vector), group (regular -> regular) or projection (regular -> scalar or
    vector) convolution. The transformed filter bank is built from the free
    parameters in one operation and applied with ONE ``conv2d``; no dense
    ``|G| x |G|`` matrix is ever formed.

    The layer stores only free parameters, as many as its equivariant kernel
    space has dimensions:

    * regular output: one field pair's kernel ``w`` (``d_in x K^2`` values);
      output component ``h`` uses ``w(h^-1 z) rho_in(h)^-1``, which for the
      lattice groups is a signed permutation of ``w``, so the whole bank is
      one gather (with a precomputed index and sign table);
    * scalar or vector output: coefficients on an orthonormal basis of the
      equivariant kernels (:func:`~skequi.nn._lattice_kernels.equivariant_kernel_basis`),
      so the bank is one matrix product. (A group-averaged free kernel would
      store e.g. 36 weights for the 9 independent regular -> scalar kernels
      of C4.)

    With ``relaxation_rank=r > 0`` the layer computes
    ``M x = C_w x + sum_{i<r} diag(u_i) C_{v_i} x`` (the paper's low displacement
    rank relaxation): ``u_i`` are learned maps over output positions (group
    element x pixel), initialised at zero so the layer starts exactly
    equivariant. Each deviation kernel is ``v_i(o, c, n) = a_i(o) b_i(c, n)``:
    a learned profile over output fields times one field's kernel (both
    non-zero at init, so gradients reach ``u_i``). The kernel used at output
    position ``x`` is then ``phi(n) + sum_i u_i(x) a_i b_i(n)``, whose
    displacement from a group matrix has rank <= r (see
    :func:`~skequi.nn.displacement_rank`). The exact bank and the ``r`` one-field
    banks run as ONE ``conv2d``; the modulation and the spread over output
    fields are one multiply and one batched matrix product.

    Parameters
    ----------
    in_channels, out_channels : int
        Number of fields (each field takes ``field_dim`` tensor channels:
        1 for scalar, 2 for vector, ``|H|`` for regular).
    group : str or FiniteGroup, default="C4"
        One of C1, C2, C4, D1, D2, D4 (C1 gives an ordinary convolution).
    kernel_radius : int, default=1
        Radius on the Cayley graph of the translations with king moves:
        the kernel is ``(2 k + 1) x (2 k + 1)`` (0 gives a 1x1 kernel).
    in_field, out_field : {"scalar", "vector", "regular"}, default="regular"
        Field types of input and output.
    relaxation_rank : int, default=0
        Displacement rank ``r`` of the relaxation; 0 is exact.
    grid_size : int or (int, int), optional
        Spatial size of the input; required when ``relaxation_rank > 0``
        (the maps ``u_i`` live on the grid).
    bias : bool, default=True
        Add an invariant bias (one per output field; none for vector output).

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GroupMatrixConv2d
    >>> lift = GroupMatrixConv2d(1, 8, "C4", in_field="scalar")
    >>> lift(torch.randn(2, 1, 9, 9)).shape
    torch.Size([2, 32, 9, 9])
    >>> project = GroupMatrixConv2d(1, 1, "C4", in_field="regular", out_field="scalar", bias=False)
    >>> sum(p.numel() for p in project.parameters())  # the 9 independent C4 kernels
    9
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        group="C4",
        *,
        kernel_radius: int = 1,
        in_field: str = "regular",
        out_field: str = "regular",
        relaxation_rank: int = 0,
        grid_size=None,
        bias: bool = True,
    ) -> None:
        super().__init__()
        grp = get_group(group)
        for name, field in (("in_field", in_field), ("out_field", out_field)):
            if field not in FIELDS:
                raise ValueError(f"{name} must be one of {FIELDS}, got {field!r}")
        if relaxation_rank < 0:
            raise ValueError(f"relaxation_rank must be >= 0, got {relaxation_rank}")
        if relaxation_rank > 0 and grid_size is None:
            raise ValueError("grid_size is required when relaxation_rank > 0")
        self.group = grp
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_radius = kernel_radius
        self.in_field, self.out_field = in_field, out_field
        self.relaxation_rank = relaxation_rank
        self.grid_size = None if grid_size is None else _pair(grid_size)
        self.d_in = field_dim(in_field, grp)
        self.d_out = field_dim(out_field, grp)
        k2 = (2 * kernel_radius + 1) ** 2
        bound = 1.0 / math.sqrt(in_channels * self.d_in * k2)
        self._regular_out = out_field == "regular"
        rows = out_channels + relaxation_rank  # exact fields, then one-field deviation banks
        if self._regular_out:
            flat, sign = regular_bank_gather(grp.name, kernel_radius, in_field)
            per_pair = self.d_in * k2
            # bank column (h, c, i, s) of an output field reads weight (c, source[h, i], index)
            columns = (np.arange(in_channels)[None, :, None, None] * per_pair
                       + flat[:, None, :, :])  # (|H|, C, d_in, K^2)
            self.register_buffer("_bank_index", torch.as_tensor(columns.reshape(-1)),
                                 persistent=False)
            signs = np.broadcast_to(sign[:, None, :, None], columns.shape).reshape(-1)
            self._signed = bool((signs < 0).any())
            self.register_buffer("_bank_sign", torch.tensor(signs, dtype=torch.get_default_dtype()),
                                 persistent=False)
            shape = (rows, in_channels * per_pair)
            weights = torch.empty(shape).uniform_(-bound, bound)
        else:
            basis = equivariant_kernel_basis(grp.name, kernel_radius, in_field, out_field)
            self.register_buffer("_basis", torch.tensor(basis.reshape(len(basis), -1),
                                                        dtype=torch.get_default_dtype()),
                                 persistent=False)
            # unit-norm basis kernels: scale the coefficients so bank entries start at the
            # size an unconstrained kernel would have
            scale = math.sqrt(basis[0].size / max(len(basis), 1))
            weights = torch.empty(rows, in_channels, len(basis)).uniform_(-bound, bound) * scale
        self.weight = nn.Parameter(weights[:out_channels].clone())
        if relaxation_rank:
            self.relaxed_weight = nn.Parameter(weights[out_channels:].clone())
            self.relaxation_profiles = nn.Parameter(
                torch.empty(relaxation_rank, out_channels).uniform_(-1.0, 1.0)
            )
            u_rows = grp.order if self._regular_out else 1
            self.relaxation_maps = nn.Parameter(
                torch.zeros(relaxation_rank, u_rows, *self.grid_size)
            )
        else:
            for name in ("relaxed_weight", "relaxation_profiles", "relaxation_maps"):
                self.register_parameter(name, None)
        if bias and out_field != "vector":
            self.bias = nn.Parameter(torch.zeros(out_channels))
        else:
            self.register_parameter("bias", None)

    def _free_weights(self) -> torch.Tensor:
        if self.relaxed_weight is None:
            return self.weight
        return torch.cat([self.weight, self.relaxed_weight])

    def filter_bank(self) -> torch.Tensor:
        """The conv2d weights: the exact bank, then one one-field bank per relaxation rank.

        Returns
        -------
        Tensor of shape ((out_channels + r) * d_out, in_channels * d_in, K, K)
        """
        w = self._free_weights()
        size = 2 * self.kernel_radius + 1
        if self._regular_out:
            bank = w.index_select(1, self._bank_index)  # (rows, |H| C d_in K^2)
            if self._signed:
                bank = bank * self._bank_sign.to(bank.dtype)
        else:
            # (rows, C, n_basis) @ (n_basis, d_out d_in K^2), then components out first
            kernels = (w @ self._basis.to(w.dtype)).view(
                w.shape[0], self.in_channels, self.d_out, self.d_in * size * size)
            bank = kernels.transpose(1, 2)
        return bank.reshape(-1, self.in_channels * self.d_in, size, size)

    def _check_input(self, x: torch.Tensor) -> None:
        expected = self.in_channels * self.d_in
        if x.ndim != 4 or x.shape[1] != expected:
            raise ValueError(
                f"{type(self).__name__} expects input (batch, {expected}, H, W) "
                f"({self.in_channels} {self.in_field} fields), got {tuple(x.shape)}"
            )
        if self.grid_size is not None and tuple(x.shape[-2:]) != self.grid_size:
            raise ValueError(
                f"this relaxed layer was built for a {self.grid_size} grid, "
                f"got {tuple(x.shape[-2:])}"
            )

    def _conv_bias(self):
        if self.bias is None:
            return None
        bias = self.bias[:, None].expand(-1, self.d_out).reshape(-1)
        if self.relaxation_rank:
            bias = F.pad(bias, (0, self.relaxation_rank * self.d_out))
        return bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        # the bank is rebuilt every call: 20-60 us, under 0.5% of a batch's convolution
        # (a cache keyed on parameter versions missed in-place changes through .data)
        y = F.conv2d(x, self.filter_bank(), self._conv_bias(), padding=self.kernel_radius)
        if self.relaxation_maps is None:
            return y
        batch, _, height, width = y.shape
        cells = self.d_out * height * width
        # one split, not two slices: its backward is one cat instead of two zero-filled copies
        exact, deviation = y.reshape(batch, -1, cells).split(
            [self.out_channels, self.relaxation_rank], dim=1)
        # deviation i modulated by u_i (broadcast over batch), spread by a_i(o)
        maps = self.relaxation_maps
        if maps.shape[1] != self.d_out:  # one map shared by a vector field's components
            maps = maps.expand(-1, self.d_out, -1, -1)
        modulated = deviation * maps.reshape(self.relaxation_rank, cells)
        profiles = self.relaxation_profiles.t().expand(batch, -1, -1)
        return torch.baddbmm(exact, profiles, modulated).view(batch, -1, height, width)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels} {self.in_field} -> {self.out_channels} {self.out_field}, "
            f"group={self.group.name}, kernel_radius={self.kernel_radius}, "
            f"relaxation_rank={self.relaxation_rank}"
        )

