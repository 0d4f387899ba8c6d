"""Offline data sets: generated, or built from data shipped with scikit-learn."""

from ._digits import load_digit_images, make_rotated_digits
from ._double_digits import double_digits_action, make_double_digits
from ._voxels import TETRACUBES, make_tetracubes
from ._physics import (
    make_inertia,
    make_modified_inertia,
    make_o5_synthetic,
    make_particle_interaction,
)

__all__ = [
    "TETRACUBES",
    "double_digits_action",
    "load_digit_images",
    "make_double_digits",
    "make_inertia",
    "make_modified_inertia",
    "make_o5_synthetic",
    "make_particle_interaction",
    "make_rotated_digits",
    "make_tetracubes",
]
