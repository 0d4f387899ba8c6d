"""Search results as tidy pandas tables, and the score-against-relaxation plot."""

from __future__ import annotations

import pandas as pd

__all__ = ["latent_representation_report", "plot_relaxation", "results_frame"]

_SCORE_COLUMNS = ("mean_test_score", "std_test_score", "rank_test_score")


def results_frame(search_or_cv_results) -> pd.DataFrame:
    """One row per candidate of a search, with readable column names.

    Columns: the swept parameters without the ``param_`` prefix (``group``,
    ``relaxation_rank``, ... ; a Pipeline step prefix such as ``gmcnn__`` is
    dropped as well), ``mean_test_score``, ``std_test_score``,
    ``rank_test_score`` (for multi-metric searches: those of the refit
    metric, plus ``mean_test_<metric>`` for every metric),
    ``mean_fit_time``, and ``n_params`` when known (from an ``n_params``
    scorer, or by building each candidate's module from a fitted search).

    Parameters
    ----------
    search_or_cv_results : fitted search (GridSearchCV, ...) or its ``cv_results_`` dict

    Returns
    -------
    pandas.DataFrame
        Sorted by rank.

    Examples
    --------
    >>> from skequi.reporting import results_frame
    >>> cv = {"param_group": ["C1", "C4"], "param_relaxation_rank": [0, 0],
    ...       "mean_test_score": [0.5, 0.9], "std_test_score": [0.1, 0.0],
    ...       "rank_test_score": [2, 1], "mean_fit_time": [1.0, 2.0], "params": [{}, {}]}
    >>> results_frame(cv)[["group", "mean_test_score"]].values.tolist()
    [['C4', 0.9], ['C1', 0.5]]
    """
    search = None
    cv_results = search_or_cv_results
    if hasattr(search_or_cv_results, "cv_results_"):
        search = search_or_cv_results
        cv_results = search.cv_results_
    raw = pd.DataFrame(cv_results)
    frame = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        if column.startswith("param_"):
            frame[column[len("param_"):].split("__")[-1]] = raw[column].map(_readable)
    refit = getattr(search, "refit", True)
    metrics = sorted(c[len("mean_test_"):] for c in raw.columns if c.startswith("mean_test_"))
    if "mean_test_score" not in raw.columns and metrics:
        main = refit if isinstance(refit, str) else metrics[0]
        for column in _SCORE_COLUMNS:
            frame[column] = raw[column.replace("score", main)]
    for column in _SCORE_COLUMNS:
        if column in raw.columns:
            frame[column] = raw[column]
    for metric in metrics:
        if metric not in ("score", "n_params"):
            frame[f"mean_test_{metric}"] = raw[f"mean_test_{metric}"]
    frame["mean_fit_time"] = raw["mean_fit_time"]
    if "mean_test_n_params" in raw.columns:
        frame["n_params"] = raw["mean_test_n_params"].astype(int)
    elif search is not None and hasattr(search, "best_estimator_"):
        counts = [_candidate_n_params(search, p) for p in raw["params"]]
        if all(c is not None for c in counts):
            frame["n_params"] = counts
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame.sort_values("rank_test_score").reset_index(drop=True)


def _readable(value):
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(map(str, value)) + ")"
    return value


def _candidate_n_params(search, params):
    """Build (not train) each candidate's module with the best estimator's data shapes."""
    from sklearn.base import clone

    best = search.best_estimator_
    final = best.steps[-1][1] if hasattr(best, "steps") else best
    if not hasattr(final, "fit_meta_"):
        return None
    prefix = best.steps[-1][0] + "__" if hasattr(best, "steps") else ""
    own = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
    candidate = clone(final).set_params(**own)
    candidate._validate_hyperparameters()
    candidate.fit_meta_ = final.fit_meta_
    candidate._restore_fit_meta(final.fit_meta_)
    candidate.initialize()
    return candidate.n_params_


def plot_relaxation(frame: pd.DataFrame, *, score: str = "mean_test_score", ax=None):
    """Score against ``relaxation_rank``, one line per group, parameter counts in the legend.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`results_frame`; needs ``group`` and ``relaxation_rank``.
    score : str, default="mean_test_score"
        Column to plot; its ``std_`` twin gives error bars when present.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    for column in ("group", "relaxation_rank", score):
        if column not in frame.columns:
            raise ValueError(f"plot_relaxation needs a {column!r} column; got {list(frame.columns)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    else:
        fig = ax.figure
    std_column = score.replace("mean_", "std_")
    for group, rows in frame.groupby("group", sort=True):
        rows = rows.sort_values("relaxation_rank")
        label = str(group)
        if "n_params" in rows:
            low, high = rows.n_params.min(), rows.n_params.max()
            label += f" ({low:,} params)" if low == high else f" ({low:,}-{high:,} params)"
        yerr = rows[std_column] if std_column in rows else None
        ax.errorbar(rows.relaxation_rank, rows[score], yerr=yerr, marker="o", capsize=3,
                    label=label)
    ax.set_xlabel("relaxation_rank")
    ax.set_ylabel(score)
    ax.set_xticks(sorted(frame.relaxation_rank.unique()))
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


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
    """
    import numpy as np
    import torch

    from .nn import latent_representation

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
