"""A 3-D classification task for the cube rotation group: which tetracube is this?"""

from __future__ import annotations

import numpy as np

from ..groups import get_group
from ..transforms import apply_group

__all__ = ["TETRACUBES", "make_tetracubes"]

#: The eight free tetracubes (polycubes of 4 unit cubes), as voxel coordinates
#: (z, y, x). The two skew shapes are mirror images: no rotation maps one onto
#: the other, so telling them apart needs more than reflection symmetry.
TETRACUBES = {
    "I": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)],
    "O": [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)],
    "T": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 1)],
    "L": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)],
    "S": [(0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 2)],
    "skew-left": [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)],
    "skew-right": [(0, 0, 0), (0, 0, 1), (0, 1, 1), (1, 0, 0)],
    "branch": [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 1)],
}


def make_tetracubes(n_samples: int = 1000, *, size: int = 6, noise: float = 0.1,
                    rotate: bool = True, random_state=None):
    """Voxel grids holding one randomly placed, randomly rotated tetracube; label = its shape.

    Each shape is placed at a random position inside a ``size^3`` grid and
    turned by an element drawn uniformly from the 24 cube rotations (group
    ``"O"``), then Gaussian noise of standard deviation ``noise`` is added.
    The labels are invariant to the cube rotations, so this is the 3-D task
    for :class:`~skequi.LatentEquivariantClassifier` with ``group="O"``.

    Parameters
    ----------
    n_samples : int, default=1000
    size : int, default=6
        Edge of the cubic grid (>= 4).
    noise : float, default=0.1
    rotate : bool, default=True
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 1, size, size, size), float32
    y : ndarray of shape (n_samples,)
        Shape names from :data:`TETRACUBES`.

    Examples
    --------
    >>> from skequi.datasets import TETRACUBES, make_tetracubes
    >>> X, y = make_tetracubes(3, random_state=0)
    >>> X.shape, set(y) <= set(TETRACUBES)
    ((3, 1, 6, 6, 6), True)
    """
    if size < 4:
        raise ValueError(f"size must be >= 4 to hold every tetracube, got {size}")
    rng = np.random.default_rng(random_state)
    names = list(TETRACUBES)
    cube = get_group("O")
    X = np.zeros((n_samples, 1, size, size, size), dtype=np.float32)
    y = rng.choice(names, size=n_samples)
    for i, name in enumerate(y):
        voxels = np.array(TETRACUBES[name])
        offset = rng.integers(0, size - voxels.max(axis=0))
        X[i, 0][tuple((voxels + offset).T)] = 1.0
        if rotate:
            X[i] = apply_group(X[i], int(rng.integers(cube.order)), cube)
    X += rng.normal(scale=noise, size=X.shape).astype(np.float32)
    return X, y
