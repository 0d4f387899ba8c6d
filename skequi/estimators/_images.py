"""Validation and reshaping of image inputs and field targets, before any torch code."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_consistent_length, validate_data

from ._base import _to_numpy

__all__ = ["as_images", "validate_images", "validate_target"]


def validate_images(estimator, X, *, reset: bool) -> np.ndarray:
    """sklearn validation of X (any ndim >= 2, finite, float) -> float32 numpy.

    ``n_features_in_`` is the number of values per sample (C*H*W).
    """
    X = _to_numpy(X)
    if hasattr(X, "ndim") and X.ndim > 2:
        # n_features_in_ counts values per sample, so flat and image-shaped X agree
        shape = X.shape
        flat = validate_data(
            estimator, np.reshape(X, (shape[0], int(np.prod(shape[1:])))), reset=reset,
            dtype=[np.float64, np.float32],
        )
        return flat.reshape(shape).astype(np.float32, copy=False)
    X = validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32])
    return X.astype(np.float32, copy=False)


def as_images(X: np.ndarray, image_shape, channels_per_field: int, name: str) -> np.ndarray:
    """Bring validated X to ``(n, C, H, W)``.

    Accepts ``(n, C, H, W)``, ``(n, H, W)`` (one channel), and flat ``(n, F)``:
    with ``image_shape=(H, W)`` it becomes ``(n, F // (H W), H, W)``; without,
    a perfect square ``F`` becomes one square channel and anything else a
    ``(1, F)`` strip.
    """
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


def validate_target(y, n_samples: int, *, name: str) -> np.ndarray:
    """Regression target: finite floats of any shape ``(n, ...)`` -> float32."""
    y = _to_numpy(y)
    y = check_array(
        y, ensure_2d=False, allow_nd=True, dtype=[np.float64, np.float32], input_name="y"
    )
    check_consistent_length(np.empty(n_samples), y)
    return y.astype(np.float32, copy=False)

