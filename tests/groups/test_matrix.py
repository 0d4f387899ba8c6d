"""Matrix groups: generators and samples preserve each group's defining structure."""

import numpy as np
import pytest
from scipy.linalg import expm

from skequi.groups import as_matrix_group, get_group

ETA = np.diag([1.0, -1.0, -1.0, -1.0])


def _invariant_form(name):
    """(form F, kind): samples satisfy g^T F g = F; Lie generators A^T F + F A = 0."""
    if name in ("SO(1,3)", "O(1,3)"):
        return ETA
    if name == "Sp(2)":
        eye = np.eye(2)
        return np.block([[np.zeros((2, 2)), eye], [-eye, np.zeros((2, 2))]])
    return np.eye(as_matrix_group(name).dim)


MATRIX_CATALOG = ["SO(2)", "SO(3)", "O(3)", "O(5)", "SO(1,3)", "O(1,3)", "Sp(2)", "Z(4)",
                  "S(4)", "D(6)", "C(3)", "Trivial(3)", "SO(3)xS(4)", "C4", "O", "S3"]


@pytest.mark.parametrize("name", MATRIX_CATALOG)
def test_samples_and_generators_preserve_the_structure(name):
    g = as_matrix_group(name)
    form = _invariant_form(name)
    samples = g.samples(6, random_state=0)
    assert samples.shape == (6, g.dim, g.dim)
    for m in list(samples) + list(g.discrete_generators):
        assert np.allclose(m.T @ form @ m, form, atol=1e-9)
    for a in g.lie_generators:
        assert np.allclose(a.T @ form + form @ a, 0, atol=1e-12)
        assert np.allclose(expm(0.3 * a).T @ form @ expm(0.3 * a), form, atol=1e-9)


def test_special_groups_have_determinant_one():
    for name in ("SO(3)", "SO(5)"):
        assert np.allclose(np.linalg.det(as_matrix_group(name).samples(5, random_state=1)), 1)
    dets = np.linalg.det(as_matrix_group("O(3)").samples(40, random_state=1))
    assert set(np.round(dets).astype(int)) == {-1, 1}


def test_finite_groups_act_through_their_matrices_or_regular_rep():
    assert as_matrix_group("C4").dim == 2
    assert as_matrix_group("O").dim == 3
    assert as_matrix_group("S3").dim == 6  # regular representation
    elements = as_matrix_group("D(4)").samples(200, random_state=0)
    assert len({tuple(np.round(m, 6).ravel()) for m in elements}) == 8


def test_products_are_block_diagonal():
    g = get_group("SO(3)xS(4)")
    m = g.samples(1, random_state=0)[0]
    assert np.allclose(m[:3, 3:], 0) and np.allclose(m[3:, :3], 0)
    assert np.allclose(m[:3, :3] @ m[:3, :3].T, np.eye(3))


@pytest.mark.parametrize("spec,match", [("SO(0)", "n >= 1"), ("SO(2,3)", "two numbers"),
                                        ("SO(3", "unbalanced")])
def test_bad_matrix_specs(spec, match):
    with pytest.raises(ValueError, match=match):
        get_group(spec)


def test_matrix_groups_are_immutable_and_pickle_by_spec():
    import pickle

    g = get_group("O(3)")
    assert pickle.loads(pickle.dumps(g)) is g
    with pytest.raises(AttributeError):
        g.dim = 4
