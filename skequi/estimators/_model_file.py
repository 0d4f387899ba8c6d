"""The model file: safetensors weights, a JSON config in the header, a SHA-256, atomic writes.

Layout (the safetensors format, https://huggingface.co/docs/safetensors): an
8-byte header length, a JSON header that lists every tensor's dtype, shape and
byte range and carries string metadata, then the raw tensor bytes. skequi
puts two metadata entries in it: ``skequi_config`` (the estimator's JSON
config) and ``skequi_sha256``, a SHA-256 over the config text and every
tensor's name, dtype, shape and bytes, checked at load. There is no zip, no
compression and no pickle: reading checks the header against the file size
and :data:`~._checks.MAX_PARAMETERS` before any tensor is allocated.

Files are written atomically: the bytes go to a temporary file in the target
folder, which is flushed, fsynced and then renamed over the target with
``os.replace``; a failed or interrupted save leaves the old file intact and no
temporary file behind, and a reader never sees a half-written file.

Files of skequi's earlier format (a ``torch.save`` zip archive) still load,
with the sizes of their entries checked before anything is inflated.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch

from ._checks import MAX_PARAMETERS

__all__ = ["MAX_FILE_BYTES", "ModelFileError", "read_model_file", "write_model_file"]

#: Largest file read: the weights of MAX_PARAMETERS float64 values, plus slack.
MAX_FILE_BYTES = 8 * MAX_PARAMETERS + 2**24
#: Largest safetensors header (tensor table and the JSON config).
MAX_HEADER_BYTES = 2**22
_DTYPES = {"F64": (torch.float64, 8), "F32": (torch.float32, 4), "BF16": (torch.bfloat16, 2),
           "F16": (torch.float16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4),
           "BOOL": (torch.bool, 1)}
_FORMAT = "skequi-safetensors-1"


class ModelFileError(ValueError):
    """A file that is not a readable skequi model file (the message says why)."""


def _checksum(config_text: str, tensors: dict) -> str:
    digest = hashlib.sha256(config_text.encode("utf-8"))
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        digest.update(f"\0{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel()
                      else b"")
    return digest.hexdigest()


def _not_a_model(path, reason: str) -> ModelFileError:
    return ModelFileError(f"{os.fspath(path)!s} is not a skequi model file ({reason}); "
                          "skequi.load reads files written by est.save(path)")


def _as_path(path, verb: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"skequi {verb} a file path (str or pathlib.Path), got "
                         f"{type(path).__name__}")
    text = os.fspath(path)
    if not text:
        raise ValueError(f"skequi {verb} a file path, got an empty string")
    return Path(text).expanduser()


def write_model_file(path, config: dict, tensors: dict) -> Path:
    """Write ``tensors`` and the JSON ``config`` to ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        ``~`` is expanded; the folder must exist.
    config : dict
        JSON-serialisable.
    tensors : dict of str to Tensor

    Returns
    -------
    pathlib.Path
        Where the file is.

    Raises
    ------
    ValueError
        If the folder does not exist, is not writable, or the write fails
        (disk full, file too large); the old file, if any, is left intact.
    """
    from safetensors.torch import save

    target = _as_path(path, "writes to")
    folder = target.parent
    if not folder.is_dir():
        raise ValueError(f"cannot write {str(target)!r}: the folder {str(folder)!r} does not "
                         "exist")
    if target.is_dir():
        raise ValueError(f"cannot write {str(target)!r}: it is a folder")
    cpu = {name: t.detach().cpu().contiguous().clone() for name, t in tensors.items()}
    config_text = json.dumps(config, sort_keys=True)
    metadata = {"format": _FORMAT, "skequi_config": config_text,
                "skequi_sha256": _checksum(config_text, cpu)}
    payload = save(cpu, metadata=metadata)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise ValueError(f"cannot write {str(target)!r}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise ValueError(f"cannot write {str(target)!r}: {error.strerror or error}; the "
                             "previous file, if any, is unchanged") from None
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename survives a crash (where the OS allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_model_file(path) -> tuple[dict, dict, str]:
    """``(config, tensors, format)`` of a model file, or a :class:`ModelFileError`.

    Every size is checked against the file and :data:`~._checks.MAX_PARAMETERS`
    before a byte of tensor data is read; the checksum is verified.
    """
    source = _as_path(path, "reads")
    try:
        info = source.stat()
    except OSError as error:
        raise ModelFileError(f"cannot read {str(source)!r}: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise _not_a_model(source, f"it is {kind}")
    if info.st_size > MAX_FILE_BYTES:
        raise _not_a_model(source, f"{info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte "
                                   "limit")
    try:
        with open(source, "rb") as file:
            head = file.read(8)
            if head[:4] == b"PK\x03\x04":
                return _read_legacy(source, info.st_size)
            return _read_safetensors(source, file, head, info.st_size)
    except OSError as error:
        raise ModelFileError(f"cannot read {str(source)!r}: {error.strerror or error}") from None


def _read_safetensors(source: Path, file, head: bytes, size: int):
    from safetensors.torch import load

    if len(head) < 8:
        raise _not_a_model(source, "it is shorter than a header")
    (header_size,) = struct.unpack("<Q", head)
    if header_size > MAX_HEADER_BYTES or 8 + header_size > size:
        raise _not_a_model(source, "its header size does not fit the file")
    try:
        header = json.loads(file.read(header_size))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _not_a_model(source, "its header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("__metadata__"), dict):
        raise _not_a_model(source, "its header has no metadata")
    metadata = header.pop("__metadata__")
    if metadata.get("format") != _FORMAT or not isinstance(metadata.get("skequi_config"), str):
        raise _not_a_model(source, "its metadata has no skequi config")
    total, end = 0, 0
    for name, entry in header.items():
        if not (isinstance(entry, dict) and entry.get("dtype") in _DTYPES
                and isinstance(entry.get("shape"), list)
                and all(isinstance(s, int) and s >= 0 for s in entry["shape"])
                and isinstance(entry.get("data_offsets"), list)
                and len(entry["data_offsets"]) == 2
                and all(isinstance(o, int) for o in entry["data_offsets"])):
            raise _not_a_model(source, f"tensor {name!r} has a malformed entry")
        count = int(np.prod(entry["shape"], dtype=object)) if entry["shape"] else 1
        start, stop = entry["data_offsets"]
        if stop - start != count * _DTYPES[entry["dtype"]][1] or start < 0:
            raise _not_a_model(source, f"tensor {name!r} has a size its bytes do not match")
        total += count
        end = max(end, stop)
    if total > MAX_PARAMETERS:
        raise _not_a_model(source, f"{total:,} values, over skequi's limit of "
                                   f"{MAX_PARAMETERS:,}")
    if 8 + header_size + end != size:
        raise _not_a_model(source, "its tensors do not fill the file (truncated or padded)")
    file.seek(0)
    try:
        tensors = load(file.read())
    except Exception as error:  # safetensors raises its own error type on malformed data
        raise _not_a_model(source, f"safetensors refused it: {str(error)[:200]}") from None
    config_text = metadata["skequi_config"]
    if _checksum(config_text, tensors) != metadata.get("skequi_sha256"):
        raise _not_a_model(source, "its checksum does not match its contents: the file was "
                                   "changed or damaged after it was written")
    return _config(source, config_text), tensors, "safetensors"


def _read_legacy(source: Path, size: int):
    """skequi's earlier ``torch.save`` format, entries bounded before anything is inflated."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _not_a_model(source, f"a damaged archive: {error}") from None
    if any(entry.compress_type != zipfile.ZIP_STORED for entry in entries):
        raise _not_a_model(source, "its archive holds compressed entries, which skequi never "
                                   "writes")
    if sum(entry.file_size for entry in entries) > MAX_FILE_BYTES:
        raise _not_a_model(source, "its entries inflate past the size limit")
    try:
        payload = torch.load(source, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, EOFError, RuntimeError, zipfile.BadZipFile, ValueError,
            TypeError, AttributeError, KeyError, IndexError, UnicodeDecodeError,
            OSError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _not_a_model(source, f"torch.load refused it: {detail[:200]}") from None
    if not isinstance(payload, dict) or set(payload) != {"config", "state_dict"}:
        raise _not_a_model(source, "no config and state_dict entries")
    config_text, state = payload["config"], payload["state_dict"]
    if not isinstance(config_text, str) or len(config_text) > MAX_HEADER_BYTES:
        raise _not_a_model(source, "its config is not a JSON string of at most 4 MiB")
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise _not_a_model(source, "its state_dict is not a mapping of names to tensors")
    return _config(source, config_text), state, "legacy"


def _config(source: Path, config_text: str) -> dict:
    try:
        config = json.loads(config_text)
    except (json.JSONDecodeError, RecursionError):
        raise _not_a_model(source, "its config is not valid JSON") from None
    if not isinstance(config, dict):
        raise _not_a_model(source, "its config is not a JSON object")
    for key, kind in (("estimator", str), ("params", dict), ("fit_meta", dict)):
        if not isinstance(config.get(key), kind):
            raise _not_a_model(source, f"its config has no {key!r} {kind.__name__}")
    return config
