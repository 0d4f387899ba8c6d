"""The group-spec parser: ``"D4"``, ``"p4m"``, ``"C2xC4"``, ``"O"``, ``"SO(3)"`` ..."""

from __future__ import annotations

import re
from functools import lru_cache

from ._constructors import cyclic_group, dihedral_group, direct_product
from ._finite import FiniteGroup
from ._lattice import (
    LATTICE_ALIASES,
    LATTICE_SUBGROUPS,
    lattice_group_table,
    lattice_subgroup,
    lattice_subgroup_of,
)
from ._matrix import EMBEDDED_FACTOR, MATRIX_FACTOR, MatrixGroup, matrix_group_from_spec
from ._permutation_groups import alternating_group, cube_rotation_group, symmetric_group

__all__ = ["VALID_GROUP_FORMS", "as_matrix_group", "get_group"]

VALID_GROUP_FORMS = (
    "C<n>, D<n>, S<n>, A<n> with n >= 1 (cyclic, dihedral of order 2n, symmetric, "
    "alternating); O or octahedral (the 24 cube rotations); the subgroups of D4 that act on "
    "pixel grids by name (C1, C2, C4, D1, D1h, D1d, D1a, D2, D2d, D4; aliases p4 = C4, "
    "p4m = D4, D1v = D1) or by generators in D4's element names ('<f r^3>', '<r^2, f r^1>'); "
    "direct products joined by 'x', e.g. 'C2xC4'; matrix groups SO(n), O(n), SO(1,3), "
    "O(1,3), Sp(n), Z(n), S(n), D(k), C(k), Trivial(n), the planar groups about the z axis "
    "of R^3 SO2eR3, O2eR3, DkeR3(k), and their products, e.g. 'SO(3)xS(4)'"
)

_ALIASES = {"octahedral": "O", "O": "O", **LATTICE_ALIASES}
#: Longest number a spec may hold: every group skequi builds is far smaller.
_MAX_DIGITS = 6
_FINITE = re.compile(r"^(C|D|S|A)(\d+)$")
_MATRIX = MATRIX_FACTOR
_CONSTRUCTORS = {
    "C": cyclic_group,
    "D": dihedral_group,
    "S": symmetric_group,
    "A": alternating_group,
}


def _invalid(spec, reason: str) -> ValueError:
    shown = repr(spec) if len(spec) <= 80 else f"{spec[:40]!r}... ({len(spec)} characters)"
    return ValueError(
        f"invalid group spec {shown}: {reason}. Valid forms: {VALID_GROUP_FORMS}. "
        f"The subgroups of D4 (the symmetries of the pixel grid):\n{lattice_group_table()}"
    )


def _split_factors(spec: str) -> list[str]:
    # 'x' separates factors, but not inside parentheses, e.g. 'SO(3)xS(4)'
    factors, depth, current = [], 0, ""
    for ch in spec:
        depth += (ch == "(") - (ch == ")")
        if ch == "x" and depth == 0:
            factors.append(current)
            current = ""
        else:
            current += ch
    factors.append(current)
    return factors


def _finite_factor(spec: str, factor: str) -> FiniteGroup:
    factor = _ALIASES.get(factor, factor)
    if factor == "O":
        return cube_rotation_group()
    if factor in LATTICE_SUBGROUPS:
        return lattice_subgroup(factor)
    match = _FINITE.match(factor)
    if match is None:
        if _MATRIX.match(factor) or EMBEDDED_FACTOR.match(factor):
            raise _MatrixFactor(factor)
        raise _invalid(spec, f"unknown factor {factor!r}")
    kind, n = match.group(1), int(match.group(2))
    if n < 1:
        raise _invalid(spec, f"{kind}{n} needs n >= 1")
    return _CONSTRUCTORS[kind](n)


class _MatrixFactor(Exception):
    """A factor that names a matrix group (handled by the matrix-group layer)."""


@lru_cache(maxsize=64)
def _cached_group(canonical: str) -> FiniteGroup:
    factors = [_finite_factor(canonical, f) for f in _split_factors(canonical)]
    return direct_product(*factors)


def _from_generators(spec: str, stripped: str) -> str:
    """The name of the subgroup of D4 that ``'<g1, g2, ...>'`` generates."""
    if not stripped.endswith(">"):
        raise _invalid(spec, "a generator form is '<' D4 elements separated by ',' '>'")
    labels = [" ".join(part.split()) for part in stripped[1:-1].split(",")]
    labels = [label for label in labels if label]
    try:
        return lattice_subgroup_of(labels)
    except ValueError as error:
        raise _invalid(spec, str(error)) from None


