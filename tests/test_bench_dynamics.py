"""benchmarks/bench_dynamics.py: the table's file, the dense-linear, start and rollout controls."""

import pathlib

import numpy as np
import pandas as pd


def test_the_dense_linear_control_trains_the_emlps_the_authors_way(
        benchmark_script, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    csv = tmp_path / "dynamics.csv"
    benchmark_script("bench_dynamics").main(
        ["--quick", "--models", "O(2),MLP", "--dynamics", "ode", "--emlp-dense-linear",
         "--jobs", "1", "--csv", str(csv), "--plot", str(tmp_path / "dynamics.png")])
    table = pd.read_csv(csv).set_index("model")
    assert table.linear["O(2)"] == "dense, projected" and pd.isna(table.linear["MLP"])
    assert np.isfinite(table.rollout_error).all() and (table.diverged == 0).all()
    assert table.equivariance_error["O(2)"] < 1e-4  # the projection keeps it equivariant
    assert (tmp_path / "dynamics.png").exists()


def test_the_plot_has_a_panel_for_each_kind_of_dynamics_run(benchmark_script, tmp_path):
    times = np.linspace(0.0, 1.0, 5)
    curve = list(np.linspace(1e-3, 1e-2, 5))
    results = pd.DataFrame(dict(dynamics="ode", model=["O(2)", "MLP"], times=[times] * 2,
                                error_over_time=[curve] * 2, momentum_over_time=[curve] * 2))
    fig = benchmark_script("bench_dynamics")._plots(results, str(tmp_path / "ode.png"))
    assert [ax.get_title() for ax in fig.axes] == [
        "neural ODE: rollout error", "|L_z(t) - L_z(0)|, mean over test rollouts"]
    assert all(ax.lines for ax in fig.axes) and (tmp_path / "ode.png").exists()
    both = pd.concat([results, results.assign(dynamics="hamiltonian")], ignore_index=True)
    fig = benchmark_script("bench_dynamics")._plots(both, str(tmp_path / "both.png"))
    assert len(fig.axes) == 3 and all(ax.lines for ax in fig.axes)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_the_mlp_start_control_starts_the_mlp_as_the_authors(
        benchmark_script, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    bench = benchmark_script("bench_dynamics")

    def run(*options):
        csv = tmp_path / "dynamics.csv"
        bench.main(["--quick", "--models", "MLP", "--dynamics", "hamiltonian", "--jobs", "1",
                    "--csv", str(csv), "--plot", str(tmp_path / "dynamics.png"), *options])
        return pd.read_csv(csv).set_index("model").loc["MLP"]

    authors, ours = run("--mlp-init", "authors"), run()
    assert authors.init == "the authors'" and ours.init == "skequi's"
    assert np.isfinite(authors.rollout_error) and authors.rollout_error != ours.rollout_error


def test_rollout_training_fits_the_chunks_from_fits_start(benchmark_script, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    bench = benchmark_script("bench_dynamics")
    from skequi import EMLPRegressor
    from skequi.datasets import make_spring_pendulum, spring_pendulum_vector_field
    from skequi.dynamics import derivative_pairs, integrate

    states, _ = make_spring_pendulum(24, t_max=4.0, n_steps=20, random_state=0)
    chunks = bench._training_states(states, np.random.default_rng(0))
    times = np.arange(chunks.shape[1]) * 0.2

    def estimator(lr):
        return EMLPRegressor("O2eR3", "4V", "4V", dynamics="ode", hidden=16, n_layers=2,
                             lr=lr, batch_size=len(chunks), max_epochs=1, random_state=3)

    # one step at a negligible lr: the loss is the MSE of the chunks integrated from their
    # first states, in raw units, by the field predict evaluates; the start is fit's
    still = estimator(1e-10)
    (loss,), left_out = bench.fit_on_rollouts(still, chunks, dt=0.2, steps=1,
                                              vector_field=spring_pendulum_vector_field)
    assert left_out == 0
    path = integrate(still, chunks[:, 0], times, rtol=1e-8, atol=1e-10)
    assert np.isclose(loss, ((path - chunks) ** 2).mean(), rtol=1e-3)
    fitted = estimator(1e-10).fit(*derivative_pairs(chunks,
                                                   vector_field=spring_pendulum_vector_field))
    assert np.allclose(fitted.predict(chunks[:, 0]), still.predict(chunks[:, 0]), atol=1e-6)

    losses, _ = bench.fit_on_rollouts(estimator(3e-3), chunks, dt=0.2, steps=40,
                                      vector_field=spring_pendulum_vector_field)
    assert len(losses) == 40 and np.mean(losses[-5:]) < 0.6 * losses[0]


def test_rollout_training_leaves_out_only_the_chunks_the_solver_cannot_follow(
        benchmark_script, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    bench = benchmark_script("bench_dynamics")
    import torchdiffeq

    from skequi import EMLPRegressor
    from skequi.datasets import make_spring_pendulum, spring_pendulum_vector_field

    states, _ = make_spring_pendulum(12, t_max=2.0, n_steps=10, random_state=0)
    chunks = bench._training_states(states, np.random.default_rng(0))
    stiff = chunks[5, 0].copy()
    solve = torchdiffeq.odeint

    def odeint(field, z0, times, **options):  # the solver gives up on chunk 5 alone
        if any(np.allclose(z.detach().numpy(), stiff) for z in z0):
            raise AssertionError("underflow in dt 0.0")
        return solve(field, z0, times, **options)

    monkeypatch.setattr(torchdiffeq, "odeint", odeint)
    est = EMLPRegressor("O2eR3", "4V", "4V", dynamics="ode", hidden=8, n_layers=1, lr=1e-3,
                        batch_size=len(chunks), max_epochs=1, random_state=0)
    losses, left_out = bench.fit_on_rollouts(est, chunks, dt=0.2, steps=3,
                                             vector_field=spring_pendulum_vector_field)
    assert left_out == 3 and len(losses) == 3 and np.isfinite(losses).all()


def test_the_rollout_control_trains_every_model_on_rollouts(
        benchmark_script, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    csv = tmp_path / "dynamics.csv"
    benchmark_script("bench_dynamics").main(
        ["--quick", "--models", "MLP", "--dynamics", "ode", "--train-on", "rollouts",
         "--first-seed", "1", "--jobs", "1", "--csv", str(csv), "--plot",
         str(tmp_path / "dynamics.png")])
    row = pd.read_csv(csv).set_index("model").loc["MLP"]
    assert row.trained_on == "rollouts" and np.isfinite(row.rollout_error)
    assert pd.read_csv(tmp_path / "dynamics_runs.csv").seed.tolist() == [1]
    assert row.loss_fall_last_fifth > 0  # 150 steps, one per chunk batch, not per epoch
