"""Dynamics with skequi's estimators.

Fields: frames are ``(n_simulations, n_frames, 2, H, W)`` velocity fields (see
:func:`skequi.datasets.make_plumes`); a model maps ``history`` frames to the
next ``horizon`` frames, all as vector channels in ``(u, v)`` pairs, so a
``field="vector"`` estimator turns them with the group.

Vector fields of ODEs: a regressor learns ``dz/dt`` from ``derivative_pairs``
(``EMLPRegressor(..., dynamics="ode" | "hamiltonian")``), ``integrate`` rolls it
out, ``relative_rollout_error`` scores the rollout as the EMLP paper does.
"""

from ._forecasting import (PAPER_SPLITS, forecast_rmse, forecasting_pairs, rollout, scaled_splits,
                           split_windows)
from ._ode import derivative_pairs, integrate, relative_rollout_error

__all__ = [
    "PAPER_SPLITS",
    "derivative_pairs",
    "forecast_rmse",
    "forecasting_pairs",
    "integrate",
    "relative_rollout_error",
    "rollout",
    "scaled_splits",
    "split_windows",
]
