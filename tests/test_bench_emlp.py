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
    assert table.authors_test_mse.isna().all()  # the authors' split is ParticleInteraction's


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


def test_the_pool_statistics_control_standardises_with_the_pool_and_scores_in_raw_units(
        bench, tmp_path):
    from skequi.datasets import make_particle_interaction

    pool = bench.PoolStandardization.drawn(make_particle_interaction, "O(1,3)", "4V", "S", 2000)
    X, y = make_particle_interaction(50, random_state=0)
    assert np.allclose(pool.y_back(pool.y(y)), y)
    # vectors are only divided (a scalar multiple commutes with every Lorentz transformation)
    assert np.allclose(pool.x(X) * pool.x_scale, X) and not pool.x_shift.any()
    assert abs(pool.y(make_particle_interaction(2000, random_state=99_999)[1]).std() - 1) < 1e-6
    csv = tmp_path / "pool.csv"
    bench.main(["--quick", "--no-timing", "--tasks", "ParticleInteraction", "--models", "EMLP",
                "--pool-stats", "2000", "--csv", str(csv)])
    table = pd.read_csv(csv)
    assert list(table.stats) == ["pool of 2000"]
    # our test set scores the row; the authors' test split is scored beside it
    assert table.test_mse[0] == table.our_test_mse[0] != table.authors_test_mse[0]
    # raw units: a model that learnt nothing scores about the targets' variance (0.75), not 1
    assert 0.3 < table.test_mse[0] < 3


def test_the_raw_control_trains_unstandardised_as_the_authors_inertia(bench, tmp_path,
                                                                      monkeypatch):
    fitted = []
    fit = bench.EMLPRegressor.fit
    monkeypatch.setattr(bench.EMLPRegressor, "fit",
                        lambda self, X, y: fitted.append(self.standardize) or fit(self, X, y))
    csv = tmp_path / "raw.csv"
    bench.main(["--quick", "--no-timing", "--tasks", "Inertia", "--models", "EMLP,MLP",
                "--raw", "--csv", str(csv)])
    table = pd.read_csv(csv)
    assert fitted == [False, False] and list(table.stats) == ["none", "none"]
    assert np.isfinite(table.test_mse).all()
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--no-timing", "--raw", "--pool-stats", "2000"])


def test_the_allocation_control_sets_the_cap_on_hidden_tensor_ranks(bench, tmp_path,
                                                                     monkeypatch):
    from skequi.reps import _allocation, uniform_rep

    monkeypatch.setattr(_allocation, "MAX_HOM_DIM", _allocation.MAX_HOM_DIM)  # restored after
    csv = tmp_path / "rank1.csv"
    bench.main(["--quick", "--no-timing", "--tasks", "ParticleInteraction", "--models", "EMLP",
                "--max-hom-dim", "16", "--csv", str(csv)])
    hidden = pd.read_csv(csv).hidden_rep[0]
    assert "V" in hidden and "T(" not in hidden  # ranks 0 and 1 only: 4^(2 r) <= 16
    # the control's 4096 gives O(1,3)'s 384 channels the authors' rank-3 tensor
    monkeypatch.setattr(_allocation, "MAX_HOM_DIM", 4096)
    assert "T(1,2)" in str(uniform_rep(384, "O(1,3)"))


def test_the_authors_start_projects_an_orthogonal_matrix_and_keeps_the_model_equivariant(bench):
    from skequi.groups import as_matrix_group
    from skequi.nn import EquivariantBilinear, EquivariantLinear
    from skequi.reps import parse_rep

    torch.manual_seed(0)
    model = bench.authors_init(EMLP("4V", "S", "O(1,3)", hidden=64))
    assert bench.init_form(model) == "the authors'"
    assert bench.init_form(EMLP("4V", "S", "O(1,3)", hidden=64)) == "skequi's"
    for layer in model.modules():
        if isinstance(layer, EquivariantLinear):
            # the projection is idempotent: re-projecting the layer's own matrix changes nothing
            weights = dict(layer.named_parameters())
            projected = bench.equivariant_projection(layer, layer.weight().detach())
            assert projected.keys() <= weights.keys() and len(projected) == len(layer._blocks)
            for name, coefficients in projected.items():
                assert torch.allclose(coefficients, weights[name], atol=1e-5)
            assert layer.bias().abs().sum() > 0  # skequi starts the bias at zero
        if isinstance(layer, EquivariantBilinear):
            gains = [b for name, b in layer.named_buffers() if name.startswith("gain_")]
            assert all((gain == 0.1).all() for gain in gains)
    group = as_matrix_group("O(1,3)")
    x = torch.randn(8, 16) / 4
    for g in group.samples(4, random_state=0):
        rho = torch.as_tensor(parse_rep("4V").rho(g), dtype=torch.float32)
        assert torch.allclose(model(x @ rho.T), model(x), rtol=1e-3, atol=1e-6)


