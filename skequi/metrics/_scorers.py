"""Scorers for searches: scores on group-transformed data, equivariance error against a group."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import check_scoring

from ..groups import get_group
from ..groups._elements import element_pool
from ..transforms import apply_group_per_sample
from ._equivariance import equivariance_error, final_step

__all__ = ["EquivarianceScorer", "TransformedScorer", "make_equivariance_scorer"]


def _to_numpy(values):
    if hasattr(values, "detach"):  # a torch tensor
        return values.detach().cpu().numpy()
    return values


def _move_each(act, values, pool, picks):
    """Each row of ``values`` acted on by ``pool[picks[row]]``, in the user's container."""
    values = _to_numpy(values)
    frame = values if hasattr(values, "columns") else None
    array = np.asarray(frame.to_numpy() if frame is not None else values)
    out = np.empty(array.shape, dtype=np.result_type(array.dtype, np.float32))
    for k in np.unique(picks):
        rows = np.flatnonzero(picks == k)
        out[rows] = np.asarray(act(array[rows], pool[k]))
    if frame is not None:
        import pandas as pd

        return pd.DataFrame(out, columns=frame.columns, index=frame.index)
    return out


class TransformedScorer:
    """Score on data moved by group elements: "does the model keep its score under g?".

    Each sample is acted on by an element drawn uniformly from ``group``
    (seeded; a fixed sample of 32 elements for a Lie group), or by the one
    ``element`` given, then ``scoring`` is applied. For a skequi estimator (or
    a Pipeline ending in one) the estimator says how the group acts: on its
    inputs as the user passes them, and on targets that transform (fields,
    vectors) as well, so a regressor is scored on pairs ``(g x, g y)`` and a
    classifier on ``(g x, y)``. Other estimators get image inputs moved with
    ``field`` and ``image_shape``.

    Use it in ``GridSearchCV(scoring=...)`` to select models by their accuracy
    on rotated data while training on upright data, or with ``element=`` to
    see which symmetries of a group a model's score survives.

    Parameters
    ----------
    group : str, default="C4"
        Group whose elements transform the data.
    scoring : str or callable, default="accuracy"
        Any scikit-learn scorer name or scorer callable.
    field : {"scalar", "vector"}, default="scalar"
        For estimators that are not skequi's: how image channels transform.
    image_shape : (int, int), optional
        For estimators that are not skequi's: shape of flat inputs (a perfect
        square is assumed otherwise).
    random_state : int, default=0
    element : str or int, optional
        Move every sample by this one element (a name such as ``"f r^3"``).

    Attributes
    ----------
    label : str
        What the score measures, for tables and plot axes.

    Examples
    --------
    >>> from skequi.metrics import TransformedScorer
    >>> scorer = TransformedScorer("C4")
    >>> scorer
    TransformedScorer(group='C4', scoring='accuracy')
    >>> scorer.label
    'accuracy on C4-transformed inputs'
    >>> TransformedScorer("D4", "r2", element="f r^3").label
    'r2 on inputs moved by f r^3 of D4'
    """

    def __init__(self, group="C4", scoring="accuracy", *, field="scalar", image_shape=None,
                 random_state=0, element=None):
        self.group, self.scoring, self.field = group, scoring, field
        self.image_shape, self.random_state, self.element = image_shape, random_state, element

    @property
    def label(self) -> str:
        name = self.scoring if isinstance(self.scoring, str) else getattr(
            self.scoring, "__name__", "score")
        group = get_group(self.group).name
        if self.element is not None:
            return f"{name} on inputs moved by {self.element} of {group}"
        return f"{name} on {group}-transformed inputs"

    def _picks(self, n: int, pool_size: int) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        return rng.integers(pool_size, size=n)

    def transform(self, X):
        """Image inputs with each sample moved by a random element (same shape as X).

        Parameters
        ----------
        X : array-like of shape (n, C, H, W), (n, H, W) or flat (n, H*W)

        Returns
        -------
        ndarray
        """
        X = np.asarray(_to_numpy(X))
        group = get_group(self.group)
        shape = X.shape
        if X.ndim == 2:
            side = int(round(np.sqrt(shape[1])))
            height, width = self.image_shape or (side, side)
            X = X.reshape(len(X), -1, height, width)
        elif X.ndim == 3:
            X = X[:, None]
        if self.element is not None:
            elements = np.full(len(X), group.index(self.element))
        else:
            elements = self._picks(len(X), group.order)
        return apply_group_per_sample(X, elements, group, self.field).reshape(shape)

    def transform_data(self, estimator, X, y):
        """``(X, y)`` moved as this scorer moves them for ``estimator``.

        Parameters
        ----------
        estimator : fitted estimator, or a Pipeline ending in one
        X, y : array-like

        Returns
        -------
        X_moved, y_moved
        """
        try:
            final, _ = final_step(estimator)
        except TypeError:
            return self.transform(X), y
        action = final._group_action(self.group)
        if self.element is not None:
            element = action.group.index(self.element) if isinstance(self.element, str) \
                else self.element
            pool, picks = [element], np.zeros(len(_to_numpy(y) if y is not None else X), int)
        else:
            pool = element_pool(action.group)
            picks = self._picks(len(np.asarray(_to_numpy(y))) if y is not None
                                else len(_to_numpy(X)), len(pool))
        X_moved = _move_each(action.act_input, X, pool, picks)
        if action.targets_move and y is not None:
            y = _move_each(action.act_target, y, pool, picks)
        return X_moved, y

    def __call__(self, estimator, X, y):
        X_moved, y_moved = self.transform_data(estimator, X, y)
        return check_scoring(estimator, scoring=self.scoring)(estimator, X_moved, y_moved)

    def __repr__(self) -> str:
        extra = f", element={self.element!r}" if self.element is not None else ""
        return f"TransformedScorer(group={self.group!r}, scoring={self.scoring!r}{extra})"


