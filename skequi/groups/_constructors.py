"""Constructors for the finite groups: cyclic, dihedral, symmetric, alternating,
direct products, and the rotation group of the cube.

Each returns a :class:`FiniteGroup` with its table built by vectorised numpy.
Use :func:`skequi.groups.get_group` for cached instances.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._characters import (
    _cycle_type,
    cyclic_characters,
    dihedral_characters,
    product_characters,
    symmetric_characters,
)
from ._finite import FiniteGroup

__all__ = [
    "alternating_group",
    "cube_rotation_group",
    "cyclic_group",
    "dihedral_group",
    "direct_product",
    "symmetric_group",
]

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


def _check_factorial_order(name: str, n: int, divisor: int = 1) -> None:
    """Refuse S_n / A_n above MAX_ORDER without computing a huge factorial."""
    if n > 12:  # 13! / 2 is already far past any order skequi builds
        raise ValueError(
            f"group {name!r} has order {n}!{'/' + str(divisor) if divisor > 1 else ''}, over "
            f"{MAX_ORDER}; skequi builds Cayley tables up to order {MAX_ORDER}"
        )
    _check_order(name, max(1, math.factorial(n) // divisor))


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


def _table_from_codes(codes: np.ndarray, compose) -> np.ndarray:
    """Cayley table of elements encoded as integers, with a vectorised ``compose``."""
    order = np.argsort(codes)
    sorted_codes = codes[order]
    products = compose()  # (n, n) codes of g_i g_j
    positions = np.searchsorted(sorted_codes, products)
    if not (sorted_codes[np.minimum(positions, len(codes) - 1)] == products).all():
        raise ValueError("the given elements are not closed under composition")
    return order[positions]


def _permutation_group(name, perms, generators, characters=None, presentation=None):
    n_points = perms.shape[1]
    radix = n_points ** np.arange(n_points)[::-1]
    codes = perms @ radix
    # (g h)(i) = g(h(i)): compose all pairs by fancy indexing
    table = _table_from_codes(
        codes, lambda: perms[np.arange(len(perms))[:, None, None], perms[None, :, :]] @ radix
    )
    labels = [_cycle_label(p) for p in perms]
    return FiniteGroup(
        name, table, labels, generators, characters=characters, presentation=presentation
    )


def _cycle_label(perm: np.ndarray) -> str:
    seen, cycles = set(), []
    for start in range(len(perm)):
        if start in seen or perm[start] == start:
            seen.add(start)
            continue
        cycle, i = [], start
        while i not in seen:
            seen.add(i)
            cycle.append(str(i))
            i = perm[i]
        cycles.append("(" + " ".join(cycle) + ")")
    return "".join(cycles) or "e"


def _all_permutations(n: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(n))), dtype=np.int64).reshape(-1, n)


def symmetric_group(n: int) -> FiniteGroup:
    """Symmetric group S_n of all permutations of ``{0, .., n-1}``.

    Elements are in lexicographic order (identity first), labelled in cycle
    notation; the product is composition, ``(g h)(i) = g(h(i))``.

    Parameters
    ----------
    n : int
        Number of points, >= 1.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import symmetric_group
    >>> symmetric_group(3).elements
    ('e', '(1 2)', '(0 1)', '(0 1 2)', '(0 2 1)', '(0 2)')
    """
    _check_factorial_order(f"S{n}", n)
    perms = _all_permutations(n)
    return _permutation_group(
        f"S{n}", perms, _symmetric_generators(perms), characters=lambda: symmetric_characters(perms)
    )


def _find(perms: np.ndarray, target) -> int:
    return int(np.flatnonzero((perms == np.asarray(target)).all(axis=1))[0])


def _symmetric_generators(perms: np.ndarray) -> list[int]:
    n = perms.shape[1]
    if n == 1:
        return [0]
    swap = np.arange(n)
    swap[[0, 1]] = [1, 0]
    cycle = np.roll(np.arange(n), -1)
    return [_find(perms, swap), _find(perms, cycle)]


def _parity(perm: np.ndarray) -> int:
    return (len(perm) - len(_cycle_type(perm))) % 2


def alternating_group(n: int) -> FiniteGroup:
    """Alternating group A_n of the even permutations of ``{0, .., n-1}``.

    Generated by the 3-cycles ``(0 1 k)``; order n!/2 for n >= 2.

    Parameters
    ----------
    n : int
        Number of points, >= 1.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import alternating_group
    >>> alternating_group(4).order
    12
    """
    _check_factorial_order(f"A{n}", n, 2)
    perms = _all_permutations(n)
    perms = perms[[_parity(p) == 0 for p in perms]]
    generators = [0]
    for k in range(2, n):
        target = np.arange(n)
        target[[0, 1, k]] = [1, k, 0]
        generators.append(_find(perms, target))
    if len(generators) > 1:
        generators = generators[1:]
    return _permutation_group(f"A{n}", perms, generators)


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


def _axis_angle_label(m: np.ndarray) -> str:
    if (m == np.eye(3, dtype=int)).all():
        return "e"
    angle = int(round(np.degrees(np.arccos(np.clip((np.trace(m) - 1) / 2, -1, 1)))))
    w, v = np.linalg.eig(m.astype(float))
    axis = np.real(v[:, np.argmin(np.abs(w - 1))])
    axis = axis / np.abs(axis[np.abs(axis) > 1e-9]).min()
    axis = np.rint(axis).astype(int)
    if angle != 180:
        # orient the axis so that the rotation is counter-clockwise about it
        skew = np.array([m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1]])
        if skew @ axis < 0:
            axis = -axis
    elif axis[np.flatnonzero(axis)[0]] < 0:
        axis = -axis
    return f"rot{angle}[{','.join(str(a) for a in axis)}]"


def cube_rotation_group() -> FiniteGroup:
    """The 24 rotations of the cube (octahedral group O, isomorphic to S4).

    Elements are 3x3 signed permutation matrices with determinant +1, acting on
    ``(x, y, z)``; labels give angle and axis (``"rot90[0,0,1]"``). Generated
    by quarter turns about z and x. Characters come from the isomorphism with
    S4 given by the action on the four body diagonals.

    Returns
    -------
    FiniteGroup

    Examples
    --------
    >>> from skequi.groups import cube_rotation_group
    >>> cube_rotation_group().order
    24
    """
    mats = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product([1, -1], repeat=3):
            m = np.zeros((3, 3), dtype=int)
            m[np.arange(3), perm] = signs
            if round(np.linalg.det(m)) == 1:
                mats.append(m)
    mats.sort(key=lambda m: (not (m == np.eye(3)).all(), -np.trace(m), m.ravel().tolist()))
    mats = np.stack(mats)
    radix = 3 ** np.arange(9)
    codes = (mats + 1).reshape(-1, 9) @ radix
    table = _table_from_codes(
        codes, lambda: (np.einsum("aij,bjk->abik", mats, mats) + 1).reshape(24, 24, 9) @ radix
    )
    quarter_z = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    quarter_x = np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]])
    flat = mats.reshape(24, 9)
    generators = [_find(flat, quarter_z.ravel()), _find(flat, quarter_x.ravel())]
    labels = [_axis_angle_label(m) for m in mats]

    def characters():
        diagonals = np.array([[1, 1, 1], [-1, 1, 1], [-1, -1, 1], [1, -1, 1]])
        perms = []
        for m in mats:
            image = diagonals @ m.T
            perms.append([
                int(np.flatnonzero((np.abs(diagonals @ im) == 3))[0]) for im in image
            ])
        s4 = symmetric_group(4)
        s4_perms = _all_permutations(4)
        indices = [_find(s4_perms, p) for p in perms]
        table4 = s4.character_table()
        return type(table4)(table4.names, table4.dims, table4.values[:, indices])

    # a = quarter turn about z, c = about x; with b = a c (order 3) the relators
    # a^4 = b^3 = (a b)^2 = e are the von Dyck presentation (2, 3, 4) of S4
    presentation = [[0] * 4, [0, 1] * 3, [0, 0, 1] * 2]
    return FiniteGroup(
        "O",
        table,
        labels,
        generators,
        matrices=mats,
        characters=characters,
        presentation=presentation,
    )
