"""Finite and matrix groups, in pure numpy.

The group is the hyperparameter: estimators take a spec string (``"C4"``,
``"D4"``, ``"C2xC4"``, ``"O"``) and build the object with :func:`get_group`.
"""

from ._characters import CharacterTable
from ._constructors import cyclic_group, dihedral_group, direct_product
from ._finite import FiniteGroup
from ._lattice import (
    LATTICE_GROUPS,
    LATTICE_SUBGROUPS,
    lattice_group_table,
    lattice_subgroup_elements,
    lattice_subgroup_of,
)
from ._matrix import MatrixGroup
from ._permutation_groups import alternating_group, cube_rotation_group, symmetric_group
from ._spec import VALID_GROUP_FORMS, as_matrix_group, get_group

__all__ = [
    "LATTICE_GROUPS",
    "LATTICE_SUBGROUPS",
    "VALID_GROUP_FORMS",
    "CharacterTable",
    "FiniteGroup",
    "MatrixGroup",
    "alternating_group",
    "as_matrix_group",
    "cube_rotation_group",
    "cyclic_group",
    "dihedral_group",
    "direct_product",
    "get_group",
    "lattice_group_table",
    "lattice_subgroup_elements",
    "lattice_subgroup_of",
    "symmetric_group",
]
