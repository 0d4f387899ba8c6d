"""Scoring on inputs moved by random group elements: "does symmetry help here?"."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import check_scoring

from ..groups import get_group
from ..transforms import apply_group_per_sample

__all__ = ["TransformedScorer"]


class TransformedScorer:
    """Score on inputs transformed by random group elements: "does symmetry help here?".

    Each sample of ``X`` is acted on by an element drawn uniformly from
    ``group`` (seeded), then ``scoring`` is applied. Use it in
    ``GridSearchCV(scoring=...)`` to select models by their accuracy on
    rotated data while training on upright data.

    Parameters
    ----------
    group : str, default="C4"
        Group whose elements transform the inputs (images: C1..D4).
    scoring : str or callable, default="accuracy"
        Any scikit-learn scorer name or scorer callable.
    field : {"scalar", "vector"}, default="scalar"
    image_shape : (int, int), optional
        Shape of flat inputs; a perfect square is assumed otherwise.
    random_state : int, default=0

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
    """

    def __init__(self, group="C4", scoring="accuracy", *, field="scalar", image_shape=None,
                 random_state=0):
        self.group, self.scoring, self.field = group, scoring, field
        self.image_shape, self.random_state = image_shape, random_state

    @property
    def label(self) -> str:
        name = self.scoring if isinstance(self.scoring, str) else getattr(
            self.scoring, "__name__", "score")
        return f"{name} on {get_group(self.group).name}-transformed inputs"

    def transform(self, X):
        """X with each sample moved by a random group element (same shape as X).

        Parameters
        ----------
        X : array-like of shape (n, C, H, W), (n, H, W) or flat (n, H*W)

        Returns
        -------
        ndarray
        """
        X = np.asarray(X)
        group = get_group(self.group)
        shape = X.shape
        if X.ndim == 2:
            side = int(round(np.sqrt(shape[1])))
            height, width = self.image_shape or (side, side)
            X = X.reshape(len(X), -1, height, width)
        elif X.ndim == 3:
            X = X[:, None]
        rng = np.random.default_rng(self.random_state)
        elements = rng.integers(group.order, size=len(X))
        return apply_group_per_sample(X, elements, group, self.field).reshape(shape)

    def __call__(self, estimator, X, y):
        return check_scoring(estimator, scoring=self.scoring)(estimator, self.transform(X), y)

    def __repr__(self) -> str:
        return f"TransformedScorer(group={self.group!r}, scoring={self.scoring!r})"
