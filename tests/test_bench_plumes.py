"""benchmarks/bench_plumes.py: the per-epoch validation curve, the schedule and the runs file."""

import numpy as np
import pandas as pd
import torch

from skequi import GMCNNRegressor
from skequi.dynamics import split_windows


def _fit(bench, X, y, callbacks=None):
    model = GMCNNRegressor("C1", field="vector", rollout_steps=bench.TRAIN_STEPS, channels=(4, 4),
                           kernel_radius=1, max_epochs=3, lr=3e-3, batch_size=8, random_state=0,
                           callbacks=callbacks)
    return model.fit(X, y)


def test_the_validation_curve_scores_each_epoch_as_the_fitted_model_and_changes_no_fit(
        benchmark_script):
    bench = benchmark_script("bench_plumes")
    rng = np.random.default_rng(0)
    frames = np.cumsum(rng.normal(scale=0.1, size=(2, 230, 2, 8, 8)), axis=1).astype("float32")
    X, y = split_windows(frames, "train", history=bench.HISTORY, horizon=bench.TRAIN_STEPS,
                         stride=8)
    y = y.reshape(len(y), -1, *y.shape[-2:])
    valid = split_windows(frames, "valid", history=bench.HISTORY, horizon=bench.TEST_STEPS,
                          stride=10)
    curved = _fit(bench, X, y, [("valid_curve", bench.ValidationCurve(
        {"valid": valid, "train": valid}))])
    plain = _fit(bench, X, y)
    rows = bench._curve_rows(curved, "translation", "CNN", 0)
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    assert len({row["valid_rollout_rmse"] for row in rows}) == 3
    # the last epoch is scored as the fitted model is: BatchNorm statistics recomputed
    rmse, per_step = bench.rollout_rmse(curved, valid)
    assert np.isclose(rows[-1]["valid_rollout_rmse"], rmse, rtol=1e-9)
    assert np.isclose(rows[-1]["valid_step6_rmse"], per_step[5], rtol=1e-9)
    assert np.isclose(rows[-1]["valid_step20_rmse"], per_step[19], rtol=1e-9)
    assert rows[-1]["train_rollout_rmse"] == rows[-1]["valid_rollout_rmse"]  # the same windows
    # scoring the curve changes nothing of the fit
    np.testing.assert_array_equal(curved.predict(X), plain.predict(X))


def test_wang_schedule_decays_the_learning_rate_by_their_rate_after_every_epoch(
        benchmark_script):
    bench = benchmark_script("bench_plumes")
    args = bench.parse_args(["--schedule", "wang", "--lr", "1e-3", "--epochs", "3", "--width",
                             "4", "--layers", "1", "--threads", "1", "--device", "cpu"])
    rng = np.random.default_rng(0)
    frames = np.cumsum(rng.normal(scale=0.1, size=(2, 230, 2, 8, 8)), axis=1).astype("float32")
    X, y = split_windows(frames, "train", history=bench.HISTORY, horizon=bench.TRAIN_STEPS,
                         stride=16)
    model = bench._models(args)["CNN"](0)
    assert model.lr_schedule is None  # no cosine on top of their decay
    model.set_params(callbacks=bench._callbacks(args, {}))
    model.fit(X, y.reshape(len(y), -1, *y.shape[-2:]))
    # skorch's LRScheduler records the rate each epoch trained at
    np.testing.assert_allclose(model.history_[:, "event_lr"],
                               [1e-3, 1e-3 * bench.WANG_DECAY, 1e-3 * bench.WANG_DECAY ** 2])
    # each fit gets its own scheduler, and the default keeps the cosine
    assert bench._callbacks(args, {})[0][1] is not bench._callbacks(args, {})[0][1]
    cosine = bench.parse_args(["--epochs", "3"])
    assert bench._models(cosine)["CNN"](0).lr_schedule == "cosine"
    assert bench._callbacks(cosine, {}) == []


def _fits(model, seeds, future, epochs=12, **settings):
    return pd.DataFrame(dict(
        variant="rotation", model=model, free_params=100, future_rmse=future,
        domain_rmse=[f / 2 for f in future], valid_rmse=0.5, step20_rmse=0.9,
        last_fifth_drop=0.05, paper="", first_seed=seeds, seconds=60.0, seeds=1, device="CPU",
        wall_min=10.0, size=32, n_frames=282, epochs=epochs, stride=4,
        **({"schedule": "cosine", "lr": 2e-3, "batch_size": 16} | settings)))


