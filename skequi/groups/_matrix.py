"""Matrix groups, defined by discrete generators and Lie algebra generators (numpy only)."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Callable

import numpy as np
from scipy.linalg import block_diag, expm
from scipy.stats import ortho_group, special_ortho_group

__all__ = ["EMBEDDED_FACTOR", "MATRIX_FACTOR", "MatrixGroup", "matrix_group_from_spec"]

MATRIX_FACTOR = re.compile(r"^(SO|O|Sp|Z|S|D|C|Trivial)\((\d+)(?:,(\d+))?\)$")
#: Planar groups embedded in R^3 about the z axis, by emlp's names (the spring pendulum).
EMBEDDED_FACTOR = re.compile(r"^(?:(SO2eR3|O2eR3)|DkeR3\((\d+)\))$")


def _frozen(a) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    a.setflags(write=False)
    return a


class MatrixGroup:
    """A group of d x d matrices given by its generators.

    ``discrete_generators`` ``h_k`` and ``lie_generators`` ``A_i`` (a basis of
    the Lie algebra of the identity component) determine every equivariance
    constraint: a tensor ``w`` is invariant iff ``rho(h_k) w = w`` and
    ``drho(A_i) w = 0``.

    Parameters
    ----------
    name : str
        Canonical spec, e.g. ``"SO(3)"``.
    dim : int
        Size d of the defining representation V.
    discrete_generators, lie_generators : array-like of shape (k, d, d)
    sampler : callable (n, numpy Generator) -> (n, d, d)
        Draws group elements; see :meth:`samples`.
    sampling : str
        What the sampler's distribution is (stated in :meth:`samples`).
    lie_scales : array-like of shape (k,), optional
        Standard deviation of each Lie algebra coordinate when elements are
        drawn as ``exp(sum z_i A_i)`` (default 1; the Lorentz groups' boosts
        0.3, as the EMLP authors draw them).

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> g = get_group("SO(3)")
    >>> g.dim, g.lie_generators.shape, g.samples(2, random_state=0).shape
    (3, (3, 3, 3), (2, 3, 3))
    """

    def __init__(self, name, dim, discrete_generators=(), lie_generators=(), *,
                 sampler: Callable, sampling: str, lie_scales=None) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dim", int(dim))
        object.__setattr__(
            self, "discrete_generators", _frozen(np.reshape(discrete_generators, (-1, dim, dim)))
        )
        object.__setattr__(
            self, "lie_generators", _frozen(np.reshape(lie_generators, (-1, dim, dim)))
        )
        object.__setattr__(self, "_sampler", sampler)
        object.__setattr__(self, "sampling", sampling)
        n_lie = len(self.lie_generators)
        scales = np.ones(n_lie) if lie_scales is None else np.asarray(lie_scales, dtype=float)
        object.__setattr__(self, "lie_scales", _frozen(scales.reshape(n_lie)))

    @property
    def is_orthogonal(self) -> bool:
        """True when V* is equivalent to V through the identity (orthogonal generators)."""
        d = np.eye(self.dim)
        discrete_ok = all(np.allclose(h @ h.T, d) for h in self.discrete_generators)
        lie_ok = all(np.allclose(a, -a.T) for a in self.lie_generators)
        return discrete_ok and lie_ok

    def samples(self, n: int, random_state=None) -> np.ndarray:
        """Draw ``n`` group elements as ``(n, d, d)`` matrices.

        The distribution is given by :attr:`sampling`: Haar measure for SO(n),
        O(n) and finite groups (uniform); for non-compact groups (Lorentz,
        symplectic) the exponential of a Gaussian Lie algebra element with
        standard deviation 0.5 per generator, times a uniformly chosen product of
        the discrete generators.
        """
        rng = np.random.default_rng(random_state)
        return np.asarray(self._sampler(int(n), rng), dtype=np.float64)

    def __repr__(self) -> str:
        return f"MatrixGroup({self.name!r}, dim={self.dim})"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        return isinstance(other, MatrixGroup) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("MatrixGroup", self.name))

    def __setattr__(self, key, value):
        raise AttributeError("MatrixGroup is immutable")

    def __reduce__(self):
        from ._spec import get_group

        return (get_group, (self.name,))

    def __deepcopy__(self, memo):
        return self


def _antisymmetric_basis(n: int) -> np.ndarray:
    basis = []
    for i, j in itertools.combinations(range(n), 2):
        a = np.zeros((n, n))
        a[i, j], a[j, i] = 1.0, -1.0
        basis.append(a)
    return np.array(basis).reshape(-1, n, n)


def enumerate_finite(generators: np.ndarray, limit: int = 20000) -> np.ndarray:
    """All products of finitely many generators (a finite matrix group)."""
    d = generators.shape[-1]
    def key(m):
        return tuple(np.round(m, 9).ravel())

    elements = {key(np.eye(d)): np.eye(d)}
    frontier = [np.eye(d)]
    while frontier:
        new = []
        for m in frontier:
            for h in generators:
                p = h @ m
                k = key(p)
                if k not in elements:
                    elements[k] = p
                    new.append(p)
                    if len(elements) > limit:
                        raise ValueError(
                            f"group generated by these matrices exceeds {limit} elements")
        frontier = new
    return np.array(list(elements.values()))


def _uniform_from(elements: np.ndarray):
    return lambda n, rng: elements[rng.integers(len(elements), size=n)]


def _lie_sampler(lie: np.ndarray, discrete: np.ndarray, scale=0.5):
    def sample(n, rng):
        d = lie.shape[-1] if len(lie) else discrete.shape[-1]
        out = np.empty((n, d, d))
        for i in range(n):
            m = expm(np.tensordot(rng.normal(scale=scale, size=len(lie)), lie, 1)) if len(lie) \
                else np.eye(d)
            for h in discrete:  # each discrete generator with probability 1/2
                if rng.random() < 0.5:
                    m = h @ m
            out[i] = m
        return out

    return sample


def _rotation2(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def _permutation_matrix(perm) -> np.ndarray:
    m = np.zeros((len(perm), len(perm)))
    m[perm, np.arange(len(perm))] = 1.0
    return m


#: Largest defining dimension (and order, for C(k) / D(k)) built.
MAX_MATRIX_DIM = 64
MAX_ENUMERATED_ORDER = 4096


def _factor(kind: str, n: int, m: int | None) -> MatrixGroup:
    name = f"{kind}({n})" if m is None else f"{kind}({n},{m})"
    dim = 2 * n if kind == "Sp" else (2 if kind in ("C", "D") else n)
    if dim > MAX_MATRIX_DIM:
        raise ValueError(
            f"matrix group {name!r} acts on R^{dim}; skequi builds matrix groups up to "
            f"dimension {MAX_MATRIX_DIM}"
        )
    if kind in ("C", "D") and n * (2 if kind == "D" else 1) > MAX_ENUMERATED_ORDER:
        raise ValueError(f"{name!r} has more than {MAX_ENUMERATED_ORDER} elements")
    if kind in ("SO", "O") and m is None:
        lie = _antisymmetric_basis(n)
        if kind == "SO":
            sampler = (lambda k, rng: special_ortho_group.rvs(n, size=k, random_state=rng)
                       .reshape(k, n, n)) if n > 1 else (lambda k, rng: np.ones((k, 1, 1)))
            return MatrixGroup(name, n, (), lie, sampler=sampler, sampling="Haar")
        reflection = np.diag([-1.0] + [1.0] * (n - 1))
        sampler = (lambda k, rng: ortho_group.rvs(n, size=k, random_state=rng).reshape(k, n, n)) \
            if n > 1 else (lambda k, rng: rng.choice([-1.0, 1.0], size=(k, 1, 1)))
        return MatrixGroup(name, n, [reflection], lie, sampler=sampler, sampling="Haar")
    if kind in ("SO", "O") and (n, m) == (1, 3):
        metric = np.diag([1.0, -1.0, -1.0, -1.0])
        lie = []
        for i, j in itertools.combinations(range(1, 4), 2):  # rotations
            a = np.zeros((4, 4))
            a[i, j], a[j, i] = 1.0, -1.0
            lie.append(a)
        for i in range(1, 4):  # boosts
            a = np.zeros((4, 4))
            a[0, i] = a[i, 0] = 1.0
            lie.append(a)
        lie = np.array(lie)
        discrete = [] if kind == "SO" else [metric, -metric]  # parity, time reversal
        discrete = np.array(discrete).reshape(-1, 4, 4)
        # rotations at std 1, boosts at std 0.3: the EMLP authors' z_scale for the Lorentz
        # group (large boosts make high tensor ranks overflow)
        scales = np.array([1.0, 1.0, 1.0, 0.3, 0.3, 0.3])
        return MatrixGroup(name, 4, discrete, lie, sampler=_lie_sampler(lie, discrete, scales),
                           sampling="exp of a Gaussian Lie algebra element, boosts at std 0.3 "
                                    "(not Haar)", lie_scales=scales)
    if m is not None:
        raise ValueError(f"{name}: only SO(1,3) and O(1,3) take two numbers")
    if kind == "Sp":
        eye = np.eye(n)
        j = np.block([[np.zeros((n, n)), eye], [-eye, np.zeros((n, n))]])
        lie = []
        for a, b in itertools.combinations_with_replacement(range(2 * n), 2):
            s = np.zeros((2 * n, 2 * n))
            s[a, b] = s[b, a] = 1.0
            lie.append(j @ s)
        lie = np.array(lie)
        sampler = _lie_sampler(lie, np.zeros((0, 2 * n, 2 * n)), 0.3)
        return MatrixGroup(name, 2 * n, (), lie, sampler=sampler,
                           sampling="exp of a Gaussian Lie algebra element (not Haar)",
                           lie_scales=np.full(len(lie), 0.3))
    if kind == "Z":
        shift = _permutation_matrix(np.roll(np.arange(n), 1))
        powers = np.array([np.linalg.matrix_power(shift, k) for k in range(n)])
        return MatrixGroup(name, n, [shift], (), sampler=_uniform_from(powers), sampling="uniform")
    if kind == "S":
        gens = [np.eye(n)] if n == 1 else [
            _permutation_matrix([1, 0] + list(range(2, n))),
            _permutation_matrix(np.roll(np.arange(n), 1)),
        ]
        return MatrixGroup(
            name, n, gens, (),
            sampler=lambda k, rng: np.array(
                [_permutation_matrix(rng.permutation(n)) for _ in range(k)]),
            sampling="uniform",
        )
    if kind in ("C", "D"):
        gens = [_rotation2(2 * np.pi / n)]
        if kind == "D":
            gens.append(np.diag([-1.0, 1.0]))
        gens = np.array(gens)
        return MatrixGroup(name, 2, gens, (), sampler=_uniform_from(enumerate_finite(gens)),
                           sampling="uniform")
    if kind == "Trivial":
        return MatrixGroup(name, n, (), (), sampler=lambda k, rng: np.tile(np.eye(n), (k, 1, 1)),
                           sampling="the identity")
    raise ValueError(f"unknown matrix group {name!r}")


def embedded_about_z(name: str) -> MatrixGroup:
    """SO(2), O(2) or D_k acting on the x, y coordinates of R^3, z fixed.

    emlp's ``SO2eR3()``, ``O2eR3()`` and ``DkeR3(k)``: rotations about the z
    axis, and for O(2) and D_k the mirror ``x -> -x`` (a vertical plane).

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> g = get_group("DkeR3(6)")
    >>> g.dim, len(g.discrete_generators), g.samples(1, random_state=0)[0][2].tolist()
    (3, 2, [0.0, 0.0, 1.0])
    """
    match = EMBEDDED_FACTOR.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not one of SO2eR3, O2eR3, DkeR3(k)")
    planar = {"SO2eR3": "SO(2)", "O2eR3": "O(2)"}.get(match.group(1) or "",
                                                    f"D({match.group(2)})")
    base = _factor(*(lambda m: (m.group(1), int(m.group(2)), None))(MATRIX_FACTOR.match(planar)))

    def embed(mats: np.ndarray, identity: float) -> np.ndarray:
        out = np.zeros((len(mats), 3, 3))
        out[:, :2, :2] = mats
        out[:, 2, 2] = identity
        return out

    def sampler(k, rng):
        return embed(base.samples(k, rng), 1.0)

    return MatrixGroup(name, 3, embed(base.discrete_generators, 1.0),
                       embed(base.lie_generators, 0.0), sampler=sampler,
                       sampling=f"{base.sampling} ({planar} about the z axis)",
                       lie_scales=base.lie_scales)


def _product(factors: list[MatrixGroup]) -> MatrixGroup:
    """Direct product acting block-diagonally on V = V_1 + V_2 + ..."""
    dims = [f.dim for f in factors]
    total = sum(dims)

    def embed(mats, index):
        out = []
        for m in mats:
            blocks = [np.eye(d) for d in dims]
            blocks[index] = m
            out.append(block_diag(*blocks))
        return np.array(out).reshape(-1, total, total)

    def zero_embed(mats, index):
        out = []
        for m in mats:
            blocks = [np.zeros((d, d)) for d in dims]
            blocks[index] = m
            out.append(block_diag(*blocks))
        return np.array(out).reshape(-1, total, total)

    discrete = np.concatenate([embed(f.discrete_generators, i) for i, f in enumerate(factors)])
    lie = np.concatenate([zero_embed(f.lie_generators, i) for i, f in enumerate(factors)])

    def sampler(n, rng):
        parts = [f.samples(n, rng) for f in factors]
        return np.array([block_diag(*[p[i] for p in parts]) for i in range(n)])

    scales = np.concatenate([f.lie_scales for f in factors])
    return MatrixGroup("x".join(f.name for f in factors), total, discrete, lie, sampler=sampler,
                       sampling="independent samples of each factor", lie_scales=scales)


def _from_finite(group) -> MatrixGroup:
    """A finite group through its integer matrices (if any) or its regular representation."""
    if group.matrices is not None:
        mats = np.asarray(group.matrices, dtype=float)
    else:
        mats = group.regular_representation()
    gens = mats[list(group.generators)]
    return MatrixGroup(f"{group.name}", mats.shape[1], gens, (), sampler=_uniform_from(mats),
                       sampling="uniform")


@lru_cache(maxsize=64)
def matrix_group_from_spec(canonical: str) -> MatrixGroup:
    """Matrix group for a canonical spec whose factors may be matrix or finite groups."""
    from ._spec import _split_factors, get_group

    factors = []
    for part in _split_factors(canonical):
        match = MATRIX_FACTOR.match(part)
        if EMBEDDED_FACTOR.match(part):
            factors.append(embedded_about_z(part))
        elif match:
            kind, n, m = match.group(1), int(match.group(2)), match.group(3)
            if n < 1:
                raise ValueError(f"invalid group spec {canonical!r}: {part} needs n >= 1")
            factors.append(_factor(kind, n, None if m is None else int(m)))
        else:
            factors.append(_from_finite(get_group(part)))
    return factors[0] if len(factors) == 1 else _product(factors)
