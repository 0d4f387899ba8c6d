"""``est.save(path)`` and ``skequi.load(path)``: JSON config plus weights, never code.

A saved file is a ``torch.save`` archive of two entries: ``config``, a JSON
string (estimator class name, skequi version, parameters, ``fit_meta``), and
``state_dict``, tensors only. :func:`load` reads it with
``torch.load(weights_only=True)`` (no unpickling of objects), then rebuilds the
estimator from its *declared* parameters alone: each parameter must be one the
estimator's constructor names (or a JSON value routed with ``optimizer__``,
``iterator_train__`` ...), never a class, callable or skorch plumbing
(``module``, ``iterator_train``, ``torch_load_kwargs`` ...). Anything else is
refused with a ValueError naming it, before a module is allocated.
"""

from __future__ import annotations

import inspect
import json
import os
import pickle
import warnings
import zipfile

import torch

from .. import __version__
from ._checks import MAX_PARAMETERS, check_device

__all__ = ["load", "save_estimator"]

#: Parameters a file may never set: classes, callables, skorch plumbing.
_NEVER_FROM_FILE = frozenset({
    "module", "criterion", "optimizer", "callbacks", "train_split", "iterator_train",
    "iterator_valid", "dataset", "predict_nonlinearity", "torch_load_kwargs", "encoder", "head",
    "input_action", "output_action", "device", "compile", "use_caching",
})
#: Prefixes of routed parameters a file may set (JSON values only).
_ROUTED_PREFIXES = ("optimizer__", "iterator_train__", "iterator_valid__", "criterion__",
                    "encoder__", "head__")
#: Largest file load() reads: the weights of MAX_PARAMETERS float64 values, plus slack.
MAX_FILE_BYTES = 8 * MAX_PARAMETERS + 2**24
_MAX_CONFIG_CHARS = 2**20


def _registry() -> dict:
    from . import _emlp, _gmcnn, _gmcnn_regressor, _latent

    estimators = (_gmcnn.GMCNNClassifier, _gmcnn_regressor.GMCNNRegressor, _emlp.EMLPClassifier,
                  _emlp.EMLPRegressor, _latent.LatentEquivariantClassifier,
                  _latent.LatentEquivariantRegressor)
    return {cls.__name__: cls for cls in estimators}


def declared_parameters(cls) -> set[str]:
    """Constructor parameters of ``cls`` and the skequi classes it builds on, minus plumbing."""
    names = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("skequi.") and "__init__" in vars(klass):
            signature = inspect.signature(klass.__init__)
            names |= {name for name, p in signature.parameters.items()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name != "self"}
    return (names | {"warm_start"}) - _NEVER_FROM_FILE


def _is_json_value(value, depth: int = 0) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)) and depth < 4:
        return all(_is_json_value(v, depth + 1) for v in value)
    return False


def save_estimator(estimator, path) -> None:
    """Write ``estimator`` (fitted) to ``path``; see :meth:`EquivariantNetMixin.save`."""
    params = _json_params(estimator)
    config = {
        "estimator": type(estimator).__name__,
        "skequi_version": __version__,
        "params": params,
        # JSON has no tuples: name the parameters given as tuples, so they load as tuples
        "tuple_params": sorted(k for k, v in estimator.get_params(deep=False).items()
                               if k in params and isinstance(v, tuple)),
        "fit_meta": estimator.fit_meta_,
    }
    state = {k: v.detach().cpu() for k, v in estimator.module_.state_dict().items()}
    torch.save({"config": json.dumps(config), "state_dict": state}, path)


def _json_params(estimator) -> dict:
    """Every loadable parameter, defaults included (so another skequi's defaults change
    nothing), and every JSON-valued routed parameter; refuses non-default plumbing."""
    declared = declared_parameters(type(estimator))
    defaults = type(estimator)().get_params(deep=False)
    params = {}
    for key, value in estimator.get_params(deep=False).items():
        routed = key.startswith(_ROUTED_PREFIXES)
        if (key in declared or routed) and _is_json_value(value):
            params[key] = list(value) if isinstance(value, tuple) else value
        elif key == "device" or _is_default(value, defaults.get(key, object())):
            continue
        else:
            raise ValueError(
                f"cannot save parameter {key}={value!r} as JSON; use pickle or joblib "
                "for estimators with callbacks or custom classes"
            )
    return params


def _is_default(value, default) -> bool:
    if value is default:
        return True
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _not_a_model(path, reason: str) -> ValueError:
    return ValueError(f"{os.fspath(path)!s} is not a skequi model file ({reason}); "
                      "skequi.load reads files written by est.save(path)")


