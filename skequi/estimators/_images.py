"""Validation and reshaping of image inputs and field targets, before any torch code."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_consistent_length, validate_data

from ._checks import check_float32_range, to_numpy

__all__ = ["as_images", "readable_array", "refuse_channels_last", "validate_images",
           "validate_target"]


def readable_array(X, name: str, owner: str):
    """``X`` as a numpy array, or a ValueError that names it (ragged lists, strings ...)."""
    X = to_numpy(X)
    if hasattr(X, "to_numpy") or hasattr(X, "tocsr") or isinstance(X, np.ndarray):
        return X  # DataFrames and sparse matrices: sklearn's validation names them
    try:
        return np.asarray(X, dtype=float)
    except (ValueError, TypeError) as error:
        kind = type(X).__name__
        raise ValueError(
            f"{owner}: {name} must be a numeric array (n_samples, ...); could not read the "
            f"{kind} passed as {name}: {str(error).splitlines()[0]}"
        ) from None


def _validated(estimator, X, name: str, **kwargs):
    try:
        return validate_data(estimator, X, **kwargs)
    except ValueError as error:
        message = str(error)
        if name in message or "sample" in message or "feature" in message:
            raise
        raise ValueError(f"{type(estimator).__name__}: {name}: {message}") from None


def validate_images(estimator, X, *, reset: bool) -> np.ndarray:
    """sklearn validation of X (any ndim >= 2, finite, float) -> float32 or float64 numpy.

    ``n_features_in_`` is the number of values per sample (C*H*W).
    """
    X = readable_array(X, "X", type(estimator).__name__)
    dtype = [np.float64, np.float32]
    if hasattr(X, "ndim") and X.ndim > 2:
        # n_features_in_ counts values per sample, so flat and image-shaped X agree
        shape = X.shape
        if np.iscomplexobj(X):
            raise ValueError(f"{type(estimator).__name__}: complex data not supported in X")
        flat = _validated(estimator, np.reshape(X, (shape[0], int(np.prod(shape[1:])))), "X",
                          reset=reset, dtype=dtype)
        X = flat.reshape(shape)
    else:
        X = _validated(estimator, X, "X", reset=reset, dtype=dtype)
    check_float32_range(X, "X", type(estimator).__name__, getattr(estimator, "precision", ""))
    return X


def as_images(X: np.ndarray, image_shape, channels_per_field: int, name: str) -> np.ndarray:
    """Bring validated X to ``(n, C, H, W)``.

    Accepts ``(n, C, H, W)``, ``(n, H, W)`` (one channel), and flat ``(n, F)``:
    with ``image_shape=(H, W)`` it becomes ``(n, F // (H W), H, W)``; without,
    a perfect square ``F`` becomes one square channel and anything else a
    ``(1, F)`` strip.
    """
    if X.ndim in (3, 4) and image_shape is not None and tuple(X.shape[-2:]) != tuple(image_shape):
        raise ValueError(
            f"{name}: image_shape={tuple(image_shape)} but X holds images of shape "
            f"{tuple(X.shape[-2:])}; image_shape is for flat X (n, C*H*W)"
        )
    refuse_channels_last(X.shape, image_shape, name)
    if X.ndim == 4:
        images = X
    elif X.ndim == 3:
        images = X[:, None]
    elif X.ndim == 2:
        n, features = X.shape
        if image_shape is not None:
            height, width = image_shape
            if features % (height * width):
                raise ValueError(
                    f"{name}: X has {features} features, which is not a multiple of "
                    f"image_shape={tuple(image_shape)} ({height * width} pixels)"
                )
            images = X.reshape(n, features // (height * width), height, width)
        else:
            side = math.isqrt(features)
            shape = (side, side) if side * side == features else (1, features)
            images = X.reshape(n, 1, *shape)
    else:
        raise ValueError(
            f"{name}: X must be images (n, C, H, W), (n, H, W) or flat (n, H*W) with "
            f"image_shape=; got an array with shape {X.shape}"
        )
    if images.shape[1] % channels_per_field:
        raise ValueError(
            f"{name}: field='vector' needs channels in (u, v) pairs, got {images.shape[1]} channels"
        )
    return np.ascontiguousarray(images)


def refuse_channels_last(shape: tuple, image_shape, name: str) -> None:
    """A ValueError for ``(n, H, W, C)`` images (C in 1, 3, 4; H, W >= 8), unless
    ``image_shape=(W, C)`` says the last two axes really are the image."""
    if len(shape) == 4 and image_shape is None and shape[-1] in (1, 3, 4) \
            and min(shape[1], shape[2]) >= 8:
        raise ValueError(
            f"{name}: X has shape {tuple(shape)}, which looks channels-last ({shape[1]}x"
            f"{shape[2]} images with {shape[3]} channels); skequi expects (n, C, H, W): pass "
            f"X.transpose(0, 3, 1, 2). If X really holds {shape[1]} channels of "
            f"{shape[2]}x{shape[3]} images, say so with image_shape=({shape[2]}, {shape[3]})"
        )


def square_image_hint(X_shape: tuple, image_shape, height: int, width: int) -> str:
    """Why the images are not square, in the user's terms."""
    if len(X_shape) == 4 and X_shape[1] == X_shape[2] and X_shape[3] <= 4:
        return (f"X has shape {X_shape}, which looks channels-last; skequi expects "
                f"(n, C, H, W): pass X.transpose(0, 3, 1, 2)")
    if len(X_shape) == 2 and image_shape is None:
        return (f"flat X has {X_shape[1]} features per sample, which is not a square image; "
                "pass image_shape=(H, W)")
    return f"got {height}x{width} images"


def validate_target(y, n_samples: int, *, name: str, precision: str = "float32") -> np.ndarray:
    """Regression target: finite floats of any shape ``(n, ...)`` -> float32 or float64."""
    y = readable_array(y, "y", name)
    try:
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=[np.float64, np.float32],
                        input_name="y")
    except ValueError as error:
        if "y" in str(error).split()[:8] or "Input y" in str(error):
            raise
        raise ValueError(f"{name}: y: {error}") from None
    check_consistent_length(np.empty(n_samples), y)
    check_float32_range(y, "y", name, precision)
    return y
