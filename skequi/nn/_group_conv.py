"""Group-matrix convolution on images: a point group times pixel translations."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..groups import get_group
from ._lattice_kernels import FIELDS, field_dim, field_representation, kernel_gather_index

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
    vector) convolution. The transformed filter bank is gathered from one
    weight tensor with the group's index tables and applied with ONE
    ``conv2d``; no dense ``|G| x |G|`` matrix is ever formed.

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
    banks run as ONE ``conv2d``, so each rank adds ``1 / out_channels`` of a
    convolution instead of a whole one.

    Parameters
    ----------
    in_channels, out_channels : int
        Number of fields (each field takes ``field_dim`` tensor channels:
        1 for scalar, 2 for vector, ``|H|`` for regular).
    group : str or FiniteGroup, default="C4"
        One of C1, C2, C4, D1, D2, D4 (C1 gives an ordinary convolution).
    kernel_radius : int, default=1
        Radius on the Cayley graph of the translations with king moves:
        the kernel is ``(2 k + 1) x (2 k + 1)``.
    in_field, out_field : {"scalar", "vector", "regular"}, default="regular"
        Field types of input and output. ``out_field`` scalar or vector uses
        the group-averaged kernel (the only equivariant choice).
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
        d_w = self.d_out if out_field == "vector" else 1
        k2 = (2 * kernel_radius + 1) ** 2

        rho_in = field_representation(in_field, grp.name)
        self.register_buffer(
            "_kernel_index", torch.tensor(kernel_gather_index(grp.name, kernel_radius))
        )
        # rho_in(h)^-1 = rho_in(h^-1), one matrix per h
        self.register_buffer(
            "_rho_in_inv", torch.tensor(rho_in[grp.inverse], dtype=torch.get_default_dtype())
        )
        self.register_buffer(
            "_rho_out", torch.tensor(field_representation(out_field, grp.name),
                                     dtype=torch.get_default_dtype()),
        )
        shape = (out_channels, d_w, in_channels, self.d_in, k2)
        bound = 1.0 / math.sqrt(in_channels * self.d_in * k2)
        self.weight = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        if relaxation_rank:
            self.relaxed_weight = nn.Parameter(
                torch.empty((relaxation_rank, 1) + shape[1:]).uniform_(-bound, bound)
            )
            self.relaxation_profiles = nn.Parameter(
                torch.empty(relaxation_rank, out_channels).uniform_(-1.0, 1.0)
            )
            u_rows = grp.order if out_field == "regular" else 1
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

    def filter_bank(self) -> torch.Tensor:
        """The conv2d weights: the exact bank, then one one-field bank per relaxation rank.

        Returns
        -------
        Tensor of shape ((out_channels + r) * d_out, in_channels * d_in, K, K)
        """
        w = self.weight
        if self.relaxed_weight is not None:
            w = torch.cat([w, self.relaxed_weight.flatten(0, 1)])
        w = w[None]
        rho_in_inv = self._rho_in_inv.to(w.dtype)
        # w(h^-1 z) rho_in(h)^-1 for every h: one gather and one einsum
        t = torch.einsum("mowcjhs,hji->mhowcis", w[..., self._kernel_index], rho_in_inv)
        if self.out_field == "regular":
            bank = t[:, :, :, 0].transpose(1, 2)  # (m, O, |H|, C, d_in, K2)
        elif self.out_field == "scalar":
            bank = t.mean(1)[:, :, 0]
        else:
            bank = torch.einsum("hab,mhobcis->moacis", self._rho_out.to(w.dtype), t) / t.shape[1]
        size = 2 * self.kernel_radius + 1
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
                f"this relaxed layer was built for a {self.grid_size} grid, got {tuple(x.shape[-2:])}"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        y = F.conv2d(x, self.filter_bank(), padding=self.kernel_radius)
        if self.relaxation_maps is not None:
            batch, _, height, width = y.shape
            n_exact = self.out_channels * self.d_out
            exact, deviation = y.split([n_exact, y.shape[1] - n_exact], 1)
            # deviation: (B, r, d_out, H, W), modulated by u_i and spread by a_i(o)
            deviation = deviation.view(batch, self.relaxation_rank, self.d_out, height, width)
            modulated = deviation * self.relaxation_maps  # u_i broadcast over components
            spread = torch.einsum("bidxy,io->bodxy", modulated, self.relaxation_profiles)
            y = exact + spread.reshape(exact.shape)
        if self.bias is not None:
            y = y + self.bias.repeat_interleave(self.d_out)[None, :, None, None]
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels} {self.in_field} -> {self.out_channels} {self.out_field}, "
            f"group={self.group.name}, kernel_radius={self.kernel_radius}, "
            f"relaxation_rank={self.relaxation_rank}"
        )
