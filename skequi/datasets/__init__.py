"""Offline data sets: generated, or built from data shipped with scikit-learn."""

from ._digits import load_digit_images, make_rotated_digits

__all__ = ["load_digit_images", "make_rotated_digits"]
