"""Constructors for the finite groups: cyclic, dihedral and direct products.

Each returns a :class:`FiniteGroup` with its table built by vectorised numpy.
The permutation groups (symmetric, alternating, the cube's rotations) are in
:mod:`._permutation_groups`. Use :func:`skequi.groups.get_group` for cached
instances.
"""

from __future__ import annotations

import math

import numpy as np

from ._characters import cyclic_characters, dihedral_characters, product_characters
from ._finite import FiniteGroup

__all__ = ["cyclic_group", "dihedral_group", "direct_product"]

#: Largest order for which a Cayley table is built.
MAX_ORDER = 4096

# 2x2 integer matrices of the point groups of the square lattice, acting on
# (x, y) coordinates with x along the image width and y pointing up.
_ROTATIONS = {1: np.eye(2, dtype=int), 2: -np.eye(2, dtype=int), 4: np.array([[0, -1], [1, 0]])}
_MIRROR = np.array([[-1, 0], [0, 1]])  # x -> -x: flips the image left-right
# quarter turns in one step of r, so that lattice groups name elements as D4 does
_LATTICE_STEP = {2: 2}


def _check_order(name: str, order: int) -> None:
    if order > MAX_ORDER:
        raise ValueError(
            f"group {name!r} has order {order}; skequi builds Cayley tables up to "
            f"order {MAX_ORDER}"
        )


def _power_label(symbol: str, k: int) -> str:
    return f"{symbol}^{k}"


def cyclic_group(n: int) -> FiniteGroup:
    """Cyclic group C_n, elements ``r^k`` at index k.

    For n in {1, 2, 4} the group is a rotation group of the pixel lattice,
    a subgroup of D4: its elements carry their 2x2 rotation matrices (turns
    by multiples of 360/n degrees) and their names in D4, so the half turn of
    C2 is ``r^2`` (``r^1`` is the quarter turn of C4 and D4).

    Parameters
    ----------
    n : int
        Order, >= 1.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import cyclic_group
    >>> cyclic_group(4).elements
    ('e', 'r^1', 'r^2', 'r^3')
    """
    _check_order(f"C{n}", n)
    k = np.arange(n)
    table = (k[:, None] + k[None, :]) % n
    step = _LATTICE_STEP.get(n, 1)  # quarter turns per generator on the lattice
    labels = ["e"] + [_power_label("r", i * step) for i in range(1, n)]
    matrices = None
    if n in _ROTATIONS:
        matrices = np.stack([np.linalg.matrix_power(_ROTATIONS[n], i) for i in range(n)])
    return FiniteGroup(
        f"C{n}",
        table,
        labels,
        [1 % n],
        matrices=matrices,
        characters=lambda: cyclic_characters(n),
        presentation=[[0] * n],
    )


def dihedral_group(n: int) -> FiniteGroup:
    """Dihedral group D_n of order 2n, elements ``f^a r^b`` at index ``a n + b``.

    ``r`` is a rotation of order n and ``f`` a mirror, with ``f r f = r^-1``.
    For n in {1, 2, 4} the elements carry 2x2 integer matrices: ``r`` rotates
    by 360/n degrees counter-clockwise and ``f`` mirrors ``x -> -x``
    (a left-right flip of an image), so D1 has one mirror and D4 is the
    symmetry group of the square; elements are named as in D4 (D2's half
    turn is ``r^2``). The other mirrors of the lattice are the groups
    ``"D1h"``, ``"D1d"``, ``"D1a"`` and ``"D2d"`` (:func:`~skequi.groups.get_group`).

    Parameters
    ----------
    n : int
        Number of rotations, >= 1.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import dihedral_group
    >>> g = dihedral_group(4)
    >>> g.order, g.elements[4:6]
    (8, ('f', 'f r^1'))
    """
    _check_order(f"D{n}", 2 * n)
    a = np.repeat([0, 1], n)
    b = np.tile(np.arange(n), 2)
    # (f^a r^b)(f^c r^d) = f^(a+c) r^((-1)^c b + d)
    sign = np.where(a == 0, 1, -1)
    new_a = (a[:, None] + a[None, :]) % 2
    new_b = (sign[None, :] * b[:, None] + b[None, :]) % n
    table = new_a * n + new_b
    labels = []
    step = _LATTICE_STEP.get(n, 1)
    for ai, bi in zip(a, b):
        parts = (["f"] if ai else []) + ([_power_label("r", bi * step)] if bi else [])
        labels.append(" ".join(parts) or "e")
    matrices = None
    if n in _ROTATIONS:
        rot = [np.linalg.matrix_power(_ROTATIONS[n], int(bi)) for bi in b]
        matrices = np.stack(
            [np.linalg.matrix_power(_MIRROR, int(ai)) @ r for ai, r in zip(a, rot)]
        )
    # generators r (position 0) and f (position 1); relators r^n, f^2, (f r)^2
    generators = [1 % n, n]
    presentation = [[0] * n, [1, 1], [1, 0, 1, 0]]
    if n == 1:  # D1 = {e, f}: the rotation is the identity
        generators, presentation = [1], [[0, 0]]
    return FiniteGroup(
        f"D{n}",
        table,
        labels,
        generators,
        matrices=matrices,
        characters=lambda: dihedral_characters(n),
        presentation=presentation,
    )