class EquivarianceScorer:
    """The equivariance error against ``group`` as a scorer (lower is better).

    Made by :func:`make_equivariance_scorer`; see
    :func:`~skequi.metrics.equivariance_error` for the definition.

    Parameters
    ----------
    group : str or group, optional
        Default: each estimator's own group.

    Attributes
    ----------
    label : str

    Examples
    --------
    >>> from skequi.metrics import make_equivariance_scorer
    >>> scorer = make_equivariance_scorer("C4")
    >>> scorer, scorer.label
    (make_equivariance_scorer(group='C4'), 'equivariance error against C4')
    """

    def __init__(self, group=None):
        self.group = group

    @property
    def label(self) -> str:
        own = "its own group" if self.group is None else get_group(self.group).name
        return f"equivariance error against {own}"

    def __call__(self, estimator, X, y=None) -> float:
        return equivariance_error(estimator, X, group=self.group)

    def __repr__(self) -> str:
        return f"make_equivariance_scorer(group={self.group!r})"


def make_equivariance_scorer(group=None) -> EquivarianceScorer:
    """A scorer ``(estimator, X, y) -> equivariance error against group``, for searches.

    Put it in ``GridSearchCV(scoring={...})`` beside the metric you refit on:
    lower is better. A plain CNN (``group="C1"``) measured against ``"C4"``
    shows how far from rotation-equivariant it learned to be.

    Parameters
    ----------
    group : str or group, optional
        Default: each candidate's own group (as :func:`equivariance_error`).

    Returns
    -------
    EquivarianceScorer

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skequi import GMCNNClassifier
    >>> from skequi.datasets import load_digit_images
    >>> from skequi.metrics import make_equivariance_scorer
    >>> X, y = load_digit_images()
    >>> search = GridSearchCV(
    ...     GMCNNClassifier(channels=(2,), max_epochs=1, random_state=0), {"group": ["C1", "C4"]},
    ...     scoring={"accuracy": "accuracy", "c4_error": make_equivariance_scorer("C4")},
    ...     refit="accuracy", cv=2).fit(X[:120], y[:120])
    >>> errors = search.cv_results_["mean_test_c4_error"]
    >>> bool(errors[0] > 0.01), bool(errors[1] < 1e-5)
    (True, True)
    """
    if group is not None:
        get_group(group)  # a clear ValueError for an unknown spec, before any search
    return EquivarianceScorer(group)
