"""Fresh group elements every training step, and representations applied to batches.

The EMLP authors' augmentation (``emlp.datasets.GroupAugmentation`` and
``Group.samples`` in their repository) draws new elements for every batch:
``g = exp(sum_i z_i A_i) * prod h_j^{k_j}`` with ``z_i ~ N(0, s_i^2)`` (``s_i``
the group's :attr:`~skequi.groups.MatrixGroup.lie_scales`: 1, and 0.3 for
Lorentz boosts) and, in three rounds over the discrete generators in a
random order, powers ``k ~ U{-5, .., 4}``. :class:`GroupElementSampler` does
that on the device with a seeded torch generator; finite groups are drawn
uniformly from their elements instead.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..groups import as_matrix_group
from ..groups._elements import MAX_ENUMERATED, enumerate_finite

__all__ = ["GroupElementSampler", "apply_representation"]

#: Powers of each discrete generator drawn, as the authors: -5 .. 4.
_POWERS = np.arange(-5, 5)
#: Rounds over the discrete generators.
_ROUNDS = 3


class GroupElementSampler(nn.Module):
    """Draws batches of elements of a matrix group on the module's device.

    Parameters
    ----------
    group : str or MatrixGroup

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GroupElementSampler
    >>> sampler = GroupElementSampler("O(1,3)").double()
    >>> g = sampler(5, torch.Generator().manual_seed(0))
    >>> eta = torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0], dtype=torch.float64))
    >>> g.shape, bool(torch.allclose(g.transpose(1, 2) @ eta @ g, eta.expand(5, 4, 4)))
    (torch.Size([5, 4, 4]), True)
    """

    def __init__(self, group) -> None:
        super().__init__()
        grp = as_matrix_group(group)
        self.group_name = grp.name
        finite = None
        if not len(grp.lie_generators) and len(grp.discrete_generators):
            try:
                finite = enumerate_finite(grp.discrete_generators, limit=MAX_ENUMERATED)
            except ValueError:  # too many to list: draw words in the generators
                finite = None
        self.uniform = finite is not None
        empty = np.zeros((0, grp.dim, grp.dim))
        self.register_buffer("elements", torch.tensor(finite if self.uniform else empty))
        self.register_buffer("lie", torch.tensor(grp.lie_generators))
        self.register_buffer("lie_scales", torch.tensor(grp.lie_scales))
        powers = [[np.linalg.matrix_power(h, int(k)) for k in _POWERS]
                  for h in grp.discrete_generators]
        self.register_buffer("powers", torch.tensor(np.array(powers).reshape(
            len(grp.discrete_generators), len(_POWERS), grp.dim, grp.dim)))
        self.dim = grp.dim

    def forward(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` elements as ``(n, d, d)`` matrices."""
        device, dtype = self.lie.device, self.lie.dtype
        if self.uniform:
            pick = torch.randint(len(self.elements), (n,), device=device, generator=generator)
            return self.elements[pick]
        g = torch.eye(self.dim, device=device, dtype=dtype).expand(n, -1, -1)
        if len(self.lie):
            z = torch.randn(n, len(self.lie), device=device, dtype=dtype, generator=generator)
            g = torch.linalg.matrix_exp(torch.einsum("ni,ijk->njk", z * self.lie_scales,
                                                     self.lie))
        n_discrete = len(self.powers)
        for _ in range(_ROUNDS if n_discrete else 0):
            order = torch.randperm(n_discrete, device=device, generator=generator)
            for j in order.tolist():
                k = torch.randint(len(_POWERS), (n,), device=device, generator=generator)
                g = g @ self.powers[j][k]
        return g.contiguous()


def apply_representation(x: torch.Tensor, g: torch.Tensor, rep) -> torch.Tensor:
    """``rho(g_i) x_i`` for every row, without forming ``rho(g)``.

    Each copy of ``T(p, q)`` in ``rep`` is reshaped to ``(n, d, .., d)`` and
    each of its axes contracted with ``g`` (``p`` axes) or ``g^-T`` (``q``).

    Parameters
    ----------
    x : Tensor of shape (n, rep.size(d))
    g : Tensor of shape (n, d, d)
    rep : Rep

    Returns
    -------
    Tensor of the shape of ``x``

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skequi.reps import parse_rep
    >>> from skequi.nn import apply_representation
    >>> rep, g = parse_rep("S+V**2"), torch.tensor(np.linalg.qr(np.random.randn(3, 3))[0])
    >>> x = torch.randn(1, 10, dtype=torch.float64)
    >>> expected = torch.tensor(rep.rho(g.numpy())) @ x[0]
    >>> bool(torch.allclose(apply_representation(x, g[None], rep)[0], expected))
    True
    """
    n, d = x.shape[0], g.shape[-1]
    dual = None
    blocks, offset = [], 0
    for p, q in rep.copies():
        size = d ** (p + q)
        block = x[:, offset:offset + size].reshape((n,) + (d,) * (p + q))
        for axis in range(p + q):
            if axis >= p and dual is None:
                dual = torch.linalg.inv(g).transpose(1, 2)
            matrix = g if axis < p else dual
            block = torch.movedim(torch.einsum("nij,n...j->n...i",
                                               matrix, torch.movedim(block, axis + 1, -1)),
                                  -1, axis + 1)
        blocks.append(block.reshape(n, size))
        offset += size
    return torch.cat(blocks, dim=1) if blocks else x
