"""rollout_steps: one-frame forecasters trained and predicting on their own rollouts."""

import numpy as np
import pytest
import torch

import skequi
from skequi import GMCNNRegressor, LatentEquivariantRegressor
from skequi.models._rollout import next_window

FAST = dict(field="vector", max_epochs=2, random_state=0, batch_size=16)


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    frames = rng.normal(size=(24, 7, 2, 8, 8)).astype(np.float32)
    X = frames[:, :4].reshape(24, 8, 8, 8)  # 4 frames of history
    y = frames[:, 4:].reshape(24, 6, 8, 8)  # 3 frames to forecast
    return X, y


def _gmcnn(**kwargs):
    return GMCNNRegressor("C4", channels=(2, 2), rollout_steps=3, **{**FAST, **kwargs})


def _latent(**kwargs):
    return LatentEquivariantRegressor("C4", latent_structure="grid", latent_dim=4,
                                      channels=(4,), rollout_steps=3, **{**FAST, **kwargs})


def _step(est):
    module = est.module_
    if hasattr(module, "step"):
        return module.step
    return lambda window: module.head(module.encode(window)).reshape(len(window), 2, 8, 8)


@pytest.mark.parametrize("make", [_gmcnn, _latent])
def test_predict_is_the_one_frame_model_applied_on_its_own_predictions(make, windows):
    X, y = windows
    est = make().fit(X, y)
    predicted = est.predict(X)
    assert predicted.shape == y.shape
    step = _step(est)
    est.module_.eval()
    with torch.no_grad():
        window, frames = torch.as_tensor(X), []
        for _ in range(3):
            frame = step(window)
            frames.append(frame)
            window = next_window(window, frame, 2)
    expected = torch.cat(frames, dim=1).numpy()
    assert np.allclose(predicted, expected, atol=1e-5)


def test_every_rolled_out_frame_enters_the_training_loss(windows):
    X, y = windows
    # the same seed and data for the first frame: only the later frames' loss differs
    later = _gmcnn(max_epochs=1).fit(X, y)
    other = y.copy()
    other[:, 2:] += 5.0
    moved = _gmcnn(max_epochs=1).fit(X, other)
    a, b = later.module_.state_dict(), moved.module_.state_dict()
    assert any(not torch.equal(a[key], b[key]) for key in a)


def test_exact_rollouts_are_equivariant_and_survive_a_save(windows, tmp_path):
    X, y = windows
    est = _gmcnn().fit(X, y)
    assert est.equivariance_error(X) < 1e-5
    est.save(tmp_path / "forecaster.skequi")
    loaded = skequi.load(tmp_path / "forecaster.skequi", device="cpu")
    assert loaded.rollout_steps == 3
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_a_rollout_without_batchnorm_is_equivariant_and_survives_a_save(windows, tmp_path):
    X, y = windows
    est = _gmcnn(normalization=None).fit(X, y)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in est.module_.modules())
    assert est.n_params_ == _gmcnn().fit(X, y).n_params_ - 2 * 2  # 2 per field -> 1
    assert est.equivariance_error(X) < 1e-5
    est.save(tmp_path / "forecaster.skequi")
    loaded = skequi.load(tmp_path / "forecaster.skequi", device="cpu")
    assert loaded.normalization is None
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_a_latent_rollout_without_batchnorm_survives_a_save(windows, tmp_path):
    X, y = windows
    est = _latent(normalization=None).fit(X, y)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in est.module_.modules())
    assert est.n_params_ == _latent().fit(X, y).n_params_ - 2 * 4  # one BatchNorm of 4
    est.module_.train()  # no batch statistics: training mode gives the fitted answer
    with torch.no_grad():
        trained = est.module_(torch.as_tensor(X)).numpy()
    assert np.allclose(trained.reshape(y.shape), est.predict(X), atol=1e-6)
    est.save(tmp_path / "forecaster.skequi")
    loaded = skequi.load(tmp_path / "forecaster.skequi", device="cpu")
    assert loaded.normalization is None
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_the_latent_loss_reads_the_first_windows_latent(windows):
    X, y = windows
    est = _latent(equivariance_strength=1.0, transformed_task_weight=1.0).fit(X, y)
    model = est.module_.train()
    x = torch.as_tensor(X[:4])
    model(x)
    assert torch.allclose(model.take_latent(x), model.encode(x))
    assert np.isfinite(est.history_[-1, "train_loss"])


@pytest.mark.parametrize("make", [_gmcnn, _latent])
@pytest.mark.parametrize("shape,match", [
    ((24, 4, 8, 8), "must hold 3 frames of equal channels"),
    ((24, 3), "needs field targets"),
])
def test_targets_that_are_not_frames_are_refused_before_training(make, windows, shape, match):
    X, _ = windows
    est = make()
    with pytest.raises(ValueError, match=match):
        est.fit(X, np.zeros(shape, dtype=np.float32))
    assert not hasattr(est, "module_")


def test_inputs_that_are_not_whole_frames_are_refused(windows):
    X, y = windows
    # 4 input channels, 3 frames of 4 channels: fine; 6 channels with frames of 4: not
    with pytest.raises(ValueError, match="not a whole number of frames"):
        GMCNNRegressor("C4", channels=(2,), rollout_steps=3, max_epochs=1).fit(
            X[:, :6], np.concatenate([y, y], axis=1))
    with pytest.raises(ValueError, match="leave output_action=None"):
        _latent(output_action=lambda values, g: values).fit(X, y)
