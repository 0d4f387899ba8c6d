"""``est.save(path)`` and ``skequi.load(path)``: JSON config plus weights, never code.

The file format is in :mod:`._model_file` (safetensors, a checksum, atomic
writes). Loading rebuilds the estimator from its *declared* parameters alone:
each parameter must be one the estimator's constructor names (or a JSON value
routed with ``optimizer__``, ``iterator_train__`` ...), never a class,
callable or skorch plumbing (``module``, ``iterator_train``,
``torch_load_kwargs`` ...). Anything else is refused with a ValueError naming
it, before a module is allocated. Estimator classes come from the registry the
estimator modules fill (:mod:`._registry`).
"""

from __future__ import annotations

import inspect
import math
import os
import warnings

import torch

from .. import __version__
from ._checks import MAX_PARAMETERS, check_device
from ._model_file import MAX_FILE_BYTES, ModelFileError, read_model_file, write_model_file
from ._registry import ESTIMATORS

__all__ = ["MAX_FILE_BYTES", "SavableMixin", "fitted_json_params", "load", "save_estimator"]

#: Parameters a file may never set: classes, callables, skorch plumbing.
_NEVER_FROM_FILE = frozenset({
    "module", "criterion", "optimizer", "callbacks", "train_split", "iterator_train",
    "iterator_valid", "dataset", "predict_nonlinearity", "torch_load_kwargs", "encoder", "head",
    "input_action", "output_action", "batch_transform", "device", "compile", "use_caching",
})
#: Prefixes of routed parameters a file may set (JSON values only).
_ROUTED_PREFIXES = ("optimizer__", "iterator_train__", "iterator_valid__", "criterion__",
                    "encoder__", "head__", "lr_schedule__")


