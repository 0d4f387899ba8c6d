"""``skequi groups``: every group spec skequi takes, with orders, generators and aliases."""

from __future__ import annotations

import sys

from ..groups import get_group, lattice_group_table

__all__ = ["ABSTRACT_GROUPS", "MATRIX_GROUPS", "print_group_catalog"]

#: Finite groups without an action on pixel grids (the latent method, EMLP), as examples.
ABSTRACT_GROUPS = ("C3", "C6", "D3", "D6", "S3", "S4", "A4", "A5", "C2xC4", "O")
#: Matrix groups (EMLP), as examples of each family.
MATRIX_GROUPS = ("SO(2)", "O(2)", "SO(3)", "O(3)", "SO(1,3)", "O(1,3)", "Sp(2)", "Z(4)", "S(4)",
                 "D(6)", "C(6)", "Trivial(3)", "SO(3)xS(4)")
ALIASES = (("p4", "C4"), ("p4m", "D4"), ("D1v", "D1"), ("octahedral", "O"))


def print_group_catalog(file=None) -> None:
    """Print the subgroups of D4, other finite groups, matrix groups and the aliases.

    Examples
    --------
    >>> from skequi.cli._catalog import print_group_catalog
    >>> print_group_catalog()  # doctest: +ELLIPSIS
    Subgroups of D4: the symmetries of the pixel grid (GM-CNN, latent method, EMLP)
    group  order  generators    symmetry
    C1         1  <>            trivial: no symmetry (a plain CNN)
    ...
    """
    file = file or sys.stdout
    print("Subgroups of D4: the symmetries of the pixel grid (GM-CNN, latent method, EMLP)",
          file=file)
    print(lattice_group_table(), file=file)
    print("  also by generators in D4's element names: '<f r^3>', '<r^2, f r^1>'\n", file=file)
    print("Other finite groups (latent method; EMLP through their regular representation):",
          file=file)
    print(f"{'group':<8} {'order':>5}  generators", file=file)
    for spec in ABSTRACT_GROUPS:
        g = get_group(spec)
        gens = ", ".join(g.elements[i] for i in g.generators)
        print(f"{g.name:<8} {g.order:>5}  {gens}", file=file)
    print("  any C<n>, D<n>, S<n>, A<n> and products joined by 'x' up to order 4096; 'O' is "
          "the 24 cube rotations, acting on volumes\n", file=file)
    print("Matrix groups (EMLP):", file=file)
    print(f"{'group':<12} {'acts on':>7}  {'Lie algebra':>11}  {'discrete gens':>13}  sampling",
          file=file)
    for spec in MATRIX_GROUPS:
        g = get_group(spec)
        print(f"{g.name:<12} {'R^' + str(g.dim):>7}  {len(g.lie_generators):>11}  "
              f"{len(g.discrete_generators):>13}  {g.sampling}", file=file)
    print("  any n for SO(n), O(n), Sp(n), Z(n), S(n), Trivial(n), and k for C(k), D(k)\n",
          file=file)
    print("Aliases: " + ", ".join(f"{a} = {b}" for a, b in ALIASES), file=file)
