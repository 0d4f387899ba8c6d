"""The model file: atomic writes, integrity, bounds before allocation, and its error paths."""

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
import torch

import skequi
from skequi import EMLPRegressor, GMCNNClassifier
from skequi.datasets import load_digit_images, make_o5_synthetic
from skequi.estimators import _model_file
from skequi.estimators._model_file import read_model_file, write_model_file

TINY = dict(hidden=16, n_layers=1, max_epochs=2, batch_size=50, random_state=0)


@pytest.fixture(scope="module")
def models():
    X, y = make_o5_synthetic(100, random_state=0)
    first = EMLPRegressor("O(5)", "2V", "S", **TINY).fit(X, y)
    second = EMLPRegressor("O(5)", "2V", "S", **{**TINY, "random_state": 1}).fit(X, y)
    return first, second, X


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.suffix == ".tmp"]


class _Boom(Exception):
    pass


@pytest.mark.parametrize("interrupt", [_Boom, KeyboardInterrupt])
def test_a_save_that_fails_midway_leaves_the_old_file(models, tmp_path, monkeypatch, interrupt):
    first, second, X = models
    path = tmp_path / "m.skequi"
    first.save(path)
    before = path.read_bytes()

    def fail(descriptor):  # the bytes are written, the rename has not happened yet
        raise interrupt()

    monkeypatch.setattr(_model_file.os, "fsync", fail)
    with pytest.raises(interrupt):
        second.save(path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []
    assert np.array_equal(skequi.load(path, device="cpu").predict(X), first.predict(X))


def test_a_full_disk_keeps_the_old_file(models, tmp_path):
    """RLIMIT_FSIZE below the file's size: the write fails as on a full disk."""
    first, _, X = models
    path = tmp_path / "m.skequi"
    first.save(path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import resource, sys
        from skequi import EMLPRegressor
        from skequi.datasets import make_o5_synthetic
        X, y = make_o5_synthetic(100, random_state=0)
        reg = EMLPRegressor("O(5)", "2V", "S", hidden=16, n_layers=1, max_epochs=2,
                            batch_size=50, random_state=1).fit(X, y)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({len(before) // 2}, {len(before) // 2}))
        try:
            reg.save({str(path)!r})
        except ValueError as error:
            print(error)
            sys.exit(3)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 3, result.stderr
    assert "cannot write" in result.stdout and "File too large" in result.stdout
    assert "previous file, if any, is unchanged" in result.stdout
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_concurrent_saves_and_loads_never_see_a_partial_file(models, tmp_path):
    first, second, X = models
    path = tmp_path / "m.skequi"
    first.save(path)
    expected = [first.predict(X[:5]), second.predict(X[:5])]
    failures, stop = [], threading.Event()

    def writer():
        for i in range(40):
            (first if i % 2 else second).save(path)
        stop.set()

    def reader():
        while not stop.is_set():
            try:
                pred = skequi.load(path, device="cpu").predict(X[:5])
                if not any(np.array_equal(pred, e) for e in expected):
                    failures.append("unexpected predictions")
            except Exception as error:  # any failure to load is a failure of atomicity
                failures.append(repr(error))

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and _leftovers(tmp_path) == []


def test_every_flipped_bit_is_caught(models, tmp_path):
    first, _, _ = models
    path = tmp_path / "m.skequi"
    first.save(path)
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(0)
    positions = list(rng.choice(len(data) * 8, size=120, replace=False))
    header = int.from_bytes(data[:8], "little") + 8
    positions += [8 * 3, 8 * 20 + 1, 8 * header + 5]  # the length, the header, the first weight
    for bit in positions:
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        (tmp_path / "f.skequi").write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match="not a skequi model file"):
            skequi.load(tmp_path / "f.skequi", device="cpu")


def _crafted(path, header: dict, data: bytes = b""):
    import json
    import struct

    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


@pytest.mark.parametrize("header,data,match", [
    ({"__metadata__": {}}, b"", "no skequi config"),
    ({"__metadata__": {"format": "skequi-safetensors-1", "skequi_config": "{}"},
      "w": {"dtype": "F32", "shape": [10**6, 10**6], "data_offsets": [0, 4 * 10**12]}},
     b"", "size its bytes do not match|values, over"),
    ({"__metadata__": {"format": "skequi-safetensors-1", "skequi_config": "{}"},
      "w": {"dtype": "F32", "shape": [10**5, 10**4], "data_offsets": [0, 4 * 10**9]}},
     b"", "over skequi's limit"),
    ({"__metadata__": {"format": "skequi-safetensors-1", "skequi_config": "{}"},
      "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8,
     "do not fill the file"),
    ({"__metadata__": {"format": "skequi-safetensors-1", "skequi_config": "{}"},
      "w": {"dtype": "OBJECT", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8,
     "malformed entry"),
    ({"__metadata__": {"format": "skequi-safetensors-1", "skequi_config": "{}"},
      "w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8,
     "malformed entry"),
])
def test_crafted_headers_are_refused_before_allocation(tmp_path, header, data, match):
    _crafted(tmp_path / "c.skequi", header, data)
    with pytest.raises(ValueError, match=match):
        read_model_file(tmp_path / "c.skequi")


def test_a_header_length_past_the_file_is_refused(tmp_path):
    (tmp_path / "c.skequi").write_bytes((2**40).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="header size does not fit"):
        read_model_file(tmp_path / "c.skequi")


@pytest.mark.parametrize("kind", ["deflated archive", "huge header"])
def test_loading_a_crafted_1mb_file_stays_under_100mb(tmp_path, kind):
    """Measured in a subprocess: the peak resident size barely moves."""
    path = tmp_path / "bomb.skequi"
    if kind == "deflated archive":
        import zipfile

        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("archive/data.pkl", b"\0" * (1500 * 2**20))  # 1.5 GB inflated
    else:
        import json
        import struct

        meta = {"format": "skequi-safetensors-1", "skequi_config": "x" * 2**20}
        text = json.dumps({"__metadata__": meta}).encode()
        path.write_bytes(struct.pack("<Q", len(text)) + text)
    assert path.stat().st_size < 2 * 2**20
    script = textwrap.dedent(f"""
        import resource, skequi
        import skequi.estimators
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            skequi.load({str(path)!r}, device="cpu")
        except ValueError as error:
            print("refused:", str(error)[:120])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("grew_kb", after - before)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert "refused:" in out
    grew_kb = int(out.split("grew_kb")[1])
    assert grew_kb < 100 * 1024, out


def test_paths_that_are_not_files(tmp_path):
    import io

    with pytest.raises(ValueError, match="it is a folder"):
        skequi.load(tmp_path)
    with pytest.raises(ValueError, match="a file path .* got BytesIO"):
        skequi.load(io.BytesIO(b"data"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):  # refused, not a hang
        skequi.load(fifo)
    with pytest.raises(ValueError, match="got an empty string"):
        skequi.load("")


def test_save_paths_that_cannot_be_written(models, tmp_path):
    first, _, _ = models
    with pytest.raises(ValueError, match="folder .* does not exist"):
        first.save(tmp_path / "missing" / "m.skequi")
    with pytest.raises(ValueError, match="it is a folder"):
        first.save(tmp_path)
    with pytest.raises(ValueError, match="empty string"):
        first.save("")


def test_an_unwritable_folder_is_a_value_error(models, tmp_path, monkeypatch):
    """As root every folder is writable, so the refusal is simulated where the file is made."""
    first, _, _ = models

    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_model_file.tempfile, "mkstemp", refuse)
    with pytest.raises(ValueError, match="cannot write .*Permission denied"):
        first.save(tmp_path / "m.skequi")


def test_user_folders_are_expanded(models, tmp_path, monkeypatch):
    first, _, X = models
    monkeypatch.setenv("HOME", str(tmp_path))
    first.save("~/home.skequi")
    assert (tmp_path / "home.skequi").is_file()
    assert np.array_equal(skequi.load("~/home.skequi", device="cpu").predict(X), first.predict(X))


def test_loading_leaves_torchs_global_generator_alone(models, tmp_path):
    first, _, _ = models
    first.save(tmp_path / "m.skequi")
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    skequi.load(tmp_path / "m.skequi", device="cpu")
    assert torch.equal(torch.rand(3), expected)


def test_write_and_read_round_trip_every_dtype(tmp_path):
    tensors = {"a": torch.randn(3, 2), "b": torch.arange(4), "c": torch.tensor(7),
               "d": torch.randn(2, dtype=torch.float64), "e": torch.randn(2).bfloat16()}
    write_model_file(tmp_path / "t.skequi", {"estimator": "x", "params": {}, "fit_meta": {}},
                     tensors)
    config, loaded, kind = read_model_file(tmp_path / "t.skequi")
    assert kind == "safetensors" and config["estimator"] == "x"
    assert all(torch.equal(loaded[k], tensors[k]) for k in tensors)


def test_classifier_round_trip_through_the_new_format(tmp_path):
    X, y = load_digit_images()
    clf = GMCNNClassifier("D1d", channels=(2,), max_epochs=1, random_state=0).fit(X[:80], y[:80])
    clf.save(tmp_path / "c.skequi")
    assert (tmp_path / "c.skequi").read_bytes()[8:9] == b"{"  # safetensors: a JSON header
    loaded = skequi.load(tmp_path / "c.skequi", device="cpu")
    assert np.array_equal(loaded.predict(X[:20]), clf.predict(X[:20]))
