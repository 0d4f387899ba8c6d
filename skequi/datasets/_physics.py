"""The EMLP paper's regression tasks (Finzi et al., ICML 2021), generated offline.

Each returns ``X, y`` with columns in the order of the task's ``rep_in`` /
``rep_out`` (all copies of the first summand, then the next), plus the
group and reps to pass to :class:`~skequi.EMLPRegressor`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "make_inertia",
    "make_modified_inertia",
    "make_o5_synthetic",
    "make_particle_interaction",
]

_MINKOWSKI = np.diag([1.0, -1.0, -1.0, -1.0])


def make_o5_synthetic(n_samples: int = 1000, *, random_state=None):
    """O(5)-invariant regression: ``f(x1, x2) = sin|x1| - |x2|^3 / 2 + x1.x2 / (|x1| |x2|)``.

    Parameters
    ----------
    n_samples : int, default=1000
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 10)
        ``x1, x2 ~ N(0, I_5)``; rep_in ``"2V"``.
    y : ndarray of shape (n_samples,)
        rep_out ``"S"``; group ``"O(5)"``.

    Examples
    --------
    >>> from skequi.datasets import make_o5_synthetic
    >>> X, y = make_o5_synthetic(4, random_state=0)
    >>> X.shape, y.shape
    ((4, 10), (4,))
    """
    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(n_samples, 10))
    x1, x2 = X[:, :5], X[:, 5:]
    n1, n2 = np.linalg.norm(x1, axis=1), np.linalg.norm(x2, axis=1)
    y = np.sin(n1) - n2**3 / 2 + (x1 * x2).sum(1) / (n1 * n2)
    return X, y


def _inertia(masses: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``I = sum_i m_i (|x_i|^2 Id - x_i x_i^T)``, shape (n, 3, 3)."""
    sq = (positions**2).sum(-1)
    outer = np.einsum("nki,nkj->nkij", positions, positions)
    eye = np.eye(3)[None, None]
    return np.einsum("nk,nkij->nij", masses, sq[..., None, None] * eye - outer)


def make_inertia(n_samples: int = 1000, *, n_bodies: int = 5, random_state=None):
    """O(3)-equivariant regression: the inertia matrix of point masses.

    Masses ``m_i = softplus(z_i)`` and positions ``x_i ~ N(0, I_3)`` of
    ``n_bodies`` bodies; target ``I = sum_i m_i (|x_i|^2 Id - x_i x_i^T)``.

    Returns
    -------
    X : ndarray of shape (n_samples, 4 n_bodies)
        Masses first, then positions: rep_in ``"5S+5V"`` (for 5 bodies).
    y : ndarray of shape (n_samples, 9)
        Flattened 3x3 matrix: rep_out ``"V**2"``; group ``"O(3)"``.

    Examples
    --------
    >>> from skequi.datasets import make_inertia
    >>> X, y = make_inertia(4, random_state=0)
    >>> X.shape, y.shape
    ((4, 20), (4, 9))
    """
    rng = np.random.default_rng(random_state)
    raw = rng.normal(size=(n_samples, 4 * n_bodies))
    masses = np.log1p(np.exp(raw[:, :n_bodies]))
    positions = raw[:, n_bodies:].reshape(n_samples, n_bodies, 3)
    X = np.concatenate([masses, positions.reshape(n_samples, -1)], axis=1)
    return X, _inertia(masses, positions).reshape(n_samples, 9)


def make_modified_inertia(n_samples: int = 1000, *, n_bodies: int = 5, strength: float = 0.3,
                          random_state=None):
    """Approximately O(3)-symmetric: ``I + strength (I z) z^T`` with ``z`` the unit z axis.

    The term breaks O(3) to the rotations about z (and mirrors fixing z),
    the residual pathway prior paper's "ModifiedInertia" task.

    Returns
    -------
    X : ndarray of shape (n_samples, 4 n_bodies)
        rep_in ``"5S+5V"``.
    y : ndarray of shape (n_samples, 9)
        rep_out ``"V**2"``; nominal group ``"O(3)"``.

    Examples
    --------
    >>> from skequi.datasets import make_modified_inertia
    >>> X, y = make_modified_inertia(10, random_state=0)
    >>> X.shape, y.shape
    ((10, 20), (10, 9))
    """
    X, y = make_inertia(n_samples, n_bodies=n_bodies, random_state=random_state)
    inertia = y.reshape(-1, 3, 3)
    z = np.array([0.0, 0.0, 1.0])
    modified = inertia + strength * np.einsum("nij,j,k->nik", inertia, z, z)
    return X, modified.reshape(n_samples, 9)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ni,ij,nj->n", a, _MINKOWSKI, b)


def make_particle_interaction(n_samples: int = 1000, *, random_state=None):
    """Lorentz-invariant regression: the electron-muon scattering matrix element.

    The EMLP authors' ``ParticleInteraction`` (``emlp/datasets.py`` in their
    repository), formula for formula: four four-momenta
    ``p1 .. p4 ~ N(0, I_4) / 4``; with the Minkowski metric
    ``eta = diag(1, -1, -1, -1)`` and ``a.b = a^T eta b``, the electron tensor
    ``L_e = p1 p3^T - (p1.p3 - p1.p1) eta`` and the muon tensor (indices
    lowered) ``L_mu = (eta p2)(eta p4)^T - (p2.p4 - p2.p2) eta``; the target is
    ``4 sum_ab L_e[a, b] L_mu[a, b]``, a Lorentz scalar (target variance about
    0.7 on these inputs).

    Returns
    -------
    X : ndarray of shape (n_samples, 16)
        rep_in ``"4V"``.
    y : ndarray of shape (n_samples,)
        rep_out ``"S"``; group ``"SO(1,3)"`` (or ``"O(1,3)"``).

    Examples
    --------
    >>> from skequi.datasets import make_particle_interaction
    >>> X, y = make_particle_interaction(4, random_state=0)
    >>> X.shape, y.shape
    ((4, 16), (4,))
    """
    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(n_samples, 16)) / 4
    return X, _particle_interaction_target(X)


def _particle_interaction_target(X: np.ndarray) -> np.ndarray:
    """The matrix element of four four-momenta ``X`` (n, 16), as documented above."""
    p1, p2, p3, p4 = (X[:, 4 * k:4 * k + 4] for k in range(4))
    eta = _MINKOWSKI
    electron = np.einsum("ni,nj->nij", p1, p3) - (_dot(p1, p3) - _dot(p1, p1))[:, None, None] * eta
    muon = np.einsum("ni,nj->nij", p2 @ eta, p4 @ eta) \
        - (_dot(p2, p4) - _dot(p2, p2))[:, None, None] * eta
    return 4 * np.einsum("nab,nab->n", electron, muon)
