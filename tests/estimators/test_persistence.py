"""skequi.load: what a saved file holds, what loading a file from another version says, and
crafted files (new format and skequi's earlier torch.save archives) refused without running
code."""

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
    from skequi.estimators._model_file import read_model_file

    return read_model_file(path)[0]


def _write_raw(path, config_text: str, tensors=None):
    """A safetensors model file with any config text and a matching checksum."""
    from safetensors.torch import save

    from skequi.estimators._model_file import _FORMAT, _checksum

    tensors = tensors or {}
    path.write_bytes(save(tensors, metadata={
        "format": _FORMAT, "skequi_config": config_text,
        "skequi_sha256": _checksum(config_text, tensors)}))


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
    from skequi.estimators._model_file import read_model_file, write_model_file

    reg, X, path = saved
    config, tensors, _ = read_model_file(path)
    if version is None:  # files from before the version field
        del config["skequi_version"]
    else:
        config["skequi_version"] = version
    write_model_file(path, config, tensors)
    with pytest.warns(UserWarning, match="written by .* loaded by skequi"):
        loaded = skequi.load(path, device="cpu")
    assert np.allclose(loaded.predict(X[:5]), reg.predict(X[:5]), atol=1e-6)


def test_files_of_the_earlier_format_still_load_with_a_note(saved, tmp_path):
    from skequi.estimators._model_file import read_model_file

    reg, X, path = saved
    config, tensors, _ = read_model_file(path)
    legacy = tmp_path / "legacy.skequi"
    torch.save({"config": json.dumps(config), "state_dict": tensors}, legacy)
    with pytest.warns(UserWarning, match="earlier file format .* save the loaded estimator"):
        loaded = skequi.load(legacy, device="cpu")
    assert np.array_equal(loaded.predict(X[:5]), reg.predict(X[:5]))


# -- crafted files: refused before any code or allocation ------------------------------------

class _Payload:
    """Unpickling this creates a marker file: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _write(path, config, state=None):
    _write_raw(path, json.dumps(config) if not isinstance(config, str) else config, state)


@pytest.fixture
def config(saved):
    _, _, path = saved
    return _config(path)


@pytest.mark.parametrize("where", ["config", "state_dict", "tensor", "extra_key", "top_level"])
def test_pickle_payloads_anywhere_are_refused_without_running(saved, tmp_path, where):
    """Archives of the earlier format are still read, so they are still a way in."""
    from skequi.estimators._model_file import read_model_file

    _, _, path = saved
    marker = tmp_path / "ran"
    config, tensors, _ = read_model_file(path)
    payload = {"config": json.dumps(config), "state_dict": dict(tensors)}
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


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.7, 0.99])
def test_a_truncated_file_says_it_is_not_a_model(saved, tmp_path, fraction):
    _, _, path = saved
    data = path.read_bytes()
    (tmp_path / "part.skequi").write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match="not a skequi model file"):
        skequi.load(tmp_path / "part.skequi")


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


# -- nothing lost: save refuses what load would refuse; load_params all or nothing -------------

@pytest.mark.parametrize("change", [dict(channels=(8,)), dict(group="D4"), dict(kernel_radius=2),
                                    dict(lr=-1.0), dict(relaxation_rank=1)])
def test_save_refuses_parameters_changed_after_fit(tmp_path, change):
    from skequi import GMCNNClassifier
    from skequi.datasets import load_digit_images

    X, y = load_digit_images()
    clf = GMCNNClassifier("C4", channels=(2,), max_epochs=1, random_state=0).fit(X[:60], y[:60])
    original = {k: clf.get_params()[k] for k in change}
    clf.set_params(**change)
    key = next(iter(change))
    with pytest.raises(ValueError, match=f"parameters changed after fit: {key}="):
        clf.save(tmp_path / "m.skequi")
    assert not (tmp_path / "m.skequi").exists()
    clf.set_params(**original)  # set back: the file is the fitted model again
    clf.save(tmp_path / "m.skequi")
    assert np.array_equal(skequi.load(tmp_path / "m.skequi", device="cpu").predict(X[:10]),
                          clf.predict(X[:10]))


@pytest.mark.parametrize("other", ["wider", "another family"])
def test_a_failed_load_params_leaves_the_model_as_it_was(tmp_path, other):
    from skequi import GMCNNClassifier
    from skequi.datasets import load_digit_images

    X, y = load_digit_images()
    clf = GMCNNClassifier("C4", channels=(2, 2), max_epochs=1, random_state=0).fit(X[:80], y[:80])
    expected = clf.predict_proba(X[:20])
    if other == "wider":
        source = GMCNNClassifier("C4", channels=(2, 4), max_epochs=1, random_state=1)
    else:
        source = GMCNNClassifier("D4", channels=(2, 2), max_epochs=1, random_state=1)
    source.fit(X[:80], y[:80]).save_params(f_params=tmp_path / "w.pt")
    with pytest.raises(ValueError, match="load_params: the saved parameters do not fit .* left"):
        clf.load_params(f_params=tmp_path / "w.pt")
    assert np.array_equal(clf.predict_proba(X[:20]), expected)


def test_a_crafted_latent_target_size_is_refused_before_allocation(tmp_path):
    import time

    from skequi import LatentEquivariantRegressor
    from skequi.datasets import load_digit_images
    from skequi.estimators._model_file import read_model_file, write_model_file

    X, _ = load_digit_images()
    reg = LatentEquivariantRegressor("C4", channels=(2,), latent_dim=8, max_epochs=1,
                                     random_state=0).fit(X[:40], X[:40].mean(axis=(1, 2, 3)))
    reg.save(tmp_path / "r.skequi")
    config, tensors, _ = read_model_file(tmp_path / "r.skequi")
    config["fit_meta"]["target_shape"] = [10**7]
    write_model_file(tmp_path / "bomb.skequi", config, tensors)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="over skequi's limit"):
        skequi.load(tmp_path / "bomb.skequi", device="cpu")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("meta,match", [
    (dict(x_scale=[0.0] * 10), "x_scale holds values <= 0"),
    (dict(x_shift=[1.0] * 3), "x_shift must be a list of 10"),
    (dict(y_scale=["a"]), "malformed"),
    (dict(x_shift=None), "x_shift must be a list"),
])
def test_a_malformed_fit_meta_is_a_value_error(config, tmp_path, meta, match):
    from skequi.estimators._model_file import read_model_file, write_model_file

    _, tensors, _ = read_model_file(tmp_path / "emlp.skequi")
    config["fit_meta"].update(meta)
    write_model_file(tmp_path / "m.skequi", config, tensors)
    with pytest.raises(ValueError, match=match):
        skequi.load(tmp_path / "m.skequi", device="cpu")


def test_a_bool_where_an_int_is_meant_is_refused_on_load(config, tmp_path):
    from skequi.estimators._model_file import read_model_file, write_model_file

    _, tensors, _ = read_model_file(tmp_path / "emlp.skequi")
    config["params"]["hidden"] = True
    write_model_file(tmp_path / "m.skequi", config, tensors)
    with pytest.raises(ValueError, match=r"'hidden' parameter .* \(not a bool\)"):
        skequi.load(tmp_path / "m.skequi", device="cpu")
