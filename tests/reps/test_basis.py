"""Equivariant bases: known counts, and every basis element commutes with the group."""

import numpy as np
import pytest

from skequi.groups import as_matrix_group
from skequi.reps import equivariant_basis, invariant_basis, uniform_rep
from skequi.reps._rep import tensor_rho


def test_known_invariant_counts():
    assert [invariant_basis("SO(5)", k, 0).shape[1] for k in range(5)] == [1, 0, 1, 0, 3]
    assert invariant_basis("O(3)", 2, 0).shape[1] == 1  # one invariant in V x V
    assert invariant_basis("SO(3)", 3, 0).shape[1] == 1  # the Levi-Civita symbol
    assert invariant_basis("O(3)", 3, 0).shape[1] == 0  # ... is a pseudo-tensor
    assert invariant_basis("SO(1,3)", 0, 2).shape[1] == 1  # the Minkowski metric
    assert invariant_basis("S(4)", 1, 0).shape[1] == 1  # the all-ones vector
    assert invariant_basis("Trivial(2)", 2, 0).shape[1] == 4


CASES = [("O(3)", (2, 0), (2, 0)), ("SO(3)", (1, 0), (2, 0)), ("SO(3)", (2, 0), (1, 0)), ("SO(1,3)", (1, 0), (0, 1)),
         ("O(1,3)", (1, 1), (2, 0)), ("Sp(2)", (1, 0), (1, 0)), ("S(4)", (2, 0), (1, 0)),
         ("SO(3)xS(4)", (1, 0), (1, 0)), ("C4", (2, 0), (2, 0)), ("O", (2, 0), (2, 0))]


@pytest.mark.parametrize("group,type_in,type_out", CASES)
def test_basis_elements_are_equivariant(group, type_in, type_out):
    g = as_matrix_group(group)
    basis = equivariant_basis(g, type_in, type_out)
    assert basis.shape[0] > 0
    for m in g.samples(4, random_state=0):
        lhs = np.einsum("kab,bc->kac", basis, tensor_rho(m, *type_in))
        rhs = np.einsum("ab,kbc->kac", tensor_rho(m, *type_out), basis)
        assert np.abs(lhs - rhs).max() < 1e-7, f"fails with G={group}"


@pytest.mark.parametrize("group", ["O(3)", "C4"])
def test_no_maps_between_odd_and_even_ranks_when_minus_identity_is_in_the_group(group):
    # -I acts by -1 on V (x) V (x) V, so no equivariant map V -> V (x) V exists
    assert equivariant_basis(group, (1, 0), (2, 0)).shape[0] == 0


def test_bases_are_cached_and_read_only():
    a = invariant_basis("SO(4)", 2, 0)
    assert invariant_basis("SO(4)", 2, 0) is a
    with pytest.raises(ValueError):
        a[0, 0] = 1.0


def test_uniform_allocation_matches_width():
    for group in ("O(5)", "O(3)", "SO(1,3)", "S(4)"):
        dim = as_matrix_group(group).dim
        assert uniform_rep(384, group).size(dim) == 384
    assert str(uniform_rep(384, "O(5)")) == "134S+25V+5V**2"