def _canonical(spec: str) -> str:
    """Aliases resolved and numbers written without leading zeros ('A01' -> 'A1')."""
    factors = [_ALIASES.get(f, f) for f in _split_factors(spec)]
    return "x".join(re.sub(r"\d+", lambda m: str(int(m.group())), f) for f in factors)


def get_group(spec) -> FiniteGroup | MatrixGroup:
    """Build (or fetch from the per-process cache) the group named by ``spec``.

    Parameters
    ----------
    spec : str or FiniteGroup
        A group spec such as ``"C4"``, ``"p4m"``, ``"D1d"``, ``"<f r^3>"``,
        ``"D14xD14"``, ``"S4"``, ``"O"``; a group object is returned unchanged.
        The subgroups of D4 that act on pixel grids, by name or by generators
        in D4's element names (their elements keep D4's names):

        =====  =====  ============  ==========================================
        group  order  generators    symmetry
        =====  =====  ============  ==========================================
        C1     1      <>            none (a plain CNN)
        C2     2      <r^2>         half turns
        C4     4      <r^1>         quarter turns (alias p4)
        D1     2      <f>           mirror about the vertical axis (alias D1v)
        D1h    2      <f r^2>       mirror about the horizontal axis
        D1d    2      <f r^3>       mirror about the main diagonal (transpose)
        D1a    2      <f r^1>       mirror about the anti-diagonal
        D2     4      <r^2, f>      both axis mirrors and the half turn
        D2d    4      <r^2, f r^1>  both diagonal mirrors and the half turn
        D4     8      <r^1, f>      every symmetry of the square (alias p4m)
        =====  =====  ============  ==========================================

    Returns
    -------
    FiniteGroup or MatrixGroup
        Immutable; equal specs give the same object. Specs with a matrix-group
        factor (``"SO(3)"``, ``"SO(3)xS(4)"``) give a :class:`MatrixGroup`.

    Raises
    ------
    ValueError
        If the spec is empty, malformed or names an unknown group; the
        message names the spec and lists the valid forms.
    TypeError
        If ``spec`` is neither a string nor a group.

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> get_group("p4m").name, get_group("p4m").order
    ('D4', 8)
    >>> get_group("C2xC4").order
    8
    >>> get_group("<f r^3>").name, get_group("<f r^3>").elements
    ('D1d', ('e', 'f r^3'))
    """
    if isinstance(spec, (FiniteGroup, MatrixGroup)):
        return spec
    if not isinstance(spec, str):
        raise TypeError(
            f"group must be a spec string such as 'C4' or a group object, got "
            f"{type(spec).__name__} {spec!r}"
        )
    stripped = spec.strip()
    if not stripped:
        raise _invalid(spec, "the spec is empty")
    if stripped.startswith("<"):
        return _cached_group(_from_generators(spec, stripped))
    if any(len(run) > _MAX_DIGITS for run in re.findall(r"\d+", stripped)):
        raise _invalid(spec, f"it holds a number of more than {_MAX_DIGITS} digits")
    factors = _split_factors(stripped)
    if any(not f for f in factors):
        raise _invalid(spec, "a product has an empty factor (use 'x' between two groups)")
    for f in factors:
        if f.count("(") != f.count(")"):
            raise _invalid(spec, f"unbalanced parentheses in {f!r}")
    canonical = _canonical(stripped)
    try:
        return _cached_group(canonical)
    except _MatrixFactor:
        return matrix_group_from_spec(canonical)


def as_matrix_group(spec) -> MatrixGroup:
    """The group as a :class:`MatrixGroup` (what EMLP needs).

    Matrix-group specs are returned as they are; a finite group acts through
    its integer matrices when it has them (the point groups on R^2, the cube
    rotations on R^3) and through its regular representation otherwise.

    Parameters
    ----------
    spec : str, FiniteGroup or MatrixGroup

    Returns
    -------
    MatrixGroup

    Examples
    --------
    >>> from skequi.groups import as_matrix_group
    >>> as_matrix_group("C4").dim, as_matrix_group("S3").dim, as_matrix_group("O(5)").dim
    (2, 6, 5)
    """
    group = get_group(spec)
    if isinstance(group, MatrixGroup):
        return group
    return matrix_group_from_spec(group.name)
