"""The BatchNorm probe: rollouts with fixed statistics against each batch's own."""

import numpy as np
import pandas as pd
import pytest
import torch


def _fitted(bench):
    args = bench.parse_args(["--epochs", "1", "--width", "4", "--layers", "2", "--threads", "1",
                             "--device", "cpu"])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 20, 8, 8)), rng.normal(size=(16, 12, 8, 8))
    windows = (rng.normal(size=(12, 20, 8, 8)).astype(np.float32),
               rng.normal(size=(12, 20, 2, 8, 8)).astype(np.float32))
    return bench._models(args)["CNN"](0).fit(X, y), windows


def test_fixed_statistics_do_not_depend_on_the_batches_and_each_batchs_own_do(
        benchmark_script):
    probe = benchmark_script("probe_plume_batchnorm")
    model, windows = _fitted(probe.bench)
    stored = {k: v.clone() for k, v in model.module_.state_dict().items()}
    whole, batched = probe._steps(model, windows, 0), probe._steps(model, windows, 4)
    np.testing.assert_allclose(batched, whole, rtol=1e-5)
    per_batch = probe._per_batch(model)
    own_whole, own_batched = (probe._steps(per_batch, windows, 0),
                              probe._steps(per_batch, windows, 4))
    assert len(own_whole) == 20 and not np.allclose(own_batched, own_whole, rtol=1e-3)
    assert not np.allclose(own_whole, whole, rtol=1e-3)
    # neither the fitted model nor the copy's stored statistics moved (BatchNorm's
    # num_batches_tracked counts on, and is unused while a momentum is set)
    for module in (model.module_, per_batch.module_):
        state = module.state_dict()
        assert [k for k, v in stored.items() if not torch.equal(state[k], v)
                and not k.endswith("num_batches_tracked")] == []


def test_names_without_a_network_or_unknown_are_refused_before_simulating(
        benchmark_script, monkeypatch):
    probe = benchmark_script("probe_plume_batchnorm")
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: pytest.fail("simulated"))
    with pytest.raises(SystemExit, match="persistence has no network"):
        probe.main(["--models", "CNN,persistence"])
    with pytest.raises(SystemExit, match="unknown models"):
        probe.main(["--models", "CNN (quarter width)"])


def _plume_data() -> dict:
    """What load_variant gives, at random: 16 training windows, 20 windows rolled out."""
    rng = np.random.default_rng(0)
    windows = (rng.normal(size=(20, 20, 8, 8)).astype(np.float32),
               rng.normal(size=(20, 20, 2, 8, 8)).astype(np.float32))
    return dict(X=rng.normal(size=(16, 20, 8, 8)), y=rng.normal(size=(16, 12, 8, 8)),
                valid=windows, train_rollouts=windows)


