"""Gated nonlinearities and the equivariant bilinear layer of EMLP."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..groups import as_matrix_group
from ..reps import Rep, parse_rep

__all__ = ["EquivariantBilinear", "GatedNonlinearity", "gated"]


def gated(rep) -> Rep:
    """``rep`` plus one gate scalar per non-scalar copy (the gates come last)."""
    rep = parse_rep(rep)
    n_gates = sum(1 for p, q in rep.copies() if p + q > 0)
    return rep + Rep([(n_gates, 0, 0)]) if n_gates else rep


class GatedNonlinearity(nn.Module):
    """Swish on scalars; each non-scalar copy times the sigmoid of its gate scalar.

    Input: features of ``gated(rep)``; output: features of ``rep``. Scalars
    (and gates) are invariant, so multiplying a tensor by a function of a
    scalar keeps it equivariant.

    Parameters
    ----------
    rep : str or Rep
    group : str or MatrixGroup
    """

    def __init__(self, rep, group) -> None:
        super().__init__()
        rep = parse_rep(rep)
        d = as_matrix_group(group).dim
        self.size = rep.size(d)
        scalar_mask, gate_index, gate = [], [], self.size
        for p, q in rep.copies():
            size = d ** (p + q)
            scalar_mask += [p + q == 0] * size
            gate_index += [gate] * size if p + q else [0] * size
            gate += 1 if p + q else 0
        self.register_buffer("_scalar", torch.tensor(scalar_mask))
        self.register_buffer("_gate_index", torch.tensor(gate_index))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values = x[..., : self.size]
        gates = torch.sigmoid(x[..., self._gate_index])
        return torch.where(self._scalar, F.silu(values), values * gates)


class EquivariantBilinear(nn.Module):
    """``x -> W(x) x`` with ``W(x)`` an equivariant linear function of ``x`` (Finzi et al.).

    Each block of ``W`` between an output and an input summand is a tensor of
    type ``T(p_out + q_in, q_out + p_in)``; where ``x`` has non-scalar copies
    of exactly that type, the block's entries are learned combinations of up
    to ``d^(p+q)`` of those copies (chosen once, deterministically from
    ``seed``). So ``W(g x) = rho(g) W(x) rho(g)^-1`` and ``W(x) x`` is
    equivariant.

    Parameters
    ----------
    rep : str or Rep
        Input and output representation.
    group : str or MatrixGroup
    seed : int, default=0
        Seeds the choice of contracted copies.
    """

    def __init__(self, rep, group, *, seed: int = 0) -> None:
        super().__init__()
        rep = parse_rep(rep)
        g = as_matrix_group(group)
        d = g.dim
        self.dim = d
        rng = np.random.default_rng(seed)
        offsets, copies_by_type, offset = [], {}, 0
        for p, q in rep.copies():
            offsets.append(offset)
            if p + q:
                copies_by_type.setdefault((p, q), []).append(offset)
            offset += d ** (p + q)
        self.size = offset
        summand_offsets, offset = [], 0
        for m, p, q in rep.summands:
            summand_offsets.append(offset)
            offset += m * d ** (p + q)
        self._summand_sizes = [m * d ** (p + q) for m, p, q in rep.summands]
        self._blocks = []
        for b, (m_o, p_o, q_o) in enumerate(rep.summands):
            for a, (m_i, p_i, q_i) in enumerate(rep.summands):
                big = (p_o + q_i, q_o + p_i)
                if g.is_orthogonal:
                    matches = [t for t in copies_by_type if sum(t) == sum(big)]
                    sources = sorted(o for t in matches for o in copies_by_type[t])
                else:
                    sources = copies_by_type.get(big, [])
                if not sources:
                    continue
                size = d ** sum(big)
                n = min(len(sources), size)
                d_i = d ** (p_i + q_i)
                chosen = np.sort(rng.choice(sources, size=n, replace=False))
                index = chosen[:, None] + np.arange(size)[None]
                self.register_buffer(f"index_{b}_{a}", torch.tensor(index))
                self.register_parameter(
                    f"w_{b}_{a}",
                    nn.Parameter(torch.randn(m_o * m_i, n) * 0.1 / math.sqrt(n * m_i * d_i)),
                )
                order = self._hom_order(p_i, q_i, p_o, q_o)
                self._blocks.append((b, a, m_o, m_i, d ** (p_o + q_o), d ** (p_i + q_i),
                                     summand_offsets[b], summand_offsets[a], order, sum(big)))

    @staticmethod
    def _hom_order(p_in, q_in, p_out, q_out):
        big_p = p_out + q_in
        big_q = q_out + p_in
        return (list(range(p_out)) + list(range(big_p, big_p + q_out))
                + list(range(big_p + q_out, big_p + big_q)) + list(range(p_out, big_p)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        per_summand = {}  # output summand -> sum of its blocks' contributions
        batch = x.shape[0]
        d = self.dim
        for b, a, m_o, m_i, d_o, d_i, off_o, off_i, order, rank in self._blocks:
            sources = x[:, getattr(self, f"index_{b}_{a}")]  # (B, n, d^rank)
            n = sources.shape[1]
            # the n source copies as Hom blocks (B, n, d_o, d_i), axes reordered
            hom = sources.reshape((batch, n) + (d,) * rank)
            hom = hom.permute([0, 1] + [2 + i for i in order]).reshape(batch, n, d_o, d_i)
            # y_k = sum_{j,n} w[k,j,n] hom_n x_j without forming the per-sample W(x):
            # one GEMM and one bmm, in whichever order costs less (d_i vs d_o)
            w = getattr(self, f"w_{b}_{a}").view(m_o, m_i, n)
            x_in = x[:, off_i:off_i + m_i * d_i].reshape(batch, m_i, d_i)
            if d_o <= d_i:
                # t[b, n, x, j] = sum_y hom[b, n, x, y] x_in[b, j, y]
                t = torch.bmm(hom.reshape(batch, n * d_o, d_i), x_in.transpose(1, 2))
                t = t.view(batch, n, d_o, m_i).permute(0, 2, 1, 3).reshape(batch * d_o, n * m_i)
                y = (t @ w.permute(2, 1, 0).reshape(n * m_i, m_o)).view(batch, d_o, m_o)
                y = y.transpose(1, 2).reshape(batch, m_o * d_o)
            else:
                # mixed[b, k, n, y] = sum_j w[k, j, n] x_in[b, j, y]
                mixed = x_in.transpose(1, 2) @ w.permute(1, 0, 2).reshape(m_i, m_o * n)
                mixed = mixed.view(batch, d_i, m_o, n).permute(0, 2, 3, 1).reshape(batch, m_o, n * d_i)
                hom_t = hom.permute(0, 1, 3, 2).reshape(batch, n * d_i, d_o)
                y = torch.bmm(mixed, hom_t).reshape(batch, m_o * d_o)
            per_summand[b] = y if b not in per_summand else per_summand[b] + y
        parts = [per_summand.get(b, x.new_zeros(batch, size))
                 for b, size in enumerate(self._summand_sizes)]
        return torch.cat(parts, dim=1)
