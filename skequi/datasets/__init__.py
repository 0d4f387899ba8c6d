"""Offline data sets: generated, or built from data shipped with scikit-learn."""

from ._digits import load_digit_images, make_rotated_digits
from ._physics import (
    make_inertia,
    make_modified_inertia,
    make_o5_synthetic,
    make_particle_interaction,
)

__all__ = [
    "load_digit_images",
    "make_inertia",
    "make_modified_inertia",
    "make_o5_synthetic",
    "make_particle_interaction",
    "make_rotated_digits",
]
