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


# -- crafted files: refused before any code or allocation ------------------------------------

class _Payload:
    """Unpickling this creates a marker file: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _write(path, config, state=None):
    torch.save({"config": json.dumps(config) if not isinstance(config, str) else config,
                "state_dict": state if state is not None else {}}, path)


@pytest.fixture
def config(saved):
    _, _, path = saved
    return _config(path)


@pytest.mark.parametrize("where", ["config", "state_dict", "tensor", "extra_key", "top_level"])
def test_pickle_payloads_anywhere_are_refused_without_running(saved, tmp_path, where):
    _, _, path = saved
    marker = tmp_path / "ran"
    payload = torch.load(path, weights_only=True)
    if where == "config":
        payload["config"] = _Payload(marker)
    elif where == "state_dict":
        payload["state_dict"] = _Payload(marker)
    elif where == "tensor":
        payload["state_dict"]["blocks.0.linear.coefficients"] = _Payload(marker)
    elif where == "extra_key":
        payload["extra"] = _Payload(marker)
    else:
        payload = _Payload(marker)
    crafted = tmp_path / "crafted.skequi"
    torch.save(payload, crafted)
    with pytest.raises(ValueError, match="not a skequi model file"):
        skequi.load(crafted)
    assert not marker.exists()


@pytest.mark.parametrize("key,value", [
    ("module", "subprocess.Popen"),
    ("iterator_train", "os.system"),
    ("iterator_valid", "os.system"),
    ("dataset", "os.system"),
    ("criterion", "builtins.eval"),
    ("optimizer", "os.system"),
    ("callbacks", ["os.system"]),
    ("train_split", "os.system"),
    ("predict_nonlinearity", "builtins.exec"),
    ("torch_load_kwargs", {"weights_only": False}),
    ("compile", True),
    ("not_a_parameter", 1),
    ("_params_to_validate", []),
])
def test_plumbing_classes_and_unknown_keys_are_refused(config, tmp_path, key, value):
    config["params"][key] = value
    crafted = tmp_path / "crafted.skequi"
    _write(crafted, config)
    with pytest.raises(ValueError, match=repr(key)):
        skequi.load(crafted)


def test_a_foreign_estimator_class_is_refused(config, tmp_path):
    config["estimator"] = "subprocess.Popen"
    _write(tmp_path / "x.skequi", config)
    with pytest.raises(ValueError, match="unknown estimator 'subprocess.Popen'"):
        skequi.load(tmp_path / "x.skequi")


@pytest.mark.parametrize("params", [{"hidden": 10**7}, {"hidden": 100_000, "n_layers": 50}])
def test_memory_bombs_are_refused_before_allocation(config, tmp_path, params):
    import time

    config["params"].update(params)
    _write(tmp_path / "bomb.skequi", config)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="over skequi's limit"):
        skequi.load(tmp_path / "bomb.skequi")
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("content", [
    b"", b"hello, I am a text file\n", b"PK\x03\x04 not really a zip",
])
def test_foreign_and_empty_files_say_they_are_not_models(tmp_path, content):
    (tmp_path / "f.skequi").write_bytes(content)
    with pytest.raises(ValueError, match="not a skequi model file"):
        skequi.load(tmp_path / "f.skequi")


def test_a_truncated_file_says_it_is_not_a_model(saved, tmp_path):
    _, _, path = saved
    data = path.read_bytes()
    (tmp_path / "half.skequi").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a skequi model file"):
        skequi.load(tmp_path / "half.skequi")


@pytest.mark.parametrize("config_text,match", [
    ("[1, 2, 3]", "not a JSON object"),
    ("{not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    (json.dumps({"estimator": "EMLPRegressor"}), "no 'params'"),
    (json.dumps({"estimator": "EMLPRegressor", "params": {}, "fit_meta": {}}),
     "fit_meta is incomplete"),
])
def test_malformed_configs_get_a_value_error(tmp_path, config_text, match):
    _write(tmp_path / "c.skequi", config_text)
    with pytest.raises(ValueError, match=match):
        skequi.load(tmp_path / "c.skequi")


def test_a_missing_file_gets_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        skequi.load(tmp_path / "nowhere.skequi")


# -- documented settings save and load ----------------------------------------------------------

def test_routed_parameters_and_reset_callbacks_are_saved_and_restored(tmp_path):
    X, y = make_o5_synthetic(100, random_state=0)
    reg = EMLPRegressor("O(5)", "2V", "S", optimizer=torch.optim.SGD, optimizer__momentum=0.9,
                        iterator_train__drop_last=False, **TINY)
    reg.set_params(callbacks=None)
    reg.fit(X, y)
    with pytest.raises(ValueError, match="use pickle"):  # a non-default class
        reg.save(tmp_path / "sgd.skequi")
    reg = EMLPRegressor("O(5)", "2V", "S", optimizer__betas=(0.8, 0.9),
                        iterator_train__drop_last=False, **TINY)
    reg.set_params(callbacks=None)
    reg.fit(X, y)
    reg.save(tmp_path / "routed.skequi")
    loaded = skequi.load(tmp_path / "routed.skequi", device="cpu")
    assert loaded.optimizer__betas == (0.8, 0.9) and loaded.iterator_train__drop_last is False
    assert np.allclose(loaded.predict(X[:5]), reg.predict(X[:5]), atol=1e-6)


def test_skorchs_initialize_then_load_params_route(saved, tmp_path):
    from sklearn.exceptions import NotFittedError

    reg, X, _ = saved
    reg.save_params(f_params=tmp_path / "w.pt")
    fresh = EMLPRegressor("O(5)", "2V", "S", **TINY)
    with pytest.raises(NotFittedError, match="skequi.load"):
        fresh.initialize()
    with pytest.raises(NotFittedError, match="skequi.load"):
        fresh.load_params(f_params=tmp_path / "w.pt")
    _, y = make_o5_synthetic(100, random_state=0)  # the same data: the same standardisation
    fitted = EMLPRegressor("O(5)", "2V", "S", **{**TINY, "max_epochs": 1}).fit(X, y)
    fitted.load_params(f_params=tmp_path / "w.pt")
    assert np.allclose(fitted.predict(X[:5]), reg.predict(X[:5]), atol=1e-6)


def test_a_round_trip_keeps_parameters_as_they_were_given(tmp_path):
    from skequi import GMCNNRegressor

    X = np.random.default_rng(0).normal(size=(16, 1, 6, 6)).astype(np.float32)
    reg = GMCNNRegressor("D1d", channels=(2, 2), image_shape=(6, 6), optimizer__betas=(0.8, 0.9),
                         max_epochs=1, random_state=0).fit(X, X ** 2)
    reg.save(tmp_path / "r.skequi")
    loaded = skequi.load(tmp_path / "r.skequi", device="cpu")
    assert loaded.get_params()["channels"] == (2, 2)
    assert loaded.get_params()["optimizer__betas"] == (0.8, 0.9)
    assert repr(loaded).replace("device='cpu', ", "") == repr(reg)
    matched = GMCNNRegressor("D4", channels="matched", max_epochs=1, random_state=0).fit(X, X)
    matched.save(tmp_path / "m.skequi")
    again = skequi.load(tmp_path / "m.skequi", device="cpu")
    assert again.channels == "matched" and again.channels_ == matched.channels_
    assert np.allclose(again.predict(X), matched.predict(X), atol=1e-6)
