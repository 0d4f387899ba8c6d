"""Double digits: two 8x8 digits side by side, each transformed independently."""

from __future__ import annotations

import numpy as np

from ..groups import get_group
from ..transforms import apply_group
from ._digits import load_digit_images

__all__ = ["double_digits_action", "make_double_digits"]

_FACTORS = ("C4", "D1", "D4")


def double_digits_action(X, g, group):
    """Act on ``(n, C, 8, 16)`` double digits with an element of ``H x H``.

    Element ``g`` of the product group ``"HxH"`` is the pair ``(g1, g2)``
    (index ``g1 |H| + g2``); ``g1`` transforms the left digit, ``g2`` the right.
    Use it as ``input_action`` of the latent estimators.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n, C, H, 2H)
    g : int
    group : str or FiniteGroup
        A product ``"HxH"`` of a point group with itself.

    Returns
    -------
    same type as X

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import double_digits_action, make_double_digits
    >>> X, _ = make_double_digits("C4", 2, transform=False, random_state=0)
    >>> moved = double_digits_action(X, 1, "C4xC4")  # (e, r): only the right digit turns
    >>> right = np.rot90(X[..., 8:], axes=(2, 3))
    >>> np.array_equal(moved[..., :8], X[..., :8]), np.array_equal(moved[..., 8:], right)
    (True, True)
    """
    grp = get_group(group)
    factor = grp.name.split("x")[0]
    size = get_group(factor).order
    g1, g2 = divmod(int(g), size)
    width = X.shape[-1] // 2
    left = apply_group(X[..., :width], g1, factor)
    right = apply_group(X[..., width:], g2, factor)
    if type(X).__module__.split(".")[0] == "torch":
        import torch

        return torch.cat([left, right], dim=-1)
    return np.concatenate([left, right], axis=-1)


def make_double_digits(group="C4", n_samples: int = 3000, *, transform: bool = True,
                       random_state=None):
    """Pairs of scikit-learn digits side by side, each transformed by its own element.

    A DDMNIST analogue built offline from the 8x8 digits: label ``10 a + b``
    for left digit ``a`` and right digit ``b`` (100 classes); each digit is
    transformed by an element drawn uniformly from ``group``, so the product
    group ``"HxH"`` acts (see :func:`double_digits_action`).

    Parameters
    ----------
    group : {"C4", "D1", "D4"}, default="C4"
    n_samples : int, default=3000
    transform : bool, default=True
        False gives upright pairs.
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 8, 16), float32
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from skequi.datasets import make_double_digits
    >>> X, y = make_double_digits("D1", 5, random_state=0)
    >>> X.shape, int(y.max()) < 100
    ((5, 1, 8, 16), True)
    """
    if group not in _FACTORS:
        raise ValueError(f"group must be one of {_FACTORS}, got {group!r}")
    images, labels = load_digit_images()
    rng = np.random.default_rng(random_state)
    left, right = rng.integers(len(images), size=(2, n_samples))
    X = np.concatenate([images[left], images[right]], axis=-1)
    y = 10 * labels[left] + labels[right]
    if transform:
        order = get_group(group).order
        product = f"{group}x{group}"
        elements = rng.integers(order * order, size=n_samples)
        X = np.stack([double_digits_action(x, g, product) for x, g in zip(X, elements)])
    return np.ascontiguousarray(X, dtype=np.float32), y
