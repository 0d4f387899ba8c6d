"""benchmarks/bench_emlp.py: ``--no-timing`` prints and writes the test-MSE table alone."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from skequi.models import EMLP


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


def test_the_dense_linear_control_starts_at_the_same_model_and_steps_otherwise(bench):
    torch.manual_seed(0)
    plain = EMLP("5S+5V", "V**2", "O(3)", hidden=32)
    dense = bench.dense_linear(copy.deepcopy(plain))
    x = torch.randn(16, 20)
    assert torch.allclose(plain(x), dense(x), atol=1e-6)
    # more numbers to train (dense blocks), the same function; Adam's first step then differs
    assert sum(p.numel() for p in dense.parameters()) > sum(p.numel() for p in plain.parameters())
    for model in (plain, dense):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model(x).square().mean().backward()
        optimizer.step()
    assert not torch.allclose(plain(x), dense(x), atol=1e-4)
