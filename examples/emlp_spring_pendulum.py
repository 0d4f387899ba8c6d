"""Learning the double spring pendulum: an O(2)-equivariant Hamiltonian network vs a plain MLP.

The pendulum (two masses on springs, gravity along -z) is symmetric under
rotations and reflections about the z axis, so its Hamiltonian is O(2)-invariant
and its vector field O(2)-equivariant. Each model learns the vector field from
(state, derivative) pairs, then is rolled out from held-out initial states with
an ODE solver; the score is the paper's relative rollout error, and the
Hamiltonian network's angular momentum about z shows what the symmetry buys.

Run: python examples/emlp_spring_pendulum.py   (about 45 s on 2 CPU cores)
"""

import os

import numpy as np

from skequi import EMLPRegressor
from skequi.datasets import (
    make_spring_pendulum,
    spring_pendulum_angular_momentum,
    spring_pendulum_vector_field,
)
from skequi.dynamics import derivative_pairs, integrate, relative_rollout_error

QUICK = os.environ.get("SKEQUI_EXAMPLE_QUICK") == "1"  # tiny settings for the test suite
N_TRAIN, EPOCHS, HIDDEN, T_MAX = (20, 2, 16, 2.0) if QUICK else (200, 60, 64, 10.0)

states, times = make_spring_pendulum(N_TRAIN + 10, t_max=T_MAX, n_steps=int(T_MAX / 0.2),
                                     random_state=0)
X, y = derivative_pairs(states[:N_TRAIN, :10], vector_field=spring_pendulum_vector_field)
test = states[N_TRAIN:]

for name, params in [
    ("EMLP O(2), Hamiltonian", dict(architecture="emlp", dynamics="hamiltonian")),
    ("EMLP O(2), neural ODE", dict(architecture="emlp", dynamics="ode")),
    ("MLP, neural ODE", dict(architecture="mlp", dynamics="ode")),
]:
    model = EMLPRegressor("O2eR3", "4V", "4V", hidden=HIDDEN, n_layers=3, lr=3e-3,
                          batch_size=250, max_epochs=EPOCHS, random_state=0, **params)
    model.fit(X, y)
    rollout = integrate(model, test[:, 0], times, rtol=1e-4, atol=1e-4)
    momentum = spring_pendulum_angular_momentum(rollout)
    drift = np.abs(momentum - momentum[:, :1]).max()
    print(f"{name:<24} rollout error {relative_rollout_error(rollout, test):.3f}   "
          f"max |L_z(t) - L_z(0)| {drift:.1e}   {model.n_params_:,} parameters")
