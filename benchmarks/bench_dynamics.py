"""The EMLP paper's Table 1: neural ODEs and Hamiltonian networks on the double spring pendulum.

Compares, side by side, EMLPs with O(2), SO(2) and D6 symmetry about the z axis
(``"O2eR3"``, ``"SO2eR3"``, ``"DkeR3(6)"``) and a plain MLP, each as a neural ODE
(``dynamics="ode"``) and as a Hamiltonian network (``dynamics="hamiltonian"``),
by the geometric mean of the relative rollout error over T = 30 (the paper's
metric, ``skequi.dynamics.relative_rollout_error``), with the paper's numbers
beside ours; then how well each conserves the angular momentum about z, and the
ODE solvers' speed on a learned field.

Protocol, after the authors' ``hnn.py`` / ``neuralode.py`` (mfinzi/equivariant-MLP):
their pendulum and initial conditions (``make_spring_pendulum``), 500 training
trajectories of which each gives one random chunk of 5 states 0.2 apart, 3
EMLP layers of 128 channels, Adam at lr 3e-3, batches of 500, 2000 optimizer
steps, rollouts over ``arange(0, 30, 0.2)`` at rtol = atol = 1e-4 from held-out
initial conditions. One difference: they train on short rollouts (the MSE of a
5-state chunk integrated from its first state), we on derivative pairs at the
same states (``derivative_pairs`` with the exact vector field), which needs no
ODE solve in training (2-10x cheaper on a CPU). Fits run in two processes, one
torch thread each. ``--emlp-dense-linear`` trains the EMLPs' linear layers as
the authors do, as dense weights projected onto the equivariant maps
(``bench_emlp.DenseLinearEMLPRegressor``; ours train the basis coefficients).
``--mlp-init authors`` starts the MLP as the authors' objax MLP starts (Xavier-normal
weights, zero bias; ``bench_emlp.authors_init``), not at torch's Linear defaults.
``--train-on rollouts`` trains every model as the authors do, on the chunks
integrated from their first states (:func:`fit_on_rollouts`, needs torchdiffeq),
with the same model, start, standardisation and optimizer.

Usage::

    python benchmarks/bench_dynamics.py --quick     # under 2 minutes on 2 cores
    python benchmarks/bench_dynamics.py             # the CPU protocol, about 40 minutes
    python benchmarks/bench_dynamics.py --seeds 3 --test 500 --device cuda
    python benchmarks/bench_dynamics.py --models "O(2),D6" --dynamics ode   # some rows only
    python benchmarks/bench_dynamics.py --models "O(2),SO(2),D6" --emlp-dense-linear
    python benchmarks/bench_dynamics.py --models MLP --mlp-init authors
    python benchmarks/bench_dynamics.py --dynamics ode --train-on rollouts
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

#: Finzi, Welling, Wilson (ICML 2021), Table 1: rollout error (geometric mean) over T = 30
PAPER = {("ode", "O(2)"): 0.019, ("ode", "SO(2)"): 0.051, ("ode", "D6"): 0.036,
         ("ode", "MLP"): 0.048, ("hamiltonian", "O(2)"): 0.012,
         ("hamiltonian", "SO(2)"): 0.015, ("hamiltonian", "D6"): 0.013,
         ("hamiltonian", "MLP"): 0.028}
GROUPS = {"O(2)": "O2eR3", "SO(2)": "SO2eR3", "D6": "DkeR3(6)", "MLP": "O2eR3"}


def _training_states(states, rng, chunk=5):
    """One random chunk of ``chunk`` consecutive states per trajectory (the authors' data)."""
    n_chunks = states.shape[1] // chunk
    starts = rng.integers(0, n_chunks, size=len(states)) * chunk
    return np.stack([states[i, s:s + chunk] for i, s in enumerate(starts)])


def fit_on_rollouts(est, chunks, *, dt: float, steps: int, vector_field, rtol: float = 1e-4,
                    atol: float = 1.4e-8, max_solver_steps: int = 32) -> tuple[list, int]:
    """Fit ``est`` as the EMLP authors fit their neural ODEs and Hamiltonian networks.

    Their ``IntegratedODETrainer`` / ``IntegratedDynamicsTrainer`` integrate
    each chunk from its first state over the chunk's times and step Adam on
    the mean squared error to the chunk, in raw units (``jax``'s ``odeint``,
    dopri5, at rtol 1e-4 and its default atol 1.4e-8). Here torchdiffeq's
    dopri5 at the same tolerances, differentiated through the solver's steps
    (theirs by the adjoint equations). Everything else is ``est``'s own: the
    module and its start (``est.fit``'s at the same ``random_state``), the
    standardisation (from the chunks' derivative pairs), the optimizer, the
    batch size; ``steps`` optimizer steps over batches of shuffled chunks.

    Parameters
    ----------
    est : EMLPRegressor
        Unfitted, with ``dynamics="ode"`` or ``"hamiltonian"``.
    chunks : array of shape (n_chunks, chunk_len, d)
        States ``dt`` apart.
    dt : float
    steps : int
    vector_field : callable
        The true ``dz/dt``, for the standardisation statistics only.
    rtol, atol : float
    max_solver_steps : int, default=32
        The most dopri5 steps between two of a chunk's times (about 2 are the
        norm here). Differentiating through the solver keeps every step's
        activations, so a field that turns stiff on some chunks would
        otherwise fill the memory (18 GB in one fit); the authors' adjoint
        needs none.

    Returns
    -------
    losses : list of float
        The training loss (MSE over the chunks of the batch) of every step.
    left_out : int
        Chunk-steps left out of their step's loss because the solver could not
        follow them (its step size underflowed, or it took more than
        ``max_solver_steps``, as a stiff or diverging field forces): the
        batch is then solved in halves, recursively, like
        :func:`skequi.dynamics.integrate`, and the chunks that fail alone
        are left out of that step.
    """
    import torch
    from torchdiffeq import odeint

    from skequi.dynamics import derivative_pairs
    from skequi.estimators._randomness import FitRandomness, derive_seed

    X, y = derivative_pairs(chunks, vector_field=vector_field)
    est.fit(X, y, epochs=0)  # est.fit's module, start and standardisation, and no step
    randomness = FitRandomness(derive_seed(est.random_state))  # the shuffles est.fit draws
    module, optimizer = est.module_, est.optimizer_
    parameter = next(module.parameters())
    device, dtype = parameter.device, parameter.dtype
    stats = [torch.as_tensor(np.asarray(est.fit_meta_[key]), dtype=dtype, device=device)
             for key in ("x_shift", "x_scale", "y_shift", "y_scale")]

    def field(_, z):
        x_shift, x_scale, y_shift, y_scale = stats
        return module((z - x_shift) / x_scale) * y_scale + y_shift

    states = torch.as_tensor(np.asarray(chunks), dtype=dtype, device=device)
    times = torch.arange(states.shape[1], dtype=dtype, device=device) * dt

    def squared_errors(batch):
        """Summed squared error of the chunks the solver follows, and how many it follows."""
        try:
            path = odeint(field, batch[:, 0], times, rtol=rtol, atol=atol, method="dopri5",
                          options=dict(max_num_steps=max_solver_steps))
        except AssertionError:  # torchdiffeq: the step size underflowed, or too many steps
            if len(batch) == 1:
                return batch.new_zeros(()), 0
            (first, n_first), (second, n_second) = (squared_errors(part) for part in
                                                    batch.tensor_split(2))
            return first + second, n_first + n_second
        return ((path.transpose(0, 1) - batch) ** 2).sum(), len(batch)

    shuffle = randomness.generator("shuffle")
    losses, left_out, order = [], 0, torch.empty(0, dtype=torch.long)
    module.train()
    for _ in range(steps):
        if len(order) < est.batch_size:  # a new epoch: the chunks reshuffled
            order = torch.randperm(len(states), generator=shuffle)
        batch, order = states[order[:est.batch_size].to(device)], order[est.batch_size:]
        total, followed = squared_errors(batch)
        left_out += len(batch) - followed
        if not followed:
            continue
        loss = total / (followed * batch[0].numel())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    module.eval()
    module.zero_grad(set_to_none=True)
    return losses, left_out


def _run(model, dynamics, seed, args):
    import torch

    from skequi import EMLPRegressor
    from skequi.datasets import (
        make_spring_pendulum,
        spring_pendulum_angular_momentum,
        spring_pendulum_vector_field,
    )
    from skequi.dynamics import derivative_pairs, integrate, relative_rollout_error

    from bench_emlp import (  # beside this script
        AuthorsInitEMLPRegressor,
        DenseLinearEMLPRegressor,
        init_form,
        linear_form,
    )

    torch.set_num_threads(1)
    states, times = make_spring_pendulum(args.train + args.test, t_max=args.t_max,
                                         n_steps=int(round(args.t_max / 0.2)),
                                         random_state=1000 + seed)
    chunks = _training_states(states[:args.train], np.random.default_rng(seed))
    X, y = derivative_pairs(chunks, vector_field=spring_pendulum_vector_field)
    batches = int(np.ceil(len(X) / args.batch))
    dense = args.emlp_dense_linear and model != "MLP"
    authors_start = model == "MLP" and args.mlp_init == "authors"
    estimator = (DenseLinearEMLPRegressor if dense
                 else AuthorsInitEMLPRegressor if authors_start else EMLPRegressor)
    est = estimator(GROUPS[model], "4V", "4V", dynamics=dynamics, hidden=args.hidden,
                        n_layers=3, architecture="mlp" if model == "MLP" else "emlp",
                        lr=3e-3, batch_size=args.batch,
                        max_epochs=max(1, args.steps // batches), device=args.device,
                        random_state=seed)
    start = time.perf_counter()
    if args.train_on == "rollouts":
        loss, left_out = fit_on_rollouts(est, chunks, dt=0.2, steps=args.steps,
                                         vector_field=spring_pendulum_vector_field)
        loss = np.asarray(loss)
    else:
        est.fit(X, y)
        loss, left_out = np.asarray(est.history_[:, "train_loss"]), 0
    fit_seconds = time.perf_counter() - start
    test = states[args.train:]
    start = time.perf_counter()
    path = integrate(est, test[:, 0], times, rtol=1e-4, atol=1e-4)
    roll_seconds = time.perf_counter() - start
    solvers = _time_solvers(est, test[:20, 0], times) if seed == 0 and model == "O(2)" else {}
    errors = relative_rollout_error(path, test, per_trajectory=True)
    # the error at each time (the paper's rel_err), one trajectory-time at a time
    per_time = np.array([[relative_rollout_error(p[None], q[None]) for p, q in zip(a, b)]
                         for a, b in zip(path[:, :, None], test[:, :, None])])
    finite = np.isfinite(path).all(axis=(1, 2))  # integrate marks diverged rollouts inf
    with np.errstate(invalid="ignore"):
        momentum = spring_pendulum_angular_momentum(path[finite])
    return dict(model=model, dynamics=dynamics, seed=seed, n_params=est.n_params_,
                trained_on=args.train_on,
                chunks_left_out=left_out / (args.steps * min(args.batch, args.train)),
                linear=None if model == "MLP" else linear_form(est.module_),
                init=init_form(est.module_) if model == "MLP" else None,
                rollout_error=float(np.exp(np.log(np.clip(errors, 1e-7, None)).mean())),
                diverged=float(1 - finite.mean()),
                momentum_drift=float(np.abs(momentum - momentum[:, :1]).max(1).mean())
                if finite.any() else float("inf"),
                equivariance_error=est.equivariance_error(X[:200], group="O2eR3"),
                final_loss=float(loss[-1]),
                loss_fall_last_fifth=float(1 - loss[-len(loss) // 5:].mean()
                                           / loss[-2 * (len(loss) // 5):-len(loss) // 5].mean())
                if len(loss) >= 10 else float("nan"),
                fit_seconds=fit_seconds, rollout_seconds=roll_seconds, solvers=solvers,
                error_over_time=np.exp(np.log(np.clip(per_time, 1e-7, None)).mean(0)),
                momentum_over_time=np.abs(momentum - momentum[:, :1]).mean(0)
                if finite.any() else np.full(len(times), np.inf), times=times)


def _time_solvers(est, z0, times, rounds: int = 3) -> dict:
    """scipy's solve_ivp against torchdiffeq's dopri5 on a trained field, alternating rounds."""
    from skequi.dynamics import integrate

    timings = {"scipy": [], "torchdiffeq": []}
    for _ in range(rounds):
        for solver in timings:
            start = time.perf_counter()
            integrate(est, z0, times, solver=solver, rtol=1e-4, atol=1e-4)
            timings[solver].append(time.perf_counter() - start)
    return {k: min(v) for k, v in timings.items()}


def _plots(results: pd.DataFrame, path: str):
    """Rollout error over time, a panel per kind of dynamics run, and O(2)'s and the MLP's
    angular-momentum drift; saved to ``path``, and returned (a matplotlib figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [dynamics for dynamics in ("ode", "hamiltonian") if dynamics in set(results.dynamics)]
    fig, axes = plt.subplots(1, len(kinds) + 1, figsize=(4.7 * (len(kinds) + 1), 3.8))
    for (dynamics, ax) in zip(kinds, axes):
        for model, rows in results[results.dynamics == dynamics].groupby("model"):
            curve = np.exp(np.log(np.stack(list(rows.error_over_time))).mean(0))
            ax.semilogy(rows.times.iloc[0], curve, label=model)
        ax.set_title(f"{'neural ODE' if dynamics == 'ode' else 'Hamiltonian NN'}: rollout error")
        ax.set_xlabel("time")
        ax.legend(fontsize="small")
    ax = axes[-1]
    for (model, dynamics), rows in results.groupby(["model", "dynamics"]):
        if model in ("O(2)", "MLP"):
            drift = np.stack(list(rows.momentum_over_time)).mean(0)
            ax.semilogy(rows.times.iloc[0], np.maximum(drift, 1e-12),
                        label=f"{model}, {'ODE' if dynamics == 'ode' else 'HNN'}")
    ax.set_title("|L_z(t) - L_z(0)|, mean over test rollouts")
    ax.set_xlabel("time")
    if ax.lines:
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return fig


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="run seeds first-seed, ..., first-seed + seeds - 1")
    parser.add_argument("--train", type=int, default=500, help="training trajectories")
    parser.add_argument("--test", type=int, default=50, help="held-out rollouts")
    parser.add_argument("--steps", type=int, default=2000, help="optimizer steps per fit")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--t-max", type=float, default=30.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--jobs", type=int, default=2, help="fits at once (processes)")
    parser.add_argument("--emlp-dense-linear", action="store_true",
                        help="train the EMLPs' linear layers as dense weights projected onto "
                             "the equivariant maps, as the EMLP authors do (a control)")
    parser.add_argument("--mlp-init", choices=("skequi", "authors"), default="skequi",
                        help="start the MLP with torch's Linear defaults (skequi's) or as the "
                             "EMLP authors' objax MLP does (Xavier-normal weights, zero bias)")
    parser.add_argument("--train-on", choices=("derivatives", "rollouts"), default="derivatives",
                        help="fit the true dz/dt at the chunks' states (skequi's), or the chunks "
                             "integrated from their first states, as the EMLP authors do "
                             "(fit_on_rollouts; needs torchdiffeq)")
    parser.add_argument("--plot", default="dynamics.png")
    parser.add_argument("--csv", default=None, help="also write the table here")
    parser.add_argument("--models", default=",".join(GROUPS),
                        help="comma-separated subset of " + ", ".join(GROUPS))
    parser.add_argument("--dynamics", default="ode,hamiltonian",
                        help="comma-separated subset of ode, hamiltonian")
    args = parser.parse_args(argv)
    models, kinds = args.models.split(","), args.dynamics.split(",")
    unknown = sorted(set(models) - set(GROUPS)) + sorted(set(kinds) - {"ode", "hamiltonian"})
    if unknown:
        parser.error(f"unknown model or dynamics {unknown}; models: {', '.join(GROUPS)}")
    if args.quick:
        args.seeds, args.train, args.test, args.steps, args.hidden = 1, 100, 8, 150, 32
        args.t_max = 10.0
    jobs = [delayed(_run)(model, dynamics, seed, args)
            for seed in range(args.first_seed, args.first_seed + args.seeds)
            for dynamics in kinds for model in models]
    start = time.perf_counter()
    results = pd.DataFrame(Parallel(n_jobs=args.jobs, verbose=10)(jobs))
    elapsed = time.perf_counter() - start
    print(f"# Double spring pendulum, {args.train} training trajectories (one 5-state chunk "
          f"each), {args.test} held-out rollouts over T = {args.t_max:g}, hidden={args.hidden}, "
          f"{args.steps} steps, {args.seeds} seed(s), {args.device}; {elapsed:.0f} s\n")
    table = results.groupby(["dynamics", "model"], sort=False).agg(
        rollout_error=("rollout_error", lambda v: np.exp(np.log(v).mean())),
        spread=("rollout_error", lambda v: np.std(v)),
        diverged=("diverged", "mean"),
        momentum_drift=("momentum_drift", "mean"),
        equivariance_error=("equivariance_error", "mean"),
        n_params=("n_params", "first"), linear=("linear", "first"), init=("init", "first"),
        trained_on=("trained_on", "first"), chunks_left_out=("chunks_left_out", "mean"),
        loss_fall_last_fifth=("loss_fall_last_fifth", "mean"),
        fit_s=("fit_seconds", "mean"), rollout_s=("rollout_seconds", "mean")).reset_index()
    table["paper"] = [PAPER[(d, m)] for d, m in zip(table.dynamics, table.model)]
    print(table.to_markdown(index=False, floatfmt=".4g"))
    if args.csv:
        table.assign(seeds=args.seeds, train=args.train, steps=args.steps, device=args.device,
                     wall_min=elapsed / 60).to_csv(args.csv, index=False)
        # every fit, seed by seed, beside the table
        results.drop(columns=["solvers", "error_over_time", "momentum_over_time", "times"]).to_csv(
            args.csv.removesuffix(".csv") + "_runs.csv", index=False)
    print("\nrollout_error: geometric mean over seeds of the per-seed geometric mean over test "
          "rollouts and times; spread: std over seeds; momentum_drift: max over time of "
          "|L_z(t) - L_z(0)|, mean over the rollouts that did not diverge; diverged: "
          "fraction of rollouts that blew up (counted as the largest error); "
          "chunks_left_out: fraction of the chunk-steps of rollout training the solver could "
          "not follow (left out of their step's loss); loss_fall_last_fifth: relative fall of "
          "the training loss over the last fifth of the steps (near 0: converged)\n")
    print("## ODE solvers on the trained O(2) fields of seed 0 (best of 3 alternating rounds, "
          "20 rollouts, rtol = atol = 1e-4)\n")
    timed = results[results.solvers.map(bool)]
    solvers = pd.DataFrame([dict(dynamics=d, **t) for d, t in zip(timed.dynamics, timed.solvers)])
    if len(solvers):
        solvers["torchdiffeq / scipy"] = solvers.torchdiffeq / solvers.scipy
        print(solvers.to_markdown(index=False, floatfmt=".3g"))
    _plots(results, args.plot)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
