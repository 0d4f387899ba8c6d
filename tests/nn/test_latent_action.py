"""The latent regular representation: a homomorphism, agreeing with the input action."""

import numpy as np
import pytest
import torch
from torch import nn

from skequi.groups import get_group
from skequi.nn import GroupMatrixConv2d, LatentRegularAction, latent_representation, shortest_words
from skequi.transforms import apply_group

GROUPS = ["C4", "D4", "S3", "O", "C2xC4", "D1xD1"]


@pytest.mark.parametrize("spec", GROUPS)
def test_fixed_representation_is_a_homomorphism(spec):
    g = get_group(spec)
    rep = latent_representation(g, 2 * g.order + 3)
    products = np.einsum("aij,bjk->abik", rep, rep)
    assert np.allclose(products, rep[g.cayley_table])


@pytest.mark.parametrize("spec", ["C4", "D4", "S3", "O", "C2xC4"])
def test_fixed_representation_has_copies_times_dim_of_each_irrep(spec):
    g = get_group(spec)
    copies, padding = 3, 2
    mult = g.decompose(latent_representation(g, copies * g.order + padding))
    table = g.character_table()
    expected = {name: copies * int(dim) for name, dim in zip(table.names, table.dims)}
    trivial = table.names[0]
    expected[trivial] += padding
    assert mult == expected


@pytest.mark.parametrize("spec", GROUPS)
def test_shortest_words_spell_every_element(spec):
    g = get_group(spec)
    for element, word in enumerate(shortest_words(g)):
        assert g.multiply(*[g.generators[i] for i in word]) == element


@pytest.mark.parametrize("spec", ["C4", "D4"])
def test_input_and_latent_actions_agree_for_an_equivariant_encoder(spec):
    """A lifting GM layer + spatial mean is exactly equivariant with the latent's layout."""
    g = get_group(spec)
    fields = 3
    encoder = nn.Sequential(GroupMatrixConv2d(1, fields, g, in_field="scalar"),
                            nn.Flatten(2)).double()
    encode = lambda x: encoder(x).mean(-1)  # noqa: E731  (B, fields * |G|)
    action = LatentRegularAction(g, fields * g.order).double()
    x = torch.randn(5, 1, 8, 8, dtype=torch.float64)
    z = encode(x)
    for element in range(g.order):
        moved = encode(apply_group(x, element, g))
        expected = action(z, torch.full((5,), element))
        assert torch.mean((moved - expected) ** 2) < 1e-20  # the equivariance loss is 0


def test_relaxed_action_starts_exact_and_algebra_loss_detects_drift():
    action = LatentRegularAction("D3", 12, relaxation_rank=2)
    assert torch.allclose(action.matrices(), action.fixed)
    assert float(action.algebra_loss().detach()) == 0.0
    with torch.no_grad():
        action.relax_u.normal_()
    assert float(action.algebra_loss().detach()) > 1e-3
    assert len(action.group.presentation) == 3  # r^3, f^2, (f r)^2


def test_latent_dim_must_hold_one_copy():
    with pytest.raises(ValueError, match="latent_dim must be >= \\|D4\\| = 8"):
        latent_representation("D4", 6)
