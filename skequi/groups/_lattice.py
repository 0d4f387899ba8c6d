"""The ten subgroups of D4, the symmetry group of the square pixel lattice.

Every subgroup acts on images through D4's 2x2 integer matrices and names
its elements as D4 does (``"r^2"`` is the half turn in C2, D2 and D4 alike),
so per-element tables of different groups can be read against each other.
The mirrors, with x rightwards and y up (:mod:`skequi.transforms`):

=========  ============================================================
``f``      x -> -x: about the vertical axis (a left-right flip)
``f r^2``  y -> -y: about the horizontal axis (an up-down flip)
``f r^3``  (x, y) -> (-y, -x): about the main diagonal of the array,
           top-left to bottom-right (the transpose ``X.T``)
``f r^1``  (x, y) -> (y, x): about the anti-diagonal, top-right to
           bottom-left
=========  ============================================================
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ._finite import FiniteGroup

__all__ = [
    "LATTICE_GROUPS",
    "LATTICE_SUBGROUPS",
    "lattice_group_table",
    "lattice_subgroup",
    "lattice_subgroup_of",
    "lattice_subgroup_elements",
]

#: Each subgroup of D4: its generators in D4's element names and what it is.
LATTICE_SUBGROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "C1": ((), "trivial: no symmetry (a plain CNN)"),
    "C2": (("r^2",), "half turns"),
    "C4": (("r^1",), "quarter turns (alias p4)"),
    "D1": (("f",), "mirror about the vertical axis: left-right flip (alias D1v)"),
    "D1h": (("f r^2",), "mirror about the horizontal axis: up-down flip"),
    "D1d": (("f r^3",), "mirror about the main diagonal: transpose, X[..., j, i]"),
    "D1a": (("f r^1",), "mirror about the anti-diagonal"),
    "D2": (("r^2", "f"), "both axis mirrors and the half turn"),
    "D2d": (("r^2", "f r^1"), "both diagonal mirrors and the half turn"),
    "D4": (("r^1", "f"), "every symmetry of the square (alias p4m)"),
}

#: Names of the subgroups of D4, the groups that act on square pixel grids.
LATTICE_GROUPS = tuple(LATTICE_SUBGROUPS)

#: Other spellings of the same subgroups.
LATTICE_ALIASES = {"p4": "C4", "p4m": "D4", "D1v": "D1"}


def lattice_group_table() -> str:
    """The subgroups of D4 as a text table: name, order, generators, what they are.

    Examples
    --------
    >>> from skequi.groups import lattice_group_table
    >>> print(lattice_group_table().splitlines()[0])
    group  order  generators    symmetry
    """
    from ._constructors import dihedral_group

    d4 = dihedral_group(4)
    lines = [f"{'group':<5}  {'order':>5}  {'generators':<12}  symmetry"]
    for name, (generators, what) in LATTICE_SUBGROUPS.items():
        order = len(d4.subgroup(generators)) if generators else 1
        spec = "<" + ", ".join(generators) + ">" if generators else "<>"
        lines.append(f"{name:<5}  {order:>5}  {spec:<12}  {what}")
    return "\n".join(lines)


def lattice_subgroup_elements(name: str) -> frozenset[str]:
    """D4 names of the elements of the lattice subgroup ``name``.

    Examples
    --------
    >>> from skequi.groups import lattice_subgroup_elements
    >>> sorted(lattice_subgroup_elements("D1d"))
    ['e', 'f r^3']
    """
    from ._constructors import dihedral_group

    d4 = dihedral_group(4)
    generators, _ = LATTICE_SUBGROUPS[name]
    return frozenset(d4.elements[i] for i in d4.subgroup(generators))


def lattice_subgroup_of(labels) -> str:
    """Name of the subgroup of D4 that the given D4 elements generate.

    Parameters
    ----------
    labels : iterable of str
        D4 element names, such as ``["r^2", "f r^1"]``.

    Returns
    -------
    str
        One of :data:`LATTICE_GROUPS`.

    Raises
    ------
    ValueError
        If a label is not an element of D4.

    Examples
    --------
    >>> from skequi.groups import lattice_subgroup_of
    >>> lattice_subgroup_of(["f r^1", "f r^3"])
    'D2d'
    """
    from ._constructors import dihedral_group

    d4 = dihedral_group(4)
    labels = list(labels)
    unknown = [label for label in labels if label not in d4.elements]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not an element of D4; its elements are "
            f"{', '.join(d4.elements)}"
        )
    generated = frozenset(d4.elements[i] for i in d4.subgroup(labels))
    by_elements = {lattice_subgroup_elements(name): name for name in LATTICE_SUBGROUPS}
    return by_elements[generated]  # the ten entries are every subgroup of D4


def lattice_subgroup(name: str) -> FiniteGroup:
    """The subgroup of D4 called ``name`` (one of :data:`LATTICE_GROUPS`).

    C1, C2, C4, D1, D2 and D4 are the cyclic and dihedral constructors' own
    groups; the mirrors D1h, D1d, D1a and the diagonal D2d are built here as
    copies of D1 and D2 whose generators are sent to other elements of D4.

    Parameters
    ----------
    name : str

    Returns
    -------
    FiniteGroup
        With D4's element names and 2x2 matrices.

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> get_group("D2d").elements
    ('e', 'r^2', 'f r^1', 'f r^3')
    """
    from ._constructors import cyclic_group, dihedral_group

    if name not in LATTICE_SUBGROUPS:
        raise ValueError(f"{name!r} is not one of the subgroups of D4: {', '.join(LATTICE_GROUPS)}")
    kind, n = name[0], int(name[1])
    if name in ("C1", "C2", "C4", "D1", "D2", "D4"):
        return cyclic_group(n) if kind == "C" else dihedral_group(n)
    return _embedded(name, dihedral_group(n), LATTICE_SUBGROUPS[name][0])


def _embedded(name: str, template: FiniteGroup, images: tuple[str, ...]) -> FiniteGroup:
    """A copy of ``template`` whose generators are the D4 elements ``images``."""
    from ._constructors import dihedral_group

    d4 = dihedral_group(4)
    image_of = {template.identity: d4.identity}
    queue = deque([template.identity])
    generator_images = [d4.index(label) for label in images]
    while queue:  # breadth-first over words in the template's generators
        a = queue.popleft()
        for gen, image in zip(template.generators, generator_images):
            b = int(template.cayley_table[a, gen])
            if b not in image_of:
                image_of[b] = d4.multiply(image_of[a], image)
                queue.append(b)
    phi = np.array([image_of[a] for a in range(template.order)])
    return FiniteGroup(
        name,
        template.cayley_table,
        [d4.elements[i] for i in phi],
        template.generators,
        matrices=d4.matrices[phi],
        characters=template._characters,
        presentation=template.presentation,
    )
