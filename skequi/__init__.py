"""skequi: approximately equivariant neural networks behind the scikit-learn API.

The estimators are imported on first use, so ``import skequi`` (and the
``skequi`` command's ``--help``) does not pay for importing torch.
"""

import importlib as _importlib

__version__ = "0.1.0"

__all__ = [
    "EMLPClassifier",
    "EMLPRegressor",
    "GMCNNClassifier",
    "GMCNNRegressor",
    "LatentEquivariantClassifier",
    "LatentEquivariantRegressor",
    "__version__",
    "datasets",
    "load",
    "progress",
]

_FROM_ESTIMATORS = {
    "EMLPClassifier", "EMLPRegressor", "GMCNNClassifier", "GMCNNRegressor",
    "LatentEquivariantClassifier", "LatentEquivariantRegressor", "load",
}


def __getattr__(name):
    if name in _FROM_ESTIMATORS:
        value = getattr(_importlib.import_module(".estimators", __name__), name)
    elif name == "datasets":
        value = _importlib.import_module(".datasets", __name__)
    elif name == "progress":
        value = _importlib.import_module("._progress", __name__).progress
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
