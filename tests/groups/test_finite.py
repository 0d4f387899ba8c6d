"""Group axioms, regular representations, subgroups and cosets over the catalog."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skequi.groups import get_group
from tests.conftest import FINITE_GROUP_CATALOG

EXPECTED_ORDERS = {
    "C1": 1, "C2": 2, "C4": 4, "D1": 2, "D2": 4, "D4": 8, "S3": 6, "S4": 24,
    "A4": 12, "A5": 60, "C2xC4": 8, "O": 24, "p4": 4, "p4m": 8, "C28xC28": 784,
}


@pytest.mark.parametrize("spec,order", EXPECTED_ORDERS.items())
def test_orders(spec, order):
    assert get_group(spec).order == order


@pytest.mark.parametrize("spec", FINITE_GROUP_CATALOG)
def test_table_is_a_latin_square_with_identity_and_inverses(spec):
    g = get_group(spec)
    t, n = g.cayley_table, g.order
    assert t.shape == (n, n)
    for row in t:  # closure and cancellation: every row and column a permutation
        assert sorted(row.tolist()) == list(range(n))
    for col in t.T:
        assert sorted(col.tolist()) == list(range(n))
    assert (t[g.identity] == np.arange(n)).all()
    assert (t[:, g.identity] == np.arange(n)).all()
    assert (t[np.arange(n), g.inverse] == g.identity).all()
    assert (t[g.inverse, np.arange(n)] == g.identity).all()


@pytest.mark.parametrize("spec", FINITE_GROUP_CATALOG)
def test_associativity(spec):
    t = get_group(spec).cayley_table
    n = len(t)
    idx = np.arange(n)
    if n > 60:
        idx = np.random.default_rng(0).choice(n, 60, replace=False)
    a, b, c = np.meshgrid(idx, idx, idx, indexing="ij")
    assert (t[t[a, b], c] == t[a, t[b, c]]).all()


@pytest.mark.parametrize("spec", FINITE_GROUP_CATALOG)
def test_generators_generate(spec):
    g = get_group(spec)
    assert len(g.subgroup(g.generators)) == g.order


@pytest.mark.parametrize("spec", FINITE_GROUP_CATALOG)
def test_presentation_relators_hold(spec):
    g = get_group(spec)
    for word in g.presentation:
        assert g.multiply(*[g.generators[i] for i in word]) == g.identity


@pytest.mark.parametrize("spec", [s for s in FINITE_GROUP_CATALOG if get_group(s).order <= 60])
def test_regular_representation_is_a_homomorphism_of_permutations(spec):
    g = get_group(spec)
    rep = g.regular_representation()
    n = g.order
    assert np.allclose(rep.sum(axis=1), 1) and np.allclose(rep.sum(axis=2), 1)
    products = np.einsum("aij,bjk->abik", rep, rep)
    assert np.array_equal(products, rep[g.cayley_table])
    assert np.array_equal(rep[g.identity], np.eye(n))


@pytest.mark.parametrize("spec", ["C2", "C4", "D4", "D1", "C2xC4"])
def test_lattice_matrices_follow_the_table(spec):
    g = get_group(spec) if spec != "C2xC4" else None
    if g is None:
        assert get_group(spec).matrices is None
        return
    m = g.matrices
    assert np.array_equal(np.einsum("aij,bjk->abik", m, m), m[g.cayley_table])
    assert (np.abs(np.linalg.det(m)) == 1).all()


def test_cube_rotations_are_the_24_proper_signed_permutations():
    g = get_group("O")
    m = g.matrices
    assert m.shape == (24, 3, 3)
    assert np.allclose(np.linalg.det(m), 1)
    assert len({x.tobytes() for x in m}) == 24
    assert np.array_equal(np.einsum("aij,bjk->abik", m, m), m[g.cayley_table])
    assert g.elements[g.generators[0]] == "rot90[0,0,1]"


def test_group_matrix_is_a_group_convolution(rng):
    g = get_group("D3")
    phi, x = rng.normal(size=g.order), rng.normal(size=g.order)
    m = g.group_matrix(phi)
    conv = [sum(phi[g.cayley_table[a, g.inverse[b]]] * x[b] for b in range(g.order))
            for a in range(g.order)]
    assert np.allclose(m @ x, conv)
    # the sum of group diagonals B_g weighted by phi is the same matrix
    rep = g.regular_representation()
    assert np.allclose(np.einsum("g,gij->ij", phi, rep), m)
    assert np.array_equal(g.group_diagonals(), g.cayley_table)


def test_subgroups_and_cosets():
    g = get_group("D4")
    rotations = g.subgroup(["r^1"])
    assert [g.elements[i] for i in rotations] == ["e", "r^1", "r^2", "r^3"]
    cosets = g.cosets(rotations)
    assert cosets.shape == (2, 4)
    assert sorted(cosets.ravel().tolist()) == list(range(8))
    with pytest.raises(ValueError, match="not a subgroup"):
        g.cosets([0, 1])


def test_groups_are_immutable_and_cached():
    g = get_group("C4")
    assert get_group("C4") is g and get_group("p4") is g
    with pytest.raises(ValueError):
        g.cayley_table[0, 0] = 3
    with pytest.raises(AttributeError):
        g.order = 3
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(g)) is g
    assert copy.deepcopy(g) is g


def test_element_lookup_errors():
    g = get_group("C4")
    assert g.index("r^2") == 2
    with pytest.raises(ValueError, match="not an element of C4"):
        g.index("f")
    with pytest.raises(ValueError, match=r"in \[0, 4\)"):
        g.index(4)


@settings(max_examples=60, deadline=None)
@given(spec=st.sampled_from(FINITE_GROUP_CATALOG), data=st.data())
def test_inverse_of_product_property(spec, data):
    g = get_group(spec)
    a = data.draw(st.integers(0, g.order - 1))
    b = data.draw(st.integers(0, g.order - 1))
    ab = g.multiply(a, b)
    assert g.inverse[ab] == g.multiply(g.inverse[b], g.inverse[a])
