"""EquivariantLinear: a linear map between representations, parametrised in its basis."""

from __future__ import annotations

import math

import torch
from torch import nn

from ..groups import as_matrix_group
from ..reps import equivariant_basis, invariant_basis, parse_rep

__all__ = ["EquivariantLinear"]


class _Block:
    """One (output summand, input summand) pair with a nonzero equivariant basis.

    ``path`` says how the forward pass applies it: ``"scalar"`` (both sides
    scalar: the coefficients are the weight), ``"dense"`` (assemble the
    block's dense matrix, one GEMM) or ``"factored"`` (apply the basis to each
    input copy, then one GEMM over copies and basis elements), whichever
    costs fewer multiply-adds per sample.
    """

    __slots__ = ("out", "inp", "m_o", "m_i", "d_o", "d_i", "rank", "path", "name")

    def __init__(self, out, inp, m_o, m_i, d_o, d_i, rank):
        self.out, self.inp = out, inp
        self.m_o, self.m_i, self.d_o, self.d_i, self.rank = m_o, m_i, d_o, d_i, rank
        self.name = f"{out}_{inp}"
        dense = m_o * d_o * m_i * d_i
        factored = m_i * d_i * rank * d_o + d_o * m_i * rank * m_o
        if d_o == d_i == 1:
            self.path = "scalar"
        elif factored < dense:
            self.path = "factored"
        else:
            self.path = "dense"


