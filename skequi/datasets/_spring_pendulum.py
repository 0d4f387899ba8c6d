"""The double spring pendulum of the EMLP paper: two masses on springs in 3-D, under gravity.

The EMLP authors' ``DoubleSpringPendulum`` (``experiments/trainer/
hamiltonian_dynamics.py`` in mfinzi/equivariant-MLP), with their settings:
masses, spring constants and rest lengths 1, gravity g = 1 along -z, and the
Hamiltonian, term for term (note the second spring has no factor 1/2 in
their code),

    H = |p1|^2 / 2 + |p2|^2 / 2 + (|x1| - 1)^2 / 2 + (|x1 - x2| - 1)^2 + z1 + z2.

The first mass hangs from a fixed point at the origin, the second from the
first. The state is ``z = (x1, x2, p1, p2)`` (12 numbers, as ``"4V"``);
rotations about z and reflections through vertical planes (O(2)) leave H
unchanged, so the angular momentum about z is conserved (a rotation) and the
flow commutes with O(2). Initial conditions as theirs: ``x1 = (0, 0, -1.5) +
0.2 N(0, I)``, ``x2 = (0, 0, -3) + 0.2 N(0, I)``, ``p = 0.4 N(0, I_6)``.

Their trajectories come from JAX's ``odeint`` at ``rtol=1e-4``; here scipy's
``solve_ivp`` (DOP853) integrates at ``rtol = atol = 1e-11``, so H and the
angular momentum are conserved to about 1e-9 over 30 time units.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "make_spring_pendulum",
    "spring_pendulum_angular_momentum",
    "spring_pendulum_hamiltonian",
    "spring_pendulum_vector_field",
]

_G, _M, _K1, _K2, _L1, _L2 = 1.0, 1.0, 1.0, 1.0, 1.0, 1.0


def _parts(states):
    z = np.asarray(states, dtype=float)
    if z.shape[-1] != 12:
        raise ValueError(f"spring pendulum states have 12 numbers (x1, x2, p1, p2), got shape "
                         f"{z.shape}")
    return z[..., 0:3], z[..., 3:6], z[..., 6:9], z[..., 9:12]


def spring_pendulum_hamiltonian(states) -> np.ndarray:
    """The energy H of states ``(..., 12)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import spring_pendulum_hamiltonian
    >>> rest = np.array([0, 0, -1.0, 0, 0, -2.0] + [0.0] * 6)  # both springs at rest length
    >>> float(spring_pendulum_hamiltonian(rest))
    -3.0
    """
    x1, x2, p1, p2 = _parts(states)
    kinetic = 0.5 * (p1 ** 2).sum(-1) / _M + 0.5 * (p2 ** 2).sum(-1) / _M
    potential = 0.5 * _K1 * (np.linalg.norm(x1, axis=-1) - _L1) ** 2
    potential = potential + _K2 * (np.linalg.norm(x1 - x2, axis=-1) - _L2) ** 2
    potential = potential + _M * _G * x1[..., 2] + _M * _G * x2[..., 2]
    return kinetic + potential


def spring_pendulum_angular_momentum(states) -> np.ndarray:
    """Angular momentum about the z axis, ``sum_i (x_i x p_i)_z``, of states ``(..., 12)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import spring_pendulum_angular_momentum
    >>> z = np.zeros(12); z[0], z[7] = 1.0, 2.0  # x1 along x, p1 along y
    >>> float(spring_pendulum_angular_momentum(z))
    2.0
    """
    x1, x2, p1, p2 = _parts(states)
    return (x1[..., 0] * p1[..., 1] - x1[..., 1] * p1[..., 0]
            + x2[..., 0] * p2[..., 1] - x2[..., 1] * p2[..., 0])


def spring_pendulum_vector_field(states) -> np.ndarray:
    """The exact time derivative ``dz/dt = J grad H(z)`` of states ``(..., 12)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import spring_pendulum_vector_field
    >>> rest = np.array([0, 0, -1.0, 0, 0, -2.0] + [0.0] * 6)
    >>> (spring_pendulum_vector_field(rest)[6:] + 0.0).tolist()  # gravity alone pulls down
    [0.0, 0.0, -1.0, 0.0, 0.0, -1.0]
    """
    x1, x2, p1, p2 = _parts(states)
    r1 = np.linalg.norm(x1, axis=-1, keepdims=True)
    d = x1 - x2
    r12 = np.linalg.norm(d, axis=-1, keepdims=True)
    gravity = np.array([0.0, 0.0, _M * _G])
    grad_x1 = _K1 * (r1 - _L1) * x1 / r1 + 2 * _K2 * (r12 - _L2) * d / r12 + gravity
    grad_x2 = -2 * _K2 * (r12 - _L2) * d / r12 + gravity
    return np.concatenate([p1 / _M, p2 / _M, -grad_x1, -grad_x2], axis=-1)


def make_spring_pendulum(n_trajectories: int = 100, *, t_max: float = 30.0, n_steps: int = 150,
                         random_state=None, rtol: float = 1e-11):
    """Trajectories of the double spring pendulum (EMLP paper, Finzi et al. 2021, Table 1).

    Parameters
    ----------
    n_trajectories : int, default=100
    t_max : float, default=30.0
        Integration time: the authors' ``integration_time=30``.
    n_steps : int, default=150
        States per trajectory, at ``times[k] = k * t_max / n_steps`` (the
        authors' ``dt = 0.2``).
    random_state : int or None, default=None
        Draws the initial conditions (see the module docstring).
    rtol : float, default=1e-11
        Relative and absolute tolerance of ``solve_ivp`` (DOP853).

    Returns
    -------
    states : ndarray of shape (n_trajectories, n_steps, 12)
        ``(x1, x2, p1, p2)`` at every time: group ``"O2eR3"`` acting as ``"4V"``.
    times : ndarray of shape (n_steps,)

    Examples
    --------
    >>> from skequi.datasets import make_spring_pendulum, spring_pendulum_hamiltonian
    >>> states, times = make_spring_pendulum(2, t_max=3.0, n_steps=30, random_state=0)
    >>> states.shape, times[:3].tolist()
    ((2, 30, 12), [0.0, 0.1, 0.2])
    >>> energy = spring_pendulum_hamiltonian(states)
    >>> bool(abs(energy - energy[:, :1]).max() < 1e-8)
    True
    """
    from scipy.integrate import solve_ivp

    for name, value, low in (("n_trajectories", n_trajectories, 1), ("n_steps", n_steps, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not t_max > 0:
        raise ValueError(f"t_max must be > 0, got {t_max!r}")
    rng = np.random.default_rng(random_state)
    n = int(n_trajectories)
    x1 = np.array([0.0, 0.0, -1.5]) + 0.2 * rng.normal(size=(n, 3))
    x2 = np.array([0.0, 0.0, -3.0]) + 0.2 * rng.normal(size=(n, 3))
    p = 0.4 * rng.normal(size=(n, 6))
    z0 = np.concatenate([x1, x2, p], axis=1)
    times = np.arange(int(n_steps)) * (float(t_max) / int(n_steps))

    def rhs(t, flat):
        return spring_pendulum_vector_field(flat.reshape(n, 12)).ravel()

    solution = solve_ivp(rhs, (0.0, times[-1]), z0.ravel(), method="DOP853", t_eval=times,
                         rtol=rtol, atol=rtol)
    if not solution.success:  # not expected for these smooth dynamics
        raise RuntimeError(f"the spring pendulum integration failed: {solution.message}")
    states = solution.y.reshape(n, 12, len(times)).transpose(0, 2, 1)
    return np.ascontiguousarray(states), times
