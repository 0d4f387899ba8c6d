"""EMLP (Finzi, Welling, Wilson, ICML 2021) and a plain MLP baseline of equal width."""

from __future__ import annotations

import torch
from torch import nn

from ..groups import as_matrix_group
from ..nn import EquivariantBilinear, EquivariantLinear, GatedNonlinearity, gated
from ..reps import parse_rep, uniform_rep

__all__ = ["EMLP", "HamiltonianField", "MLP"]


class _EMLPBlock(nn.Module):
    def __init__(self, rep_in, rep_out, group, relaxation_rank: int) -> None:
        super().__init__()
        self.linear = EquivariantLinear(rep_in, gated(rep_out), group,
                                        relaxation_rank=relaxation_rank)
        self.bilinear = EquivariantBilinear(gated(rep_out), group)
        self.nonlinearity = GatedNonlinearity(rep_out, group)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lin = self.linear(x)
        return self.nonlinearity(self.bilinear(lin) + lin)


class EMLP(nn.Module):
    """Equivariant MLP: blocks of (equivariant linear -> bilinear -> gated nonlinearity).

    Parameters
    ----------
    rep_in, rep_out : str or Rep
        E.g. ``"2V"`` and ``"S"``.
    group : str or MatrixGroup
        E.g. ``"O(5)"``, ``"SO(1,3)"``, ``"C4"``.
    hidden : int, default=384
        Hidden dimension, split across tensor ranks by
        :func:`~skequi.reps.uniform_rep`.
    n_layers : int, default=3
    relaxation_rank : int, default=0
        Rank of the non-equivariant pathway beside every linear layer.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import EMLP
    >>> EMLP("2V", "S", "O(5)", hidden=64, n_layers=2)(torch.randn(3, 10)).shape
    torch.Size([3, 1])
    """

    def __init__(self, rep_in, rep_out, group, hidden: int = 384, n_layers: int = 3,
                 relaxation_rank: int = 0) -> None:
        super().__init__()
        g = as_matrix_group(group)
        hidden_rep = uniform_rep(hidden, g)
        reps = [parse_rep(rep_in)] + [hidden_rep] * n_layers
        self.blocks = nn.Sequential(
            *[_EMLPBlock(a, b, g, relaxation_rank) for a, b in zip(reps, reps[1:])]
        )
        self.head = EquivariantLinear(hidden_rep, rep_out, g, relaxation_rank=relaxation_rank)
        self.hidden_rep = hidden_rep

    def relaxation_penalty(self) -> torch.Tensor:
        """Sum of ``|U V^T|_F^2`` over every relaxed linear layer."""
        layers = [m for m in self.modules() if isinstance(m, EquivariantLinear)]
        return sum(layer.relaxation_penalty() for layer in layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(x))


class MLP(nn.Module):
    """Plain MLP with SiLU, the non-equivariant baseline of the same width.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import MLP
    >>> MLP(10, 1, hidden=32)(torch.randn(3, 10)).shape
    torch.Size([3, 1])
    """

    def __init__(self, n_in: int, n_out: int, hidden: int = 384, n_layers: int = 3) -> None:
        super().__init__()
        layers, width = [], n_in
        for _ in range(n_layers):
            layers += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        layers.append(nn.Linear(width, n_out))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class HamiltonianField(nn.Module):
    """A Hamiltonian neural network: ``dz/dt = J grad H(z)`` for a learned scalar ``H``.

    ``z = (q, p)`` (the first half positions, the second momenta) and
    ``J grad H = (dH/dp, -dH/dq)``; the gradient is taken by autograd, with a
    graph in training so the loss reaches ``H``'s weights. An invariant ``H``
    (an EMLP to ``"S"``) gives an equivariant field for any group acting on q
    and p alike, and the learned dynamics conserve ``H`` exactly.

    Parameters
    ----------
    energy : torch.nn.Module
        Maps ``(batch, 2 n)`` states to ``(batch, 1)`` energies.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import MLP, HamiltonianField
    >>> field = HamiltonianField(MLP(4, 1, hidden=8))
    >>> field(torch.randn(3, 4)).shape
    torch.Size([3, 4])
    """

    def __init__(self, energy: nn.Module) -> None:
        super().__init__()
        self.energy = energy

    def hamiltonian(self, z: torch.Tensor) -> torch.Tensor:
        """The learned energy of each state, ``(batch,)``."""
        return self.energy(z)[..., 0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            state = z if z.requires_grad else z.detach().requires_grad_(True)
            energy = self.energy(state).sum()
            (gradient,) = torch.autograd.grad(energy, state, create_graph=self.training)
        dq, dp = gradient.chunk(2, dim=-1)
        return torch.cat([dp, -dq], dim=-1)
