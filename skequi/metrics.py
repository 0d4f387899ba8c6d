"""Equivariance error as a metric and a scorer."""

from __future__ import annotations

__all__ = ["TransformedScorer", "equivariance_error", "n_params"]


def equivariance_error(estimator, X, y=None) -> float:
    """Mean relative change of a fitted estimator's outputs under its group's action.

    Has the scorer signature ``(estimator, X, y)``, so it can go in a
    ``scoring={"accuracy": "accuracy", "equivariance_error": equivariance_error}``
    dict (lower is better: refit on another metric).

    Parameters
    ----------
    estimator : fitted skequi estimator
    X : array-like
        Inputs as for ``predict``.
    y : ignored

    Returns
    -------
    float
        0 for exactly equivariant models (up to float rounding).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skequi import GMCNNClassifier
    >>> from skequi.metrics import equivariance_error
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = GMCNNClassifier("D4", channels=(2,), max_epochs=1, random_state=0).fit(X[:64], y[:64])
    >>> equivariance_error(clf, X[:8]) < 1e-5
    True
    """
    return estimator.equivariance_error(X)


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

    Examples
    --------
    >>> from skequi.metrics import TransformedScorer
    >>> scorer = TransformedScorer("C4")
    >>> scorer
    TransformedScorer(group='C4', scoring='accuracy')
    """

    def __init__(self, group="C4", scoring="accuracy", *, field="scalar", image_shape=None,
                 random_state=0):
        self.group, self.scoring, self.field = group, scoring, field
        self.image_shape, self.random_state = image_shape, random_state

    def transform(self, X):
        """X with each sample moved by a random group element (same shape as X)."""
        import numpy as np

        from .groups import get_group
        from .transforms import apply_group

        X = np.asarray(X)
        group = get_group(self.group)
        shape = X.shape
        if X.ndim == 2:
            side = int(round(np.sqrt(shape[1])))
            height, width = self.image_shape or (side, side)
            X = X.reshape(len(X), -1, height, width)
        rng = np.random.default_rng(self.random_state)
        elements = rng.integers(group.order, size=len(X))
        moved = np.stack([apply_group(x, g, group, self.field) for x, g in zip(X, elements)])
        return moved.reshape(shape)

    def __call__(self, estimator, X, y):
        from sklearn.metrics import check_scoring

        return check_scoring(estimator, scoring=self.scoring)(estimator, self.transform(X), y)

    def __repr__(self) -> str:
        return f"TransformedScorer(group={self.group!r}, scoring={self.scoring!r})"


def n_params(estimator, X=None, y=None) -> int:
    """Trainable parameter count of a fitted estimator, with the scorer signature.

    Put it in a ``scoring`` dict to get ``n_params`` into ``cv_results_``.
    """
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return int(final.n_params_)
