"""EquivariantBilinear: the bilinear layer ``x -> W(x) x`` of EMLP (Finzi et al., 2021)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..groups import as_matrix_group
from ..reps import parse_rep

__all__ = ["EquivariantBilinear"]


class EquivariantBilinear(nn.Module):
    """``x -> W(x) x`` with ``W(x)`` an equivariant linear function of ``x`` (Finzi et al.).

    Each block of ``W`` between an output and an input summand is a tensor of
    type ``T(p_out + q_in, q_out + p_in)``; where ``x`` has non-scalar copies
    of exactly that type, the block's entries are learned combinations of up
    to ``d^(p+q)`` of those copies, chosen once per type (deterministically
    from ``seed``) and shared by every block, as in the reference
    implementation. So ``W(g x) = rho(g) W(x) rho(g)^-1`` and ``W(x) x`` is
    equivariant. The forward pass never forms ``W(x)`` (:meth:`weight` does,
    for inspection): each block is one per-sample product with the chosen
    copies plus its share of a GEMM, in whichever order is cheaper; blocks
    that contract first share one GEMM (and one weight matrix) per output
    summand, blocks that mix first one per input summand.

    Parameters
    ----------
    rep : str or Rep
        Input and output representation.
    group : str or MatrixGroup
    seed : int, default=0
        Seeds the choice of contracted copies.

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import EquivariantBilinear, gated
    >>> layer = EquivariantBilinear(gated("4S+2V"), "O(3)")
    >>> layer(torch.randn(5, 12)).shape
    torch.Size([5, 12])
    """

    def __init__(self, rep, group, *, seed: int = 0) -> None:
        super().__init__()
        rep = parse_rep(rep)
        g = as_matrix_group(group)
        d = g.dim
        self.dim = d
        rng = np.random.default_rng(seed)
        # for orthogonal groups V* = V, so copies of any type with the same total rank match
        key_of = (lambda p, q: (p + q, 0)) if g.is_orthogonal else (lambda p, q: (p, q))
        copies_by_key, offset = {}, 0
        for p, q in rep.copies():
            if p + q:
                copies_by_key.setdefault(key_of(p, q), []).append(offset)
            offset += d ** (p + q)
        self.size = offset
        self._summand_slices, offset = [], 0
        for m, p, q in rep.summands:
            self._summand_slices.append((offset, offset + m * d ** (p + q)))
            offset += m * d ** (p + q)
        self._sources = {}  # key -> number of chosen copies
        source_index = []  # columns of x holding the chosen copies, key after key
        self._blocks = []
        for b, (m_o, p_o, q_o) in enumerate(rep.summands):
            for a, (m_i, p_i, q_i) in enumerate(rep.summands):
                big = (p_o + q_i, q_o + p_i)
                key = key_of(*big)
                if key not in copies_by_key:
                    continue
                size = d ** sum(big)
                if key not in self._sources:
                    offsets = copies_by_key[key]
                    n = min(len(offsets), size)
                    chosen = np.sort(rng.choice(offsets, size=n, replace=False))
                    index = (chosen[:, None] + np.arange(size)[None]).reshape(-1)
                    source_index.append(index)
                    self._sources[key] = n
                order = self._hom_order(p_i, q_i, p_o, q_o)
                self._blocks.append(_BilinearBlock(
                    b, a, key, self._sources[key], m_o, m_i, d ** (p_o + q_o), d ** (p_i + q_i),
                    None if order == sorted(order) else order, sum(big), p_o + q_o))
        # every chosen copy is gathered by one index_select (one index_add backward)
        self.register_buffer("_source_index",
                             torch.tensor(np.concatenate(source_index) if source_index else []
                                          ).long(), persistent=False)
        # Blocks that contract first share one GEMM (and one weight) per output summand,
        # blocks that mix first one per input summand; w[k, j, n] sits in the layout the
        # GEMM reads: rows (n, j) x columns k, or rows j x columns (k, n).
        self._contract_first, self._mix_first = {}, {}
        for blk in self._blocks:
            group = self._mix_first if blk.mix_first else self._contract_first
            group.setdefault(blk.inp if blk.mix_first else blk.out, []).append(blk)
        # Weights are stored at unit scale and multiplied by a fixed per-block gain in
        # forward (the reference's `0.1 * W(x) x`, with a fan-in factor), so Adam's steps
        # are relative to the weights' scale; stored at the gain's scale (~0.005) a 1e-3
        # step moved them by 20% and lr 3e-3 diverged.
        for name, groups, layout in (("w_out", self._contract_first, (2, 1, 0)),
                                     ("w_in", self._mix_first, (1, 0, 2))):
            for summand, blocks in groups.items():
                weights, gains = [], []
                for blk in blocks:
                    w = torch.randn(blk.m_o, blk.m_i, blk.n).permute(*layout)
                    gain = 0.1 / math.sqrt(blk.n * blk.m_i * blk.d_i)
                    if name == "w_out":
                        weights.append(w.reshape(-1, blk.m_o))
                        gains.append(torch.full((blk.n * blk.m_i, 1), gain))
                    else:
                        weights.append(w.reshape(blk.m_i, -1))
                        gains.append(torch.full((1, blk.m_o * blk.n), gain))
                dim = 0 if name == "w_out" else 1
                self.register_parameter(f"{name}_{summand}",
                                        nn.Parameter(torch.cat(weights, dim=dim)))
                self.register_buffer(f"gain_{name[2:]}_{summand}", torch.cat(gains, dim=dim),
                                     persistent=False)

    def _weight(self, name: str, summand: int) -> torch.Tensor:
        return getattr(self, f"w_{name}_{summand}") * getattr(self, f"gain_{name}_{summand}")

    @staticmethod
    def _hom_order(p_in, q_in, p_out, q_out):
        big_p = p_out + q_in
        big_q = q_out + p_in
        return (list(range(p_out)) + list(range(big_p, big_p + q_out))
                + list(range(big_p + q_out, big_p + big_q)) + list(range(p_out, big_p)))

    def _hom(self, blk, sources, batch: int, *, rows_first: bool = False) -> torch.Tensor:
        """The block's ``n`` chosen copies as Hom matrices, (B, n, d_o, d_i).

        With ``rows_first`` the layout is (B, d_o, n, d_i), so that a bmm with
        the input copies yields features already in (B, d_o, (n, copy)) order.
        """
        hom = sources[blk.key]
        rows_first = rows_first and blk.d_o > 1
        if blk.order is None and not rows_first:
            return hom.view(batch, blk.n, blk.d_o, blk.d_i)
        axes = [2 + i for i in (blk.order or range(blk.rank))]
        hom = hom.view((batch, blk.n) + (self.dim,) * blk.rank)
        if rows_first:
            hom = hom.permute([0] + axes[:blk.rank_o] + [1] + axes[blk.rank_o:])
            return hom.reshape(batch, blk.d_o, blk.n, blk.d_i)
        return hom.permute([0, 1] + axes).reshape(batch, blk.n, blk.d_o, blk.d_i)

    def _gather_sources(self, x: torch.Tensor) -> dict:
        """The chosen copies of every source type, key -> (B, n, d^rank), in one gather."""
        gathered = x.index_select(1, self._source_index).split(
            [n * self.dim ** sum(key) for key, n in self._sources.items()], dim=1)
        return {key: src.view(x.shape[0], n, -1)
                for (key, n), src in zip(self._sources.items(), gathered)}

    def _block_weights(self):
        """Every block with its weights ``w[k, j, n]`` (gain included), (m_o, m_i, n),
        read back from the GEMM layouts that :meth:`forward` uses."""
        for out, blocks in self._contract_first.items():
            weight, row = self._weight("out", out), 0
            for blk in blocks:  # rows (n, j), columns k
                rows = weight[row:row + blk.n * blk.m_i]
                yield blk, rows.reshape(blk.n, blk.m_i, blk.m_o).permute(2, 1, 0)
                row += blk.n * blk.m_i
        for inp, blocks in self._mix_first.items():
            weight, col = self._weight("in", inp), 0
            for blk in blocks:  # rows j, columns (k, n)
                cols = weight[:, col:col + blk.m_o * blk.n]
                yield blk, cols.reshape(blk.m_i, blk.m_o, blk.n).permute(1, 0, 2)
                col += blk.m_o * blk.n

    def weight(self, x: torch.Tensor) -> torch.Tensor:
        """The matrix ``W(x)`` of every sample, ``(batch, size, size)``: ``forward(x) = W(x) x``.

        Built from the paper's definition, block by block: the block between
        copy ``k`` of an output summand and copy ``j`` of an input summand is
        ``sum_n w[k, j, n] hom_n(x)``, with ``hom_n(x)`` the ``n``-th chosen
        copy of the block's tensor type read as a map between the two types.
        For inspection and as the reference the forward pass is tested
        against; :meth:`forward` never forms it (it takes ``batch * size**2``
        memory). Differentiable.

        Parameters
        ----------
        x : Tensor of shape (batch, size)

        Returns
        -------
        Tensor of shape (batch, size, size)

        Examples
        --------
        >>> import torch
        >>> from skequi.nn import EquivariantBilinear, gated
        >>> layer = EquivariantBilinear(gated("4S+2V"), "O(3)")
        >>> x = torch.randn(5, 12)
        >>> torch.allclose(layer(x), (layer.weight(x) @ x[:, :, None])[..., 0], atol=1e-6)
        True
        """
        batch = x.shape[0]
        sources = self._gather_sources(x)
        matrix = x.new_zeros(batch, self.size, self.size)
        for blk, w in self._block_weights():
            hom = self._hom(blk, sources, batch)  # (B, n, d_o, d_i)
            block = torch.einsum("kjn,bnac->bkajc", w.to(x.dtype), hom)
            (o0, o1), (i0, i1) = self._summand_slices[blk.out], self._summand_slices[blk.inp]
            matrix[:, o0:o1, i0:i1] = block.reshape(batch, o1 - o0, i1 - i0)
        return matrix

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch = x.shape[0]
        sources = self._gather_sources(x)
        # split, not slices: one backward op joins the gradients of every piece
        pieces = x.split([s1 - s0 for s0, s1 in self._summand_slices], dim=1)
        per_summand = {}  # output summand -> sum of its blocks' contributions

        def accumulate(b, y):
            per_summand[b] = y if b not in per_summand else per_summand[b] + y

        # y[b, k, x] = sum_{j, n} w[k, j, n] (hom_n x_j)[x], without forming W(x)
        for out, blocks in self._contract_first.items():
            # t[b, x, (n, j)] = (hom_n x_j)[x]; one GEMM per block on its rows of the
            # weight, accumulated (no concatenated feature matrix to copy)
            weight, y, row = self._weight("out", out), None, 0
            for blk in blocks:
                hom = self._hom(blk, sources, batch, rows_first=True)
                x_in = pieces[blk.inp].view(batch, blk.m_i, blk.d_i)
                t = torch.bmm(hom.reshape(batch, blk.d_o * blk.n, blk.d_i), x_in.transpose(1, 2))
                t = t.view(batch * blk.d_o, blk.n * blk.m_i)
                w = weight[row:row + blk.n * blk.m_i]
                y = t @ w if y is None else torch.addmm(y, t, w)
                row += blk.n * blk.m_i
            d_o, m_o = blocks[0].d_o, blocks[0].m_o
            accumulate(out, y.view(batch, d_o, m_o).transpose(1, 2).reshape(batch, m_o * d_o))
        for inp, blocks in self._mix_first.items():
            m_i, d_i = blocks[0].m_i, blocks[0].d_i
            x_in = pieces[inp].view(batch, m_i, d_i).transpose(1, 2).reshape(batch * d_i, m_i)
            mixed_all = (x_in @ self._weight("in", inp)).view(batch, d_i, -1)
            mixed_all = mixed_all.split([blk.m_o * blk.n for blk in blocks], dim=2)
            for blk, mixed in zip(blocks, mixed_all):  # mixed[b, y, (k, n)] = sum_j w x_j[y]
                mixed = mixed.reshape(batch, d_i, blk.m_o, blk.n).permute(0, 2, 3, 1)
                hom = self._hom(blk, sources, batch).transpose(2, 3)
                y = torch.bmm(mixed.reshape(batch, blk.m_o, blk.n * d_i),
                              hom.reshape(batch, blk.n * d_i, blk.d_o))
                accumulate(blk.out, y.reshape(batch, blk.m_o * blk.d_o))
        parts = [per_summand[b] if b in per_summand else x.new_zeros(batch, s1 - s0)
                 for b, (s0, s1) in enumerate(self._summand_slices)]
        return torch.cat(parts, dim=1)


class _BilinearBlock:
    """An (output summand, input summand) pair of the bilinear layer with its sources."""

    __slots__ = ("out", "inp", "key", "n", "m_o", "m_i", "d_o", "d_i", "order", "rank",
                 "rank_o", "mix_first")

    def __init__(self, out, inp, key, n, m_o, m_i, d_o, d_i, order, rank, rank_o):
        self.out, self.inp, self.key, self.n = out, inp, key, n
        self.m_o, self.m_i, self.d_o, self.d_i = m_o, m_i, d_o, d_i
        self.order, self.rank, self.rank_o = order, rank, rank_o
        # contracting the copies with hom_n first costs n d_o d_i m_i per sample, mixing
        # them first m_o n d_i d_o: the cheaper side goes first
        self.mix_first = d_o > d_i
