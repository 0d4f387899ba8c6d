"""The window probe: each test window's errors, with the task it comes from."""

import numpy as np
import pandas as pd
import pytest

from skequi.datasets import plume_tasks
from skequi.dynamics import forecast_rmse, split_windows


def _frames(rng, n: int = 6) -> np.ndarray:
    return rng.normal(size=(n, 20, 2, 8, 8)).astype(np.float32)


def test_window_errors_are_each_windows_own_and_pool_to_the_tables_rmse(benchmark_script):
    probe = benchmark_script("probe_plume_windows")
    rng = np.random.default_rng(0)
    truth = _frames(rng)
    shifted = probe.window_errors(truth, truth + 0.5)
    np.testing.assert_allclose(shifted[["rmse", "rmse_frame1", "rmse_frame20"]], 0.5, atol=1e-6)
    predicted = _frames(rng)
    errors = probe.window_errors(truth, predicted)
    assert len(errors) == len(truth)
    # the tables' RMSE (per-step MSE averaged over steps and windows, then the root) is the
    # root of the windows' mean squared RMSE: the rows add up to the reported number
    np.testing.assert_allclose(np.sqrt((errors.rmse ** 2).mean()),
                               forecast_rmse(truth, predicted), rtol=1e-5)
    np.testing.assert_allclose(errors.rmse_frame20,
                               np.sqrt(((predicted - truth)[:, -1] ** 2).mean(axis=(1, 2, 3))),
                               rtol=1e-5)
    # a forecast at half the truth's amplitude reads as half its RMS
    halved = probe.window_errors(truth, truth / 2)
    np.testing.assert_allclose(halved.forecast_rms / halved.truth_rms, 0.5, rtol=1e-5)


def test_the_error_map_puts_each_cells_error_at_its_row_and_column(benchmark_script):
    probe = benchmark_script("probe_plume_windows")
    truth = np.zeros((3, 20, 2, 8, 8))
    predicted = truth.copy()
    predicted[..., 1, 5] = 2.0  # row 1 (from the top), column 5: squared error 4 everywhere
    cells = probe.error_map(truth, predicted)
    assert len(cells) == 64
    wrong = cells.query("squared_error > 0")
    assert list(wrong.row) == [1] and list(wrong.col) == [5]
    assert wrong.squared_error.iloc[0] == 4.0 and (cells.truth_square == 0).all()


def test_window_index_runs_simulation_by_simulation_with_their_tasks(benchmark_script):
    probe = benchmark_script("probe_plume_windows")
    info = pd.DataFrame({"simulation": range(4), "scale_factor": [1.0, 1.1, 1.2, 1.3],
                         **{c: 0.0 for c in probe.TASK_COLUMNS if c != "scale_factor"}})
    index = probe.window_index([3, 1], 2, range(200, 202), info)
    assert list(index.simulation) == [3, 3, 1, 1]
    assert list(index.offset) == [200, 201, 200, 201]
    assert list(index.scale_factor) == [1.3, 1.3, 1.1, 1.1]


def _scale_set(rng) -> tuple[dict, np.ndarray, pd.DataFrame]:
    """What load_variant and simulations give for the scale set, at random on a 4x4 grid:
    Wang et al.'s future and domain windows of the frames, and each simulation's task."""
    frames = rng.normal(size=(38, 282, 2, 4, 4)).astype(np.float32)
    tasks = plume_tasks("scale")
    data = dict(X=rng.normal(size=(16, 20, 4, 4)), y=rng.normal(size=(16, 12, 4, 4)),
                future=split_windows(frames[tasks["train"]], "future", horizon=20),
                domain=split_windows(frames[tasks["domain"]], "domain", horizon=20))
    info = pd.DataFrame({"simulation": range(38), "scale_factor": 1 + 0.1 * np.arange(38),
                         **{c: 0.0 for c in ("inflow_x", "inflow_y", "force_u", "force_v")}})
    return data, frames, info


def _patched(probe, monkeypatch, rng) -> np.ndarray:
    data, frames, info = _scale_set(rng)
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: data)
    monkeypatch.setattr(probe, "simulations", lambda *a: (frames, info))
    return frames


