"""Group actions on images, vector fields and volumes."""

import numpy as np
import pytest
import torch

from skequi.groups import get_group
from skequi.transforms import apply_group
from tests.conftest import LATTICE_GROUPS

DATA_KINDS = [  # (group, shape, field)
    *[(g, (2, 3, 5, 5), "scalar") for g in LATTICE_GROUPS],
    *[(g, (2, 4, 6, 6), "vector") for g in LATTICE_GROUPS],
    *[(g, (2, 2 * get_group(g).order, 4, 4), "regular") for g in LATTICE_GROUPS],
    ("O", (2, 2, 3, 3, 3), "scalar"),
    ("O", (2, 6, 4, 4, 4), "vector"),
]


@pytest.mark.parametrize("spec,shape,field", DATA_KINDS)
def test_action_is_a_homomorphism(spec, shape, field, rng):
    g = get_group(spec)
    x = rng.normal(size=shape)
    for a in range(g.order):
        for b in range(g.order):
            lhs = apply_group(apply_group(x, b, g, field), a, g, field)
            rhs = apply_group(x, g.cayley_table[a, b], g, field)
            assert np.array_equal(lhs, rhs), (g.elements[a], g.elements[b])
    assert np.array_equal(apply_group(x, g.identity, g, field), x)


@pytest.mark.parametrize("spec,shape,field", DATA_KINDS[::3])
def test_torch_and_numpy_agree(spec, shape, field, rng):
    x = rng.normal(size=shape)
    g = get_group(spec)
    for a in range(g.order):
        out = apply_group(torch.from_numpy(x), a, g, field)
        assert isinstance(out, torch.Tensor)
        assert np.array_equal(out.numpy(), np.ascontiguousarray(apply_group(x, a, g, field)))


def test_rotation_is_rot90_and_mirror_is_left_right_flip(rng):
    x = rng.normal(size=(2, 1, 4, 4))
    assert np.array_equal(apply_group(x, "r^1", "C4"), np.rot90(x, axes=(-2, -1)))
    assert np.array_equal(apply_group(x, "f", "D1"), x[..., ::-1])


def _fields(n=7):
    c = (n - 1) / 2
    rows, cols = np.mgrid[0:n, 0:n]
    x, y = cols - c, c - rows
    return np.stack([x, y])[None], np.stack([-y, x])[None]


@pytest.mark.parametrize("element", range(8))
def test_radial_and_curl_fields(element):
    g = get_group("D4")
    radial, curl = _fields()
    assert np.allclose(apply_group(radial, element, g, "vector"), radial)
    is_mirror = g.elements[element].startswith("f")
    expected_curl = -curl if is_mirror else curl
    assert np.allclose(apply_group(curl, element, g, "vector"), expected_curl)


def test_vector_components_turn_with_rotation():
    # a uniform rightward field becomes an upward field after a quarter turn
    field = np.zeros((1, 2, 3, 3))
    field[:, 0] = 1.0
    out = apply_group(field, "r^1", "C4", "vector")
    assert np.allclose(out[:, 0], 0) and np.allclose(out[:, 1], 1)


def test_cube_quarter_turn_about_z_rotates_each_depth_slice():
    vol = np.random.default_rng(1).normal(size=(1, 3, 4, 4))  # (C, D, H, W) with z along D
    quarter_z = get_group("O").generators[0]
    out = apply_group(vol, quarter_z, "O")
    # x along W and y along H: a counter-clockwise turn in (x, y) within each slice
    assert np.array_equal(out, np.rot90(vol, k=-1, axes=(-2, -1)))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(X=np.zeros((1, 4, 5)), g=1, group="C4"), "needs equal sizes"),
        (dict(X=np.zeros((1, 3, 4, 4)), g=1, group="C4", field="vector"), "groups of 2"),
        (dict(X=np.zeros((4, 4)), g=1, group="C5"), "cannot act on a square pixel grid"),
        (dict(X=np.zeros(4), g=1, group="C4"), "at least 2 axes"),
        (dict(X=np.zeros((4, 4)), g=1, group="C4", field="tensor"), "field must be one of"),
        (dict(X=np.zeros((4, 4)), g="f", group="C4"), "not an element"),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        apply_group(**kwargs)


def test_mirror_works_on_rectangular_images():
    x = np.arange(6).reshape(2, 3)
    assert np.array_equal(apply_group(x, "f", "D1"), x[:, ::-1])
