"""The spring pendulum, derivative pairs, Hamiltonian and neural-ODE EMLPs, rollouts."""

import numpy as np
import pytest
import torch

from skequi import EMLPRegressor
from skequi.datasets import (
    make_spring_pendulum,
    spring_pendulum_angular_momentum,
    spring_pendulum_hamiltonian,
    spring_pendulum_vector_field,
)
from skequi.dynamics import derivative_pairs, integrate, relative_rollout_error
from skequi.groups import get_group
from skequi.reps import parse_rep


@pytest.fixture(scope="module")
def trajectories():
    return make_spring_pendulum(12, t_max=30.0, n_steps=150, random_state=0)


def _move(states, g):
    """A group element of O(2) about z acting on every (x1, x2, p1, p2) triple."""
    rho = parse_rep("4V").rho(g)
    return states @ rho.T


def test_energy_and_angular_momentum_are_conserved(trajectories):
    states, times = trajectories
    energy = spring_pendulum_hamiltonian(states)
    momentum = spring_pendulum_angular_momentum(states)
    assert np.abs(energy - energy[:, :1]).max() <= 1e-6 * np.abs(energy).max()
    assert np.abs(momentum - momentum[:, :1]).max() <= 1e-6
    assert np.abs(momentum).max() > 0.05  # not conserved trivially: the pendulum turns


def test_the_simulated_dynamics_are_o2_equivariant(trajectories):
    """Rotating and reflecting an initial state about z rotates and reflects its trajectory."""
    from scipy.integrate import solve_ivp

    states, times = trajectories
    for g in get_group("O2eR3").samples(3, random_state=1):
        z0 = _move(states[:, 0], g)
        solution = solve_ivp(lambda t, f: spring_pendulum_vector_field(f.reshape(-1, 12)).ravel(),
                             (0, times[-1]), z0.ravel(), method="DOP853", t_eval=times,
                             rtol=1e-11, atol=1e-11)
        moved = solution.y.reshape(len(z0), 12, -1).transpose(0, 2, 1)
        assert np.abs(moved - _move(states, g)).max() < 1e-6


def test_derivative_pairs_exact_and_by_finite_differences():
    states, times = make_spring_pendulum(3, t_max=2.0, n_steps=400, random_state=2)
    X, exact = derivative_pairs(states, vector_field=spring_pendulum_vector_field)
    _, finite = derivative_pairs(states, times)
    assert X.shape == exact.shape == (1200, 12)
    assert np.abs(finite - exact).max() < 1e-3
    with pytest.raises(ValueError, match="need the times"):
        derivative_pairs(states)


@pytest.fixture(scope="module")
def hamiltonians(trajectories):
    states, _ = trajectories
    X, y = derivative_pairs(states[:, ::3], vector_field=spring_pendulum_vector_field)
    common = dict(hidden=32, n_layers=2, max_epochs=40, batch_size=64, lr=3e-3,
                  dynamics="hamiltonian", random_state=0)
    emlp = EMLPRegressor("O2eR3", "4V", "4V", **common).fit(X, y)
    mlp = EMLPRegressor("O2eR3", "4V", "4V", architecture="mlp", **common).fit(X, y)
    return emlp, mlp, X


def test_a_hamiltonian_emlp_has_an_invariant_energy_and_an_equivariant_field(hamiltonians):
    emlp, _, X = hamiltonians
    energy = emlp.hamiltonian(X[:50])
    for g in get_group("O2eR3").samples(5, random_state=3):
        assert np.allclose(emlp.hamiltonian(_move(X[:50], g)), energy, rtol=1e-5, atol=1e-5)
    assert emlp.equivariance_error(X[:50]) < 1e-5
    assert emlp.equivariance_error(X[:50], group="DkeR3(6)") < 1e-5  # a subgroup


def test_the_o2_model_conserves_angular_momentum_better_than_the_mlp(hamiltonians, trajectories):
    emlp, mlp, _ = hamiltonians
    states, times = trajectories
    z0, t = states[:3, 0], times[:30]
    drift = {}
    for name, model in (("emlp", emlp), ("mlp", mlp)):
        path = integrate(model, z0, t)
        momentum = spring_pendulum_angular_momentum(path)
        drift[name] = np.abs(momentum - momentum[:, :1]).max()
    assert drift["emlp"] < 1e-3 and drift["emlp"] < drift["mlp"] / 10, drift


