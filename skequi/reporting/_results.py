"""Search results as tidy pandas tables."""

from __future__ import annotations

import pandas as pd

__all__ = ["results_frame"]

_SCORE_COLUMNS = ("mean_test_score", "std_test_score", "rank_test_score")


def results_frame(search_or_cv_results) -> pd.DataFrame:
    """One row per candidate of a search, with readable column names.

    Columns: the swept parameters without the ``param_`` prefix (``group``,
    ``relaxation_rank``, ... ; a Pipeline step prefix such as ``gmcnn__`` is
    dropped as well), ``mean_test_score``, ``std_test_score``,
    ``rank_test_score`` (for multi-metric searches: those of the refit
    metric, named in ``frame.attrs["refit_metric"]``, plus
    ``mean_test_<metric>`` and ``std_test_<metric>`` for every other metric),
    ``mean_fit_time``, and ``n_params`` when known (from an ``n_params``
    scorer, or by building each candidate's module from a fitted search).

    Parameters
    ----------
    search_or_cv_results : fitted search (GridSearchCV, ...) or its ``cv_results_`` dict

    Returns
    -------
    pandas.DataFrame
        Sorted by rank. ``frame.attrs["score_label"]`` says what
        ``mean_test_score`` measures (the refit scorer's ``label`` or name).

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
    main = "score"
    if "mean_test_score" not in raw.columns and metrics:
        main = refit if isinstance(refit, str) else metrics[0]
    for column in _SCORE_COLUMNS:  # the refit metric, under the single-metric names
        source = column.replace("score", main)
        if source in raw.columns:
            frame[column] = raw[source]
    for metric in metrics:  # every other metric, with its spread over folds
        if metric not in ("score", "n_params", main):
            for stat in ("mean", "std"):
                if f"{stat}_test_{metric}" in raw.columns:
                    frame[f"{stat}_test_{metric}"] = raw[f"{stat}_test_{metric}"]
    frame["mean_fit_time"] = raw["mean_fit_time"]
    if "mean_test_n_params" in raw.columns:
        frame["n_params"] = raw["mean_test_n_params"].astype(int)
    elif search is not None and hasattr(search, "best_estimator_"):
        counts = [_candidate_n_params(search, p) for p in raw["params"]]
        if all(c is not None for c in counts):
            frame["n_params"] = counts
    frame = frame.sort_values("rank_test_score").reset_index(drop=True)
    frame.attrs["score_label"] = _score_label(search)
    frame.attrs["refit_metric"] = main
    return frame


def _score_label(search) -> str:
    """What mean_test_score measures, from the search's scoring (for axes and tables)."""
    if search is None:
        return "mean_test_score"
    scoring, refit = getattr(search, "scoring", None), getattr(search, "refit", True)
    if isinstance(scoring, dict) and isinstance(refit, str):
        scorer, name = scoring.get(refit), refit
    else:
        scorer, name = scoring, None
    if hasattr(scorer, "label"):
        return scorer.label
    if isinstance(scorer, str):
        return scorer
    if isinstance(refit, str) and name:
        return name
    return "score (the estimator's default: accuracy or R^2)"


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
    # the data's shapes, not what the best estimator resolved for itself (matched widths)
    meta = {k: v for k, v in final.fit_meta_.items() if k not in ("channels", "matched")}
    candidate.fit_meta_ = meta
    candidate._restore_fit_meta(meta)
    candidate.initialize()
    return candidate.n_params_
