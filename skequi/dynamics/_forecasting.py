"""Training pairs from simulated frames, autoregressive rollouts and Wang et al.'s RMSE."""

from __future__ import annotations

import numpy as np

__all__ = ["PAPER_SPLITS", "forecast_rmse", "forecasting_pairs", "rollout", "scaled_splits",
           "split_windows"]

#: Wang et al.'s splits: the window offsets ``t`` in [start, stop) of training,
#: validation and future-test windows of the training simulations, and of the
#: domain-test windows of held-out ones. Window ``t`` reads frames
#: ``[t + mid - history, t + mid)`` and forecasts from frame ``t + mid`` on
#: (:func:`split_windows`).
PAPER_SPLITS = {"train": (0, 160), "valid": (160, 200), "future": (200, 250), "domain": (0, 100)}


def split_windows(frames, split: str, *, history: int = 10, horizon: int = 1,
                  mid: int | None = None, stride: int = 1):
    """Every window of one of Wang et al.'s splits, as their data loader reads it.

    For each offset ``t`` of ``PAPER_SPLITS[split]`` (every ``stride``-th),
    the input is frames ``[t + mid - history, t + mid)`` and the target the
    next ``horizon`` frames, with ``mid = history + 2`` as in their code
    (so the domain test's targets start at frame 12). The future test with
    20-step targets reads up to frame 280: simulations need 281 frames.

    Parameters
    ----------
    frames : array of shape (n_simulations, n_frames, 2, H, W)
    split : {"train", "valid", "future", "domain"}
    history : int, default=10
    horizon : int, default=1
    mid : int, optional
        Default ``history + 2``.
    stride : int, default=1
        Every ``stride``-th offset (to thin training windows; the papers
        test on every window).

    Returns
    -------
    X : ndarray of shape (n_simulations * n_windows, 2 * history, H, W)
        Windows of each simulation in turn, offsets in order.
    y : ndarray of shape (n_simulations * n_windows, horizon, 2, H, W)
        Target frames (unstacked, as :func:`forecast_rmse` and
        :func:`rollout` use them).

    Raises
    ------
    ValueError
        If the split is unknown or the simulations are too short.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.dynamics import split_windows
    >>> frames = np.zeros((2, 282, 2, 4, 4), dtype=np.float32)
    >>> X, y = split_windows(frames, "future", horizon=20)
    >>> X.shape, y.shape  # 50 windows of each simulation
    ((100, 20, 4, 4), (100, 20, 2, 4, 4))
    """
    frames = _check_frames(frames)
    if split not in PAPER_SPLITS:
        raise ValueError(f"split must be one of {sorted(PAPER_SPLITS)}, got {split!r}")
    for name, value in (("history", history), ("horizon", horizon), ("stride", stride)):
        if int(value) < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")
    mid = int(history) + 2 if mid is None else int(mid)
    if mid < history:
        raise ValueError(f"mid must be >= history={history}, got {mid}")
    start, stop = PAPER_SPLITS[split]
    offsets = np.arange(start, stop, int(stride))
    needed = int(offsets[-1]) + mid + int(horizon)
    n_sims, n_frames = frames.shape[:2]
    if n_frames < needed:
        raise ValueError(
            f"the {split!r} split with horizon {horizon} reads frames up to {needed - 1}: the "
            f"simulations need at least {needed} frames, they have {n_frames}")
    inputs = (offsets + mid - history)[:, None] + np.arange(history)
    targets = (offsets + mid)[:, None] + np.arange(horizon)
    height, width = frames.shape[-2:]
    X = frames[:, inputs].reshape(n_sims * len(offsets), 2 * history, height, width)
    y = frames[:, targets].reshape(n_sims * len(offsets), int(horizon), 2, height, width)
    return np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=np.float32)


def scaled_splits(n_frames: int) -> dict:
    """:data:`PAPER_SPLITS` scaled from 250 frames to ``n_frames``, for short demos.

    This compresses the time axis, not the physics: the scaled future test
    falls on a calmer stretch of the flow than Wang et al.'s, so numbers on
    it are not comparable to theirs; :func:`split_windows` on simulations of
    at least 281 frames reproduces their splits.

    Examples
    --------
    >>> from skequi.dynamics import scaled_splits
    >>> scaled_splits(100)
    {'train': (0, 64), 'valid': (64, 80), 'future': (80, 100), 'domain': (0, 40)}
    """
    return {name: (round(start * n_frames / 250), round(stop * n_frames / 250))
            for name, (start, stop) in PAPER_SPLITS.items()}


def _check_frames(frames, name: str = "frames") -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 5 or frames.shape[2] != 2:
        raise ValueError(
            f"{name} must be (n_simulations, n_frames, 2, H, W) velocity fields, got shape "
            f"{frames.shape}"
        )
    return frames


