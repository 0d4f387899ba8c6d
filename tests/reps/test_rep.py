"""Representation specs and their matrices."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from skequi.groups import as_matrix_group
from skequi.reps import parse_rep, tensor_drho, tensor_rho


@pytest.mark.parametrize("spec", ["S", "V", "V*", "2V", "4S+4V", "V**2", "T(1,1)", "5S+5V",
                                  "V+V*+T(2,1)", "3V**3"])
def test_round_trip(spec):
    assert str(parse_rep(spec)) == spec
    assert parse_rep(str(parse_rep(spec))) == parse_rep(spec)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 3), st.integers(0, 3)),
                min_size=1, max_size=4))
def test_round_trip_property(summands):
    from skequi.reps import Rep

    rep = Rep(summands)
    assert parse_rep(str(rep)) == rep
    assert hash(parse_rep(str(rep))) == hash(rep)


@pytest.mark.parametrize("spec", ["", "W", "2", "V+", "0V", "T(1)", "V**", "S S", "V*V"])
def test_malformed_specs(spec):
    with pytest.raises(ValueError, match="invalid representation spec"):
        parse_rep(spec)


def test_sizes_and_copies():
    rep = parse_rep("5S+5V")
    assert rep.size(3) == 20 and rep.n_copies == 10
    assert rep.copies()[:6] == [(0, 0)] * 5 + [(1, 0)]


@pytest.mark.parametrize("group", ["SO(3)", "SO(1,3)", "Sp(2)", "S(4)"])
def test_rho_is_a_homomorphism_and_drho_its_derivative(group):
    g = as_matrix_group(group)
    a, b = g.samples(2, random_state=0)
    for p, q in [(1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]:
        assert np.allclose(tensor_rho(a @ b, p, q), tensor_rho(a, p, q) @ tensor_rho(b, p, q))
        for gen in g.lie_generators[:2]:
            t = 1e-6
            numeric = (tensor_rho(expm(t * gen), p, q) - np.eye(g.dim ** (p + q))) / t
            assert np.allclose(numeric, tensor_drho(gen, p, q), atol=1e-4)


def test_reps_pickle_round_trip():
    import pickle

    rep = parse_rep("3S+2V+T(1,1)")
    assert pickle.loads(pickle.dumps(rep)) == rep
