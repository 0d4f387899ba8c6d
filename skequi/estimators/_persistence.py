"""Loading estimators saved with ``est.save(path)``: JSON config plus weights, no code."""

from __future__ import annotations

import json
import warnings

import torch

from .. import __version__

__all__ = ["load"]


def _registry() -> dict:
    from . import _emlp, _gmcnn, _latent

    estimators = (_gmcnn.GMCNNClassifier, _gmcnn.GMCNNRegressor, _emlp.EMLPClassifier,
                  _emlp.EMLPRegressor, _latent.LatentEquivariantClassifier,
                  _latent.LatentEquivariantRegressor)
    return {cls.__name__: cls for cls in estimators}


def load(path, device="auto"):
    """Load an estimator saved with ``est.save(path)``.

    The file holds a JSON config and a state dict read with
    ``torch.load(weights_only=True)``: loading never runs code from the file.

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
        If the file names an estimator skequi does not know, or holds weights
        whose shapes this version's layers do not have.

    Warns
    -----
    UserWarning
        If another skequi version wrote the file.
    """
    payload = torch.load(path, map_location="cpu", weights_only=True)
    config = json.loads(payload["config"])
    classes = _registry()
    name = config.get("estimator")
    if name not in classes:
        raise ValueError(f"{path!s} holds an unknown estimator {name!r}; known: {sorted(classes)}")
    saved_by = config.get("skequi_version")
    if saved_by != __version__:
        writer = f"skequi {saved_by}" if saved_by else "a skequi older than the version field"
        warnings.warn(f"{path!s} was written by {writer} and is loaded by skequi "
                      f"{__version__}; check its predictions before relying on them",
                      UserWarning, stacklevel=2)
    estimator = classes[name](**config["params"], device=device)
    return estimator._restore(config["fit_meta"], payload["state_dict"], saved_by=saved_by)