def test_main_writes_every_window_and_cell_and_keeps_other_models_rows(
        benchmark_script, monkeypatch, tmp_path):
    probe = benchmark_script("probe_plume_windows")
    frames = _patched(probe, monkeypatch, np.random.default_rng(0))
    for model in ("CNN (half width)", "persistence"):
        probe.main(["--variant", "scale", "--models", model, "--epochs", "1", "--out",
                    str(tmp_path)])
    errors = pd.read_csv(tmp_path / "window_errors.csv")
    # every offset of Wang et al.'s tests: 50 future ones of 28 simulations, 100 domain ones
    # of 10
    assert errors.groupby(["model", "test"]).size().to_dict() == {
        ("CNN (half width)", "domain"): 1000, ("CNN (half width)", "future"): 1400,
        ("persistence", "domain"): 1000, ("persistence", "future"): 1400}
    future = errors.query("test == 'future' and model == 'persistence'")
    assert list(future.offset[:3]) == [200, 201, 202] and future.offset.iloc[50] == 200
    # the scale set's first training simulation is 27: scale factor 3.7
    assert future.simulation.iloc[0] == 27
    assert future.scale_factor.iloc[0] == pytest.approx(3.7)
    # each row is its own window's: offset t's truth is frames [t + 12, t + 32)
    row = future.iloc[60]  # simulation 9 (the second), offset 210
    assert (row.simulation, row.offset) == (9, 210)
    truth = frames[9, 222:242].astype(np.float64)
    assert row.truth_rms == pytest.approx(np.sqrt((truth ** 2).mean()), abs=1e-6)
    assert np.isfinite(errors[["rmse", "forecast_rms", "truth_rms"]]).all().all()
    cells = pd.read_csv(tmp_path / "error_maps.csv")
    assert len(cells) == 2 * 2 * 16


def test_unknown_models_and_a_negative_stride_are_refused_before_simulating(
        benchmark_script, monkeypatch, capsys):
    probe = benchmark_script("probe_plume_windows")
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: pytest.fail("simulated"))
    with pytest.raises(SystemExit, match="unknown models"):
        probe.main(["--models", "CNN (quarter width)"])
    with pytest.raises(SystemExit):
        probe.main(["--timeline-stride", "-5"])
    assert "--timeline-stride must be >= 0" in capsys.readouterr().err


def test_windows_that_are_not_every_offset_of_every_simulation_are_refused(benchmark_script):
    probe = benchmark_script("probe_plume_windows")
    data, _, info = _scale_set(np.random.default_rng(0))
    tasks = {"train": list(range(28)), "domain": list(range(28, 38))}
    assert [test for test, *_ in probe.windows_of_each_test(data, None, info, tasks)] == [
        "future", "domain"]
    # 50 windows per simulation are every offset in [200, 250), not every 25th
    with pytest.raises(ValueError, match="the future test has 1400 windows, not 2 offsets of 28"):
        list(probe.windows_of_each_test(data, None, info, tasks, test_stride=25))


def test_the_timelines_roll_out_every_strideth_offset_of_both_kinds_of_simulation(
        benchmark_script, monkeypatch, tmp_path):
    probe = benchmark_script("probe_plume_windows")
    frames = _patched(probe, monkeypatch, np.random.default_rng(1))
    frames[5, 152:172] = 0.0  # held-out simulation 5: no flow while offset 140's truth runs
    probe.main(["--variant", "scale", "--models", "persistence", "--timeline-stride", "10",
                "--out", str(tmp_path)])
    errors = pd.read_csv(tmp_path / "window_errors.csv")
    held_out = errors[errors.test == "timeline, held-out simulations"]
    training = errors[errors.test == "timeline, training simulations"]
    # offsets 0, 10, ..., 240 (across Wang et al.'s training, validation and future splits)
    assert sorted(held_out.offset[held_out.simulation == 5]) == list(range(0, 250, 10))
    assert len(held_out) == 10 * 25 and len(training) == 28 * 25
    assert set(held_out.simulation) == {5, 30, 16, 23, 33, 6, 17, 22, 21, 32}
    # the window's truth is frames [offset + 12, offset + 32): simulation 5's at offset 140
    # is all zeros, so its truth has no RMS there and nowhere else
    quiet = held_out[held_out.truth_rms == 0]
    assert list(zip(quiet.simulation, quiet.offset)) == [(5, 140)]
    # error maps for the papers' two tests only
    assert set(pd.read_csv(tmp_path / "error_maps.csv").test) == {"future", "domain"}