def test_main_writes_every_frames_rmse_per_model_and_statistics(benchmark_script, monkeypatch,
                                                                 tmp_path):
    probe = benchmark_script("probe_plume_batchnorm")
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: _plume_data())
    probe.main(["--models", "CNN (half width)", "--epochs", "1", "--windows", "train",
                "--training-batches", "--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "batchnorm_switch.csv")
    assert list(table.statistics) == ["fixed statistics", "each step's batch statistics"]
    assert set(table.model) == {"CNN (half width)"} and set(table.batch_size) == {16}
    assert set(table.width) == {16} and set(table.relaxation_rank) == {0}
    assert set(table.seed) == {0}
    frames = table[[f"frame {k}" for k in range(1, 21)]].to_numpy()
    assert np.isfinite(frames).all() and not np.allclose(frames[0], frames[1])
    amplitude = pd.read_csv(tmp_path / "batchnorm_amplitude.csv")
    assert len(amplitude) == 40 and set(amplitude.frame) == set(range(1, 21))
    assert list(amplitude.statistics.unique()) == list(table.statistics)
    by_statistics = amplitude.pivot(index="frame", columns="statistics", values="truth_rms")
    np.testing.assert_array_equal(by_statistics.iloc[:, 0], by_statistics.iloc[:, 1])
    # the true frames of _plume_data: standard normal, so an RMS near 1 at every frame
    np.testing.assert_allclose(amplitude.truth_rms, 1.0, atol=0.1)
    assert (amplitude.forecast_rms > 0).all()


def test_the_amplitude_is_each_frames_root_mean_square(benchmark_script):
    probe = benchmark_script("probe_plume_batchnorm")
    frames = np.ones((3, 4, 2, 5, 5))
    frames[:, 1] *= 2.0
    frames[0, 2] = 0.0  # one window of three, zero at frame 3
    np.testing.assert_allclose(probe._amplitude(frames), [1.0, 2.0, np.sqrt(2 / 3), 1.0])


def test_the_statistics_gap_measures_the_first_step_against_the_stored_statistics(
        benchmark_script):
    probe = benchmark_script("probe_plume_batchnorm")
    model, windows = _fitted(probe.bench)
    first = probe._norm_layers(model)[0]
    # the first layer's input on the first step of the one batch the gap rolls out
    X = windows[0][np.random.default_rng(0).permutation(len(windows[0]))]
    seen = []
    handle = first.register_forward_pre_hook(lambda norm, inputs: seen.append(inputs[0]))
    model.predict(X)
    handle.remove()
    dims = [d for d in range(seen[0].ndim) if d != 1]
    mean, var = seen[0].mean(dim=dims), seen[0].var(dim=dims, unbiased=False)
    stored = {k: v.clone() for k, v in model.module_.state_dict().items()}
    with torch.no_grad():  # stored statistics one std off in mean, twice the std
        first.running_mean.copy_(mean - (var + first.eps).sqrt())
        first.running_var.copy_(4 * var + 3 * first.eps)
    gap = probe._statistics_gap(model, windows, 0)
    assert len(gap) == 20 * len(probe._norm_layers(model))
    assert set(gap.frame) == set(range(1, 21)) and np.isfinite(gap[["shift", "log_scale"]]).all(
        axis=None)
    start = gap[(gap.layer == 1) & (gap.frame == 1)].iloc[0]
    assert start["shift"] == pytest.approx(0.5, rel=1e-4)
    assert start["log_scale"] == pytest.approx(np.log(2), rel=1e-4)
    assert start["log_scale_signed"] == pytest.approx(-np.log(2), rel=1e-4)  # narrower
    with torch.no_grad():  # the very statistics: no gap
        first.running_mean.copy_(mean)
        first.running_var.copy_(var)
    start = probe._statistics_gap(model, windows, 0).query("layer == 1 and frame == 1").iloc[0]
    assert start["shift"] < 1e-5 and start["log_scale"] < 1e-4
    # nothing else moved: every weight, and every later layer's statistics
    state = model.module_.state_dict()
    changed = {k for k in stored if not torch.equal(state[k], stored[k])}
    assert {k.rsplit(".", 1)[0] for k in changed} == {
        name for name, module in model.module_.named_modules() if module is first}


def test_main_writes_the_statistics_gap_by_layer_and_frame(benchmark_script, monkeypatch,
                                                           tmp_path):
    probe = benchmark_script("probe_plume_batchnorm")
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: _plume_data())
    probe.main(["--models", "CNN (half width)", "--epochs", "1", "--windows", "train",
                "--training-batches", "--statistics-gap", "--seed", "3", "--out", str(tmp_path)])
    gap = pd.read_csv(tmp_path / "batchnorm_gap.csv")
    assert set(gap.model) == {"CNN (half width)"} and set(gap.seed) == {3}
    assert set(gap.width) == {16} and set(gap.epochs) == {1}
    assert sorted(set(gap.layer)) == [1, 2, 3, 4] and set(gap.frame) == set(range(1, 21))
    assert (gap[["shift", "log_scale"]] >= 0).all(axis=None)
