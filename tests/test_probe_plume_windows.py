"""The window probe: each test window's errors, with the task it comes from."""

import numpy as np
import pandas as pd
import pytest

from skequi.dynamics import forecast_rmse


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


def _scale_data(rng) -> dict:
    """What load_variant gives for the scale set, at random and tiny: two windows of each
    training simulation in the future test, two of each held-out one in the domain test."""
    def windows(n):
        return rng.normal(size=(n, 20, 8, 8)).astype(np.float32), _frames(rng, n)
    return dict(X=rng.normal(size=(16, 20, 8, 8)), y=rng.normal(size=(16, 12, 8, 8)),
                future=windows(28 * 2), domain=windows(10 * 2))


def test_main_writes_every_window_and_cell_and_keeps_other_models_rows(
        benchmark_script, monkeypatch, tmp_path):
    probe = benchmark_script("probe_plume_windows")
    rng = np.random.default_rng(0)
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: _scale_data(rng))
    info = pd.DataFrame({"simulation": range(38), "scale_factor": 1 + 0.1 * np.arange(38),
                         **{c: 0.0 for c in probe.TASK_COLUMNS if c != "scale_factor"}})
    frames = rng.normal(size=(38, 282, 2, 8, 8)).astype(np.float32)
    monkeypatch.setattr(probe, "simulations", lambda *a: (frames, info))
    for model in ("CNN (half width)", "persistence"):
        probe.main(["--variant", "scale", "--models", model, "--epochs", "1", "--out",
                    str(tmp_path)])
    errors = pd.read_csv(tmp_path / "window_errors.csv")
    assert errors.groupby(["model", "test"]).size().to_dict() == {
        ("CNN (half width)", "domain"): 20, ("CNN (half width)", "future"): 56,
        ("persistence", "domain"): 20, ("persistence", "future"): 56}
    future = errors.query("test == 'future' and model == 'persistence'")
    assert list(future.offset[:3]) == [200, 201, 200]
    # the scale set's first training simulation is 27: scale factor 3.7
    assert future.simulation.iloc[0] == 27
    assert future.scale_factor.iloc[0] == pytest.approx(3.7)
    assert np.isfinite(errors[["rmse", "forecast_rms", "truth_rms"]]).all().all()
    cells = pd.read_csv(tmp_path / "error_maps.csv")
    assert len(cells) == 2 * 2 * 64


def test_unknown_models_are_refused_before_simulating(benchmark_script, monkeypatch):
    probe = benchmark_script("probe_plume_windows")
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: pytest.fail("simulated"))
    with pytest.raises(SystemExit, match="unknown models"):
        probe.main(["--models", "CNN (quarter width)"])


def test_the_timelines_roll_out_every_strideth_offset_of_both_kinds_of_simulation(
        benchmark_script, monkeypatch, tmp_path):
    probe = benchmark_script("probe_plume_windows")
    rng = np.random.default_rng(1)
    monkeypatch.setattr(probe.bench, "load_variant", lambda *a: _scale_data(rng))
    info = pd.DataFrame({"simulation": range(38), "scale_factor": 1 + 0.1 * np.arange(38),
                         **{c: 0.0 for c in probe.TASK_COLUMNS if c != "scale_factor"}})
    frames = rng.normal(size=(38, 282, 2, 8, 8)).astype(np.float32)
    frames[5, 152:172] = 0.0  # held-out simulation 5: no flow while offset 140's truth runs
    monkeypatch.setattr(probe, "simulations", lambda *a: (frames, info))
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
