"""Pooling and normalisation commute with the group."""

import pytest
import torch

from skequi.nn import FieldBatchNorm, GlobalPool, GroupPool, SpatialPool2d
from tests.conftest import LATTICE_GROUPS
from tests.equivariance import assert_equivariant
from skequi.groups import get_group


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("mode", ["max", "mean"])
def test_group_pool_maps_regular_to_scalar(group, mode, dtype):
    n = get_group(group).order
    x = torch.randn(2, 3 * n, 6, 6, dtype=dtype)
    assert_equivariant(GroupPool(n, mode), x, group, "regular", "scalar")


@pytest.mark.parametrize("group", LATTICE_GROUPS)
def test_spatial_pool_and_norm_commute_on_even_grids(group, dtype):
    n = get_group(group).order
    x = torch.randn(4, 2 * n, 8, 8, dtype=dtype)
    assert_equivariant(SpatialPool2d("max"), x, group, "regular", "regular")
    norm = FieldBatchNorm(2, n).to(dtype)
    assert_equivariant(norm, x, group, "regular", "regular")


def test_spatial_pool_refuses_odd_grids():
    with pytest.raises(ValueError, match="even grids"):
        SpatialPool2d()(torch.randn(1, 1, 7, 7))


def test_global_pool_and_mode_errors():
    assert GlobalPool()(torch.ones(2, 3, 4, 4)).shape == (2, 3)
    with pytest.raises(ValueError, match="pooling mode"):
        GroupPool(4, "median")
