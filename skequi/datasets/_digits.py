"""Digit images from scikit-learn's shipped 8x8 digits, upright or transformed."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

from ..groups import get_group
from ..transforms import apply_group

__all__ = ["load_digit_images", "make_rotated_digits"]


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits as float32 images ``(n, 1, 8, 8)`` in [0, 1], and labels.

    Returns
    -------
    X : ndarray of shape (1797, 1, 8, 8)
    y : ndarray of shape (1797,)

    Examples
    --------
    >>> from skequi.datasets import load_digit_images
    >>> X, y = load_digit_images()
    >>> X.shape, X.dtype, float(X.max()), y[:5].tolist()
    ((1797, 1, 8, 8), dtype('float32'), 1.0, [0, 1, 2, 3, 4])
    """
    digits = load_digits()
    return (digits.images[:, None] / 16.0).astype(np.float32), digits.target


def make_rotated_digits(group="C4", *,
                        random_state=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The digits, each transformed by an element drawn uniformly from ``group``.

    Parameters
    ----------
    group : str, default="C4"
        A point group of the pixel grid (C1, C2, C4, D1, D2, D4).
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (1797, 1, 8, 8)
        Transformed images, float32 in [0, 1].
    y : ndarray of shape (1797,)
    elements : ndarray of shape (1797,)
        Index of the group element applied to each image.

    Examples
    --------
    >>> from skequi.datasets import make_rotated_digits
    >>> X, y, g = make_rotated_digits("C4", random_state=0)
    >>> X.shape, sorted(set(g.tolist()))
    ((1797, 1, 8, 8), [0, 1, 2, 3])
    """
    X, y = load_digit_images()
    grp = get_group(group)
    elements = np.random.default_rng(random_state).integers(grp.order, size=len(X))
    moved = np.stack([apply_group(x, g, grp) for x, g in zip(X, elements)])
    return np.ascontiguousarray(moved), y, elements
