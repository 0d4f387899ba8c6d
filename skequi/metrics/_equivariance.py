"""Equivariance error and parameter counts with the scorer signature ``(estimator, X, y)``."""

from __future__ import annotations

__all__ = ["equivariance_error", "n_params"]


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


def n_params(estimator, X=None, y=None) -> int:
    """Free (trainable) parameter count of a fitted estimator, with the scorer signature.

    Put it in a ``scoring`` dict to get ``n_params`` into ``cv_results_``.

    Parameters
    ----------
    estimator : fitted skequi estimator, or a Pipeline ending in one
    X, y : ignored

    Returns
    -------
    int

    Examples
    --------
    >>> from skequi import GMCNNClassifier
    >>> from skequi.datasets import load_digit_images
    >>> from skequi.metrics import n_params
    >>> X, y = load_digit_images()
    >>> clf = GMCNNClassifier("C4", channels=(2,), max_epochs=1, random_state=0).fit(X[:64], y[:64])
    >>> n_params(clf) == clf.n_params_
    True
    """
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return int(final.n_params_)
