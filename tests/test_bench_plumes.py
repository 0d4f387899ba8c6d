"""benchmarks/bench_plumes.py: the per-epoch validation curve."""

import numpy as np

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
