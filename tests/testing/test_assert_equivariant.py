"""skequi.testing.assert_equivariant: passes on exact layers, names elements when it fails."""

import pytest
import torch

from skequi.nn import EquivariantLinear, GroupMatrixConv2d
from skequi.testing import assert_equivariant
from tests.conftest import LATTICE_GROUPS


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("in_field,out_field", [("scalar", "regular"), ("vector", "regular"),
                                                ("regular", "scalar"), ("regular", "vector")])
def test_passes_for_exact_layers(group, in_field, out_field, dtype):
    layer = GroupMatrixConv2d(2, 3, group, in_field=in_field, out_field=out_field).to(dtype)
    x = torch.randn(2, 2 * layer.d_in, 9, 9, dtype=dtype)
    errors = assert_equivariant(layer, group, x, field=in_field, out_field=out_field)
    assert len(errors) == len(set(errors.index)) and (errors["relative"] < 1e-4).all()


def test_fails_for_a_plain_convolution_naming_the_elements():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    with pytest.raises(AssertionError) as info:
        assert_equivariant(conv, "C4", torch.randn(4, 1, 9, 9))
    message = str(info.value)
    assert "not equivariant under C4" in message
    for element in ("r^1", "r^2", "r^3"):
        assert f"{element}: " in message
    assert "3 of 3 elements" in message


def test_a_symmetric_kernel_passes_the_mirror_it_has_and_fails_the_others():
    conv = torch.nn.Conv2d(1, 1, 3, padding=1, bias=False)
    with torch.no_grad():  # symmetric under the transpose only
        conv.weight.copy_(torch.tensor([[[[1.0, 2.0, 3.0], [2.0, 5.0, 7.0], [3.0, 7.0, 0.0]]]]))
    x = torch.randn(3, 1, 8, 8, dtype=torch.float32)
    assert_equivariant(conv, "D1d", x)
    with pytest.raises(AssertionError, match=r"worst elements .*f r\^1"):
        assert_equivariant(conv, "D4", x)


def test_matrix_groups_act_through_representation_specs():
    torch.manual_seed(0)
    layer = EquivariantLinear("2V", "S+V", "SO(3)").double()
    assert_equivariant(layer, "SO(3)", torch.randn(5, 6, dtype=torch.float64), field="2V",
                       out_field="S+V")
    with pytest.raises(AssertionError, match="sample"):
        assert_equivariant(torch.nn.Linear(6, 4).double(), "SO(3)",
                           torch.randn(5, 6, dtype=torch.float64), field="2V", out_field="S+V")


def test_invariant_outputs_and_explicit_tolerances():
    pool = lambda x: x.mean(dim=(2, 3))  # noqa: E731
    assert_equivariant(pool, "D4", torch.randn(2, 3, 6, 6), out_field="invariant")
    corner = lambda x: x[:, :, 0, 0]  # noqa: E731
    with pytest.raises(AssertionError):
        assert_equivariant(corner, "D4", torch.randn(2, 3, 6, 6), out_field="invariant")
    assert_equivariant(corner, "D4", torch.randn(2, 3, 6, 6), out_field="invariant", rtol=10.0)


def test_a_grid_field_needs_a_finite_group():
    with pytest.raises(ValueError, match="representation such as field='2V'"):
        assert_equivariant(torch.nn.Identity(), "SO(3)", torch.randn(2, 3))
