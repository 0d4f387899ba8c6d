"""Paper-faithful group-matrix layers: the pixel grid itself as a finite group G1 x G1."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..groups import get_group

__all__ = ["CayleyConv", "CosetPool", "cayley_ball", "halving_quotient", "kernel_support",
           "product_neighbourhood"]

CHANNEL_MIXING = ("full", "shared")
#: Kernel supports: the reference's product of per-factor neighbourhoods, or an L1 ball.
SUPPORTS = ("product", "ball")

#: Largest stacked input (batch x channels x ball x positions) built in one piece.
STACK_LIMIT = 2**25


def cayley_ball(group, radius: int) -> np.ndarray:
    """Elements within ``radius`` steps of the identity on the Cayley graph.

    The graph's edges are the group's generators and their inverses. The
    identity comes first, then elements in order of distance and index.

    Parameters
    ----------
    group : str or FiniteGroup
    radius : int
        >= 0.

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> from skequi.nn import cayley_ball
    >>> len(cayley_ball("C28xC28", 3))  # an L1 ball: 2 k^2 + 2 k + 1
    25
    """
    grp = get_group(group)
    steps = sorted(set(grp.generators) | {int(grp.inverse[g]) for g in grp.generators})
    ball, frontier = [grp.identity], [grp.identity]
    seen = {grp.identity}
    for _ in range(radius):
        new = sorted({int(grp.cayley_table[h, s]) for h in frontier for s in steps} - seen)
        seen.update(new)
        ball += new
        frontier = new
    return np.array(ball, dtype=np.int64)


def product_neighbourhood(group, radius: int) -> np.ndarray:
    """The reference GM-CNN's kernel support: a product of per-factor neighbourhoods.

    For each factor, ``C_n``: the rotations ``r^i`` with ``|i| <= radius``;
    ``D_n``: those and ``f r^i`` (2 (2 radius + 1) elements). The support is
    every combination, a ``(2 radius + 1)^2`` square for ``C28xC28`` (49
    taps at radius 3) and 196 taps for ``D14xD14``, as the reference
    implementation (``conv_utils.generate_neighborhood``) builds it.

    Parameters
    ----------
    group : str or FiniteGroup
        A product of cyclic or dihedral factors.
    radius : int

    Returns
    -------
    ndarray of int
        Element indices, the identity first.

    Examples
    --------
    >>> from skequi.nn import product_neighbourhood
    >>> len(product_neighbourhood("C28xC28", 3)), len(product_neighbourhood("D14xD14", 3))
    (49, 196)
    """
    grp = get_group(group)
    per_factor, orders = [], []
    for kind, n in _factors(grp):
        shifts = [i % n for i in sorted(range(-radius, radius + 1), key=abs)]
        elements = list(dict.fromkeys(shifts))  # radius >= n/2 wraps around: no repeats
        if kind == "D":
            elements += [n + b for b in elements]  # f r^b sits at index n + b
        per_factor.append(np.array(elements))
        orders.append(n * (2 if kind == "D" else 1))
    support = np.zeros(1, dtype=np.int64)
    for elements, order in zip(per_factor, orders):
        support = (support[:, None] * order + elements[None, :]).ravel()
    return support


def kernel_support(group, radius: int, support: str = "product") -> np.ndarray:
    """Element indices of a paper-faithful kernel: :func:`product_neighbourhood` or
    :func:`cayley_ball`.

    Parameters
    ----------
    group : str or FiniteGroup
        A product of cyclic or dihedral factors.
    radius : int
    support : {"product", "ball"}, default="product"
        The reference implementation's product of per-factor neighbourhoods,
        or the ball of that radius on the Cayley graph.

    Returns
    -------
    ndarray of int

    Raises
    ------
    ValueError
        If ``support`` is neither.

    Examples
    --------
    >>> from skequi.nn import kernel_support
    >>> len(kernel_support("C28xC28", 3)), len(kernel_support("C28xC28", 3, "ball"))
    (49, 25)
    """
    if support not in SUPPORTS:
        raise ValueError(f"kernel support must be one of {SUPPORTS}, got {support!r}")
    if support == "product":
        return product_neighbourhood(group, radius)
    return cayley_ball(group, radius)


def _factors(group) -> list[tuple[str, int]]:
    factors = []
    for part in get_group(group).name.split("x"):
        kind, n = part[0], part[1:]
        if kind not in "CD" or not n.isdigit():
            raise ValueError(
                f"paper-faithful layers need a product of cyclic or dihedral factors such as "
                f"'C28xC28' or 'D14xD14', got {get_group(group).name!r}"
            )
        factors.append((kind, int(n)))
    return factors


def halving_quotient(group) -> tuple[str, np.ndarray]:
    """Quotient of a product of C_n / D_n factors by the central rotations ``r^(n/2)``.

    Each factor ``C_n`` maps to ``C_{n/2}`` by ``r^b -> r^(b mod n/2)`` and
    ``D_n`` to ``D_{n/2}`` by ``f^a r^b -> f^a r^(b mod n/2)``: homomorphisms
    whose kernels are the cosets pooled by :class:`CosetPool`.

    Parameters
    ----------
    group : str or FiniteGroup

    Returns
    -------
    quotient : str
        Spec of the quotient group.
    cosets : ndarray of shape (quotient order, 2 ** n_factors)
        Row ``q`` lists the elements that map to quotient element ``q``.

    Raises
    ------
    ValueError
        If a factor has odd n (no central half-turn).

    Examples
    --------
    >>> from skequi.nn import halving_quotient
    >>> quotient, cosets = halving_quotient("C4")
    >>> quotient, cosets.tolist()  # r^b and r^(b+2) map to the same element of C2
    ('C2', [[0, 2], [1, 3]])
    """
    names, per_factor = [], []
    for kind, n in _factors(group):
        if n % 2:
            raise ValueError(f"coset pooling halves each factor; {kind}{n} has odd n")
        half = n // 2
        if kind == "C":
            rows = [[b, b + half] for b in range(half)]
        else:
            rows = [[a * n + b, a * n + b + half] for a in range(2) for b in range(half)]
        names.append(f"{kind}{half}")
        per_factor.append((np.array(rows), n * (2 if kind == "D" else 1)))
    cosets = np.zeros((1, 1), dtype=np.int64)
    for rows, order in per_factor:
        cosets = (cosets[:, None, :, None] * order + rows[None, :, None, :]).reshape(
            cosets.shape[0] * rows.shape[0], -1
        )
    return "x".join(names), cosets


class CayleyConv(nn.Module):
    """Group-matrix layer on a finite group, with a kernel on a neighbourhood of e.

    Computes ``(M x)(a) = sum_{n in N} phi(n) x(n^-1 a)``, i.e. ``M`` is the
    group matrix ``sum_n phi(n) B_n`` of the group, as in Samudre et al.
    (AISTATS 2025), where an ``H x W`` image is a function on ``G1 x G2`` with
    ``|G1| = H`` (pixel ``(i, j)`` is element ``i |G2| + j``). The support
    ``N`` is the reference implementation's product of per-factor
    neighbourhoods (``support="product"``, :func:`product_neighbourhood`) or
    an L1 ball of the Cayley graph (``support="ball"``, :func:`cayley_ball`).

    For products of cyclic groups the layer is a circular convolution (a
    square or diamond-shaped kernel) and runs as one ``conv2d``. Otherwise (dihedral
    factors) the input is moved by the ``|B|`` fixed permutations
    ``x -> x(n^-1 .)`` of the ball, stacked once as ``(C |B|, N)`` columns, and
    the layer is ONE matrix product with the ``(O, C |B|)`` kernel; when that
    stack would exceed :data:`STACK_LIMIT` values it is built and multiplied
    one ball element at a time instead.

    Parameters
    ----------
    in_channels, out_channels : int
    group : str or FiniteGroup, default="C28xC28"
        A product of cyclic or dihedral groups.
    kernel_radius : int, default=1
    support : {"product", "ball"}, default="product"
    channel_mixing : {"full", "shared"}, default="full"
        ``"shared"`` is the paper's kernel: input channels are summed with no
        weight, so a layer has ``out_channels * K`` parameters.
    relaxation_rank : int, default=0
        Low displacement rank relaxation ``sum_i diag(u_i) C_{v_i} x`` with
        ``u_i`` over group elements, initialised at zero.
    bias : bool, default=True

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import CayleyConv
    >>> layer = CayleyConv(1, 4, "C8xC8", kernel_radius=2, channel_mixing="shared")
    >>> layer(torch.randn(3, 1, 8, 8)).shape, sum(p.numel() for p in layer.parameters())
    (torch.Size([3, 4, 8, 8]), 104)
    >>> diamond = CayleyConv(1, 4, "C8xC8", kernel_radius=2, support="ball")
    >>> sum(p.numel() for p in diamond.parameters())  # 13 taps x 4 + 4 biases
    56
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        group="C28xC28",
        *,
        kernel_radius: int = 1,
        support: str = "product",
        channel_mixing: str = "full",
        relaxation_rank: int = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if channel_mixing not in CHANNEL_MIXING:
            raise ValueError(
                f"channel_mixing must be one of {CHANNEL_MIXING}, got {channel_mixing!r}"
            )
        if relaxation_rank < 0:
            raise ValueError(f"relaxation_rank must be >= 0, got {relaxation_rank}")
        grp = get_group(group)
        factors = _factors(grp)
        self.group = grp
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_radius, self.channel_mixing = kernel_radius, channel_mixing
        self.relaxation_rank = relaxation_rank
        self.support = support
        ball = kernel_support(grp, kernel_radius, support)
        self.support_elements = ball
        self.ball_size = len(ball)
        mixed_in = in_channels if channel_mixing == "full" else 1
        shape = (out_channels, mixed_in, self.ball_size)
        bound = 1.0 / math.sqrt(mixed_in * self.ball_size)
        self.weight = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        if relaxation_rank:
            self.relaxed_weight = nn.Parameter(
                torch.empty((relaxation_rank,) + shape).uniform_(-bound, bound)
            )
            self.relaxation_maps = nn.Parameter(torch.zeros(relaxation_rank, grp.order))
        else:
            self.register_parameter("relaxed_weight", None)
            self.register_parameter("relaxation_maps", None)
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

        sizes = [n for _, n in factors]
        self._conv_path = (
            len(factors) == 2
            and all(kind == "C" for kind, _ in factors)
            and min(sizes) > 2 * kernel_radius
        )
        if self._conv_path:
            # ball element (a, b) sits at kernel offset (-a, -b) mod n: correlation
            # with the flipped kernel is the group convolution x(n^-1 a)
            k = kernel_radius
            rows, cols = np.divmod(ball, sizes[1])
            rows = np.where(rows > sizes[0] // 2, rows - sizes[0], rows)
            cols = np.where(cols > sizes[1] // 2, cols - sizes[1], cols)
            positions = (k - rows) * (2 * k + 1) + (k - cols)
            self.register_buffer("_kernel_pos", torch.as_tensor(positions))
        else:
            # x(n^-1 a) for every ball element n and every a, flattened ball-major
            gather = grp.cayley_table[grp.inverse[ball]]
            self.register_buffer("_gather", torch.as_tensor(gather.reshape(-1)), persistent=False)

    def _weights(self) -> torch.Tensor:
        w = self.weight[None]
        if self.relaxed_weight is not None:
            w = torch.cat([w, self.relaxed_weight])
        return w.flatten(0, 1)  # ((1 + r) O, C_mixed, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spatial = x.shape[2:]
        if x.ndim < 3 or x.shape[1] != self.in_channels or spatial.numel() != self.group.order:
            raise ValueError(
                f"CayleyConv on {self.group.name} expects (batch, {self.in_channels}, ...) with "
                f"{self.group.order} positions, got {tuple(x.shape)}"
            )
        batch = x.shape[0]
        if self.channel_mixing == "shared":
            x = x.sum(1, keepdim=True)  # sum first: the paper's unweighted channel sum
        w = self._weights()
        if self._conv_path:
            size = 2 * self.kernel_radius + 1
            n1, n2 = (int(p[1:]) for p in self.group.name.split("x"))
            bank = w.new_zeros(w.shape[0], w.shape[1], size * size)
            bank[:, :, self._kernel_pos] = w
            padded = F.pad(x.reshape(batch, -1, n1, n2), [self.kernel_radius] * 4, mode="circular")
            y = F.conv2d(padded, bank.view(w.shape[0], w.shape[1], size, size)).flatten(2)
        else:
            y = self._permuted_product(x.reshape(batch, x.shape[1], -1), w)
        if self.relaxation_maps is not None:
            y = y.view(batch, 1 + self.relaxation_rank, self.out_channels, -1)
            y = y[:, 0] + (self.relaxation_maps[:, None] * y[:, 1:]).sum(1)
        if self.bias is not None:
            y = y + self.bias[:, None]
        return y.reshape(batch, self.out_channels, *spatial)

    def _permuted_product(self, flat: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``y(a) = sum_{n in ball} w_n x(n^-1 a)``: moved copies of x, then one GEMM."""
        batch, channels, n = flat.shape
        k = self.ball_size
        if batch * channels * k * n <= STACK_LIMIT:
            # (B, C, K N) -> (B, C K, N): channel-major, ball next, as w's (O, C, K)
            stacked = flat.index_select(2, self._gather).view(batch, channels * k, n)
            return torch.matmul(w.reshape(w.shape[0], channels * k), stacked)
        moves = self._gather.view(k, n)
        y = None
        for j in range(k):
            term = torch.matmul(w[:, :, j], flat.index_select(2, moves[j]))
            y = term if y is None else y + term
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels} -> {self.out_channels}, group={self.group.name}, "
            f"ball={self.ball_size}, channel_mixing={self.channel_mixing!r}, "
            f"relaxation_rank={self.relaxation_rank}"
        )


class CosetPool(nn.Module):
    """Pool over the cosets of the central half-turns: functions on G -> on G / K.

    See :func:`halving_quotient`; ``quotient`` is the spec of the output group.

    Parameters
    ----------
    group : str or FiniteGroup
        A product of C_n / D_n factors with even n.
    mode : {"max", "mean"}, default="max"

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import CosetPool
    >>> pool = CosetPool("C8xC8")
    >>> pool.quotient, pool(torch.randn(2, 3, 8, 8)).shape
    ('C4xC4', torch.Size([2, 3, 4, 4]))
    """

    def __init__(self, group, mode: str = "max") -> None:
        super().__init__()
        if mode not in ("max", "mean"):
            raise ValueError(f"pooling mode must be 'max' or 'mean', got {mode!r}")
        self.quotient, cosets = halving_quotient(group)
        self.mode = mode
        self.out_shape = tuple(
            int(p[1:]) * (2 if p[0] == "D" else 1) for p in self.quotient.split("x")
        )
        self.register_buffer("_cosets", torch.tensor(cosets))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(2)[..., self._cosets]  # (B, C, |Q|, |K|)
        pooled = flat.amax(-1) if self.mode == "max" else flat.mean(-1)
        return pooled.reshape(*x.shape[:2], *self.out_shape)
