"""Irreducible characters of cyclic, dihedral and symmetric groups and their products."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "CharacterTable",
    "cyclic_characters",
    "dihedral_characters",
    "product_characters",
    "symmetric_characters",
]


@dataclass(frozen=True)
class CharacterTable:
    """Irreducible characters, evaluated on every element (not only on classes).

    Attributes
    ----------
    names : tuple of str
        One name per irrep.
    dims : ndarray of int
        Dimension of each irrep (its character at the identity).
    values : ndarray of shape (n_irreps, order), complex
        ``values[i, g]`` is ``chi_i(g)``.

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> table = get_group("D4").character_table()
    >>> table.names, table.dims.tolist()
    (('A1', 'A2', 'B1', 'B2', 'E1'), [1, 1, 1, 1, 2])
    """

    names: tuple[str, ...]
    dims: np.ndarray
    values: np.ndarray

    def multiplicities(self, traces: np.ndarray, *, atol: float = 1e-6) -> dict[str, int]:
        """Irrep multiplicities of a representation from its character ``traces``.

        Uses ``m_i = <chi_i, chi> = (1/|G|) sum_g conj(chi_i(g)) chi(g)``.

        Raises
        ------
        ValueError
            If a multiplicity is not (close to) a non-negative integer.
        """
        order = self.values.shape[1]
        m = (np.conj(self.values) @ np.asarray(traces, dtype=complex)) / order
        rounded = np.rint(m.real)
        if np.abs(m - rounded).max(initial=0.0) > atol or (rounded < 0).any():
            raise ValueError(
                "the given matrices are not a representation of this group: "
                f"character inner products {np.round(m, 4).tolist()} are not non-negative integers"
            )
        return {name: int(k) for name, k in zip(self.names, rounded)}


def cyclic_characters(n: int) -> CharacterTable:
    """Characters ``chi_k(r^j) = exp(2 pi i j k / n)`` of C_n, elements ``r^j`` in order."""
    j = np.arange(n)
    values = np.exp(2j * np.pi * np.outer(np.arange(n), j) / n)
    return CharacterTable(tuple(f"chi{k}" for k in range(n)), np.ones(n, dtype=int), values)


def dihedral_characters(n: int) -> CharacterTable:
    """Characters of D_n (order 2n), elements ``f^a r^b`` at index ``a n + b``.

    One-dimensional: A1 (trivial), A2 (-1 on mirrors), and for even n also
    B1, B2 (-1 on the rotation ``r``). Two-dimensional ``E_k``, k = 1 .. (n-1)//2:
    ``chi(r^b) = 2 cos(2 pi k b / n)``, ``chi(f r^b) = 0``.
    """
    a = np.repeat([0, 1], n)
    b = np.tile(np.arange(n), 2)
    names, dims, rows = [], [], []
    one_dim = [("A1", 1, 1), ("A2", -1, 1)]
    if n % 2 == 0:
        one_dim += [("B1", 1, -1), ("B2", -1, -1)]
    for name, on_f, on_r in one_dim:
        names.append(name)
        dims.append(1)
        rows.append((float(on_f) ** a) * (float(on_r) ** b))
    for k in range(1, (n - 1) // 2 + 1):
        names.append(f"E{k}")
        dims.append(2)
        rows.append(np.where(a == 0, 2 * np.cos(2 * np.pi * k * b / n), 0.0))
    return CharacterTable(tuple(names), np.array(dims), np.array(rows, dtype=complex))


def _partitions(n: int, largest: int | None = None):
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first,) + rest


@lru_cache(maxsize=None)
def _murnaghan_nakayama(beta: tuple[int, ...], mu: tuple[int, ...]) -> int:
    """chi^lambda(mu) with lambda given by its beta-set (first-column hook lengths)."""
    if not mu:
        return 1
    k, rest = mu[0], mu[1:]
    members = set(beta)
    total = 0
    for b in beta:
        if b - k >= 0 and (b - k) not in members:
            # removing a rim hook of length k moves bead b to b - k; the sign is
            # (-1)^(beads strictly between), the hook's height
            height = sum(1 for c in beta if b - k < c < b)
            new_beta = tuple(sorted((members - {b}) | {b - k}, reverse=True))
            total += (-1) ** height * _murnaghan_nakayama(new_beta, rest)
    return total


def _cycle_type(perm: np.ndarray) -> tuple[int, ...]:
    seen = np.zeros(len(perm), dtype=bool)
    lengths = []
    for start in range(len(perm)):
        if not seen[start]:
            length, i = 0, start
            while not seen[i]:
                seen[i] = True
                i = perm[i]
                length += 1
            lengths.append(length)
    return tuple(sorted(lengths, reverse=True))


def symmetric_characters(perms: np.ndarray) -> CharacterTable:
    """Characters of S_n by the Murnaghan-Nakayama rule, irreps named by partitions.

    Parameters
    ----------
    perms : ndarray of shape (n!, n)
        The permutations of the group, in element order.
    """
    n = perms.shape[1]
    types = [_cycle_type(p) for p in perms]
    names, dims, rows = [], [], []
    for lam in _partitions(n):
        beta = tuple(lam[i] + len(lam) - 1 - i for i in range(len(lam)))
        row = [_murnaghan_nakayama(beta, mu) for mu in types]
        names.append("[" + ",".join(map(str, lam)) + "]")
        dims.append(_murnaghan_nakayama(beta, (1,) * n))
        rows.append(row)
    return CharacterTable(tuple(names), np.array(dims), np.array(rows, dtype=complex))


def product_characters(tables: list[CharacterTable]) -> CharacterTable:
    """Characters of a direct product: products of the factors' characters.

    Elements of the product are indexed in row-major (mixed radix) order of
    the factors' indices, matching :func:`~skequi.groups.direct_product`.
    """
    names, dims, rows = [], [], []
    for combo in itertools.product(*[range(len(t.names)) for t in tables]):
        value = np.ones(1, dtype=complex)
        for t, i in zip(tables, combo):
            value = np.multiply.outer(value, t.values[i]).reshape(-1)
        names.append(" x ".join(t.names[i] for t, i in zip(tables, combo)))
        dims.append(int(np.prod([t.dims[i] for t, i in zip(tables, combo)])))
        rows.append(value)
    return CharacterTable(tuple(names), np.array(dims), np.array(rows))
