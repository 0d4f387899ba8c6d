"""CUDA-only checks (``pytest -m gpu``): fit, predict, bf16, CPU loading, memory between fits."""

import gc

import numpy as np
import pytest
import torch

import skequi
from tests.estimators.test_training import CASES, _outputs, tensors_held_outside

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def _needs_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("precision", ["float32", "bf16"])
def test_fits_and_predicts_on_cuda(name, precision):
    make, data = CASES[name]
    X, y = data()
    est = make(device="cuda", precision=precision).fit(X, y)
    assert next(est.module_.parameters()).device.type == "cuda"
    assert np.isfinite(_outputs(est, X[:8])).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_cuda_trained_model_loads_on_the_cpu(name, tmp_path):
    make, data = CASES[name]
    X, y = data()
    est = make(device="cuda").fit(X, y)
    est.save(tmp_path / "model.skequi")
    loaded = skequi.load(tmp_path / "model.skequi", device="cpu")
    assert next(loaded.module_.parameters()).device.type == "cpu"
    assert np.allclose(_outputs(loaded, X[:8]), _outputs(est, X[:8]), atol=1e-4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_seed_gives_the_same_model_on_cuda(name):
    make, data = CASES[name]
    X, y = data()
    a = make(device="cuda").fit(X, y)
    b = make(device="cuda").fit(X, y)
    assert np.allclose(_outputs(a, X), _outputs(b, X), atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_device_memory_is_released_between_fits(name):
    make, data = CASES[name]
    X, y = data()
    torch.cuda.synchronize()
    gc.collect()
    baseline = torch.cuda.memory_allocated()
    est = make(device="cuda", early_stopping=2).fit(X, y)
    held = torch.cuda.memory_allocated() - baseline
    owners = [est.module_, est.optimizer_, est.criterion_]
    assert not [t for t in tensors_held_outside(est, owners) if t.is_cuda]
    parameters = sum(p.numel() * p.element_size() for p in est.module_.parameters())
    buffers = sum(b.numel() * b.element_size() for b in est.module_.buffers())
    # module, its buffers and the optimizer's two moments; no data, gradients or best weights
    assert held <= 3 * parameters + buffers + 2**20
    del est, owners  # ``owners`` holds the module and the optimizer's moments too
    gc.collect()
    assert torch.cuda.memory_allocated() == baseline
