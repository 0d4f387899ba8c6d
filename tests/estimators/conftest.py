import pytest
import torch

from skequi.datasets import load_digit_images, make_rotated_digits


@pytest.fixture(scope="session")
def digits():
    X, y = load_digit_images()
    return X[:240], y[:240]


@pytest.fixture(scope="session")
def rotated():
    """160 digits, each turned by a random element of C4 (the latent estimators' tests)."""
    X, y, _ = make_rotated_digits("C4", random_state=0)
    return X[:160], y[:160]


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def device(request):
    """Each device test runs on the CPU by default and on CUDA under ``pytest -m gpu``."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    return request.param