def forecasting_pairs(frames, history: int = 10, horizon: int = 1, start=None, stop=None):
    """Sliding windows: ``history`` frames as input, the next ``horizon`` as target.

    Every window lies inside the frame range ``[start, stop)`` of each
    simulation (its input and its targets), so pairs from the paper's splits
    (:data:`PAPER_SPLITS`) never cross a boundary.

    Parameters
    ----------
    frames : array of shape (n_simulations, n_frames, 2, H, W)
    history : int, default=10
    horizon : int, default=1
    start, stop : int, optional
        Frame range (default: all frames).

    Returns
    -------
    X : ndarray of shape (n_pairs, 2 * history, H, W)
        Frames concatenated along channels, ``(u, v)`` pairs in time order.
    y : ndarray of shape (n_pairs, 2 * horizon, H, W)

    Raises
    ------
    ValueError
        If the range holds no window.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.dynamics import forecasting_pairs
    >>> frames = np.zeros((3, 30, 2, 8, 8))
    >>> X, y = forecasting_pairs(frames, history=10, horizon=2, start=0, stop=20)
    >>> X.shape, y.shape  # 9 windows in 20 frames, for each of 3 simulations
    ((27, 20, 8, 8), (27, 4, 8, 8))
    """
    frames = _check_frames(frames)
    n_sims, n_frames = frames.shape[:2]
    start = 0 if start is None else int(start)
    stop = n_frames if stop is None else int(stop)
    if history < 1 or horizon < 1:
        raise ValueError(f"history and horizon must be >= 1, got {history} and {horizon}")
    if not 0 <= start < stop <= n_frames:
        raise ValueError(f"need 0 <= start < stop <= n_frames={n_frames}, got [{start}, {stop})")
    span = history + horizon
    if stop - start < span:
        raise ValueError(
            f"frames [{start}, {stop}) hold no window of history {history} + horizon {horizon}"
        )
    height, width = frames.shape[-2:]
    inputs, targets = [], []
    for t in range(start, stop - span + 1):
        inputs.append(frames[:, t:t + history].reshape(n_sims, 2 * history, height, width))
        targets.append(frames[:, t + history:t + span].reshape(n_sims, 2 * horizon, height,
                                                                 width))
    X = np.stack(inputs, axis=1).reshape(-1, 2 * history, height, width)
    y = np.stack(targets, axis=1).reshape(-1, 2 * horizon, height, width)
    return np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=np.float32)


def rollout(estimator, history, n_steps: int) -> np.ndarray:
    """Forecast ``n_steps`` frames autoregressively, feeding predictions back.

    The estimator maps ``k`` frames (``2k`` channels) to ``h`` frames; each
    step predicts ``h`` frames, appends them and slides the window, until
    ``n_steps`` frames are predicted.

    Parameters
    ----------
    estimator : fitted regressor
        Its ``predict`` takes ``(n, 2k, H, W)`` and returns ``(n, 2h, H, W)``
        (GMCNNRegressor with field targets, LatentEquivariantRegressor).
    history : array of shape (n, k, 2, H, W)
        The last ``k`` observed frames of each sample.
    n_steps : int

    Returns
    -------
    ndarray of shape (n, n_steps, 2, H, W)

    Examples
    --------
    >>> import numpy as np
    >>> from skequi import GMCNNRegressor
    >>> from skequi.dynamics import forecasting_pairs, rollout
    >>> frames = np.random.default_rng(0).normal(size=(2, 8, 2, 8, 8)).astype(np.float32)
    >>> X, y = forecasting_pairs(frames, history=2, horizon=1)
    >>> reg = GMCNNRegressor("C4", field="vector", channels=(2,), max_epochs=1,
    ...                      random_state=0).fit(X, y)
    >>> rollout(reg, frames[:, :2], n_steps=3).shape
    (2, 3, 2, 8, 8)
    """
    history = np.asarray(history, dtype=np.float32)
    if history.ndim != 5 or history.shape[2] != 2:
        raise ValueError(
            f"history must be (n, k, 2, H, W) velocity fields, got shape {history.shape}")
    if int(n_steps) < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps!r}")
    n, k, _, height, width = history.shape
    window = history.reshape(n, 2 * k, height, width)
    predicted = []
    total = 0
    while total < n_steps:
        out = np.asarray(estimator.predict(window), dtype=np.float32)
        if out.ndim != 4 or out.shape[1] % 2 or out.shape[2:] != (height, width):
            raise ValueError(
                f"the estimator must predict (n, 2h, {height}, {width}) frames from (n, 2k, "
                f"{height}, {width}); it returned shape {out.shape}"
            )
        predicted.append(out)
        total += out.shape[1] // 2
        window = np.concatenate([window, out], axis=1)[:, -2 * k:]
    frames = np.concatenate(predicted, axis=1).reshape(n, -1, 2, height, width)
    return frames[:, :n_steps]


def forecast_rmse(y_true, y_pred, *, per_step: bool = False):
    """Wang et al.'s forecast RMSE: the MSE of each step averaged over steps, then the root.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n, n_steps, ...)
    per_step : bool, default=False
        Also return the RMSE of each step.

    Returns
    -------
    float, or (float, ndarray of shape (n_steps,))

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.dynamics import forecast_rmse
    >>> y = np.zeros((2, 2, 1))
    >>> forecast_rmse(y, y + np.array([[[1.0], [3.0]], [[1.0], [3.0]]]))  # sqrt((1 + 9) / 2)
    2.23606797749979
    """
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.ndim < 2:
        raise ValueError(
            f"y_true and y_pred must have the same shape (n, n_steps, ...), got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    axes = (0,) + tuple(range(2, y_true.ndim))
    step_mse = ((y_true - y_pred) ** 2).mean(axis=axes)
    rmse = float(np.sqrt(step_mse.mean()))
    return (rmse, np.sqrt(step_mse)) if per_step else rmse
