"""Equivariance assertions shared by the layer, model and estimator tests."""

import torch

from skequi.groups import get_group
from skequi.transforms import apply_group
from tests.conftest import EQUIVARIANCE_RTOL


def max_relative_error(fn, x, group, in_field, out_field):
    """max over group elements g of |f(g x) - g f(x)| / |f(x)|."""
    grp = get_group(group)
    with torch.no_grad():
        y = fn(x)
        errors = []
        for g in range(grp.order):
            lhs = fn(apply_group(x, g, grp, in_field))
            rhs = apply_group(y, g, grp, out_field)
            errors.append(((lhs - rhs).norm() / rhs.norm().clamp_min(1e-30)).item())
    return max(errors)


def assert_equivariant(fn, x, group, in_field="scalar", out_field="regular"):
    err = max_relative_error(fn, x, group, in_field, out_field)
    tol = EQUIVARIANCE_RTOL[x.dtype]
    assert err < tol, f"fails err {err:.3e} with G={get_group(group).name}, {x.dtype}"
