"""Equivariant bases: known counts, and every basis element commutes with the group."""

import numpy as np
import pytest

from skequi.groups import as_matrix_group
from skequi.reps import _basis, equivariant_basis, invariant_basis, uniform_rep
from skequi.reps._rep import tensor_rho


def test_known_invariant_counts():
    assert [invariant_basis("SO(5)", k, 0).shape[1] for k in range(5)] == [1, 0, 1, 0, 3]
    assert invariant_basis("O(3)", 2, 0).shape[1] == 1  # one invariant in V x V
    assert invariant_basis("SO(3)", 3, 0).shape[1] == 1  # the Levi-Civita symbol
    assert invariant_basis("O(3)", 3, 0).shape[1] == 0  # ... is a pseudo-tensor
    assert invariant_basis("SO(1,3)", 0, 2).shape[1] == 1  # the Minkowski metric
    assert invariant_basis("S(4)", 1, 0).shape[1] == 1  # the all-ones vector
    assert invariant_basis("Trivial(2)", 2, 0).shape[1] == 4


CASES = [("O(3)", (2, 0), (2, 0)), ("SO(3)", (1, 0), (2, 0)), ("SO(3)", (2, 0), (1, 0)),
         ("SO(1,3)", (1, 0), (0, 1)), ("O(1,3)", (1, 1), (2, 0)), ("Sp(2)", (1, 0), (1, 0)),
         ("S(4)", (2, 0), (1, 0)),
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


@pytest.mark.parametrize("group,p,q", [("SO(3)", 4, 0), ("SO(1,3)", 2, 2), ("S(4)", 4, 0),
                                       ("O(3)", 5, 0), ("Sp(2)", 3, 1)])
def test_matrix_free_solver_finds_the_dense_null_space(group, p, q):
    g = as_matrix_group(group)
    dense = _basis._solve_dense(g, p, q)
    iterative = _basis._solve_iterative(g, p, q)
    assert iterative.shape == dense.shape
    # same subspace: the projection of one orthonormal basis onto the other keeps its norm
    np.testing.assert_allclose(np.linalg.svd(dense.T @ iterative, compute_uv=False), 1.0,
                               atol=1e-6)


def test_large_tensors_go_through_the_matrix_free_solver(monkeypatch):
    monkeypatch.setattr(_basis, "DENSE_BASIS_DIM", 100)
    monkeypatch.setattr(_basis, "_solve_dense", None)  # any dense call would fail
    basis = _basis._solve.__wrapped__("SO(3)", 5, 0)  # 243 coordinates, 6 invariants
    assert basis.shape == (243, 6)
    for m in as_matrix_group("SO(3)").samples(3, random_state=1):
        assert np.abs(tensor_rho(m, 5, 0) @ basis - basis).max() < 1e-6


@pytest.mark.slow
def test_rank_seven_so3_invariants_above_the_dense_limit():
    assert 3**7 > _basis.DENSE_BASIS_DIM
    assert invariant_basis("SO(3)", 7, 0).shape[1] == 36  # Riordan numbers 1,0,1,1,3,6,15,36


def test_oversized_tensors_are_refused_with_a_hint():
    with pytest.raises(ValueError, match="use lower"):
        invariant_basis("SO(3)", 11, 0)
