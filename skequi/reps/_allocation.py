"""The EMLP paper's uniform allocation of hidden channels across tensor ranks."""

from __future__ import annotations

from math import comb

import numpy as np

from ..groups import as_matrix_group
from ._rep import Rep

__all__ = ["uniform_rep"]

#: Hidden tensor ranks are capped so that every basis solve has d^(2r) <= this.
MAX_HOM_DIM = 1024


def _max_rank(channels: int, dim: int) -> int:
    r = 0
    while (r + 2) * dim ** (r + 1) <= channels:
        r += 1
    return r


def uniform_rep(channels: int, group) -> Rep:
    """Split ``channels`` dimensions evenly across tensor ranks 0, 1, 2, ... (Finzi et al.).

    Repeatedly takes the largest rank ``r`` with ``(r + 1) d^r <= remaining``
    and adds ``d^(r - k)`` copies of rank ``k`` for every ``k <= r``, so each
    rank gets about the same number of dimensions. For groups whose dual V* is
    not V (Lorentz, symplectic) the copies of rank ``k`` are split among
    ``T(p, k - p)`` in proportion to ``binom(k, p)``. Ranks are capped at the
    largest ``r`` with ``d^(2 r) <= 1024``, so every basis solve stays small.

    Parameters
    ----------
    channels : int
        Target total dimension.
    group : str or MatrixGroup

    Returns
    -------
    Rep

    Examples
    --------
    >>> from skequi.reps import uniform_rep
    >>> rep = uniform_rep(384, "O(5)")
    >>> str(rep), rep.size(5)
    ('134S+25V+5V**2', 384)
    """
    g = as_matrix_group(group)
    d = g.dim
    cap = 0
    while d ** (2 * (cap + 1)) <= MAX_HOM_DIM and d > 1:
        cap += 1
    counts = np.zeros(cap + 1, dtype=int)
    remaining = int(channels)
    while remaining > 0:
        rank = min(_max_rank(remaining, d), cap)
        counts[: rank + 1] += [d ** (rank - k) for k in range(rank + 1)]
        remaining -= (rank + 1) * d ** rank
    summands = []
    orthogonal = g.is_orthogonal
    for rank, n in enumerate(counts):
        if n == 0:
            continue
        if orthogonal or rank == 0:
            summands.append((n, rank, 0))
            continue
        weights = np.array([comb(rank, p) for p in range(rank + 1)], dtype=float)
        split = np.floor(n * weights / weights.sum()).astype(int)
        split[rank // 2] += n - split.sum()
        summands += [(m, p, rank - p) for p, m in enumerate(split) if m > 0]
    return Rep(summands)
