"""Forecasting pairs, rollouts and Wang et al.'s RMSE."""

import numpy as np
import pytest

from skequi import GMCNNRegressor, LatentEquivariantRegressor
from skequi.dynamics import (PAPER_SPLITS, forecast_rmse, forecasting_pairs, rollout, scaled_splits,
                             split_windows)
from skequi.transforms import apply_group


@pytest.fixture
def frames():
    # frame t of simulation s holds the value 100 s + t everywhere: windows are readable
    values = 100 * np.arange(3)[:, None] + np.arange(30)[None, :]
    return np.broadcast_to(values[:, :, None, None, None], (3, 30, 2, 4, 4)).astype(np.float32)


def test_pair_shapes_and_split_boundaries(frames):
    X, y = forecasting_pairs(frames, history=4, horizon=2, start=10, stop=20)
    windows = 20 - 10 - (4 + 2) + 1
    assert X.shape == (3 * windows, 8, 4, 4) and y.shape == (3 * windows, 4, 4, 4)
    assert X[:, 0, 0, 0].min() == 10 and y[:, -1, 0, 0].max() == 219  # inside [10, 20)
    first = X[0, ::2, 0, 0].tolist(), y[0, ::2, 0, 0].tolist()
    assert first == ([10, 11, 12, 13], [14, 15])  # (u, v) pairs in time order
    assert (X.reshape(-1, 4, 2, 4, 4)[:, :, 0] == X.reshape(-1, 4, 2, 4, 4)[:, :, 1]).all()
    with pytest.raises(ValueError, match="no window"):
        forecasting_pairs(frames, history=8, horizon=4, start=0, stop=10)
    with pytest.raises(ValueError, match=r"\(n_simulations, n_frames, 2, H, W\)"):
        forecasting_pairs(frames[:, :, :1])


def test_paper_splits_and_their_scaling():
    assert PAPER_SPLITS["future"] == (200, 250)
    assert scaled_splits(250) == PAPER_SPLITS
    assert scaled_splits(50)["valid"] == (32, 40)


def test_forecast_rmse_against_a_hand_computation():
    y_true = np.zeros((2, 3, 1, 1))
    errors = np.array([[1.0, 2.0, 2.0], [3.0, 0.0, 2.0]])[:, :, None, None]
    # per-step MSE: (1 + 9) / 2 = 5, (4 + 0) / 2 = 2, (4 + 4) / 2 = 4; mean 11/3
    rmse, steps = forecast_rmse(y_true, errors, per_step=True)
    assert rmse == pytest.approx(np.sqrt(11 / 3))
    assert steps == pytest.approx(np.sqrt([5.0, 2.0, 4.0]))


def _vector_frames(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 12, 2, 8, 8)).astype(np.float32)


def test_rollout_of_an_exact_c4_model_commutes_with_rotating_the_history():
    frames = _vector_frames()
    X, y = forecasting_pairs(frames, history=3, horizon=1)
    reg = GMCNNRegressor("C4", field="vector", channels=(2, 2), max_epochs=2,
                         random_state=0).fit(X, y)
    history = frames[:, :3]
    forecast = rollout(reg, history, n_steps=4)
    assert forecast.shape == (4, 4, 2, 8, 8)
    for g in range(1, 4):
        turned = rollout(reg, apply_group(history, g, "C4", "vector"), n_steps=4)
        expected = apply_group(forecast, g, "C4", "vector")
        assert np.abs(turned - expected).max() < 1e-4 * np.abs(expected).max()


def test_rollout_with_a_multi_step_model_and_the_latent_regressor():
    frames = _vector_frames(1)
    X, y = forecasting_pairs(frames, history=2, horizon=2)
    reg = LatentEquivariantRegressor("C4", latent_structure="grid", latent_dim=4, field="vector",
                                     channels=(4,), max_epochs=1, random_state=0).fit(X, y)
    assert rollout(reg, frames[:, :2], n_steps=5).shape == (4, 5, 2, 8, 8)
    with pytest.raises(ValueError, match="n_steps"):
        rollout(reg, frames[:, :2], n_steps=0)


def _indexed(n_sims: int, n_frames: int) -> np.ndarray:
    # frame t of simulation s holds 1000 s + t everywhere
    values = 1000 * np.arange(n_sims)[:, None] + np.arange(n_frames)[None, :]
    return np.broadcast_to(values[:, :, None, None, None],
                           (n_sims, n_frames, 2, 2, 2)).astype(np.float32)


@pytest.mark.parametrize("split,count", [("train", 160), ("valid", 40), ("future", 50),
                                         ("domain", 100)])
def test_split_windows_read_wangs_frames(split, count):
    X, y = split_windows(_indexed(2, 282), split, horizon=20)
    assert X.shape == (2 * count, 20, 2, 2) and y.shape == (2 * count, 20, 2, 2, 2)
    start = PAPER_SPLITS[split][0]
    inputs = X[0, ::2, 0, 0].tolist()  # the u channel of each input frame, in time order
    assert inputs == list(range(start + 2, start + 12))  # mid = history + 2 = 12
    assert y[0, :, 0, 0, 0].tolist() == list(range(start + 12, start + 32))
    last = X[count - 1, -2, 0, 0]  # the last offset of simulation 0
    assert last == PAPER_SPLITS[split][1] - 1 + 11
    assert X[count, 0, 0, 0] == 1000 + start + 2  # then simulation 1, in order
    if split == "domain":  # the truth frames of Wang's domain test: [12, 131)
        assert y[:count, :, 0, 0, 0].min() == 12 and y[:count, :, 0, 0, 0].max() == 130


def test_split_windows_thin_and_refuse_short_simulations():
    X, _ = split_windows(_indexed(1, 282), "train", horizon=6, stride=4)
    assert X.shape[0] == 40 and X[1, 0, 0, 0] - X[0, 0, 0, 0] == 4
    with pytest.raises(ValueError, match="need at least 281 frames, they have 280"):
        split_windows(_indexed(1, 280), "future", horizon=20)
    with pytest.raises(ValueError, match="split must be one of"):
        split_windows(_indexed(1, 282), "test")
    with pytest.raises(ValueError, match="stride must be >= 1"):
        split_windows(_indexed(1, 282), "train", stride=0)
