"""skequi.load: what a saved file holds and what loading a file from another version says."""

import json
import warnings

import numpy as np
import pytest
import torch

import skequi
from skequi import EMLPRegressor
from skequi.datasets import make_o5_synthetic

TINY = dict(hidden=16, n_layers=1, max_epochs=2, batch_size=50, random_state=0)


@pytest.fixture
def saved(tmp_path):
    X, y = make_o5_synthetic(100, random_state=0)
    reg = EMLPRegressor("O(5)", "2V", "S", **TINY).fit(X, y)
    reg.save(tmp_path / "emlp.skequi")
    return reg, X, tmp_path / "emlp.skequi"


def _config(path):
    return json.loads(torch.load(path, weights_only=True)["config"])


def test_defaults_are_written_so_other_defaults_do_not_change_a_loaded_model(saved):
    _, _, path = saved
    params = _config(path)["params"]
    # lr and relaxation_penalty are left at their defaults here, and written anyway
    assert params["lr"] == 3e-3 and params["relaxation_penalty"] == 1e-3
    assert params["hidden"] == 16 and params["group"] == "O(5)"
    assert "optimizer" not in params  # a default class: left to the class


def test_same_version_loads_silently(saved):
    reg, X, path = saved
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = skequi.load(path, device="cpu")
    assert np.allclose(loaded.predict(X[:5]), reg.predict(X[:5]), atol=1e-6)


@pytest.mark.parametrize("version", ["0.0.1", None])
def test_a_file_from_another_version_loads_with_a_warning(saved, version):
    reg, X, path = saved
    payload = torch.load(path, weights_only=True)
    config = json.loads(payload["config"])
    if version is None:  # files from before the version field
        del config["skequi_version"]
    else:
        config["skequi_version"] = version
    payload["config"] = json.dumps(config)
    torch.save(payload, path)
    with pytest.warns(UserWarning, match="written by .* loaded by skequi"):
        loaded = skequi.load(path, device="cpu")
    assert np.allclose(loaded.predict(X[:5]), reg.predict(X[:5]), atol=1e-6)
