"""Learning and integrating vector fields: derivative pairs, rollouts, the rollout error."""

from __future__ import annotations

import numpy as np

__all__ = ["derivative_pairs", "integrate", "relative_rollout_error"]

#: ODE solvers for :func:`integrate`.
SOLVERS = ("scipy", "torchdiffeq")
#: A rollout whose states grow past this many times its start has diverged.
_DIVERGED = 1e4


def derivative_pairs(states, times=None, *, vector_field=None):
    """Training pairs ``(z, dz/dt)`` from trajectories.

    Parameters
    ----------
    states : array of shape (n_trajectories, n_steps, d)
    times : array of shape (n_steps,), optional
        Needed for finite differences.
    vector_field : callable ``(..., d) -> (..., d)``, optional
        The exact time derivative (e.g.
        :func:`~skequi.datasets.spring_pendulum_vector_field`); without it the
        derivative comes from second-order finite differences along each
        trajectory (central inside, one-sided at the ends, ``numpy.gradient``).

    Returns
    -------
    X : ndarray of shape (n_trajectories * n_steps, d)
        States.
    y : ndarray of shape (n_trajectories * n_steps, d)
        Their time derivatives.

    Raises
    ------
    ValueError
        For states that are not ``(n, T, d)``, or finite differences without
        times (or with fewer than 3 steps).

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.dynamics import derivative_pairs
    >>> t = np.linspace(0, 1, 50)
    >>> states = np.stack([np.sin(t), np.cos(t)], axis=-1)[None]  # a harmonic oscillator
    >>> X, y = derivative_pairs(states, t)
    >>> X.shape, bool(np.allclose(y[10], [np.cos(t[10]), -np.sin(t[10])], atol=1e-3))
    ((50, 2), True)
    """
    states = np.asarray(states, dtype=float)
    if states.ndim != 3:
        raise ValueError(f"states must be (n_trajectories, n_steps, d), got shape {states.shape}")
    d = states.shape[-1]
    if vector_field is not None:
        derivatives = np.asarray(vector_field(states), dtype=float)
    else:
        if times is None or states.shape[1] < 3:
            raise ValueError("finite differences need the times and at least 3 steps; or pass "
                             "vector_field= for exact derivatives")
        derivatives = np.gradient(states, np.asarray(times, dtype=float), axis=1, edge_order=2)
    return states.reshape(-1, d), derivatives.reshape(-1, d)


def _vector_field(estimator):
    """``f(z)`` of a fitted regressor of ``dz/dt`` (numpy in, numpy out)."""
    return lambda z: np.asarray(estimator.predict(z), dtype=float).reshape(z.shape)


