"""Equivariant bases: nullspaces of the stacked group constraints, solved per tensor type.

The invariant tensors of T(p, q) are the common nullspace of ``rho(h_k) - I``
(discrete generators) and ``drho(A_i)`` (Lie algebra generators). We solve it
as the null eigenspace of the Gram matrix ``sum C^T C`` (one symmetric
eigenproblem of size d^(p+q)), once per (group, p, q), and cache it in memory.
Equivariant maps T(p1, q1) -> T(p2, q2) are invariant tensors of
T(p2 + q1, q2 + p1) with their axes reordered; a layer between sums of types
reuses one basis per pair of types for every pair of copies (the paper's
block trick).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.linalg import eigh

from ..groups import as_matrix_group
from ._rep import tensor_drho, tensor_rho

__all__ = ["equivariant_basis", "invariant_basis", "MAX_BASIS_DIM"]

#: Largest tensor dimension d^(p+q) solved densely.
MAX_BASIS_DIM = 4096


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@lru_cache(maxsize=None)
def _solve(group_name: str, p: int, q: int) -> np.ndarray:
    group = as_matrix_group(group_name)
    d = group.dim
    size = d ** (p + q)
    if size > MAX_BASIS_DIM:
        raise ValueError(
            f"T({p},{q}) of {group_name} has dimension {size} > {MAX_BASIS_DIM}; use lower "
            "tensor ranks (fewer hidden channels or a smaller group)"
        )
    gram = np.zeros((size, size))
    for h in group.discrete_generators:
        c = tensor_rho(h, p, q) - np.eye(size)
        gram += c.T @ c
    for a in group.lie_generators:
        c = tensor_drho(a, p, q)
        gram += c.T @ c
    if not gram.any():
        return _frozen(np.eye(size))
    values, vectors = eigh(gram)
    tol = 1e-9 * max(values[-1], 1.0) * size
    return _frozen(vectors[:, values < tol])


def invariant_basis(group, p: int, q: int) -> np.ndarray:
    """Orthonormal basis of the invariant tensors of T(p, q), shape ``(d^(p+q), r)``.

    Parameters
    ----------
    group : str or MatrixGroup or FiniteGroup
    p, q : int

    Returns
    -------
    ndarray
        Read-only; cached per (group, p, q) for the process.

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
