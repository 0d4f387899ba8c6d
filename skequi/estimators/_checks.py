"""Checks that run before any torch code: device, model size, sample weights.

Each raises a ``ValueError`` (or ``TypeError``) that names the parameter or
input, shows what was received and says what is allowed.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "FLOAT32_MAX",
    "MAX_PARAMETERS",
    "check_channels",
    "check_float32_range",
    "check_device",
    "check_model_size",
    "is_shape",
    "prepare_sample_weight",
    "to_numpy",
]

#: The largest model (trainable parameters, or dense matrix entries for EMLP's
#: assembled layers) an estimator builds or loads: 10^8 float32 values, 400 MB.
MAX_PARAMETERS = 100_000_000


def to_numpy(X):
    """A torch tensor as numpy (detached, on the CPU); anything else unchanged."""
    if isinstance(X, torch.Tensor):
        return X.detach().cpu().numpy()
    return X


def check_device(device, name: str) -> torch.device:
    """The torch device ``device`` names, or a ValueError saying what to use instead.

    ``"auto"`` is CUDA when available, else the CPU.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"The 'device' parameter of {name} must be 'auto', 'cpu', 'cuda' or 'cuda:<index>'. "
            f"Got {device!r} instead."
        ) from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{name} was given device={device!r}, but CUDA is not available here "
                f"(torch {torch.__version__}); use device='auto' (CUDA when present) or "
                "device='cpu'"
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"{name} was given device={device!r}, but only {torch.cuda.device_count()} "
                "CUDA device(s) are visible"
            )
    elif resolved.type != "cpu":
        raise ValueError(
            f"The 'device' parameter of {name} must be 'auto', 'cpu' or a CUDA device. "
            f"Got {device!r} instead."
        )
    return resolved


def check_model_size(name: str, estimate: float, culprit: str) -> None:
    """Refuse a model estimated above :data:`MAX_PARAMETERS` before it is allocated.

    Parameters
    ----------
    name : str
        The estimator's class name.
    estimate : float
        Estimated trainable parameters (or dense layer entries).
    culprit : str
        The parameters that set the size, as shown to the user (``"hidden=10000000"``).
    """
    if estimate > MAX_PARAMETERS:
        raise ValueError(
            f"{name} with {culprit} would build a model of about {estimate:.3g} parameters, "
            f"over skequi's limit of {MAX_PARAMETERS:.0e}; choose smaller values"
        )


def prepare_sample_weight(sample_weight, n_samples: int, name: str):
    """Validated weights, normalised to mean 1, and the rows to keep.

    Returns
    -------
    weights : ndarray of float32 or None
        None when every weight is equal (the fit is then exactly the
        unweighted one).
    keep : ndarray of bool or None
        Rows with non-zero weight (None when all are kept): zero-weight
        samples are dropped, so they change nothing, batch statistics included.
    """
    if sample_weight is None:
        return None, None
    try:
        weights = _check_sample_weight(sample_weight, np.empty((n_samples, 1)),
                                       dtype=np.float64, ensure_non_negative=True)
    except ValueError as error:
        message = str(error)
        if "sample_weight" not in message:
            message = f"sample_weight: {message}"
        raise ValueError(f"{name}: {message}") from None
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{name}: sample_weight must be finite")
    keep = weights > 0
    if not keep.any():
        raise ValueError(f"{name}: sample_weight is zero for every sample; nothing to fit")
    kept = weights[keep]
    if np.all(kept == kept[0]):
        return None, (None if keep.all() else keep)
    scaled = kept / kept.max()  # first into (0, 1]: the mean of weights near 1e308 overflows
    normalised = (scaled / scaled.mean()).astype(np.float32)
    if not np.all(normalised > 0):
        raise ValueError(
            f"{name}: sample_weight spans more than float32 can hold (from {kept.min():.3g} to "
            f"{kept.max():.3g}); the smallest weights would become 0. Rescale or drop them")
    return normalised, (None if keep.all() else keep)


#: Largest magnitude float32 holds.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_float32_range(values: np.ndarray, what: str, owner: str, precision: str) -> None:
    """A ValueError when finite values would overflow the float32 the model computes in.

    Parameters
    ----------
    values : ndarray
    what : str
        ``"X"`` or ``"y"``, for the message.
    owner : str
    precision : str
        ``"float64"`` models take any finite value.
    """
    if precision == "float64" or values.dtype.kind != "f" or values.dtype.itemsize <= 4:
        return
    beyond = np.abs(values) > FLOAT32_MAX
    if beyond.any():
        count = int(beyond.sum())
        raise ValueError(
            f"{owner}: {what} has {count} value{'s' if count > 1 else ''} beyond float32's range "
            f"(|v| > {FLOAT32_MAX:.3g}), which this model computes in; rescale {what} or use "
            "precision='float64'"
        )


def check_channels(channels, name: str, parameter: str = "channels") -> None:
    """A non-empty sequence of positive ints (numpy ints too), or a ValueError."""
    try:
        values = list(channels)
    except TypeError:
        values = None
    if (not values or not all(isinstance(c, Integral) and not isinstance(c, bool) and c >= 1
                              for c in values)):
        raise ValueError(
            f"The '{parameter}' parameter of {name} must be a non-empty sequence of positive "
            f"ints, e.g. (8, 8, 8). Got {channels!r} instead."
        )


def is_shape(shape) -> bool:
    """Whether ``shape`` is ``(height, width)`` of positive ints."""
    try:
        values = list(shape)
    except TypeError:
        return False
    return len(values) == 2 and all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values)
