"""EquivariantBilinear: the forward pass is the paper's W(x) x, and W(x) is equivariant."""

import numpy as np
import pytest
import torch

from skequi.groups import as_matrix_group
from skequi.nn import EquivariantBilinear, gated
from skequi.reps import parse_rep
from tests.conftest import default_dtype

# orthogonal groups (V* = V) and not (Lorentz, symplectic), continuous and finite, ranks to 3
REPS = [("O(3)", "3S+2V+2V**2+V**3"), ("SO(1,3)", "4S+2V+2V*+T(1,1)+T(0,2)"),
        ("Sp(2)", "2S+2V+V**2"), ("S(4)", "3S+2V+V**2"), ("O(5)", "6S+3V+V**2")]


def _layer(group, rep):
    torch.manual_seed(0)
    with default_dtype(torch.float64):  # bases and weights in float64: matches to 1e-12
        return EquivariantBilinear(gated(rep), group)


@pytest.mark.parametrize("group,rep", REPS)
def test_forward_is_the_papers_matrix_times_x(group, rep):
    # forward never forms W(x); weight(x) builds it block by block from the definition, so
    # a block that forward skips or a weight it pairs with the wrong copy shows here
    layer = _layer(group, rep)
    x = torch.randn(6, layer.size, dtype=torch.float64)
    with torch.no_grad():
        expected = (layer.weight(x) @ x[:, :, None])[..., 0]
        actual = layer(x)
    assert float((actual - expected).norm() / expected.norm()) < 1e-12


@pytest.mark.parametrize("group,rep", REPS)
def test_weight_matrix_transforms_by_conjugation(group, rep):
    # W(g x) = rho(g) W(x) rho(g)^-1, which is what makes W(x) x equivariant
    layer = _layer(group, rep)
    g, r = as_matrix_group(group), parse_rep(gated(rep))
    x = torch.randn(4, layer.size, dtype=torch.float64)
    with torch.no_grad():
        w = layer.weight(x)
        for element in g.samples(3, random_state=0):
            rho = torch.tensor(r.rho(element), dtype=torch.float64)
            expected = rho @ w @ torch.linalg.inv(rho)
            error = (layer.weight(x @ rho.T) - expected).norm() / expected.norm()
            assert float(error) < 1e-10, f"fails err {float(error):.3e} with G={group}"


@pytest.mark.parametrize("group,rep", REPS)
def test_every_block_with_a_source_of_its_type_is_learned(group, rep):
    # block (out, in) of W(x) is a tensor of type T(p_out + q_in, q_out + p_in): it is
    # learned wherever x has non-scalar copies of that type (for orthogonal groups, of that
    # total rank) and zero everywhere else
    layer = _layer(group, rep)
    g, r = as_matrix_group(group), parse_rep(gated(rep))
    with torch.no_grad():
        w = layer.weight(torch.randn(3, layer.size, dtype=torch.float64))
    type_of = (lambda p, q: p + q) if g.is_orthogonal else (lambda p, q: (p, q))
    sources = {type_of(p, q) for _, p, q in r.summands if p + q}
    bounds = np.cumsum([0] + [m * g.dim ** (p + q) for m, p, q in r.summands])
    for b, (_, p_o, q_o) in enumerate(r.summands):
        for a, (_, p_i, q_i) in enumerate(r.summands):
            block = w[:, bounds[b]:bounds[b + 1], bounds[a]:bounds[a + 1]]
            learned = type_of(p_o + q_i, q_o + p_i) in sources
            assert bool(block.abs().max() > 0) == learned, (group, rep, b, a)


def test_weights_are_stored_at_unit_scale():
    # Adam's steps are about lr in size whatever a weight's scale, so the small initial
    # scale lives in a fixed gain and the stored weights are O(1) (at the gain's scale
    # the paper's lr 3e-3 made the training diverge)
    torch.manual_seed(0)
    layer = EquivariantBilinear(gated("30S+10V+3V**2"), "O(3)")
    weights = list(layer.named_parameters())
    assert weights
    for name, w in weights:
        assert 0.8 < float(w.detach().std()) < 1.2, name
    x = torch.randn(64, gated("30S+10V+3V**2").size(3))
    with torch.no_grad():  # the layer itself starts as a small correction to its input
        assert float(layer(x).norm()) < 0.2 * float(x.norm())
