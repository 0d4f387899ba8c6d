"""The offline data sets: shapes, formulas and their symmetries."""

import numpy as np
import pytest

from skequi.datasets import (
    make_inertia,
    make_mirror_fields,
    make_modified_inertia,
    make_o5_synthetic,
    make_particle_interaction,
    make_rotated_digits,
)
from skequi.groups import as_matrix_group


def test_generators_are_seeded():
    for make in (make_o5_synthetic, make_inertia, make_particle_interaction):
        (a, b), (c, d) = make(16, random_state=0), make(16, random_state=0)
        assert np.array_equal(a, c) and np.array_equal(b, d)


def test_o5_formula_and_invariance():
    X, y = make_o5_synthetic(5, random_state=0)
    x1, x2 = X[0, :5], X[0, 5:]
    n1, n2 = np.linalg.norm(x1), np.linalg.norm(x2)
    assert np.isclose(y[0], np.sin(n1) - n2**3 / 2 + x1 @ x2 / (n1 * n2))
    g = as_matrix_group("O(5)").samples(1, random_state=1)[0]
    moved = np.concatenate([X[:, :5] @ g.T, X[:, 5:] @ g.T], axis=1)
    n1m, n2m = np.linalg.norm(moved[:, :5], axis=1), np.linalg.norm(moved[:, 5:], axis=1)
    y_moved = np.sin(n1m) - n2m**3 / 2 + (moved[:, :5] * moved[:, 5:]).sum(1) / (n1m * n2m)
    assert np.allclose(y_moved, y)


def test_inertia_is_equivariant_and_modified_inertia_is_not():
    X, y = make_inertia(8, random_state=0)
    g = as_matrix_group("O(3)").samples(1, random_state=2)[0]
    masses, positions = X[:, :5], X[:, 5:].reshape(8, 5, 3)
    from skequi.datasets._physics import _inertia

    moved = _inertia(masses, positions @ g.T).reshape(8, 9)
    assert np.allclose(moved, y @ np.kron(g, g).T)
    assert (masses > 0).all()
    _, ym = make_modified_inertia(8, random_state=0)
    z = np.array([0.0, 0.0, 1.0])
    inertia = y.reshape(8, 3, 3)
    modified = inertia + 0.3 * np.einsum("nij,j,k->nik", inertia, z, z)
    assert np.allclose(ym.reshape(8, 3, 3), modified)


def _authors_particle_target(X):
    """The EMLP authors' ParticleInteraction target, written out index by index."""
    eta = np.diag([1.0, -1.0, -1.0, -1.0])
    y = np.zeros(len(X))
    for n, row in enumerate(X):
        p1, p2, p3, p4 = row.reshape(4, 4)
        dot = lambda a, b: a @ eta @ b  # noqa: E731
        for a in range(4):
            for b in range(4):
                electron = p1[a] * p3[b] - (dot(p1, p3) - dot(p1, p1)) * eta[a, b]
                muon = (eta @ p2)[a] * (eta @ p4)[b] - (dot(p2, p4) - dot(p2, p2)) * eta[a, b]
                y[n] += 4 * electron * muon
    return y


def test_particle_interaction_is_the_authors_target_and_lorentz_invariant():
    X, y = make_particle_interaction(8, random_state=0)
    assert np.allclose(y, _authors_particle_target(X))
    g = as_matrix_group("O(1,3)").samples(3, random_state=4)
    for m in g:
        moved = (X.reshape(8, 4, 4) @ m.T).reshape(8, 16)
        assert np.allclose(_authors_particle_target(moved), y, rtol=1e-6, atol=1e-10)
    _, large = make_particle_interaction(20000, random_state=1)
    assert 0.6 < large.var() < 0.9  # the authors' scale (ours was 0.04 when symmetrised)


def test_rotated_digits():
    X, y, g = make_rotated_digits("D4", random_state=0)
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert set(g.tolist()) == set(range(8))


def test_tetracubes_chiral_pair_is_not_a_rotation_of_each_other():
    from skequi.datasets import TETRACUBES, make_tetracubes
    from skequi.groups import get_group
    from skequi.transforms import apply_group

    def grid(name):
        g = np.zeros((1, 4, 4, 4))
        g[0][tuple(np.array(TETRACUBES[name]).T)] = 1
        return g

    def canonical(v):  # shift the occupied voxels to the origin corner
        idx = np.argwhere(v[0] > 0.5)
        return tuple(map(tuple, sorted((idx - idx.min(0)).tolist())))

    left = canonical(grid("skew-left"))
    rotations_of_right = {canonical(apply_group(grid("skew-right"), g, "O"))
                          for g in range(get_group("O").order)}
    assert left not in rotations_of_right
    X, y = make_tetracubes(20, random_state=0)
    assert X.shape == (20, 1, 6, 6, 6) and set(y) <= set(TETRACUBES)
    assert ((X > 0.5).sum(axis=(1, 2, 3, 4)) >= 3).all()


@pytest.mark.parametrize("mirror", ["f", "f r^1", "f r^2", "f r^3"])
def test_mirror_fields_have_exactly_their_one_mirror(mirror):
    from skequi.datasets._mirror_fields import mirror_operator
    from skequi.groups import get_group
    from skequi.transforms import apply_group

    d4 = get_group("D4")
    x = np.random.default_rng(0).normal(size=(8, 1, 10, 10))
    y = mirror_operator(x, mirror)
    for g, label in enumerate(d4.elements):
        gap = np.abs(mirror_operator(apply_group(x, g, d4), mirror) - apply_group(y, g, d4)).max()
        if label in ("e", mirror):
            assert gap < 1e-12, label
        else:
            assert gap > 0.1, label
    X, Y = make_mirror_fields(8, size=10, mirror=mirror, noise=0.0, random_state=0)
    assert X.dtype == np.float32 and np.allclose(Y, mirror_operator(X, mirror), atol=1e-5)