def _read(path) -> tuple[dict, dict]:
    """(config, state_dict) from a file, or a ValueError saying why it is not a model."""
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise ValueError(f"cannot read {os.fspath(path)!s}: {error.strerror or error}") from None
    if size > MAX_FILE_BYTES:
        raise _not_a_model(path, f"{size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, EOFError, RuntimeError, zipfile.BadZipFile, ValueError,
            TypeError, AttributeError, KeyError, IndexError, UnicodeDecodeError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _not_a_model(path, f"torch.load refused it: {detail[:200]}") from None
    if not isinstance(payload, dict) or set(payload) != {"config", "state_dict"}:
        raise _not_a_model(path, "no config and state_dict entries")
    config_text, state = payload["config"], payload["state_dict"]
    if not isinstance(config_text, str) or len(config_text) > _MAX_CONFIG_CHARS:
        raise _not_a_model(path, "its config is not a JSON string of at most 1 MiB")
    try:
        config = json.loads(config_text)
    except (json.JSONDecodeError, RecursionError):
        raise _not_a_model(path, "its config is not valid JSON") from None
    if not isinstance(config, dict):
        raise _not_a_model(path, "its config is not a JSON object")
    for key, kind in (("estimator", str), ("params", dict), ("fit_meta", dict)):
        if not isinstance(config.get(key), kind):
            raise _not_a_model(path, f"its config has no {key!r} {kind.__name__}")
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise _not_a_model(path, "its state_dict is not a mapping of names to tensors")
    return config, state


def _as_tuple(value):
    if isinstance(value, list):
        return tuple(_as_tuple(v) for v in value)
    return value


def _checked_params(cls, params: dict, path) -> dict:
    declared = declared_parameters(cls)
    for key, value in params.items():
        if key in _NEVER_FROM_FILE or not (key in declared or key.startswith(_ROUTED_PREFIXES)):
            raise ValueError(
                f"{os.fspath(path)!s} sets {cls.__name__} parameter {key!r}, which a saved file "
                "may not set (only the estimator's own JSON parameters are loaded); refusing "
                "to load it"
            )
        if not _is_json_value(value):
            raise ValueError(f"{os.fspath(path)!s}: parameter {key!r} is not a JSON value")
    return params


def load(path, device="auto"):
    """Load an estimator saved with ``est.save(path)``.

    The file holds a JSON config and a state dict read with
    ``torch.load(weights_only=True)``: loading never runs code from the file,
    and only the estimator's declared parameters are taken from it.

    Parameters
    ----------
    path : str or path-like
    device : str, default="auto"
        Where to put the weights (``"auto"``: CUDA when available).

    Returns
    -------
    estimator
        Fitted, ready for ``predict``.

    Raises
    ------
    ValueError
        If the file is not a skequi model, names an estimator skequi does not
        know, sets a parameter a file may not set, describes a model over the
        size limit, or holds weights whose shapes this version's layers do
        not have.

    Warns
    -----
    UserWarning
        If another skequi version wrote the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import skequi
    >>> from skequi import EMLPRegressor
    >>> from skequi.datasets import make_o5_synthetic
    >>> X, y = make_o5_synthetic(100, random_state=0)
    >>> reg = EMLPRegressor("O(5)", "2V", "S", hidden=16, n_layers=1, max_epochs=1,
    ...                     random_state=0).fit(X, y)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "o5.skequi"
    >>> reg.save(path)
    >>> loaded = skequi.load(path, device="cpu")
    >>> loaded.group, loaded.predict(X[:3]).shape
    ('O(5)', (3,))
    """
    config, state = _read(path)
    classes = _registry()
    name = config["estimator"]
    if name not in classes:
        raise ValueError(f"{os.fspath(path)!s} holds an unknown estimator {name!r}; "
                         f"known: {sorted(classes)}")
    cls = classes[name]
    check_device(device, name)
    params = _checked_params(cls, config["params"], path)
    tuples = config.get("tuple_params", [])
    if not isinstance(tuples, list):
        raise _not_a_model(path, "its tuple_params is not a list")
    params = {k: _as_tuple(v) if k in tuples else v for k, v in params.items()}
    saved_by = config.get("skequi_version")
    if saved_by != __version__:
        writer = f"skequi {saved_by}" if saved_by else "a skequi older than the version field"
        warnings.warn(f"{os.fspath(path)!s} was written by {writer} and is loaded by skequi "
                      f"{__version__}; check its predictions before relying on them",
                      UserWarning, stacklevel=2)
    try:
        estimator = cls(**params, device=device)
    except TypeError as error:
        raise _not_a_model(path, f"its parameters do not fit {name}: {error}") from None
    return _restore(estimator, config["fit_meta"], state, saved_by, path)


def _restore(estimator, fit_meta: dict, state_dict: dict, saved_by, path):
    missing = sorted(set(estimator._fit_meta_keys()) - set(fit_meta))
    if missing:
        raise _not_a_model(path, f"its fit_meta is incomplete: no {', '.join(missing)}")
    estimator.fit_meta_ = fit_meta
    try:
        estimator._restore_fit_meta(fit_meta)
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise _not_a_model(path, f"its fit_meta is malformed ({type(error).__name__}: "
                                 f"{error})") from None
    estimator._check_size()
    estimator.initialize()
    try:
        estimator.module_.load_state_dict(state_dict)
    except RuntimeError as error:  # a file from a skequi whose layers stored other shapes
        written_by = f"skequi {saved_by}" if saved_by else "an earlier skequi"
        raise ValueError(
            f"the saved weights do not fit the {type(estimator).__name__} that skequi "
            f"{__version__} builds from the saved parameters (file written by "
            f"{written_by}); refit and save again. "
            f"Details: {str(error).splitlines()[0]}"
        ) from None
    estimator.module_.to(estimator.device)
    return estimator