def test_fits_pool_over_seeds_run_one_at_a_time_at_the_same_settings_only(benchmark_script):
    bench = benchmark_script("bench_plumes")
    pooled = bench.pool_fits(_fits("CNN", [0, 1, 2], [0.7, 0.8, 0.9])).iloc[0]
    assert np.isclose(pooled.future_rmse, 0.8) and np.isclose(pooled.domain_rmse, 0.4)
    assert np.isclose(pooled.future_std, np.std([0.7, 0.8, 0.9]))  # population std
    assert (pooled.seeds, pooled.seconds, pooled.first_seed, pooled.epochs) == (3, 180.0, 0, 12)
    # an earlier file from before the settings were recorded: the defaults of then
    earlier = pd.concat([_fits("CNN", [0], [0.7]), _fits("GM-CNN C4 r=1", [0], [0.6])]).drop(
        columns=["schedule", "lr", "batch_size"])
    runs = bench.merge_fits(_fits("CNN", [1], [0.9]), earlier)
    assert sorted(zip(runs.model, runs.first_seed)) == [("CNN", 0), ("CNN", 1),
                                                       ("GM-CNN C4 r=1", 0)]
    # a seed run again replaces its earlier fit
    again = bench.merge_fits(_fits("CNN", [1], [0.5]), runs)
    assert sorted(again.query("model == 'CNN'").future_rmse) == [0.5, 0.7]
    # fits at other settings never pool: the new run replaces them
    for other in (dict(epochs=24), dict(schedule="wang"), dict(lr=1e-3), dict(batch_size=8)):
        moved = bench.merge_fits(_fits("CNN", [1], [0.9], **other), runs)
        assert list(moved.query("model == 'CNN'").first_seed) == [1], other
        assert "GM-CNN C4 r=1" in set(moved.model)


def test_a_run_writes_its_fits_and_the_table_pooled_with_earlier_seeds(
        benchmark_script, monkeypatch, tmp_path):
    bench = benchmark_script("bench_plumes")
    seed_fits = {0: [0.7], 1: [0.9]}

    def fake_run(variant, args):
        fits = _fits("CNN", [args.first_seed], seed_fits[args.first_seed])
        steps = [dict(variant="rotation", model="CNN", seed=args.first_seed, test="future",
                      step=step, rmse=0.1 * step) for step in (1, 2)]
        return fits.drop(columns=["seeds", "device", "wall_min", "size", "n_frames", "epochs",
                                  "stride", "schedule", "lr", "batch_size"]), steps, []

    monkeypatch.setattr(bench, "run_variant", fake_run)
    cache = str(bench.default_basis_cache_dir())  # main sets it: keep the session's
    for seed in (0, 1):
        bench.main(["--variants", "rotation", "--first-seed", str(seed), "--out", str(tmp_path),
                    "--cache-dir", cache])
    runs, table = (pd.read_csv(tmp_path / name) for name in ("plumes_runs.csv", "plumes.csv"))
    assert list(runs.first_seed) == [0, 1] and set(runs.seeds) == {1}
    assert len(table) == 1 and table.seeds[0] == 2 and np.isclose(table.future_rmse[0], 0.8)
    # each seed's per-frame RMSE stays beside the other's
    steps = pd.read_csv(tmp_path / "plume_steps.csv")
    assert sorted(zip(steps.seed, steps.step)) == [(0, 1), (0, 2), (1, 1), (1, 2)]
    bench.main(["--variants", "rotation", "--first-seed", "1", "--out", str(tmp_path),
                "--cache-dir", cache])  # seed 1 again: its rows replaced, not doubled
    assert len(pd.read_csv(tmp_path / "plume_steps.csv")) == 4


def _tiny(bench, width):
    """Settings for one epoch of two layers of ``width``, and 8 windows of 10 frames -> 6."""
    args = bench.parse_args(["--epochs", "1", "--width", str(width), "--layers", "2",
                             "--threads", "1", "--device", "cpu"])
    rng = np.random.default_rng(0)
    return args, rng.normal(size=(8, 20, 8, 8)), rng.normal(size=(8, 12, 8, 8))


def test_the_controls_without_batchnorm_are_their_rows_models_with_normalization_none(
        benchmark_script):
    bench = benchmark_script("bench_plumes")
    args, X, y = _tiny(bench, 4)
    models, controls = bench._models(args), bench._controls(args)
    learned = [name for name in models if name != "persistence"]
    assert {f"{name} (no BatchNorm)" for name in learned} <= set(controls)
    assert "persistence (no BatchNorm)" not in controls
    for name in learned:
        control = controls[f"{name} (no BatchNorm)"](0)
        assert control.get_params(deep=False) == models[name](0).set_params(
            normalization=None).get_params(deep=False)
    plain, control = models["CNN"](0).fit(X, y), controls["CNN (no BatchNorm)"](0).fit(X, y)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in control.module_.modules())
    # the same network otherwise: BatchNorm's 2 parameters per field became a bias
    assert plain.n_params_ - control.n_params_ == 2 * 4
    assert np.isfinite(control.predict(X)).all()
    latent = controls["latent method (SMOKE recipe) (no BatchNorm)"](0).fit(X, y)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in latent.module_.modules())
    assert np.isfinite(latent.predict(X)).all()


def test_a_c4_model_without_batchnorm_stays_rotation_equivariant(benchmark_script):
    from skequi.transforms import apply_group

    bench = benchmark_script("bench_plumes")
    args, X, y = _tiny(bench, 8)
    model = bench._controls(args)["GM-CNN C4 exact (no BatchNorm)"](0).fit(X, y)
    with torch.no_grad():  # every weight moved at random, the biases off zero
        for weight in model.module_.parameters():
            weight.add_(0.1 * torch.randn_like(weight))
    for g in range(4):
        np.testing.assert_allclose(model.predict(apply_group(X, g, "C4", "vector")),
                                   apply_group(model.predict(X), g, "C4", "vector"),
                                   atol=1e-4)
