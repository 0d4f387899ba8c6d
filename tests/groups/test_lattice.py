"""The ten subgroups of D4: axioms, closure in D4, names, generator forms, kernel spaces."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skequi.groups import (
    LATTICE_GROUPS,
    get_group,
    lattice_group_table,
    lattice_subgroup_elements,
    lattice_subgroup_of,
)
from skequi.transforms import apply_group
from tests.conftest import LATTICE_GROUPS as CATALOG

D4 = get_group("D4")
ORDERS = {"C1": 1, "C2": 2, "C4": 4, "D1": 2, "D1h": 2, "D1d": 2, "D1a": 2, "D2": 4,
          "D2d": 4, "D4": 8}


def test_the_catalog_is_every_subgroup_of_d4():
    assert set(LATTICE_GROUPS) == set(CATALOG) == set(ORDERS)
    found = {frozenset(D4.elements[i] for i in D4.subgroup(list(gens)))
             for k in range(3) for gens in itertools.combinations(D4.elements, k)}
    assert found == {lattice_subgroup_elements(name) for name in LATTICE_GROUPS}


@pytest.mark.parametrize("name", CATALOG)
def test_group_axioms(name):
    g = get_group(name)
    t, n = g.cayley_table, g.order
    assert n == ORDERS[name]
    for line in np.concatenate([t, t.T]):
        assert sorted(line.tolist()) == list(range(n))
    assert (t[g.identity] == np.arange(n)).all()
    assert (t[np.arange(n), g.inverse] == g.identity).all()
    a, b, c = np.meshgrid(*[np.arange(n)] * 3, indexing="ij")
    assert (t[t[a, b], c] == t[a, t[b, c]]).all()
    assert len(g.subgroup(g.generators)) == n
    for word in g.presentation:
        assert g.multiply(*[g.generators[i] for i in word]) == g.identity


@pytest.mark.parametrize("name", CATALOG)
def test_closed_inside_d4_with_d4_names_and_matrices(name):
    g = get_group(name)
    inside = [D4.index(label) for label in g.elements]  # every label is a D4 element
    assert len(set(inside)) == g.order
    assert np.array_equal(g.matrices, D4.matrices[inside])
    # the product in g is the product in D4
    products = D4.cayley_table[np.ix_(inside, inside)]
    assert np.array_equal(np.asarray(inside)[g.cayley_table], products)
    assert frozenset(g.elements) == lattice_subgroup_elements(name)


@pytest.mark.parametrize("name", CATALOG)
def test_names_and_generator_forms_round_trip(name):
    g = get_group(name)
    assert get_group(g.name) is g
    generators = "<" + ", ".join(g.elements[i] for i in g.generators) + ">"
    assert get_group(generators) is g
    assert name in lattice_group_table()


@pytest.mark.parametrize("alias,name", [("p4", "C4"), ("p4m", "D4"), ("D1v", "D1"),
                                        ("<r^1, f r^2>", "D4"), ("<f r^1, f r^3>", "D2d"),
                                        ("<f, f r^2>", "D2"), ("<>", "C1"), ("< f  r^3 >", "D1d")])
def test_aliases_and_generators(alias, name):
    assert get_group(alias).name == name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(D4.elements), max_size=3))
def test_any_generators_give_the_subgroup_they_generate(labels):
    spec = "<" + ", ".join(labels) + ">"
    expected = {D4.elements[i] for i in D4.subgroup(labels)}
    assert set(get_group(spec).elements) == expected
    assert lattice_subgroup_of(labels) == get_group(spec).name


@pytest.mark.parametrize("spec", ["<f r^4>", "<r^1", "<s>", "<f, q>"])
def test_bad_generator_forms_name_d4s_elements(spec):
    with pytest.raises(ValueError) as info:
        get_group(spec)
    assert repr(spec) in str(info.value) and "D1d" in str(info.value)


def test_unknown_spec_prints_the_subgroup_table():
    with pytest.raises(ValueError) as info:
        get_group("D1x")
    assert "mirror about the main diagonal" in str(info.value)


def test_mirrors_act_as_documented():
    image = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(apply_group(image, "f", "D1"), image[:, ::-1])
    assert np.array_equal(apply_group(image, "f r^2", "D1h"), image[::-1])
    assert np.array_equal(apply_group(image, "f r^3", "D1d"), image.T)
    assert np.array_equal(apply_group(image, "f r^1", "D1a"), image[::-1, ::-1].T)
    # a vector field under the transpose: components swap and change sign
    u, v = np.random.default_rng(0).normal(size=(2, 4, 4))
    moved = apply_group(np.stack([u, v]), "f r^3", "D1d", field="vector")
    assert np.allclose(moved[0], -v.T) and np.allclose(moved[1], -u.T)


def test_elements_keep_their_d4_names_across_groups():
    assert get_group("C2").elements == ("e", "r^2")
    assert get_group("D2").elements == ("e", "r^2", "f", "f r^2")
    for name in CATALOG:  # the same name is the same matrix in every group
        g = get_group(name)
        for label, matrix in zip(g.elements, g.matrices):
            assert np.array_equal(matrix, D4.matrices[D4.index(label)])


def _orbit_count(group, radius):
    """Burnside: orbits of the group on the kernel's (2r+1)^2 positions."""
    positions = np.arange((2 * radius + 1) ** 2).reshape(2 * radius + 1, -1)
    fixed = [int((apply_group(positions, h, group) == positions).sum())
             for h in range(group.order)]
    return sum(fixed) // group.order


@pytest.mark.parametrize("name", CATALOG)
def test_scalar_kernel_parameters_count_the_orbits_of_the_taps(name):
    from skequi.nn import GroupMatrixConv2d

    group = get_group(name)
    layer = GroupMatrixConv2d(1, 1, name, in_field="scalar", out_field="scalar", bias=False)
    assert layer.weight.numel() == _orbit_count(group, 1)
    if group.order == 2 and name != "C2":  # any single mirror, axis or diagonal: 6 free taps
        assert layer.weight.numel() == 6


@pytest.mark.parametrize("name", CATALOG)
def test_vector_kernel_parameters_match_the_character_formula(name):
    """dim Hom_H = (1/|H|) sum_h chi_taps(h) chi_out(h) chi_in(h^-1), rho orthogonal."""
    from skequi.nn import GroupMatrixConv2d

    group = get_group(name)
    positions = np.arange(9).reshape(3, 3)
    expected = 0.0
    for h in range(group.order):
        taps = (apply_group(positions, h, group) == positions).sum()
        expected += taps * np.trace(group.matrices[h]) ** 2
    layer = GroupMatrixConv2d(1, 1, name, in_field="vector", out_field="vector", bias=False)
    assert layer.weight.numel() == round(expected / group.order)
