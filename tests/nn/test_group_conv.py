"""GroupMatrixConv2d: exact equivariance, reduction to conv2d, LDR relaxation."""

import pytest
import torch
import torch.nn.functional as F

from skequi.groups import get_group
from skequi.nn import GroupMatrixConv2d, displacement_rank
from tests.conftest import LATTICE_GROUPS
from tests.equivariance import assert_equivariant, max_relative_error

FIELD_PAIRS = [
    ("scalar", "regular"),   # lifting
    ("vector", "regular"),   # lifting a vector field
    ("regular", "regular"),  # group convolution
    ("regular", "scalar"),   # projection to an invariant field
    ("regular", "vector"),   # projection to a vector field
]


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("in_field,out_field", FIELD_PAIRS)
@pytest.mark.parametrize("radius", [1, 2])
def test_exact_layer_is_equivariant(group, in_field, out_field, radius, dtype):
    layer = GroupMatrixConv2d(2, 3, group, kernel_radius=radius, in_field=in_field,
                              out_field=out_field).to(dtype)
    x = torch.randn(2, 2 * layer.d_in, 9, 9, dtype=dtype)
    assert_equivariant(layer, x, group, in_field, out_field)


@pytest.mark.parametrize("group", ["C4", "D4"])
@pytest.mark.parametrize("in_field,out_field", FIELD_PAIRS[:3])
def test_relaxed_layer_is_exact_at_init_and_not_after_maps_move(group, in_field, out_field):
    torch.manual_seed(1)
    layer = GroupMatrixConv2d(2, 3, group, in_field=in_field, out_field=out_field,
                              relaxation_rank=2, grid_size=8).double()
    x = torch.randn(2, 2 * layer.d_in, 8, 8, dtype=torch.float64)
    assert_equivariant(layer, x, group, in_field, out_field)
    with torch.no_grad():
        layer.relaxation_maps.normal_()
    assert max_relative_error(layer, x, group, in_field, out_field) > 1e-3


def test_trivial_group_is_an_ordinary_convolution():
    layer = GroupMatrixConv2d(3, 5, "C1", in_field="scalar", kernel_radius=1)
    x = torch.randn(2, 3, 7, 7)
    weight = layer.weight.reshape(5, 3, 3, 3)
    expected = F.conv2d(x, weight, layer.bias, padding=1)
    assert torch.allclose(layer(x), expected, atol=1e-6)
    assert sum(p.numel() for p in layer.parameters()) == 5 * 3 * 9 + 5


def test_parameters_are_the_kernel_not_the_bank():
    layer = GroupMatrixConv2d(4, 6, "D4", in_field="regular", bias=False)
    assert layer.weight.numel() == 6 * 4 * 8 * 9
    assert layer.filter_bank().shape == (6 * 8, 4 * 8, 3, 3)


def _train_towards_broken_symmetry(layer, steps=30):
    torch.manual_seed(0)
    x = torch.randn(16, layer.in_channels * layer.d_in, 8, 8)
    # target: the layer output with a horizontal gradient ramp, which no rotation preserves
    ramp = torch.linspace(0, 1, 8).expand(8, 8)
    with torch.no_grad():
        target = layer(x) * (1 + ramp)
    opt = torch.optim.Adam(layer.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(layer(x), target)
        loss.backward()
        opt.step()
    return x


@pytest.mark.parametrize("rank", [1, 2, 4])
def test_training_breaks_symmetry_within_displacement_rank(rank):
    torch.manual_seed(0)
    layer = GroupMatrixConv2d(1, 2, "C4", in_field="regular", relaxation_rank=rank, grid_size=8)
    assert displacement_rank(layer) == 0
    x = _train_towards_broken_symmetry(layer)
    assert layer.relaxation_maps.abs().max() > 0  # gradients reached u_i
    err = max_relative_error(layer.double(), x.double(), "C4", "regular", "regular")
    assert err > 1e-3
    assert 1 <= displacement_rank(layer) <= rank


def test_relaxed_params_grow_linearly_in_rank():
    counts = [sum(p.numel() for p in GroupMatrixConv2d(
        4, 4, "C4", relaxation_rank=r, grid_size=8).parameters()) for r in range(4)]
    steps = {counts[i + 1] - counts[i] for i in range(3)}
    assert len(steps) == 1


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(group="C3", in_field="scalar"), "cannot act on a square pixel grid"),
        (dict(relaxation_rank=1), "grid_size is required"),
        (dict(relaxation_rank=-1), "relaxation_rank must be >= 0"),
        (dict(in_field="tensor"), "in_field must be one of"),
    ],
)
def test_construction_errors(kwargs, match):
    kwargs = {"group": "C4", **kwargs}
    with pytest.raises(ValueError, match=match):
        GroupMatrixConv2d(1, 2, **kwargs)


def test_forward_shape_errors():
    layer = GroupMatrixConv2d(2, 2, "C4", relaxation_rank=1, grid_size=6)
    with pytest.raises(ValueError, match=r"expects input \(batch, 8, H, W\)"):
        layer(torch.randn(1, 3, 6, 6))
    with pytest.raises(ValueError, match="built for a"):
        layer(torch.randn(1, 8, 7, 7))


def test_group_order_sets_channel_blocks():
    for spec in LATTICE_GROUPS:
        layer = GroupMatrixConv2d(1, 2, spec, in_field="scalar")
        assert layer(torch.randn(1, 1, 5, 5)).shape[1] == 2 * get_group(spec).order