def test_the_authors_mlp_start_is_xavier_normal_with_zero_bias(bench, tmp_path):
    from skequi.models import MLP

    torch.manual_seed(0)
    model = bench.authors_init(MLP(16, 1, hidden=384))
    assert bench.init_form(model) == "the authors'"
    for layer in model.modules():
        if isinstance(layer, torch.nn.Linear):
            fan_out, fan_in = layer.weight.shape
            assert (layer.bias == 0).all()  # torch starts it uniform
            # objax's xavier_normal: std sqrt(2 / (fan_in + fan_out)); torch's 1/sqrt(3 fan_in)
            assert layer.weight.std().item() == pytest.approx((2 / (fan_in + fan_out)) ** 0.5,
                                                               rel=0.1)
    csv = tmp_path / "mlp_init.csv"
    bench.main(["--quick", "--no-timing", "--tasks", "O5Synthetic", "--models", "MLP,EMLP",
                "--mlp-init", "authors", "--csv", str(csv)])
    table = pd.read_csv(csv).set_index("model")
    assert table.init["MLP"] == "the authors'" and table.init["EMLP"] == "skequi's"


def test_the_authors_draw_is_their_seeded_dataset_split_largest_first(bench):
    from skequi.datasets import make_particle_interaction

    X, y, split = bench.authors_draw(100)
    # np.random.seed(2021); randn(36000, 16) / 4, the matrix element as make_particle_interaction
    assert np.array_equal(X[:2], np.random.RandomState(2021).randn(2, 16) / 4)
    assert X.shape == (36_000, 16) and np.isclose(np.var(y), np.var(
        make_particle_interaction(36_000, random_state=0)[1]), rtol=0.1)
    assert {name: len(ids) for name, ids in split.items()} == {"test": 5000, "val": 1000,
                                                               "train": 100}
    used = np.concatenate(list(split.values()))
    assert len(np.unique(used)) == len(used)  # disjoint
    # the test split is the first one taken, the first 5,000 of a permutation of all 36,000
    rng = np.random.RandomState(2021)
    rng.randn(36_000, 16)
    assert np.array_equal(split["test"], rng.permutation(36_000)[:5000])
    again = bench.authors_draw(100)[2]
    assert all(np.array_equal(split[name], again[name]) for name in split)
    # a larger training set leaves the test split as it is (taken before it)
    assert np.array_equal(bench.authors_draw(300)[2]["test"], split["test"])
    # the largest study (30,000 + 5,000 + 1,000): the last split is what is left, as oil's
    every = bench.authors_draw(30_000)[2]
    assert len(every["val"]) == 1000 and len(np.unique(np.concatenate(list(
        every.values())))) == 36_000


def test_the_authors_draw_control_trains_every_seed_on_the_same_samples(bench, tmp_path,
                                                                      capsys):
    csv = tmp_path / "draw.csv"
    bench.main(["--quick", "--no-timing", "--tasks", "ParticleInteraction", "--models", "EMLP",
                "--authors-draw", "--pool-stats", "36000", "--csv", str(csv)])
    table = pd.read_csv(csv)
    assert list(table.draw) == ["the authors' (seed 2021)"]
    assert list(table.stats) == ["pool of 36000"] and np.isfinite(table.test_mse).all()
    # the training MSE in raw units beside it, as the authors' Train_MSE
    assert np.isfinite(table.train_mse).all() and 0.05 < table.train_mse[0] < 5
    # scored on the authors' test split, and on ours as well
    assert table.test_mse[0] == table.authors_test_mse[0] != table.our_test_mse[0]
    for wrong in (["--tasks", "O5Synthetic"], ["--tasks", "ParticleInteraction",
                                                "--pool-stats", "2000"]):
        with pytest.raises(SystemExit):
            bench.main(["--quick", "--no-timing", "--authors-draw", *wrong])
    assert "ParticleInteraction samples only" in capsys.readouterr().err
