"""The EMLP family's plain models: the Hamiltonian field."""

import torch

from skequi.models import MLP, HamiltonianField


def test_the_hamiltonian_field_of_an_mlp_is_j_grad_h():
    torch.manual_seed(0)
    field = HamiltonianField(MLP(4, 1, hidden=16))
    z = torch.randn(5, 4, requires_grad=True)
    (grad,) = torch.autograd.grad(field.hamiltonian(z).sum(), z)
    expected = torch.cat([grad[:, 2:], -grad[:, :2]], dim=1)
    torch.testing.assert_close(field(z), expected)
