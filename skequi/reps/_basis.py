"""Equivariant bases: nullspaces of the stacked group constraints, solved per tensor type.

The invariant tensors of T(p, q) are the common nullspace of ``rho(h_k) - I``
(discrete generators) and ``drho(A_i)`` (Lie algebra generators). We solve it
as the null eigenspace of the Gram operator ``G = sum C^T C``, once per
(group, p, q), and cache it in memory (and on disk, once a folder is set with
``set_basis_cache_dir``). Up to ``DENSE_BASIS_DIM`` coordinates
``G`` is formed and diagonalised densely (one ``eigh``); above it, ``G`` is a
matrix-free operator (each constraint acts on one tensor axis at a time, so a
product costs ``O((p+q) d^(p+q+1))`` instead of ``d^(2(p+q))``) and its null
space comes from block Krylov iterations (``scipy.sparse.linalg.lobpcg``),
with the block widened until it holds a non-null vector.
Equivariant maps T(p1, q1) -> T(p2, q2) are invariant tensors of
T(p2 + q1, q2 + p1) with their axes reordered; a layer between sums of types
reuses one basis per pair of types for every pair of copies (the paper's
block trick).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
from scipy.linalg import eigh, qr
from scipy.sparse.linalg import LinearOperator, lobpcg

from ..groups import as_matrix_group
from ._basis_cache import cached_basis
from ._rep import tensor_drho, tensor_rho

__all__ = ["equivariant_basis", "invariant_basis", "DENSE_BASIS_DIM", "MAX_BASIS_DIM"]

#: Largest tensor dimension d^(p+q) solved with a dense eigendecomposition.
DENSE_BASIS_DIM = 2048
#: Largest tensor dimension d^(p+q) solved at all (matrix-free above DENSE_BASIS_DIM).
MAX_BASIS_DIM = 1 << 16
# part of the disk cache's key: raise it when a change to the solvers changes their output
_SOLVER_VERSION = 1


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@lru_cache(maxsize=None)
def _solve(group_name: str, p: int, q: int, method: str = "auto") -> np.ndarray:
    group = as_matrix_group(group_name)
    size = group.dim ** (p + q)
    if size > MAX_BASIS_DIM:
        raise ValueError(
            f"T({p},{q}) of {group_name} has dimension {size} > {MAX_BASIS_DIM}; use lower "
            "tensor ranks (fewer hidden channels or a smaller group)"
        )
    if not len(group.discrete_generators) and not len(group.lie_generators):
        return _frozen(np.eye(size))
    discrete = np.asarray(group.discrete_generators, dtype=np.float64)
    lie = np.asarray(group.lie_generators, dtype=np.float64)

    def solve():
        return _solve_generators(group_name, group.dim, discrete, lie, p, q, method,
                                 _SOLVER_VERSION)

    def residual(basis: np.ndarray) -> float:
        """Largest ``|C b|`` over the constraints and columns, relative to ``|b|``."""
        if basis.shape[1] and not np.allclose(basis.T @ basis, np.eye(basis.shape[1]),
                                              atol=1e-6):
            return np.inf  # not orthonormal: not a basis this solver writes
        worst = 0.0
        for h in discrete:
            moved = _on_axes(basis, [h] * p + [np.linalg.inv(h).T] * q, group.dim)
            worst = max(worst, float(np.abs(moved - basis).max(initial=0.0)))
        for a in lie:
            factors = [a] * p + [-a.T] * q
            total = sum(_on_axes(basis, [f if i == k else None for i, f in enumerate(factors)],
                                 group.dim) for k in range(p + q))
            worst = max(worst, float(np.abs(total).max(initial=0.0)))
        return worst

    # keyed by the generators themselves, not only the name, and by the solver's version
    return _frozen(cached_basis(solve, size, "invariant-basis", group.dim, discrete, lie, p, q,
                                method, _SOLVER_VERSION, check=residual))


def _solve_generators(group_name: str, dim: int, discrete_generators: np.ndarray,
                      lie_generators: np.ndarray, p: int, q: int, method: str,
                      solver_version: int) -> np.ndarray:
    """The solve itself, a function of plain arrays (what the disk cache is keyed by)."""
    group = SimpleNamespace(dim=dim, discrete_generators=discrete_generators,
                            lie_generators=lie_generators)
    if method == "dense" or (method == "auto" and dim ** (p + q) <= DENSE_BASIS_DIM):
        return _solve_dense(group, p, q)
    return _solve_iterative(group, p, q)


def _solve_dense(group, p: int, q: int) -> np.ndarray:
    size = group.dim ** (p + q)
    gram = np.zeros((size, size))
    for h in group.discrete_generators:
        c = tensor_rho(h, p, q) - np.eye(size)
        gram += c.T @ c
    for a in group.lie_generators:
        c = tensor_drho(a, p, q)
        gram += c.T @ c
    values, vectors = eigh(gram)
    return vectors[:, values < _null_tolerance(values[-1], size)]


def _null_tolerance(largest: float, size: int) -> float:
    return 1e-9 * max(largest, 1.0) * size


def _on_axes(block: np.ndarray, factors, dim: int) -> np.ndarray:
    """Apply ``factors[k]`` to tensor axis k of every column of ``block`` (size, n)."""
    n_axes = len(factors)
    t = block.reshape((dim,) * n_axes + (-1,))
    for axis, f in enumerate(factors):
        if f is not None:
            t = np.moveaxis(np.tensordot(f, t, axes=([1], [axis])), 0, axis)
    return t.reshape(block.shape)


def _gram_operator(group, p: int, q: int) -> LinearOperator:
    """``sum C^T C`` over the constraints, applied axis by axis (never formed)."""
    d, n_axes = group.dim, p + q
    size = d ** n_axes
    discrete = [[h] * p + [np.linalg.inv(h).T] * q for h in group.discrete_generators]
    algebra = [[a] * p + [-a.T] * q for a in group.lie_generators]

    def one_axis(factors, k):
        return [f if i == k else None for i, f in enumerate(factors)]

    def matmat(x):
        x = np.asarray(x, dtype=float).reshape(size, -1)
        out = np.zeros_like(x)
        for factors in discrete:
            c = _on_axes(x, factors, d) - x
            out += _on_axes(c, [f.T for f in factors], d) - c
        for factors in algebra:
            c = sum(_on_axes(x, one_axis(factors, k), d) for k in range(n_axes))
            out += sum(_on_axes(c, one_axis([f.T for f in factors], k), d)
                       for k in range(n_axes))
        return out

    return LinearOperator((size, size), matvec=matmat, matmat=matmat, dtype=float)


def _solve_iterative(group, p: int, q: int) -> np.ndarray:
    gram = _gram_operator(group, p, q)
    size = gram.shape[0]
    rng = np.random.default_rng(0)
    # the largest eigenvalue sets the scale of "zero", as in the dense solve
    largest = max(lobpcg(gram, rng.standard_normal((size, 1)), largest=True, tol=1e-2,
                         maxiter=100)[0][0], 1.0)
    block = rng.standard_normal((size, min(16, size // 4)))
    while True:  # widen the block (keeping what converged) until it sees past the null space
        with warnings.catch_warnings():  # a loose residual is tested below instead
            warnings.simplefilter("ignore", UserWarning)
            values, vectors = lobpcg(gram, block, largest=False, tol=1e-7 * largest,
                                     maxiter=500)
        null = values < 1e-6 * largest
        if not null.all() or block.shape[1] >= size // 4:
            break
        block = np.hstack([vectors, rng.standard_normal((size, block.shape[1]))])
    basis, _ = qr(vectors[:, null], mode="economic")
    residual = np.linalg.norm(gram.matmat(basis)) / np.sqrt(max(basis.shape[1], 1))
    if residual > 1e-5 * largest:
        raise RuntimeError(f"the iterative basis solve did not converge (residual {residual:.1e})")
    return basis


def invariant_basis(group, p: int, q: int) -> np.ndarray:
    """Orthonormal basis of the invariant tensors of T(p, q), shape ``(d^(p+q), r)``.

    Parameters
    ----------
    group : str or MatrixGroup or FiniteGroup
    p, q : int

    Returns
    -------
    ndarray
        Read-only; cached per (group, p, q) for the process, and on disk
        when a folder is set (:func:`set_basis_cache_dir`).

    Examples
    --------
    >>> from skequi.reps import invariant_basis
    >>> [invariant_basis("SO(5)", k, 0).shape[1] for k in range(5)]
    [1, 0, 1, 0, 3]
    """
    group = as_matrix_group(group)
    if group.is_orthogonal:  # T(p, q) and T(p + q, 0) are the same representation
        p, q = p + q, 0
    return _solve(group.name, p, q)


@lru_cache(maxsize=None)
def _hom_basis(group_name: str, p_in: int, q_in: int, p_out: int, q_out: int) -> np.ndarray:
    group = as_matrix_group(group_name)
    d = group.dim
    big_p, big_q = p_out + q_in, q_out + p_in
    basis = invariant_basis(group, big_p, big_q)  # (d^(P+Q), r)
    r = basis.shape[1]
    tensors = basis.T.reshape((r,) + (d,) * (big_p + big_q))
    # axes of T(P, Q): [out V (p_out), in-dual V (q_in), out V* (q_out), in-dual V* (p_in)]
    # -> Hom layout [out V, out V*] x [in V (p_in), in V* (q_in)]
    order = (
        list(range(p_out))
        + list(range(big_p, big_p + q_out))
        + list(range(big_p + q_out, big_p + big_q))
        + list(range(p_out, big_p))
    )
    moved = np.transpose(tensors, [0] + [1 + i for i in order])
    return _frozen(moved.reshape(r, d ** (p_out + q_out), d ** (p_in + q_in)))


def equivariant_basis(group, type_in: tuple[int, int], type_out: tuple[int, int]) -> np.ndarray:
    """Basis of equivariant linear maps T(p_in, q_in) -> T(p_out, q_out).

    Parameters
    ----------
    group : str, MatrixGroup or FiniteGroup
    type_in, type_out : (int, int)
        Tensor types ``(p, q)``.

    Returns
    -------
    ndarray of shape (r, d^(p_out+q_out), d^(p_in+q_in))
        Every ``W = sum_k c_k basis[k]`` satisfies ``W rho_in(g) = rho_out(g) W``.

    Examples
    --------
    >>> from skequi.reps import equivariant_basis
    >>> equivariant_basis("O(3)", (1, 0), (1, 0)).shape  # only multiples of the identity
    (1, 3, 3)
    """
    group = as_matrix_group(group)
    return _hom_basis(group.name, *type_in, *type_out)