def direct_product(*factors: FiniteGroup) -> FiniteGroup:
    """Direct product of any number of finite groups.

    Element ``(g_1, .., g_k)`` has index ``g_1 n_2 .. n_k + .. + g_k``
    (row-major over the factors); its label is the factors' labels in
    parentheses. The table is assembled by broadcasting the factor tables.

    Parameters
    ----------
    *factors : FiniteGroup
        At least one group.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import cyclic_group, direct_product
    >>> g = direct_product(cyclic_group(2), cyclic_group(4))
    >>> g.name, g.order
    ('C2xC4', 8)
    """
    if not factors:
        raise ValueError("direct_product needs at least one factor")
    if len(factors) == 1:
        return factors[0]
    name = "x".join(f.name for f in factors)
    sizes = [f.order for f in factors]
    _check_order(name, math.prod(sizes))
    table = np.zeros((1, 1), dtype=np.int64)
    labels = [()]
    for f in factors:
        table = (table * f.order)[:, None, :, None] + f.cayley_table[None, :, None, :]
        n = table.shape[0] * table.shape[1]
        table = table.reshape(n, n)
        labels = [lab + (fl,) for lab in labels for fl in f.elements]
    labels = ["(" + ", ".join(lab) + ")" for lab in labels]
    strides = np.cumprod([1] + sizes[::-1])[:-1][::-1]
    identity = sum(int(f.identity) * int(s) for f, s in zip(factors, strides))
    generators = []
    presentation = []
    offset = 0
    for f, s in zip(factors, strides):
        for gen in f.generators:
            generators.append(identity + (gen - f.identity) * int(s))
        presentation += [[offset + i for i in word] for word in f.presentation]
        offset += len(f.generators)
    # generators of different factors commute
    starts = np.cumsum([0] + [len(f.generators) for f in factors])
    for fi in range(len(factors)):
        for fj in range(fi + 1, len(factors)):
            for i in range(starts[fi], starts[fi + 1]):
                for j in range(starts[fj], starts[fj + 1]):
                    # a b a^-1 b^-1 = e, with inverses written as powers of order - 1
                    presentation.append(_commutator_word(i, j, generators, table))

    has_tables = all(f._characters is not None for f in factors)
    characters = (lambda: product_characters([f.character_table() for f in factors])) \
        if has_tables else None

    return FiniteGroup(
        name, table, labels, generators, characters=characters, presentation=presentation
    )


def _element_order(g: int, table: np.ndarray) -> int:
    identity = int(np.flatnonzero((table == np.arange(len(table))).all(axis=1))[0])
    k, x = 1, g
    while x != identity:
        x = int(table[x, g])
        k += 1
    return k


def _commutator_word(i: int, j: int, generators: list[int], table: np.ndarray) -> list[int]:
    order_i = _element_order(generators[i], table)
    order_j = _element_order(generators[j], table)
    return [i, j] + [i] * (order_i - 1) + [j] * (order_j - 1)
