"""Fields whose law has exactly one mirror symmetry of the pixel grid."""

from __future__ import annotations

import numpy as np

from ..groups import get_group
from ..transforms import apply_group

__all__ = ["make_mirror_fields"]

_MIRRORS = ("f", "f r^1", "f r^2", "f r^3")


def _conv3x3(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Zero-padded 3x3 cross-correlation of (n, H, W) fields."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    height, width = x.shape[1:]
    return sum(kernel[i, j] * padded[:, i:i + height, j:j + width]
               for i in range(3) for j in range(3))


def mirror_operator(x: np.ndarray, mirror: str = "f r^3") -> np.ndarray:
    """The noiseless operator of :func:`make_mirror_fields` on fields ``(n, 1, H, W)``."""
    d4 = get_group("D4")
    base = "f r^3" if mirror in ("f r^1", "f r^3") else "f"  # one of each conjugacy class
    # h base h^-1 = mirror: the operator for the mirror is the base operator turned by h
    h = next(h for h in range(d4.order) if d4.multiply(h, d4.index(base),
                                                       int(d4.inverse[h])) == d4.index(mirror))
    fixed = np.random.default_rng(20261203)
    kernels = [(k + apply_group(k, base, d4)) / 2 for k in fixed.normal(size=(2, 3, 3))]
    z = apply_group(np.asarray(x, dtype=float), int(d4.inverse[h]), d4)[:, 0]
    y = np.tanh(_conv3x3(np.maximum(_conv3x3(z, kernels[0]), 0.0), kernels[1]))
    y[:, 0, :] = 0.0
    if base == "f r^3":
        y[:, :, 0] = 0.0
    return apply_group(y[:, None], h, d4)


def make_mirror_fields(n_samples: int = 500, *, size: int = 12, mirror: str = "f r^3",
                       noise: float = 0.05, random_state=None):
    """Input and output fields related by an operator with one mirror symmetry.

    The operator is two 3x3 convolutions with a ReLU between them and a tanh
    after, both kernels symmetric under the mirror, with the output held at
    zero on a boundary that the mirror and no other element of D4 maps to
    itself: the top row and the left column (a Dirichlet boundary on two sides
    that meet at a corner) for the diagonal mirrors, the top row alone for the
    axis mirrors. Mirroring the input mirrors the output, so with i.i.d.
    normal inputs the pairs ``(x, y)`` are distributed symmetrically under the
    mirror and under no other element of D4. ``f r^3`` (the transpose) and
    ``f`` (the left-right flip) are built directly; ``f r^1`` and ``f r^2``
    are those turned by a quarter turn. The kernels are fixed (the same
    operator for every call); ``random_state`` draws the inputs and the
    noise.

    Parameters
    ----------
    n_samples : int, default=500
    size : int, default=12
        Grid side.
    mirror : {"f", "f r^1", "f r^2", "f r^3"}, default="f r^3"
        The one symmetry, in D4's element names (see
        :func:`skequi.groups.get_group`: ``"D1"``, ``"D1a"``, ``"D1h"``,
        ``"D1d"``).
    noise : float, default=0.05
        Standard deviation of Gaussian noise added to the outputs.
    random_state : int, optional

    Returns
    -------
    X : ndarray of shape (n_samples, 1, size, size), float32
    y : ndarray of shape (n_samples, 1, size, size), float32

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import make_mirror_fields
    >>> X, y = make_mirror_fields(4, size=6, noise=0.0, random_state=0)
    >>> X2, y2 = make_mirror_fields(4, size=6, noise=0.0, random_state=0, mirror="f")
    >>> X.shape, bool(np.all(y[:, 0, 0, :] == 0)), bool(np.all(y[:, 0, :, 0] == 0))
    ((4, 1, 6, 6), True, True)
    >>> bool(np.all(y2[:, 0, 0, :] == 0)), bool(np.all(y2[:, 0, :, 0] == 0))
    (True, False)
    """
    if mirror not in _MIRRORS:
        raise ValueError(f"mirror must be one of {_MIRRORS} (D4's mirrors), got {mirror!r}")
    if not isinstance(size, (int, np.integer)) or size < 4:
        raise ValueError(f"size must be an int >= 4, got {size!r}")
    rng = np.random.default_rng(random_state)
    x = rng.normal(size=(int(n_samples), 1, size, size))
    y = mirror_operator(x, mirror) + noise * rng.normal(size=x.shape)
    X, Y = x.astype(np.float32), y.astype(np.float32)
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)