class SavableMixin:
    """``save(path)`` and the fit metadata a saved estimator needs to predict.

    Mixed into every skequi estimator (through ``EquivariantNetMixin``);
    subclasses name what their ``fit_meta_`` must hold in
    ``_own_fit_meta_keys`` and extend ``_restore_fit_meta`` /
    ``_check_fit_meta`` for what they derive from it.
    """

    def save(self, path) -> None:
        """Save config (JSON) and weights to one file that :func:`skequi.load` reads safely.

        Parameters
        ----------
        path : str or path-like

        Raises
        ------
        ValueError
            If a parameter cannot be written as JSON (callbacks, custom
            optimizers or criteria); pickle the estimator instead.

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np
        >>> import skequi
        >>> from skequi import GMCNNClassifier
        >>> from skequi.datasets import load_digit_images
        >>> X, y = load_digit_images()
        >>> clf = GMCNNClassifier("C4", channels=(2,), max_epochs=1, random_state=0)
        >>> clf = clf.fit(X[:100], y[:100])
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "digits.skequi"
        >>> clf.save(path)
        >>> np.array_equal(skequi.load(path, device="cpu").predict(X[:5]), clf.predict(X[:5]))
        True
        """
        self._check_fitted()
        save_estimator(self, path)

    def _restore_fit_meta(self, fit_meta: dict) -> None:
        """Recreate fitted attributes from fit_meta; subclasses extend it."""
        self._validate_hyperparameters()

    def _check_fit_meta(self) -> None:
        """Refuse a loaded fit_meta whose shapes or statistics no model could have.

        Raises
        ------
        TypeError
            For shapes that are not lists of non-negative ints, or sizes past
            skequi's limit (the loader reports it as a malformed file).
        """
        for key in ("input_shape", "target_shape", "field_shape", "channels"):
            shape = self.fit_meta_.get(key)
            if shape is None:
                continue
            if not isinstance(shape, list) or not all(
                    isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
                raise TypeError(f"{key} must be a list of non-negative ints, got {shape!r}")
            size = math.prod(shape)
            if size > MAX_PARAMETERS:
                raise TypeError(f"{key} {shape} holds {size:,} values, over skequi's limit")

    def _fit_meta_keys(self) -> tuple:
        """What fit_meta_ must hold for this estimator to predict (checked on load)."""
        keys = ("classes",) if hasattr(self, "_encode_labels") else ()
        return keys + self._own_fit_meta_keys

    _own_fit_meta_keys: tuple = ()


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


def fitted_json_params(estimator):
    """The JSON parameters as :meth:`save` would write them, or None when some parameter
    is not JSON (callbacks, custom classes): recorded at fit to check save against."""
    try:
        return _json_params(estimator)
    except ValueError:
        return None


def save_estimator(estimator, path) -> None:
    """Write ``estimator`` (fitted) to ``path``; see :meth:`EquivariantNetMixin.save`."""
    params = _json_params(estimator)
    at_fit = estimator.__dict__.get("_json_params_at_fit")
    if at_fit is not None and at_fit != params:
        changed = sorted(k for k in set(at_fit) | set(params) if at_fit.get(k) != params.get(k))
        shown = ", ".join(f"{k}={params.get(k)!r} (fitted with {at_fit.get(k)!r})"
                          for k in changed[:4])
        raise ValueError(
            f"{type(estimator).__name__}.save: parameters changed after fit: {shown}. The file "
            "would pair them with weights fitted under the old ones; refit, or set them back "
            "before saving"
        )
    config = {
        "estimator": type(estimator).__name__,
        "skequi_version": __version__,
        "params": params,
        # JSON has no tuples: name the parameters given as tuples, so they load as tuples
        "tuple_params": sorted(k for k, v in estimator.get_params(deep=False).items()
                               if k in params and isinstance(v, tuple)),
        "fit_meta": estimator.fit_meta_,
    }
    write_model_file(path, config, estimator.module_.state_dict())


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

    The file holds safetensors weights and a JSON config, checked against a
    SHA-256 and against skequi's size limits before anything is allocated:
    loading never runs code from the file, and only the estimator's declared
    parameters are taken from it. Files of skequi's earlier (``torch.save``)
    format still load; save them again to convert them.

    Parameters
    ----------
    path : str or path-like
        ``~`` is expanded.
    device : str, default="auto"
        Where to put the weights (``"auto"``: CUDA when available).

    Returns
    -------
    estimator
        Fitted, ready for ``predict``.

    Raises
    ------
    ValueError
        If the file is not a skequi model (a folder, a damaged or changed
        file, another format), names an estimator skequi does not know, sets a
        parameter a file may not set, describes a model over the size limit,
        or holds weights whose shapes this version's layers do not have.

    Warns
    -----
    UserWarning
        If another skequi version wrote the file, or it has the earlier format.

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
    config, state, file_format = read_model_file(path)
    name = config["estimator"]
    if name not in ESTIMATORS:
        raise ValueError(f"{os.fspath(path)!s} holds an unknown estimator {name!r}; "
                         f"known: {sorted(ESTIMATORS)}")
    cls = ESTIMATORS[name]
    check_device(device, name)
    params = _checked_params(cls, config["params"], path)
    tuples = config.get("tuple_params", [])
    if not isinstance(tuples, list):
        raise ModelFileError(f"{os.fspath(path)!s} is not a skequi model file (its tuple_params "
                             "is not a list)")
    params = {k: _as_tuple(v) if k in tuples else v for k, v in params.items()}
    saved_by = config.get("skequi_version")
    if file_format == "legacy":
        warnings.warn(f"{os.fspath(path)!s} has skequi's earlier file format (a torch.save "
                      "archive); save the loaded estimator again to convert it to safetensors",
                      UserWarning, stacklevel=2)
    if saved_by != __version__:
        writer = f"skequi {saved_by}" if saved_by else "a skequi older than the version field"
        warnings.warn(f"{os.fspath(path)!s} was written by {writer} and is loaded by skequi "
                      f"{__version__}; check its predictions before relying on them",
                      UserWarning, stacklevel=2)
    try:
        estimator = cls(**params, device=device)
    except TypeError as error:
        raise ModelFileError(f"{os.fspath(path)!s} is not a skequi model file (its parameters "
                             f"do not fit {name}: {error})") from None
    with torch.random.fork_rng(devices=[]):  # building the module must not move torch's RNG
        return _restore(estimator, config["fit_meta"], state, saved_by, path)


def _restore(estimator, fit_meta: dict, state_dict: dict, saved_by, path):
    def malformed(reason: str) -> ModelFileError:
        return ModelFileError(f"{os.fspath(path)!s} is not a skequi model file ({reason})")

    missing = sorted(set(estimator._fit_meta_keys()) - set(fit_meta))
    if missing:
        raise malformed(f"its fit_meta is incomplete: no {', '.join(missing)}")
    estimator.fit_meta_ = fit_meta
    try:
        estimator._restore_fit_meta(fit_meta)
        estimator._check_fit_meta()
    except (KeyError, TypeError, IndexError, AttributeError, ZeroDivisionError,
            OverflowError) as error:
        raise malformed(f"its fit_meta is malformed ({type(error).__name__}: {error})") from None
    estimator._check_size()
    try:
        estimator.initialize()
    except (KeyError, TypeError, IndexError, AttributeError, ZeroDivisionError) as error:
        raise malformed(f"its fit_meta does not describe a model ({type(error).__name__}: "
                        f"{error})") from None
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
    estimator.__dict__["_json_params_at_fit"] = fitted_json_params(estimator)
    return estimator
