import pytest

from skequi.datasets import load_digit_images


@pytest.fixture(scope="session")
def digits():
    X, y = load_digit_images()
    return X[:240], y[:240]
