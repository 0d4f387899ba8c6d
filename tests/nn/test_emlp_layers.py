"""EquivariantLinear, EquivariantBilinear, GatedNonlinearity, EMLP: equivariance and more."""

import numpy as np
import pytest
import torch

from skequi.groups import as_matrix_group
from skequi.models import EMLP
from skequi.nn import EquivariantBilinear, EquivariantLinear, GatedNonlinearity, gated
from skequi.reps import equivariant_basis, parse_rep
from tests.conftest import EQUIVARIANCE_RTOL, default_dtype

CATALOG = [("O(5)", "2V", "S"), ("O(3)", "5S+5V", "V**2"), ("SO(3)", "V+S", "V"),
           ("SO(1,3)", "4V", "S"), ("O(1,3)", "V+V*", "T(1,1)"), ("Sp(2)", "V", "V"),
           ("S(4)", "V", "V+S"), ("SO(3)xS(4)", "V", "S"), ("C4", "V", "V**2"), ("O", "2V", "S")]


def _error(fn, group, rep_in, rep_out, dtype, n_elements=4):
    g = as_matrix_group(group)
    rin, rout = parse_rep(rep_in), parse_rep(rep_out)
    x = torch.randn(6, rin.size(g.dim), dtype=dtype)
    errors = []
    with torch.no_grad():
        y = fn(x)
        for m in g.samples(n_elements, random_state=0):
            r_in = torch.tensor(rin.rho(m), dtype=dtype)
            r_out = torch.tensor(rout.rho(m), dtype=dtype)
            errors.append(((fn(x @ r_in.T) - y @ r_out.T).norm() / y.norm()).item())
    return max(errors)


@pytest.mark.parametrize("group,rep_in,rep_out", CATALOG)
def test_linear_is_equivariant(group, rep_in, rep_out, dtype):
    layer = EquivariantLinear(rep_in, rep_out, group).to(dtype)
    with torch.no_grad():  # biases start at zero; make every coefficient count
        for p in layer.parameters():
            p.normal_()
    assert _error(layer, group, rep_in, rep_out, dtype) < EQUIVARIANCE_RTOL[dtype]


@pytest.mark.parametrize("group,rep", [("O(3)", "4S+3V+V**2"), ("SO(1,3)", "4S+2V+2V*+T(1,1)"),
                                       ("S(4)", "3S+2V+V**2")])
def test_bilinear_and_gate_are_equivariant(group, rep, dtype):
    bilinear = EquivariantBilinear(gated(rep), group).to(dtype)
    assert bilinear._blocks, "the bilinear layer should contract something here"
    assert _error(bilinear, group, gated(rep), gated(rep), dtype) < EQUIVARIANCE_RTOL[dtype]
    gate = GatedNonlinearity(rep, group)
    assert _error(gate, group, gated(rep), rep, dtype) < EQUIVARIANCE_RTOL[dtype]


@pytest.mark.parametrize("group,rep_in,rep_out", CATALOG)
def test_emlp_is_equivariant(group, rep_in, rep_out, dtype):
    torch.manual_seed(0)
    net = EMLP(rep_in, rep_out, group, hidden=96, n_layers=2).to(dtype)
    assert _error(net, group, rep_in, rep_out, dtype) < EQUIVARIANCE_RTOL[dtype]


def test_parameters_are_basis_coefficients():
    layer = EquivariantLinear("2V", "3V", "O(3)", bias=False)
    assert layer.n_basis_params == 2 * 3  # one basis element (the identity) per copy pair
    assert sum(p.numel() for p in layer.parameters()) == 6
    assert layer.weight().shape == (9, 6)


@pytest.mark.parametrize("group,rep_in,rep_out", [("O(3)", "2S+3V+V**2", "S+2V+2V**2"),
                                                   ("O(1,3)", "2V+V*+T(1,1)", "S+V+T(1,1)")])