class EquivariantLinear(nn.Module):
    """Linear map ``rep_in -> rep_out`` that commutes with the group, plus an optional
    low-rank non-equivariant pathway.

    Between every output and input summand the weight is ``sum_r W_r (x) B_r``:
    the ``B_r`` are the cached basis of equivariant maps between the two tensor
    types (one basis per pair of types, shared by all copies) and the ``W_r``
    (``mult_out x mult_in``) are the stored parameters, so the layer stores
    basis coefficients, never a dense matrix. The forward pass applies each
    block in whichever of two orders is cheaper and never multiplies by the
    zero blocks, so a layer costs a fraction of a dense layer of the same size.
    The bias lives in the invariant subspace of ``rep_out``.

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
        self._in_slices = _summand_slices(self.rep_in, d)
        self._out_slices = _summand_slices(self.rep_out, d)
        self._blocks = []
        for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
            for a, (m_i, p_i, q_i) in enumerate(self.rep_in.summands):
                basis = equivariant_basis(self.group, (p_i, q_i), (p_o, q_o))
                rank = basis.shape[0]
                if not rank:
                    continue
                blk = _Block(b, a, m_o, m_i, d ** (p_o + q_o), d ** (p_i + q_i), rank)
                basis = torch.tensor(basis, dtype=torch.float32)
                std = math.sqrt(blk.d_o * blk.d_i / (rank * self.size_in))
                coeff = torch.randn(m_o, m_i, rank) * std
                if blk.path == "scalar":  # basis is [[+-1]]: fold it into the weight
                    self.register_parameter(f"w_{blk.name}", nn.Parameter(coeff[..., 0]))
                    self.register_buffer(f"basis_{blk.name}", basis, persistent=False)
                elif blk.path == "dense":
                    self.register_parameter(f"w_{blk.name}", nn.Parameter(coeff))
                    self.register_buffer(f"basis_{blk.name}", basis, persistent=False)
                else:  # factored: (d_i, rank * d_o) so one GEMM applies every B_r
                    self.register_parameter(f"w_{blk.name}",
                                            nn.Parameter(coeff.reshape(m_o, m_i * rank)))
                    self.register_buffer(f"basis_{blk.name}",
                                         basis.permute(2, 0, 1).reshape(blk.d_i, -1),
                                         persistent=False)
                self._blocks.append(blk)
        self._has_bias = False
        if bias:
            rows = []
            for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
                inv = torch.tensor(invariant_basis(self.group, p_o, q_o).T, dtype=torch.float32)
                start, _ = self._out_slices[b]
                for k in range(m_o):
                    for vec in inv:  # one coefficient per invariant of every copy
                        row = torch.zeros(self.size_out)
                        row[start + k * len(vec): start + (k + 1) * len(vec)] = vec
                        rows.append(row)
            if rows:
                self._has_bias = True
                self.register_buffer("bias_basis", torch.stack(rows), persistent=False)
                self.bias_coef = nn.Parameter(torch.zeros(len(rows)))
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
        return sum(getattr(self, f"w_{blk.name}").numel() for blk in self._blocks)

    def _block_matrix(self, blk: _Block) -> torch.Tensor:
        """Dense ``(m_o d_o, m_i d_i)`` matrix of one block."""
        coeff = getattr(self, f"w_{blk.name}")
        basis = getattr(self, f"basis_{blk.name}").to(coeff.dtype)
        if blk.path == "scalar":
            return coeff * basis[0, 0, 0]
        if blk.path == "factored":
            coeff = coeff.reshape(blk.m_o, blk.m_i, blk.rank)
            basis = basis.reshape(blk.d_i, blk.rank, blk.d_o).permute(1, 2, 0)
        block = torch.einsum("oir,rxy->oxiy", coeff, basis)
        return block.reshape(blk.m_o * blk.d_o, blk.m_i * blk.d_i)

    def weight(self) -> torch.Tensor:
        """The dense ``(size_out, size_in)`` equivariant matrix (for inspection and tests)."""
        ref = next(self.parameters())
        w = ref.new_zeros(self.size_out, self.size_in)
        for blk in self._blocks:
            (o0, o1), (i0, i1) = self._out_slices[blk.out], self._in_slices[blk.inp]
            w[o0:o1, i0:i1] = self._block_matrix(blk)
        return w

    def bias(self) -> torch.Tensor | None:
        """The ``(size_out,)`` invariant bias, or None without one."""
        if not self._has_bias:
            return None
        return self.bias_coef @ self.bias_basis.to(self.bias_coef.dtype)

    def relaxation_penalty(self) -> torch.Tensor:
        """``|U V^T|_F^2`` of the non-equivariant pathway (0 without relaxation)."""
        if self.relax_u is None:
            return next(self.parameters()).new_zeros(())
        return (self.relax_u @ self.relax_v.T).square().sum()

    def _apply_block(self, blk: _Block, x_in: torch.Tensor) -> torch.Tensor:
        if blk.path != "factored":
            return x_in @ self._block_matrix(blk).T
        batch = x_in.shape[0]
        coeff = getattr(self, f"w_{blk.name}")
        basis = getattr(self, f"basis_{blk.name}").to(coeff.dtype)
        # z[b, x, (j, r)] = (B_r x_j)[x], then y[b, k, x] = sum_{j,r} W[k, j, r] z[b, x, (j, r)]
        z = x_in.reshape(batch * blk.m_i, blk.d_i) @ basis
        z = z.view(batch, blk.m_i * blk.rank, blk.d_o).transpose(1, 2)
        y = z.reshape(batch * blk.d_o, blk.m_i * blk.rank) @ coeff.T
        return y.view(batch, blk.d_o, blk.m_o).transpose(1, 2).reshape(batch, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # split, not slices: one backward op joins the gradients of every piece
        pieces = x.split([i1 - i0 for i0, i1 in self._in_slices], dim=1)
        per_summand = {}
        for blk in self._blocks:
            y = self._apply_block(blk, pieces[blk.inp])
            per_summand[blk.out] = y if blk.out not in per_summand else per_summand[blk.out] + y
        batch = x.shape[0]
        parts = [per_summand[b] if b in per_summand else x.new_zeros(batch, o1 - o0)
                 for b, (o0, o1) in enumerate(self._out_slices)]
        y = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        if self._has_bias:
            y = y + self.bias()
        if self.relax_u is not None:
            y = y + (x @ self.relax_v) @ self.relax_u.T
        return y

    def extra_repr(self) -> str:
        return (f"{self.rep_in} -> {self.rep_out}, group={self.group.name}, "
                f"relaxation_rank={self.relaxation_rank}")


def _summand_slices(rep, dim: int):
    """(start, stop) of every summand of ``rep`` in coordinate order."""
    out, offset = [], 0
    for m, p, q in rep.summands:
        out.append((offset, offset + m * dim ** (p + q)))
        offset += m * dim ** (p + q)
    return out
