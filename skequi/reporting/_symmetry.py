"""The symmetry report: how much symmetry the data have, and which.

Three pieces, each usable alone:

* :func:`symmetry_scoring`: scorers for a search: the score, the score on
  held-out data moved by each candidate group, the equivariance error against
  each candidate group;
* :func:`symmetry_answer`: one sentence from a fitted search, the best model
  against its exact version and the plain model, with the spread over folds;
* :func:`element_table`: for each element g of a group, a model's score on
  held-out pairs moved by g, ``(g x, g y)`` (``(g x, y)`` for labels), beside
  its score on the pairs as they are. If the data's distribution is symmetric
  under g, moved pairs are just more pairs from it and the score holds; where
  it drops, g is not a symmetry of the data. :func:`recommended_subgroup`
  reads the largest subgroup of D4 whose elements all hold off it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..groups import FiniteGroup, LATTICE_SUBGROUPS, get_group, lattice_subgroup_elements
from ..metrics import TransformedScorer, make_equivariance_scorer
from ..metrics._equivariance import final_step

__all__ = [
    "element_table",
    "recommended_subgroup",
    "symmetry_answer",
    "symmetry_scoring",
]

#: A drop in score smaller than this (in points) always counts as holding.
MIN_DROP_POINTS = 1.0


def _default_score(estimator, X, y):
    return estimator.score(X, y)


def symmetry_scoring(groups, scoring=None) -> dict:
    """Scorers for ``GridSearchCV(scoring=...)`` that answer "which symmetry, how much".

    Parameters
    ----------
    groups : sequence of str
        The candidate groups.
    scoring : str or callable, optional
        The score (default: the estimator's ``score``: accuracy, or R^2
        pooled over all values for fields).

    Returns
    -------
    dict
        ``"score"``; for every non-trivial group G ``"score_on_<G>"``, the
        score on validation data moved by random elements of G (targets that
        transform move too), and ``"error_vs_<G>"``, the equivariance error
        against G (lower is better). Refit on ``"score"``.

    Examples
    --------
    >>> from skequi.reporting import symmetry_scoring
    >>> sorted(symmetry_scoring(["C1", "D1d"], "accuracy"))
    ['error_vs_D1d', 'score', 'score_on_D1d']
    """
    scoring_dict = {"score": _default_score if scoring is None else scoring}
    for spec in groups:
        group = get_group(spec)
        if _is_trivial(group):
            continue  # moves nothing: the column would repeat the score
        name = group.name
        scoring_dict[f"score_on_{name}"] = TransformedScorer(name, scoring, random_state=1)
        scoring_dict[f"error_vs_{name}"] = make_equivariance_scorer(name)
    return scoring_dict


def _is_trivial(group) -> bool:
    if isinstance(group, FiniteGroup):
        return group.order == 1
    return not len(group.lie_generators) and not len(group.discrete_generators)


def _fold_scores(cv_results: dict, index: int, metric: str = "score") -> np.ndarray:
    keys = sorted((k for k in cv_results if k.startswith("split") and
                   k.endswith(f"_test_{metric}")), key=lambda k: int(k[5:].split("_")[0]))
    return np.array([cv_results[k][index] for k in keys], dtype=float)


def _candidate(cv_results: dict, group: str, rank: int):
    for i, params in enumerate(cv_results["params"]):
        g = _param(params, "group")
        if g is not None and get_group(g).name == get_group(group).name \
                and int(_param(params, "relaxation_rank", 0)) == rank:
            return i
    return None


def _param(params: dict, name: str, default=None):
    for key, value in params.items():
        if key == name or key.endswith("__" + name):
            return value
    return default


def _gap(cv_results, a: int, b: int, points: float) -> tuple[float, float]:
    diff = (_fold_scores(cv_results, a) - _fold_scores(cv_results, b)) * points
    return float(diff.mean()), float(diff.std(ddof=1) if len(diff) > 1 else 0.0)


def symmetry_answer(search, *, plain: str = "C1", plain_name: str = "the plain CNN",
                    points: float = 100.0) -> tuple[str, dict]:
    """One sentence: how much symmetry helps, with the gaps' spread over the folds.

    The best candidate (highest ``mean_test_score``) is compared fold by fold
    with the exact model of its group and with the plain model (``plain`` at
    rank 0); a gap is ``mean ± std`` of the per-fold differences, in points
    (score x ``points``).

    Parameters
    ----------
    search : fitted GridSearchCV (or its ``cv_results_``) over ``group`` and
        ``relaxation_rank`` with a ``"score"`` metric (see :func:`symmetry_scoring`)
    plain : str, default="C1"
        The group of the unconstrained model.
    plain_name : str, default="the plain CNN"
    points : float, default=100
        Score units per point (100: accuracy and R^2 in percentage points).

    Returns
    -------
    sentence : str
    numbers : dict
        ``best_group``, ``best_rank``, ``vs_exact`` and ``vs_plain`` as
        ``(mean, std)`` in points (None where the candidate was not swept).

    Examples
    --------
    >>> from skequi.reporting import symmetry_answer
    >>> cv = {"params": [{"group": "C1", "relaxation_rank": 0},
    ...                  {"group": "C4", "relaxation_rank": 0},
    ...                  {"group": "C4", "relaxation_rank": 1}],
    ...       "mean_test_score": [0.80, 0.86, 0.89],
    ...       "split0_test_score": [0.79, 0.85, 0.89], "split1_test_score": [0.81, 0.87, 0.89]}
    >>> symmetry_answer(cv)[0]  # doctest: +NORMALIZE_WHITESPACE
    'C4 with relaxation rank 1 beats exact C4 by 3.0 ± 1.4 points and the plain CNN by 9.0 ± 1.4:
    the data look approximately C4-symmetric.'
    """
    cv = search.cv_results_ if hasattr(search, "cv_results_") else search
    means = np.asarray(cv.get("mean_test_score"), dtype=float)
    best = int(np.nanargmax(means))
    group = get_group(_param(cv["params"][best], "group", plain)).name
    rank = int(_param(cv["params"][best], "relaxation_rank", 0))
    exact, base = _candidate(cv, group, 0), _candidate(cv, plain, 0)
    numbers = {"best_group": group, "best_rank": rank, "vs_exact": None, "vs_plain": None}
    if base is not None and base != best:
        numbers["vs_plain"] = _gap(cv, best, base, points)
    if exact is not None and exact != best:
        numbers["vs_exact"] = _gap(cv, best, exact, points)
    plain_group = get_group(plain).name

    def fmt(gap):
        return f"{gap[0]:.1f} ± {gap[1]:.1f}"

    if group == plain_group:
        others = [i for i, p in enumerate(cv["params"])
                  if get_group(_param(p, "group", plain)).name != plain_group]
        if not others:
            return f"Only {plain_name} was swept: there is nothing to compare.", numbers
        runner = max(others, key=lambda i: means[i])
        gap = _gap(cv, best, runner, points)
        name = get_group(_param(cv["params"][runner], "group")).name
        r = int(_param(cv["params"][runner], "relaxation_rank", 0))
        swept = sorted({get_group(_param(cv["params"][i], "group")).name for i in others})
        sentence = (f"{plain_name[0].upper() + plain_name[1:]} scores best, {fmt(gap)} points "
                    f"above the best equivariant model ({name}, relaxation rank {r}): the data "
                    f"do not look symmetric under {', '.join(swept)}.")
        numbers["vs_runner_up"] = gap
        return sentence, numbers
    if rank > 0:
        head = f"{group} with relaxation rank {rank}"
        parts = [f"beats exact {group} by {fmt(numbers['vs_exact'])} points"] \
            if numbers["vs_exact"] else []
        verdict = f"approximately {group}-symmetric"
    else:
        head, parts, verdict = f"Exact {group}", [], f"{group}-symmetric"
    if numbers["vs_plain"]:
        joiner = "and " if parts else "beats "
        unit = "" if parts else " points"
        parts.append(f"{joiner}{plain_name} by {fmt(numbers['vs_plain'])}{unit}")
    sentence = f"{head} {' '.join(parts)}: the data look {verdict}."
    if numbers["vs_plain"] and abs(numbers["vs_plain"][0]) <= numbers["vs_plain"][1]:
        sentence += (f" The gap to {plain_name} is within its spread over the folds, so the "
                     "evidence is weak.")
    return sentence, numbers


def _pairs_moved(model, X, y, group, element):
    final, _ = final_step(model)
    action = final._group_action(group)
    X_moved = action.act_input(X, element)
    y_moved = action.act_target(y, element) if action.targets_move else y
    return X_moved, y_moved


def element_table(model, X, y, group, *, metric, points: float = 100.0,
                  n_bootstrap: int = 200, random_state=0) -> pd.DataFrame:
    """A fitted model's score on held-out pairs moved by each element of ``group``.

    Parameters
    ----------
    model : fitted skequi estimator (or Pipeline ending in one)
        Usually the plain model (C1), which imposes no symmetry.
    X, y : array-like
        Held-out data.
    group : str or group
        Its elements are tried one by one (a fixed sample of a Lie group).
    metric : callable (y_true, y_pred) -> float
        Higher is better (accuracy, R^2).
    points : float, default=100
    n_bootstrap : int, default=200
        Resamples of the held-out rows for the standard error of each drop.
    random_state : int, default=0

    Returns
    -------
    pandas.DataFrame
        One row per element, the identity ``"e"`` first: ``score`` (points),
        ``drop`` (points below the identity's), ``se`` (bootstrap standard
        error of the drop) and ``holds``: the drop is under two standard
        errors or under one point.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import r2_score
    >>> from skequi import GMCNNRegressor
    >>> from skequi.reporting import element_table
    >>> X = np.random.default_rng(0).normal(size=(96, 1, 8, 8))
    >>> y = X + np.swapaxes(X, 2, 3)  # symmetric under the transpose f r^3 only
    >>> model = GMCNNRegressor("C1", channels=(4,), max_epochs=20, random_state=0)
    >>> table = element_table(model.fit(X[:64], y[:64]), X[64:], y[64:], "D2d",
    ...                       metric=lambda a, b: r2_score(a.reshape(len(a), -1),
    ...                                                    b.reshape(len(b), -1)))
    >>> table.index.tolist()
    ['e', 'r^2', 'f r^1', 'f r^3']
    """
    from ..groups._elements import measured_elements

    grp = get_group(group)
    y_true = np.asarray(y)
    rows = [("e", np.asarray(model.predict(X)), y_true)]
    for name, element in measured_elements(grp):
        X_moved, y_moved = _pairs_moved(model, X, y, grp, element)
        rows.append((name, np.asarray(model.predict(X_moved)), np.asarray(y_moved)))
    n = len(y_true)
    rng = np.random.default_rng(random_state)
    resamples = [rng.integers(n, size=n) for _ in range(n_bootstrap)]
    base_pred = rows[0][1]
    base_boot = np.array([metric(y_true[i], base_pred[i]) for i in resamples])
    table = []
    for name, pred, truth in rows:
        score = metric(truth, pred)
        boot = np.array([metric(truth[i], pred[i]) for i in resamples])
        drop = (metric(y_true, base_pred) - score) * points
        se = float(np.std(base_boot - boot, ddof=1)) * points
        holds = bool(drop <= max(2 * se, MIN_DROP_POINTS)) if name != "e" else True
        table.append((name, score * points, drop, se, holds))
    frame = pd.DataFrame(table, columns=["element", "score", "drop", "se", "holds"])
    frame = frame.set_index("element")
    frame.attrs["group"] = grp.name
    return frame


def recommended_subgroup(table: pd.DataFrame, group=None) -> str | None:
    """The largest subgroup of D4 inside ``group`` whose elements all keep the score.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`element_table`, for a subgroup of D4.
    group : str, optional
        Default: the table's group (``table.attrs["group"]``).

    Returns
    -------
    str or None
        A name from :data:`~skequi.groups.LATTICE_GROUPS` (``"C1"`` when no
        element but the identity holds; among subgroups of one order, the one
        whose elements score best), or None when the group is not a subgroup
        of D4.

    Examples
    --------
    >>> import pandas as pd
    >>> from skequi.reporting import recommended_subgroup
    >>> table = pd.DataFrame({"holds": [True, False, False, False, False, False, False, True]},
    ...                      index=["e", "r^1", "r^2", "r^3", "f", "f r^1", "f r^2", "f r^3"])
    >>> recommended_subgroup(table, "D4")
    'D1d'
    """
    grp = get_group(group if group is not None else table.attrs.get("group"))
    if not isinstance(grp, FiniteGroup) or grp.name not in LATTICE_SUBGROUPS:
        return None
    held = set(table.index[table["holds"]]) | {"e"}
    inside = set(grp.elements)
    fits = [name for name in LATTICE_SUBGROUPS
            if lattice_subgroup_elements(name) <= inside & held]
    scores = table["score"] if "score" in table else pd.Series(0.0, index=table.index)

    def preference(name):  # the largest; among equals, the one whose elements score best
        members = lattice_subgroup_elements(name)
        return len(members), float(np.mean([scores.get(e, 0.0) for e in members]))
    return max(fits, key=preference)