def test_weight_is_the_kronecker_sum_of_coefficients_and_basis(group, rep_in, rep_out):
    # reference built independently of the layer's scatter: block (b, a) of the dense
    # matrix is sum_r kron(W_r, B_r) with B_r the cached basis between the two types
    torch.manual_seed(0)
    with default_dtype(torch.float64):  # bases in float64, so the match is to 1e-12
        layer = EquivariantLinear(rep_in, rep_out, group, bias=False)
    g = as_matrix_group(group)
    rin, rout = parse_rep(rep_in), parse_rep(rep_out)
    expected = np.zeros((rout.size(g.dim), rin.size(g.dim)))
    row = 0
    for b, (m_o, p_o, q_o) in enumerate(rout.summands):
        col = 0
        for a, (m_i, p_i, q_i) in enumerate(rin.summands):
            basis = equivariant_basis(g, (p_i, q_i), (p_o, q_o))
            d_o, d_i = g.dim ** (p_o + q_o), g.dim ** (p_i + q_i)
            if basis.shape[0]:
                coeff = getattr(layer, f"w_{b}_{a}").detach().numpy()
                if coeff.ndim == 2:  # scalar blocks store the entries themselves
                    coeff, basis = coeff[..., None], np.ones((1, 1, 1))
                expected[row:row + m_o * d_o, col:col + m_i * d_i] = sum(
                    np.kron(coeff[:, :, r], basis[r]) for r in range(basis.shape[0]))
            col += m_i * d_i
        row += m_o * d_o
    np.testing.assert_allclose(layer.weight().detach().numpy(), expected, atol=1e-12)
    x = torch.randn(5, rin.size(g.dim), dtype=torch.float64)
    np.testing.assert_allclose(layer(x).detach().numpy(), x.numpy() @ expected.T, atol=1e-12)


@pytest.mark.parametrize("group,rep_in,rep_out", [("O(3)", "5S+5V", "V**2"),
                                                   ("SO(1,3)", "4V", "S"), ("Sp(2)", "V", "V")])
def test_model_built_in_float64_is_equivariant_to_float64_precision(group, rep_in, rep_out):
    # bases follow the default dtype at construction: .double() on a float32-built model
    # keeps float32-rounded bases (equivariant to ~1e-7 only), as torch layers do
    torch.manual_seed(0)
    with default_dtype(torch.float64):
        net = EMLP(rep_in, rep_out, group, hidden=48, n_layers=2)
    assert all(b.dtype == torch.float64 for b in net.buffers() if b.is_floating_point())
    assert _error(net, group, rep_in, rep_out, torch.float64) < 1e-12


def test_linear_gradients_match_finite_differences():
    torch.manual_seed(0)
    layer = EquivariantLinear("S+V+V**2", "2S+V+V**2", "O(3)", relaxation_rank=2).double()
    names = [name for name, _ in layer.named_parameters()]
    params = [p.detach().clone().normal_().requires_grad_() for p in layer.parameters()]
    x = torch.randn(3, layer.size_in, dtype=torch.float64, requires_grad=True)

    def forward(x, *values):
        return torch.func.functional_call(layer, dict(zip(names, values)), (x,))

    assert torch.autograd.gradcheck(forward, (x, *params))


def test_linear_between_reps_with_no_equivariant_map_is_zero():
    layer = EquivariantLinear("V", "V**2", "O(3)", bias=False)  # odd -> even rank
    assert layer.n_basis_params == 0 and not list(layer.parameters())
    assert torch.equal(layer(torch.randn(4, 3)), torch.zeros(4, 9))
    assert torch.equal(layer.weight(), torch.zeros(9, 3))


def test_relaxed_pathway_starts_exact_then_breaks_symmetry():
    torch.manual_seed(0)
    layer = EquivariantLinear("V", "V", "SO(3)", relaxation_rank=2).double()
    assert _error(layer, "SO(3)", "V", "V", torch.float64) < 1e-10
    assert float(layer.relaxation_penalty().detach()) == 0.0
    with torch.no_grad():
        layer.relax_u.normal_()
    assert _error(layer, "SO(3)", "V", "V", torch.float64) > 1e-3
    assert float(layer.relaxation_penalty().detach()) > 0
    w = (layer.relax_u @ layer.relax_v.T).detach().numpy()
    assert np.linalg.matrix_rank(w) == 2
