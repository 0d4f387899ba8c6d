"""The group-spec parser."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skequi.groups import get_group


@pytest.mark.parametrize(
    "spec,name",
    [("C4", "C4"), ("p4", "C4"), ("p4m", "D4"), ("octahedral", "O"), ("O", "O"),
     ("C2xC4", "C2xC4"), (" D4 ", "D4"), ("C2xp4", "C2xC4"), ("S3xC2xC2", "S3xC2xC2")],
)
def test_valid_specs(spec, name):
    assert get_group(spec).name == name


@pytest.mark.parametrize("spec", ["C0", "Q7", "", "D4xx", "C4x", "xC4", "c4", "C-1", "D", "C4.5"])
def test_bad_specs_raise_a_helpful_value_error(spec):
    with pytest.raises(ValueError) as info:
        get_group(spec)
    message = str(info.value)
    assert repr(spec) in message
    assert "Valid forms" in message and "C<n>" in message


def test_matrix_group_specs_are_recognised():
    group = get_group("SO(3)xS(4)")
    assert group.name == "SO(3)xS(4)" and group.dim == 7


def test_non_string_spec_raises_type_error():
    with pytest.raises(TypeError, match="spec string"):
        get_group(4)


@pytest.mark.parametrize("spec", ["S9", "S30", "A40", "C5000", "C70xC70"])
def test_huge_group_is_refused_before_building(spec):
    with pytest.raises(ValueError, match="order"):
        get_group(spec)


def test_numbers_are_canonical():
    assert get_group("A01") is get_group("A1")
    assert get_group("SO(03)") is get_group("SO(3)")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="CDSAOxp0123456789()m", max_size=8))
def test_parser_never_fails_with_anything_but_value_error(spec):
    try:
        group = get_group(spec)
    except ValueError:
        return
    assert getattr(group, "order", 1) >= 1  # matrix groups have no order
    assert get_group(group.name) is group


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["C1", "C2", "C3", "D2", "D3", "S3"]), min_size=1, max_size=3))
def test_products_multiply_orders(factors):
    spec = "x".join(factors)
    expected = 1
    for f in factors:
        expected *= get_group(f).order
    assert get_group(spec).order == expected
