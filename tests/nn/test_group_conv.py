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
@pytest.mark.parametrize("in_field,out_field", FIELD_PAIRS)
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


ALL_FIELD_PAIRS = [(a, b) for a in ("scalar", "vector", "regular")
                   for b in ("scalar", "vector", "regular")]


def _equivariant_kernel_projector(group, radius, in_field, out_field):
    """Average over the group of K -> rho_out(h) K(h^-1 .) rho_in(h)^-1, built here from
    apply_group and the group's own matrices (independently of the layer's tables)."""
    import numpy as np

    from skequi.transforms import apply_group, group_matrices

    grp = get_group(group)

    def rho(field):
        if field == "scalar":
            return np.ones((grp.order, 1, 1))
        if field == "vector":
            return group_matrices(grp).astype(float)
        return grp.regular_representation()

    r_in, r_out = rho(in_field), rho(out_field)
    size = 2 * radius + 1
    d_out, d_in = r_out.shape[1], r_in.shape[1]
    n = d_out * d_in * size * size
    basis = np.eye(n).reshape(n, d_out, d_in, size, size)
    projector = np.zeros((n, n))
    for h in range(grp.order):
        moved = apply_group(basis, h, grp)  # K(h^-1 z), the kernel as an image
        moved = np.einsum("ab,nbcij,cd->nadij", r_out[h], moved, np.linalg.inv(r_in[h]))
        projector += moved.reshape(n, n)
    return projector.T / grp.order  # column k: the projection of basis kernel k


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("in_field,out_field", ALL_FIELD_PAIRS)
def test_free_parameters_are_exactly_the_equivariant_kernels(group, in_field, out_field):
    import numpy as np

    layer = GroupMatrixConv2d(1, 1, group, in_field=in_field, out_field=out_field,
                              bias=False).double()
    params = [p for p in layer.parameters()]
    n_params = sum(p.numel() for p in params)
    jacobian = torch.autograd.functional.jacobian(
        lambda *ps: _bank_of(layer, ps), tuple(p.detach() for p in params))
    columns = torch.cat([j.reshape(j.shape[0], -1) for j in jacobian], 1).numpy()
    projector = _equivariant_kernel_projector(group, 1, in_field, out_field)
    dimension = np.linalg.matrix_rank(projector, tol=1e-8)
    assert np.linalg.matrix_rank(columns, tol=1e-8) == n_params  # no redundant weight
    assert n_params == dimension  # and as many as the equivariant kernels
    assert np.allclose(projector @ columns, columns, atol=1e-10)  # every bank is equivariant


class _Bank(torch.nn.Module):
    """The layer's filter bank as the output of a module, for torch.func."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self):
        return self.layer.filter_bank().reshape(-1)


def _bank_of(layer, values):
    """The filter bank as a function of the layer's parameters (for the Jacobian)."""
    names = [f"layer.{name}" for name, _ in layer.named_parameters()]
    return torch.func.functional_call(_Bank(layer), dict(zip(names, values)), ())


@pytest.mark.parametrize("group", ["C6xC6", "D3xD3"])
@pytest.mark.parametrize("mixing", ["full", "shared"])
def test_cayley_conv_parameters_are_free(group, mixing):
    import numpy as np

    from skequi.nn import CayleyConv, layer_matrix

    layer = CayleyConv(2, 2, group, kernel_radius=1, channel_mixing=mixing, bias=False)
    n_params = layer.weight.numel()
    grp = get_group(group)
    columns = []
    for k in range(n_params):
        with torch.no_grad():
            layer.weight.zero_()
            layer.weight.view(-1)[k] = 1.0
        columns.append(layer_matrix(layer, (2, grp.order)).ravel())
    assert np.linalg.matrix_rank(np.stack(columns, 1)) == n_params


@pytest.mark.parametrize("rank", [0, 2])
def test_channels_last_input_gives_the_same_output(rank):
    torch.manual_seed(0)
    layer = GroupMatrixConv2d(2, 3, "D4", relaxation_rank=rank, grid_size=6)
    if rank:
        with torch.no_grad():
            layer.relaxation_maps.normal_()
    x = torch.randn(3, 16, 6, 6)
    expected = layer(x)
    assert torch.allclose(layer(x.to(memory_format=torch.channels_last)), expected, atol=1e-6)


def test_compiled_eval_layer_follows_weight_updates_without_recompiling():
    torch._dynamo.reset()
    torch.manual_seed(0)
    layer = GroupMatrixConv2d(2, 2, "C4", relaxation_rank=1, grid_size=6).eval()
    compiled = torch.compile(layer, backend="eager")  # dynamo's tracing and guards only
    x = torch.randn(2, 8, 6, 6)
    with torch.no_grad():
        compiled(x)
        with torch._dynamo.config.patch(error_on_recompile=True):
            for _ in range(3):
                layer.weight.add_(0.1)  # as an optimizer step would
                assert torch.allclose(compiled(x), layer(x), atol=1e-6)


def test_in_place_weight_changes_are_seen_in_eval_mode():
    """Changes through .data bump no version counter; the layer still uses them."""
    torch.manual_seed(0)
    layer = GroupMatrixConv2d(2, 2, "C4").eval()
    x = torch.randn(2, 8, 6, 6)
    with torch.no_grad():
        before = layer(x)
        layer.weight.data.mul_(2.0)
        after = layer(x)
    bias = layer.bias[None, :, None, None].repeat_interleave(4, dim=1)
    assert torch.allclose(after - bias, 2 * (before - bias), atol=1e-5)
