"""What a fitted latent estimator's (learned) latent representation is made of."""

from __future__ import annotations

import pandas as pd

__all__ = ["latent_representation_report"]


def latent_representation_report(estimator) -> pd.DataFrame:
    """Irrep content of a fitted latent estimator's (learned) latent representation.

    For every irreducible representation of the group: its dimension, the
    multiplicity measured through characters,
    ``m_i = (1/|G|) sum_g conj(chi_i(g)) tr rho(g)`` (an integer for a true
    representation, real-valued for a learned near-representation), and what
    the fixed representation has (``copies x dim``, plus the trivial padding).
    ``algebra_loss`` (how far the learned matrices are from satisfying the
    group's presentation) is in every row and in ``frame.attrs``.

    Parameters
    ----------
    estimator : fitted LatentEquivariantClassifier or LatentEquivariantRegressor

    Returns
    -------
    pandas.DataFrame
        Columns ``irrep``, ``dim``, ``multiplicity``, ``fixed_multiplicity``,
        ``algebra_loss``.

    Examples
    --------
    >>> from skequi import LatentEquivariantClassifier
    >>> from skequi.datasets import make_rotated_digits
    >>> from skequi.reporting import latent_representation_report
    >>> X, y, _ = make_rotated_digits("C4", random_state=0)
    >>> clf = LatentEquivariantClassifier("C4", latent_dim=8, max_epochs=1, random_state=0)
    >>> latent_representation_report(clf.fit(X[:64], y[:64])).multiplicity.tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    import numpy as np
    import torch

    from ..nn import latent_representation

    action = estimator.module_.action
    group = action.group
    with torch.no_grad():
        matrices = action.matrices().double().cpu().numpy()
        algebra = float(action.algebra_loss()) if action.relax_u is not None else 0.0
    table = group.character_table()
    traces = np.trace(matrices, axis1=1, axis2=2)
    measured = (np.conj(table.values) @ traces).real / group.order
    fixed_traces = np.trace(latent_representation(group, action.latent_dim), axis1=1, axis2=2)
    fixed = np.rint((np.conj(table.values) @ fixed_traces).real / group.order).astype(int)
    frame = pd.DataFrame({
        "irrep": list(table.names),
        "dim": table.dims.astype(int),
        "multiplicity": np.round(measured, 4),
        "fixed_multiplicity": fixed,
        "algebra_loss": algebra,
    })
    frame.attrs["algebra_loss"] = algebra
    frame.attrs["group"] = group.name
    return frame
