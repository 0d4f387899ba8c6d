"""Forecasting dynamics with skequi's estimators: training pairs, rollouts, RMSE.

Frames are ``(n_simulations, n_frames, 2, H, W)`` velocity fields (see
:func:`skequi.datasets.make_plumes`); a model maps ``history`` frames to the
next ``horizon`` frames, all as vector channels in ``(u, v)`` pairs, so a
``field="vector"`` estimator turns them with the group.
"""

from ._forecasting import PAPER_SPLITS, forecast_rmse, forecasting_pairs, rollout, scaled_splits

__all__ = ["PAPER_SPLITS", "forecast_rmse", "forecasting_pairs", "rollout", "scaled_splits"]
