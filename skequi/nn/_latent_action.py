"""A fixed (or learned, near-)regular representation acting on latent vectors."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..groups import get_group
from ..transforms import apply_group_per_sample, group_matrices

__all__ = ["LatentRegularAction", "latent_representation", "shortest_words"]


def latent_representation(group, latent_dim: int) -> np.ndarray:
    """``rho(g)`` for every element: ``latent_dim // |G|`` copies of the regular
    representation, then trivial padding, as ``(|G|, latent_dim, latent_dim)``.

    Copy ``c`` occupies coordinates ``c |G| .. c |G| + |G| - 1`` (the layout of
    regular fields elsewhere in skequi), with ``rho(g) e_h = e_{g h}``.

    Raises
    ------
    ValueError
        If ``latent_dim < |G|``.

    Examples
    --------
    >>> from skequi.nn import latent_representation
    >>> latent_representation("C4", 10).shape
    (4, 10, 10)
    """
    grp = get_group(group)
    n = grp.order
    if latent_dim < n:
        raise ValueError(f"latent_dim must be >= |{grp.name}| = {n}, got {latent_dim}")
    copies = latent_dim // n
    regular = grp.regular_representation()
    rep = np.zeros((n, latent_dim, latent_dim))
    for c in range(copies):
        rep[:, c * n:(c + 1) * n, c * n:(c + 1) * n] = regular
    pad = np.arange(copies * n, latent_dim)
    rep[:, pad, pad] = 1.0
    return rep


def shortest_words(group) -> list[list[int]]:
    """For every element, a shortest word in the generators (positions), by BFS.

    Examples
    --------
    >>> from skequi.nn import shortest_words
    >>> shortest_words("C4")  # the identity, r, r^2 = r r, r^3 = r r r
    [[], [0], [0, 0], [0, 0, 0]]
    """
    grp = get_group(group)
    words = {grp.identity: []}
    frontier = [grp.identity]
    while frontier:
        new = []
        for h in frontier:
            for pos, s in enumerate(grp.generators):
                g = int(grp.cayley_table[s, h])  # s h: prepend the generator
                if g not in words:
                    words[g] = [pos] + words[h]
                    new.append(g)
        frontier = new
    return [words[g] for g in range(grp.order)]


class LatentRegularAction(nn.Module):
    """The latent representation of the parameter-free approximate equivariance method.

    ``relaxation_rank=0``: the fixed representation of
    :func:`latent_representation`. ``r > 0``: each generator ``s`` acts by
    ``rho(s) + U_s V_s^T`` (rank r, ``U_s`` starting at zero, so the start is the
    exact regular representation) and every element by the product along a
    shortest word; :meth:`algebra_loss` measures how far the learned matrices
    are from satisfying the group's presentation (e.g. ``a^4 = e`` for C4).

    Structured latents ``(B, C, H, W)`` (the paper's SMOKE variant) are acted
    on exactly through :func:`~skequi.transforms.apply_group`: ``structure="grid"``
    rotates each channel's grid, ``structure="regular"`` also permutes the
    channels in blocks of ``|G|`` (regular fields). Those need a point group of
    the pixel grid and ``relaxation_rank=0``.

    Parameters
    ----------
    group : str or FiniteGroup
    latent_dim : int
        >= |G| (for structured latents: the number of channels).
    relaxation_rank : int, default=0
    structure : {"flat", "grid", "regular"}, default="flat"

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import LatentRegularAction
    >>> act = LatentRegularAction("C4", 8)
    >>> act(torch.eye(8)[:2], torch.tensor([1, 3])).shape
    torch.Size([2, 8])
    """

    STRUCTURES = ("flat", "grid", "regular")

    def __init__(self, group, latent_dim: int, *, relaxation_rank: int = 0,
                 structure: str = "flat") -> None:
        super().__init__()
        self.group = get_group(group)
        self.latent_dim = latent_dim
        self.relaxation_rank = relaxation_rank
        if structure not in self.STRUCTURES:
            raise ValueError(f"structure must be one of {self.STRUCTURES}, got {structure!r}")
        if structure != "flat":
            group_matrices(self.group)  # a clear error for groups that cannot act on grids
            if relaxation_rank:
                raise ValueError("a learned (relaxed) latent action needs structure='flat'")
            if structure == "regular" and latent_dim % self.group.order:
                raise ValueError(
                    f"structure='regular' needs channels in blocks of |{self.group.name}| = "
                    f"{self.group.order}, got latent_dim={latent_dim}"
                )
        self.structure = structure
        rep = latent_representation(self.group, latent_dim)
        self.register_buffer("fixed", torch.tensor(rep, dtype=torch.get_default_dtype()))
        self._words = shortest_words(self.group)
        if relaxation_rank:
            n_gens = len(self.group.generators)
            self.relax_u = nn.Parameter(torch.zeros(n_gens, latent_dim, relaxation_rank))
            self.relax_v = nn.Parameter(
                torch.randn(n_gens, latent_dim, relaxation_rank) / latent_dim**0.5
            )
        else:
            self.register_parameter("relax_u", None)
            self.register_parameter("relax_v", None)

    def generator_matrices(self) -> torch.Tensor:
        """(n_generators, d, d) matrices of the generators (learned when relaxed)."""
        gens = self.fixed[list(self.group.generators)]
        if self.relax_u is None:
            return gens
        return gens + self.relax_u @ self.relax_v.transpose(1, 2)

    def matrices(self) -> torch.Tensor:
        """(|G|, d, d) matrix of every element."""
        if self.relax_u is None:
            return self.fixed
        gens = self.generator_matrices()
        eye = torch.eye(self.latent_dim, dtype=gens.dtype, device=gens.device)
        out = []
        for word in self._words:
            m = eye
            for pos in reversed(word):
                m = gens[pos] @ m
            out.append(m)
        return torch.stack(out)

    def algebra_loss(self) -> torch.Tensor:
        """Mean squared deviation of each relator word from the identity."""
        gens = self.generator_matrices()
        eye = torch.eye(self.latent_dim, dtype=gens.dtype, device=gens.device)
        losses = []
        for word in self.group.presentation:
            m = eye
            for pos in reversed(word):
                m = gens[pos] @ m
            losses.append((m - eye).square().mean())
        return torch.stack(losses).mean() if losses else gens.new_zeros(())

    def forward(self, z: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        """Act on latents ``z`` (flat (B, d) or structured (B, C, H, W)), one element per sample."""
        if self.structure == "flat":
            return torch.einsum("bij,bj->bi", self.matrices()[elements], z)
        field = "scalar" if self.structure == "grid" else "regular"
        return apply_group_per_sample(z, elements, self.group, field)
