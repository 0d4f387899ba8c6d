"""Character tables: orthogonality and decomposition of the regular representation."""

import numpy as np
import pytest

from skequi.groups import get_group

WITH_CHARACTERS = ("C1", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "D6",
                   "S3", "S4", "S5", "O", "C2xC4", "D4xC2", "S3xC3")


@pytest.mark.parametrize("spec", WITH_CHARACTERS)
def test_row_orthogonality(spec):
    g = get_group(spec)
    chi = g.character_table().values
    gram = chi @ chi.conj().T / g.order
    assert np.allclose(gram, np.eye(len(chi)), atol=1e-9)


@pytest.mark.parametrize("spec", WITH_CHARACTERS)
def test_column_orthogonality_and_dimensions(spec):
    g = get_group(spec)
    table = g.character_table()
    chi = table.values
    assert np.allclose(chi[:, g.identity], table.dims)
    assert (table.dims ** 2).sum() == g.order
    # sum_i chi_i(g) conj(chi_i(h)) = |C_G(g)| if g ~ h else 0: diagonal = centraliser size
    col = (chi.conj().T @ chi)
    t = g.cayley_table
    centraliser = [(t[a] == t[:, a]).sum() for a in range(g.order)]
    assert np.allclose(np.diag(col), centraliser)


@pytest.mark.parametrize("spec", [s for s in WITH_CHARACTERS if get_group(s).order <= 120])
def test_regular_representation_contains_each_irrep_dim_times(spec):
    g = get_group(spec)
    mult = g.decompose(g.regular_representation())
    assert list(mult.values()) == list(g.character_table().dims)


def test_decompose_cube_defining_representation_and_rejects_non_representations():
    g = get_group("O")
    # the 3x3 rotation matrices are the irreducible standard rep of S4 ([2,1,1] or [3,1])
    mult = g.decompose(g.matrices.astype(float))
    assert sum(mult.values()) == 1 and mult[max(mult, key=mult.get)] == 1
    bad = np.random.default_rng(0).normal(size=(24, 3, 3))
    with pytest.raises(ValueError, match="not a representation"):
        g.decompose(bad)
    with pytest.raises(ValueError, match="shape"):
        g.decompose(np.eye(3))


def test_groups_without_characters_say_so():
    with pytest.raises(ValueError, match="no character table for A4"):
        get_group("A4").character_table()
