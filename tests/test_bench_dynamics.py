"""benchmarks/bench_dynamics.py: the table's file, and the dense-linear control."""

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
