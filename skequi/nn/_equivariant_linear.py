"""EquivariantLinear: a linear map between representations, parametrised in its basis."""

from __future__ import annotations

import math

import torch
from torch import nn

from ..groups import as_matrix_group
from ..reps import equivariant_basis, invariant_basis, parse_rep

__all__ = ["EquivariantLinear"]


class EquivariantLinear(nn.Module):
    """Linear map ``rep_in -> rep_out`` that commutes with the group, plus an optional
    low-rank non-equivariant pathway.

    The weight is assembled per pair of summands from the cached basis of
    equivariant maps between their tensor types (one basis per pair of types,
    shared by all copies), so the stored parameters are basis coefficients,
    not a dense matrix. The bias lives in the invariant subspace of
    ``rep_out``.

    With ``relaxation_rank=r > 0`` the layer adds ``U V^T x`` (``U`` of shape
    ``(size_out, r)`` starting at zero, ``V`` random), a rank-r residual
    pathway beside the equivariant map: the model starts exactly equivariant
    and may learn a deviation, which :meth:`relaxation_penalty` measures.

    Parameters
    ----------
    rep_in, rep_out : str or Rep
    group : str or MatrixGroup
    bias : bool, default=True
    relaxation_rank : int, default=0

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import EquivariantLinear
    >>> layer = EquivariantLinear("2V", "S+V", "O(3)")
    >>> layer(torch.randn(4, 6)).shape, layer.n_basis_params
    (torch.Size([4, 4]), 2)
    """

    def __init__(self, rep_in, rep_out, group, *, bias: bool = True, relaxation_rank: int = 0):
        super().__init__()
        self.group = as_matrix_group(group)
        self.rep_in, self.rep_out = parse_rep(rep_in), parse_rep(rep_out)
        d = self.group.dim
        self.size_in, self.size_out = self.rep_in.size(d), self.rep_out.size(d)
        self._blocks = []  # (out offset, out size, in offset, in size, mult_out, mult_in, name)
        out_offset = 0
        for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
            d_o = d ** (p_o + q_o)
            in_offset = 0
            for a, (m_i, p_i, q_i) in enumerate(self.rep_in.summands):
                d_i = d ** (p_i + q_i)
                basis = equivariant_basis(self.group, (p_i, q_i), (p_o, q_o))
                if basis.shape[0]:
                    name = f"w_{b}_{a}"
                    self.register_buffer(f"basis_{b}_{a}", torch.tensor(basis, dtype=torch.float32))
                    std = math.sqrt(d_o * d_i / (basis.shape[0] * self.size_in))
                    self.register_parameter(
                        name, nn.Parameter(torch.randn(m_o, m_i, basis.shape[0]) * std)
                    )
                    self._blocks.append((out_offset, m_o * d_o, in_offset, m_i * d_i, m_o, m_i,
                                         d_o, d_i, b, a))
                in_offset += m_i * d_i
            out_offset += m_o * d_o
        self._bias_blocks = []
        if bias:
            offset = 0
            for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
                d_o = d ** (p_o + q_o)
                inv = invariant_basis(self.group, p_o, q_o)
                if inv.shape[1]:
                    self.register_buffer(f"bias_basis_{b}", torch.tensor(inv.T, dtype=torch.float32))
                    self.register_parameter(f"b_{b}", nn.Parameter(torch.zeros(m_o, inv.shape[1])))
                    self._bias_blocks.append((offset, m_o, d_o, b))
                offset += m_o * d_o
        self.relaxation_rank = relaxation_rank
        if relaxation_rank:
            self.relax_u = nn.Parameter(torch.zeros(self.size_out, relaxation_rank))
            self.relax_v = nn.Parameter(
                torch.randn(self.size_in, relaxation_rank) / math.sqrt(self.size_in)
            )
        else:
            self.register_parameter("relax_u", None)
            self.register_parameter("relax_v", None)

    @property
    def n_basis_params(self) -> int:
        """Number of equivariant weight coefficients (excluding bias and relaxation)."""
        return sum(getattr(self, f"w_{blk[8]}_{blk[9]}").numel() for blk in self._blocks)

    def weight(self) -> torch.Tensor:
        """The dense ``(size_out, size_in)`` equivariant matrix."""
        ref = next(self.parameters())
        w = ref.new_zeros(self.size_out, self.size_in)
        for out_off, out_size, in_off, in_size, m_o, m_i, d_o, d_i, b, a in self._blocks:
            coeff = getattr(self, f"w_{b}_{a}")
            basis = getattr(self, f"basis_{b}_{a}").to(coeff.dtype)
            block = torch.einsum("oir,rxy->oxiy", coeff, basis).reshape(out_size, in_size)
            w[out_off:out_off + out_size, in_off:in_off + in_size] = block
        return w

    def bias(self) -> torch.Tensor | None:
        if not self._bias_blocks:
            return None
        ref = next(self.parameters())
        out = ref.new_zeros(self.size_out)
        for offset, m_o, d_o, b in self._bias_blocks:
            coeff = getattr(self, f"b_{b}")
            basis = getattr(self, f"bias_basis_{b}").to(coeff.dtype)
            out[offset:offset + m_o * d_o] = (coeff @ basis).reshape(-1)
        return out

    def relaxation_penalty(self) -> torch.Tensor:
        """``|U V^T|_F^2`` of the non-equivariant pathway (0 without relaxation)."""
        if self.relax_u is None:
            return next(self.parameters()).new_zeros(())
        return (self.relax_u @ self.relax_v.T).square().sum()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x @ self.weight().T
        bias = self.bias()
        if bias is not None:
            y = y + bias
        if self.relax_u is not None:
            y = y + (x @ self.relax_v) @ self.relax_u.T
        return y

    def extra_repr(self) -> str:
        return (f"{self.rep_in} -> {self.rep_out}, group={self.group.name}, "
                f"relaxation_rank={self.relaxation_rank}")


def copy_slices(rep, dim: int):
    """(start, stop, p, q) of every copy of ``rep`` in coordinate order."""
    out, offset = [], 0
    for p, q in parse_rep(rep).copies():
        size = dim ** (p + q)
        out.append((offset, offset + size, p, q))
        offset += size
    return out