def test_neural_ode_emlps_and_rollout_errors(trajectories):
    states, times = trajectories
    X, y = derivative_pairs(states[:, ::3], vector_field=spring_pendulum_vector_field)
    ode = EMLPRegressor("SO2eR3", "4V", "4V", dynamics="ode", hidden=32, n_layers=2,
                        max_epochs=30, batch_size=64, random_state=0).fit(X, y)
    assert ode.equivariance_error(X[:20]) < 1e-5
    path = integrate(ode, states[:4, 0], times[:20])
    error = relative_rollout_error(path, states[:4, :20])
    assert 0 < error < 0.5
    assert np.allclose(integrate(ode, states[:4, 0], times[:20], solver="torchdiffeq"), path,
                       atol=1e-3)
    assert relative_rollout_error(states, states) == pytest.approx(1e-7)


def test_dynamics_settings_that_cannot_work():
    states, _ = make_spring_pendulum(2, t_max=1.0, n_steps=5, random_state=0)
    X, y = derivative_pairs(states, vector_field=spring_pendulum_vector_field)
    with pytest.raises(ValueError, match="rep_out equal to rep_in"):
        EMLPRegressor("O2eR3", "4V", "S", dynamics="ode", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="odd number of coordinates"):
        EMLPRegressor("O2eR3", "3V", "3V", dynamics="hamiltonian", max_epochs=1).fit(
            X[:, :9], y[:, :9])


def test_hamiltonian_needs_a_hamiltonian_model(hamiltonians, trajectories):
    _, _, X = hamiltonians
    states, _ = trajectories
    X2, y2 = derivative_pairs(states[:2, :5], vector_field=spring_pendulum_vector_field)
    ode = EMLPRegressor("O2eR3", "4V", "4V", dynamics="ode", hidden=16, n_layers=1,
                        max_epochs=1).fit(X2, y2)
    with pytest.raises(ValueError, match="needs dynamics='hamiltonian'"):
        ode.hamiltonian(X[:2])
    torch.manual_seed(0)


class _Blowup:
    """dz/dt = (z0^2, -z1): z0 = 1 blows up at t = 1, z0 = -1 decays as -1 / (1 + t)."""

    def predict(self, z):
        return np.stack([z[:, 0] ** 2, -z[:, 1]], axis=1)


@pytest.mark.parametrize("solver", ["scipy", "torchdiffeq"])
def test_a_diverging_rollout_is_inf_and_leaves_the_others_exact(solver):
    t = np.linspace(0, 3, 31)
    z0 = np.array([[1.0, 1.0], [-1.0, 1.0], [-0.5, 2.0]])
    with pytest.warns(UserWarning, match="1 of 3 rollouts left every bound"):
        path = integrate(_Blowup(), z0, t, solver=solver, rtol=1e-8, atol=1e-8)
    assert np.isinf(path[0, t > 1.0]).all() and np.isfinite(path[0, t < 0.9]).all()
    for row, a in ((1, -1.0), (2, -0.5)):
        exact = np.stack([a / (1 - a * t), z0[row, 1] * np.exp(-t)], axis=1)
        assert np.allclose(path[row], exact, atol=1e-5)
    gone = path[0, t > 1.0]
    assert relative_rollout_error(gone, np.ones_like(gone)) == 1.0  # the largest error


class _Decay:
    """dz/dt = (-z0, 0): the second coordinate is a label that stays put."""

    def predict(self, z):
        return np.stack([-z[:, 0], np.zeros(len(z))], axis=1)


def test_a_rollout_the_solver_cannot_follow_is_lost_alone(monkeypatch):
    """solve_ivp stopping early on a batch with one bad rollout: the others still finish."""
    import scipy.integrate

    real = scipy.integrate.solve_ivp

    def stops_on_the_bad_one(fun, span, y0, t_eval, **kwargs):
        solution = real(fun, span, y0, t_eval=t_eval, **kwargs)
        if (y0.reshape(-1, 2)[:, 1] > 50).any():  # the bad rollout is in this batch
            keep = max(1, len(t_eval) // 2)
            solution.y, solution.status = solution.y[:, :keep], -1
        return solution

    monkeypatch.setattr(scipy.integrate, "solve_ivp", stops_on_the_bad_one)
    t = np.linspace(0, 2, 21)
    z0 = np.array([[1.0, 1.0], [2.0, 100.0], [-1.0, 3.0], [0.5, -2.0]])
    with pytest.warns(UserWarning, match="1 of 4 rollouts left every bound"):
        path = integrate(_Decay(), z0, t, rtol=1e-9, atol=1e-9)
    good = [0, 2, 3]
    assert np.allclose(path[good, :, 0], z0[good, :1] * np.exp(-t), atol=1e-6)
    assert np.allclose(path[good, :, 1], z0[good, 1:])
    lost = np.isinf(path[1]).all(-1)
    assert lost[-1] and not lost[:11].any()  # followed past the batch's stop, then lost
    assert np.array_equal(lost, np.logical_or.accumulate(lost))
