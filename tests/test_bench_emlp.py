"""benchmarks/bench_emlp.py: ``--no-timing`` prints and writes the test-MSE table alone."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture()
def bench(benchmark_script):
    return benchmark_script("bench_emlp")


def test_no_timing_writes_the_mse_table_only(bench, tmp_path, capsys):
    csv = tmp_path / "emlp.csv"
    # --quick shrinks the run but keeps the device asked for (it once forced "cpu", so the
    # GPU checks' --quick timings ran on the GPU machine's CPU)
    bench.main(["--quick", "--no-timing", "--tasks", "O5Synthetic", "--device", "cpu:0",
                "--csv", str(csv)])
    printed = capsys.readouterr().out
    assert "## test MSE" in printed and "## model build time" not in printed
    table = pd.read_csv(csv)
    assert list(table.model) == ["EMLP", "MLP", "MLP+Aug"]
    assert np.isfinite(table.test_mse).all() and (table.N == 200).all()
    assert (table.device == "cpu:0").all()


def test_timing_only_and_no_timing_together_is_an_error(bench, capsys):
    with pytest.raises(SystemExit):
        bench.main(["--timing-only", "--no-timing"])
    assert "leave nothing to run" in capsys.readouterr().err
