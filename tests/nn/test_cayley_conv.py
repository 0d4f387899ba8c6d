"""Paper-faithful CayleyConv: a group matrix on G1 x G1, fast paths agree with the reference."""

import numpy as np
import pytest
import torch

from skequi.groups import get_group
from skequi.nn import (
    CayleyConv,
    CosetPool,
    cayley_ball,
    displacement_rank,
    layer_matrix,
    product_neighbourhood,
)


@pytest.mark.parametrize("group", ["C6xC6", "C8xC5", "D3xD3", "D4xC4", "C3xC3"])
@pytest.mark.parametrize("mixing", ["full", "shared"])
@pytest.mark.parametrize("support", ["product", "ball"])
def test_layer_is_the_group_matrix_of_its_kernel(group, mixing, support):
    """Differential test against the dense reference M[a, b] = phi(a b^-1)."""
    layer = CayleyConv(2, 3, group, kernel_radius=1, channel_mixing=mixing, bias=False,
                       support=support)
    grp = get_group(group)
    ball = cayley_ball(grp, 1) if support == "ball" else product_neighbourhood(grp, 1)
    assert np.array_equal(ball, layer.support_elements)
    w = layer.weight.detach().double().numpy()  # (O, C or 1, K)
    phi = np.zeros((grp.order,) + w.shape[:2])
    phi[ball] = np.moveaxis(w, 2, 0)
    dense = grp.group_matrix(phi)  # (N, N, O, C)
    if mixing == "shared":
        dense = np.repeat(dense, 2, axis=3)
    expected = np.transpose(dense, (2, 0, 3, 1)).reshape(3 * grp.order, 2 * grp.order)
    measured = layer_matrix(layer, (2, grp.order))
    assert np.allclose(measured, expected, atol=1e-10)


def test_cyclic_products_take_the_conv2d_path():
    assert CayleyConv(1, 1, "C8xC8")._conv_path
    assert not CayleyConv(1, 1, "D4xD4")._conv_path
    assert not CayleyConv(1, 1, "C2xC8", kernel_radius=1)._conv_path  # wraps onto itself


def test_shared_mixing_has_paper_parameter_count():
    """The reference's layer: 120 kernels on the 7x7 (C28) or 14x14 (D14) product support."""
    layer = CayleyConv(120, 120, "C28xC28", kernel_radius=3, channel_mixing="shared")
    assert layer.ball_size == 49 and sum(p.numel() for p in layer.parameters()) == 120 * 50
    dihedral = CayleyConv(120, 120, "D14xD14", kernel_radius=3, channel_mixing="shared")
    assert dihedral.ball_size == 196
    diamond = CayleyConv(120, 120, "C28xC28", kernel_radius=3, support="ball", bias=False,
                         channel_mixing="shared")
    assert diamond.ball_size == 25 and diamond.weight.numel() == 120 * 25


def test_the_product_support_is_the_references_neighbourhood():
    """Cyclic factor: r^i, |i| <= k; dihedral factor: r^i and f r^i (conv_utils.py)."""
    grp = get_group("D5xC7")
    support = {grp.elements[i] for i in product_neighbourhood(grp, 1)}
    rotations = ["e", "r^1", "r^4"]
    flips = ["f", "f r^1", "f r^4"]
    shifts = ["e", "r^1", "r^6"]
    assert support == {f"({a}, {b})" for a in rotations + flips for b in shifts}


@pytest.mark.parametrize("group", ["C6xC6", "D3xD3"])
def test_right_translation_equivariance(group):
    grp = get_group(group)
    layer = CayleyConv(2, 2, group).double()
    x = torch.randn(3, 2, grp.order, dtype=torch.float64)
    y = layer(x)
    for g in range(grp.order):
        shift = torch.tensor(grp.cayley_table[:, g])  # (R_g x)(a) = x(a g)
        assert torch.allclose(layer(x[..., shift]), y[..., shift], atol=1e-10)


@pytest.mark.parametrize("rank", [1, 3])
def test_relaxed_cayley_conv_displacement_rank(rank):
    layer = CayleyConv(2, 2, "C6xC6", relaxation_rank=rank)
    assert displacement_rank(layer) == 0
    with torch.no_grad():
        layer.relaxation_maps.normal_()
    assert displacement_rank(layer) == rank


def test_coset_pool_is_equivariant_through_the_quotient():
    pool = CosetPool("D4xC6")
    assert pool.quotient == "D2xC3"
    grp, quotient = get_group("D4xC6"), get_group("D2xC3")
    x = torch.randn(2, 3, grp.order)
    y = pool(x).flatten(2)
    # the quotient map q sends each element to the row of its coset
    q = np.zeros(grp.order, dtype=int)
    from skequi.nn import halving_quotient

    for row, members in enumerate(halving_quotient("D4xC6")[1]):
        q[members] = row
    for g in range(grp.order):
        shifted = x[..., torch.tensor(grp.cayley_table[:, g])]
        qshift = torch.tensor(quotient.cayley_table[:, q[g]])
        assert torch.allclose(pool(shifted).flatten(2), y[..., qshift])


def test_paper_layer_errors():
    with pytest.raises(ValueError, match="cyclic or dihedral"):
        CayleyConv(1, 1, "S3xS3")
    with pytest.raises(ValueError, match="channel_mixing"):
        CayleyConv(1, 1, "C4xC4", channel_mixing="none")
    with pytest.raises(ValueError, match="odd n"):
        CosetPool("C5xC4")