def integrate(estimator, z0, t, *, solver: str = "scipy", rtol: float = 1e-6,
              atol: float = 1e-6) -> np.ndarray:
    """Roll a learned vector field out from ``z0``: ``dz/dt = f(z)``, f the estimator.

    Parameters
    ----------
    estimator : fitted regressor
        Its ``predict`` maps states ``(n, d)`` to time derivatives ``(n, d)``:
        ``EMLPRegressor(..., dynamics="ode" | "hamiltonian")`` or any other.
    z0 : array of shape (n, d) or (d,)
    t : array of shape (n_times,)
        Increasing times; ``t[0]`` is the time of ``z0``.
    solver : {"scipy", "torchdiffeq"}, default="scipy"
        ``"scipy"``: ``solve_ivp`` (RK45) on the whole batch as one system,
        calling ``predict`` once per stage. ``"torchdiffeq"``: its ``dopri5``
        on torch tensors (needs ``pip install "skequi[ode]"``).
        ``benchmarks/bench_dynamics.py`` times both.
    rtol, atol : float, default=1e-6

    Returns
    -------
    ndarray of shape (n, n_times, d)
        A rollout that blows up (states past 1e4 times the largest initial
        value), or that the solver cannot follow on its own, is inf from
        then on, with a warning; the others are unaffected.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skequi.dynamics import integrate
    >>> z = np.random.default_rng(0).normal(size=(50, 2))
    >>> turning = LinearRegression(fit_intercept=False).fit(z, z @ np.array([[0, 1], [-1, 0]]))
    >>> path = integrate(turning, [1.0, 0.0], np.linspace(0, np.pi / 2, 3))
    >>> (np.round(path[-1], 4) + 0.0).tolist()  # a quarter turn, counter-clockwise
    [0.0, 1.0]
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    z0 = np.asarray(z0, dtype=float)
    single = z0.ndim == 1
    z0 = z0[None] if single else z0
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or len(t) < 1 or np.any(np.diff(t) <= 0):
        raise ValueError("t must be a 1-d array of increasing times")
    n, d = z0.shape
    field = _vector_field(estimator)
    bound = _DIVERGED * max(1.0, float(np.abs(z0).max()))

    def safe_field(z):
        # a rollout past the bound is frozen there (the model refuses inf/NaN inputs), so
        # it neither stops the others nor forces the shared step size down
        out = np.zeros_like(z)
        ok = np.isfinite(z).all(1) & (np.abs(z).max(1) < bound)
        if ok.any():
            out[ok] = np.nan_to_num(field(z[ok]), nan=0.0, posinf=bound, neginf=-bound)
        return out

    if len(t) == 1:
        path = z0[:, None]
    elif solver == "scipy":
        path = _solve_scipy(safe_field, z0, t, rtol, atol)
    else:
        try:
            import torchdiffeq  # noqa: F401
        except ImportError:
            raise ImportError("solver='torchdiffeq' needs torchdiffeq: pip install 'skequi[ode]'") \
                from None
        path = _solve_torchdiffeq(safe_field, z0, t, rtol, atol)
    # from the first state past the bound on, a rollout is inf
    escaped = ~np.isfinite(path).all(-1) | (np.abs(np.nan_to_num(path, posinf=np.inf)).max(-1)
                                             >= bound)
    escaped = np.logical_or.accumulate(escaped, axis=1)
    diverged = escaped.any(1)
    if diverged.any():
        import warnings

        path[escaped] = np.inf
        warnings.warn(f"{int(diverged.sum())} of {n} rollouts left every bound (|z| > "
                      f"{bound:.3g}) or could not be followed by the solver; their states "
                      "from then on are inf, which "
                      "relative_rollout_error counts as the largest error, 1",
                      UserWarning, stacklevel=2)
    return path[0] if single else path


def _solve_scipy(field, z0, t, rtol, atol) -> np.ndarray:
    """RK45 on the batch as one system; where it stops early, each half goes on alone.

    One stiff rollout forces the shared step size down until ``solve_ivp``
    gives up, which would lose every rollout from then on: the halves are
    solved on from the last time reached, recursively, so only the rollouts
    that fail on their own are lost (inf from the time they stop).
    """
    from scipy.integrate import solve_ivp

    n, d = z0.shape

    def rhs(_, flat):
        return field(flat.reshape(-1, d)).ravel()

    with np.errstate(invalid="ignore", over="ignore"):  # a diverging field: see integrate
        solution = solve_ivp(rhs, (t[0], t[-1]), z0.ravel(), t_eval=t, rtol=rtol, atol=atol)
    path = np.full((n, len(t), d), np.inf)
    reached = solution.y.shape[1]  # all of t unless the solver gave up
    path[:, :reached] = solution.y.reshape(n, d, reached).transpose(0, 2, 1)
    if reached < len(t) and n > 1:
        start, half = reached - 1, n // 2
        for part in (slice(0, half), slice(half, None)):
            path[part, start:] = _solve_scipy(field, path[part, start], t[start:], rtol, atol)
    return path


def _solve_torchdiffeq(field, z0, t, rtol, atol) -> np.ndarray:
    """torchdiffeq's dopri5 on the batch; where it breaks down, each half is solved alone."""
    import torch
    from torchdiffeq import odeint

    def rhs(_, z):
        return torch.as_tensor(field(z.detach().cpu().numpy()), dtype=z.dtype)

    try:
        return odeint(rhs, torch.as_tensor(z0), torch.as_tensor(t), rtol=rtol, atol=atol,
                      method="dopri5").numpy().transpose(1, 0, 2)
    except AssertionError:  # torchdiffeq asserts finite steps: the solve broke down
        if len(z0) == 1:
            return np.full((1, len(t), z0.shape[1]), np.inf)
        half = len(z0) // 2
        return np.concatenate([_solve_torchdiffeq(field, z0[:half], t, rtol, atol),
                               _solve_torchdiffeq(field, z0[half:], t, rtol, atol)])


def relative_rollout_error(pred, true, *, per_trajectory: bool = False):
    """The EMLP paper's rollout error: the geometric mean over time of the relative error.

    At every time, ``err = rms(pred - true) / (rms(pred) + rms(true))`` over
    the state's coordinates (the authors' ``rel_err``, clamped at 1e-7); the
    result is the geometric mean over times and trajectories, ``exp(mean(log
    err))``, as their ``log_rollout_error`` reports.

    Parameters
    ----------
    pred, true : array of shape (n_trajectories, n_times, d) or (n_times, d)
    per_trajectory : bool, default=False
        One geometric mean (over time) per trajectory instead.

    Returns
    -------
    float or ndarray of shape (n_trajectories,)

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.dynamics import relative_rollout_error
    >>> true = np.ones((1, 4, 3))
    >>> round(relative_rollout_error(1.1 * true, true), 4)  # 0.1 / 2.1 at every time
    0.0476
    """
    pred, true = np.asarray(pred, dtype=float), np.asarray(true, dtype=float)
    if pred.shape != true.shape or pred.ndim not in (2, 3):
        raise ValueError(f"pred and true must both be (n, T, d) or (T, d); got {pred.shape} "
                         f"and {true.shape}")
    if pred.ndim == 2:
        pred, true = pred[None], true[None]

    def rms(a):
        return np.sqrt((a ** 2).mean(-1))

    finite = np.isfinite(pred).all(-1)
    safe = np.where(finite[..., None], pred, 0.0)
    errors = rms(safe - true) / np.maximum(rms(safe) + rms(true), 1e-300)
    errors = np.where(finite, errors, 1.0)  # a diverged state: the limit of the ratio
    logs = np.log(np.clip(errors, 1e-7, None))
    if per_trajectory:
        return np.exp(logs.mean(1))
    return float(np.exp(logs.mean()))
