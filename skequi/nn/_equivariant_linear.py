"""EquivariantLinear: a linear map between representations, parametrised in its basis."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..groups import as_matrix_group
from ..reps import equivariant_basis, invariant_basis, parse_rep

__all__ = ["EquivariantLinear"]


class _Block:
    """One (output summand, input summand) pair with a nonzero equivariant basis."""

    __slots__ = ("out", "inp", "m_o", "m_i", "d_o", "d_i", "rank", "name")

    def __init__(self, out, inp, m_o, m_i, d_o, d_i, rank):
        self.out, self.inp = out, inp
        self.m_o, self.m_i, self.d_o, self.d_i, self.rank = m_o, m_i, d_o, d_i, rank
        self.name = f"{out}_{inp}"

    @property
    def is_scalar(self) -> bool:
        return self.d_o == self.d_i == 1


class EquivariantLinear(nn.Module):
    """Linear map ``rep_in -> rep_out`` that commutes with the group, plus an optional
    low-rank non-equivariant pathway.

    Between every output and input summand the weight is ``sum_r W_r (x) B_r``:
    the ``B_r`` are the cached basis of equivariant maps between the two tensor
    types (one basis per pair of types, shared by all copies) and the ``W_r``
    (``mult_out x mult_in``) are the stored parameters, so the layer stores
    basis coefficients, never a dense matrix. Each forward pass assembles the
    dense matrix from them (one small product per block, one scatter; its cost
    does not grow with the batch) and applies it as a single matrix product, so
    a batch costs what a dense layer of the same size costs.
    The bias lives in the invariant subspace of ``rep_out``.

    With ``relaxation_rank=r > 0`` the layer adds ``U V^T`` (``U`` of shape
    ``(size_out, r)`` starting at zero, ``V`` random) to the matrix, a rank-r
    residual pathway beside the equivariant map: the model starts exactly
    equivariant and may learn a deviation, which :meth:`relaxation_penalty`
    measures.

    Parameters
    ----------
    rep_in, rep_out : str or Rep
    group : str or MatrixGroup
    bias : bool, default=True
    relaxation_rank : int, default=0

    Notes
    -----
    The bases are buffers in torch's default dtype at construction, as
    parameters are: ``.double()`` on a layer built in float32 keeps
    float32-rounded bases (equivariant to about 1e-7). For equivariance to
    float64 precision, build under ``torch.set_default_dtype(torch.float64)``.

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
        self._blocks, positions = [], []
        for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
            for a, (m_i, p_i, q_i) in enumerate(self.rep_in.summands):
                basis = equivariant_basis(self.group, (p_i, q_i), (p_o, q_o))
                rank = basis.shape[0]
                if not rank:
                    continue
                blk = _Block(b, a, m_o, m_i, d ** (p_o + q_o), d ** (p_i + q_i), rank)
                std = math.sqrt(blk.d_o * blk.d_i / (rank * self.size_in))
                if blk.is_scalar:  # the basis is [[+-1]]: the coefficients are the entries
                    self.register_parameter(f"w_{blk.name}",
                                            nn.Parameter(torch.randn(m_o, m_i) * std))
                else:
                    self.register_parameter(f"w_{blk.name}",
                                            nn.Parameter(torch.randn(m_o, m_i, rank) * std))
                    self.register_buffer(f"basis_{blk.name}",
                                         torch.tensor(basis.reshape(rank, -1),
                                                      dtype=torch.get_default_dtype()),
                                         persistent=False)
                positions.append(self._block_positions(blk))
                self._blocks.append(blk)
        # where each entry of every block's (m_o, m_i, d_o, d_i) product sits in the
        # flattened dense matrix: one index_copy assembles it (and its backward is one gather)
        self.register_buffer(
            "_positions",
            torch.from_numpy(np.concatenate(positions) if positions else np.zeros(0, int)),
            persistent=False)
        self._has_bias = False
        if bias:
            rows = []
            for b, (m_o, p_o, q_o) in enumerate(self.rep_out.summands):
                inv = torch.tensor(invariant_basis(self.group, p_o, q_o).T,
                                   dtype=torch.get_default_dtype())
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

    def _block_positions(self, blk: _Block) -> np.ndarray:
        """Flat indices into the dense matrix of the block's entries, in (k, j, x, y) order."""
        (o0, _), (i0, _) = self._out_slices[blk.out], self._in_slices[blk.inp]
        k, j, x, y = np.meshgrid(np.arange(blk.m_o), np.arange(blk.m_i), np.arange(blk.d_o),
                                 np.arange(blk.d_i), indexing="ij")
        rows, cols = o0 + k * blk.d_o + x, i0 + j * blk.d_i + y
        return (rows * self.size_in + cols).reshape(-1)

    @property
    def n_basis_params(self) -> int:
        """Number of equivariant weight coefficients (excluding bias and relaxation)."""
        return sum(getattr(self, f"w_{blk.name}").numel() for blk in self._blocks)

    def weight(self) -> torch.Tensor:
        """The dense ``(size_out, size_in)`` equivariant matrix, assembled from the coefficients.

        Differentiable: :meth:`forward` applies it (plus the relaxed pathway, if any).
        """
        entries = []
        for blk in self._blocks:
            coeff = getattr(self, f"w_{blk.name}")
            if blk.is_scalar:
                entries.append(coeff.reshape(-1))
            else:
                basis = getattr(self, f"basis_{blk.name}").to(coeff.dtype)
                entries.append((coeff.reshape(-1, blk.rank) @ basis).reshape(-1))
        if not entries:  # no equivariant map between these reps (e.g. O(3): V -> V**2)
            dtype = next(self.parameters(), torch.empty(0)).dtype
            return self._positions.new_zeros(self.size_out, self.size_in, dtype=dtype)
        entries = torch.cat(entries)
        flat = entries.new_zeros(self.size_out * self.size_in)
        return flat.index_copy(0, self._positions, entries).view(self.size_out, self.size_in)

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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight().to(x.dtype)
        if self.relax_u is not None:
            w = torch.addmm(w, self.relax_u, self.relax_v.T)
        if self._has_bias:
            return torch.addmm(self.bias(), x, w.T)
        return x @ w.T

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
