"""Equivariance error against any group, and parameter counts, as scorers ``(estimator, X, y)``."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["equivariance_error", "equivariance_errors", "final_step", "n_params",
           "relative_l2_error"]


def final_step(estimator):
    """``(final estimator, transform)`` of a Pipeline (nested ones too), or the estimator.

    ``transform`` maps the Pipeline's raw inputs to what its final step is
    given (the identity for a bare estimator).

    Raises
    ------
    TypeError
        If the final step is not a skequi estimator.
    """
    transforms = []
    while hasattr(estimator, "steps"):
        if len(estimator.steps) > 1:
            transforms.append(estimator[:-1].transform)
        estimator = estimator.steps[-1][1]
    if not hasattr(estimator, "_group_action"):
        raise TypeError(
            "equivariance is measured on skequi estimators or Pipelines ending in one; got "
            f"{type(estimator).__name__}"
        )

    def transform(X):
        for step in transforms:
            X = step(X)
        return X

    return estimator, transform


def equivariance_errors(estimator, X, group=None) -> pd.Series:
    """The relative equivariance error of each measured element, by element name.

    See :func:`equivariance_error` for the definition and parameters.

    Returns
    -------
    pandas.Series
        Indexed by element name; ``attrs["group"]`` names the group. Empty for
        the trivial group.

    Examples
    --------
    >>> from skequi import GMCNNClassifier
    >>> from skequi.datasets import load_digit_images
    >>> from skequi.metrics import equivariance_errors
    >>> X, y = load_digit_images()
    >>> clf = GMCNNClassifier("D1d", channels=(2,), max_epochs=1, random_state=0)
    >>> clf = clf.fit(X[:64], y[:64])
    >>> errors = equivariance_errors(clf, X[:8], "D2d")
    >>> errors.index.tolist(), bool(errors["f r^3"] < 1e-5), bool(errors["f r^1"] > 1e-3)
    (['r^2', 'f r^1', 'f r^3'], True, True)
    """
    final, transform = final_step(estimator)
    final._check_fitted()
    action = final._group_action(group)
    base = final._outputs(transform(X))
    scale = max(float(np.linalg.norm(base)), 1e-30)
    errors = {}
    for name, g in action.elements:
        moved = final._outputs(transform(action.act_input(X, g)))
        errors[name] = float(np.linalg.norm(moved - action.act_output(base, g))) / scale
    series = pd.Series(errors, dtype=float, name="equivariance_error")
    series.index.name = "element"
    series.attrs["group"] = action.group.name
    return series


def equivariance_error(estimator, X, y=None, *, group=None, per_element: bool = False):
    """Relative change of a fitted estimator's outputs when its inputs are moved by a group.

    The mean over the group's non-identity elements ``g`` of
    ``||f(g x) - g f(x)|| / ||f(x)||`` over the batch, the relative error
    e3nn and escnn report: ``f`` is the model's output (logits of a
    classifier, predictions of a regressor in the target's units) and
    ``g f(x)`` moves equivariant outputs (fields, vectors, tensors) and leaves
    invariant ones alone. 0 for an exact model against its own group, up to
    float rounding. With the scorer signature, so it can go in a
    ``scoring={"accuracy": "accuracy", "equivariance_error": equivariance_error}``
    dict (lower is better: refit on another metric); for another group use
    :func:`make_equivariance_scorer`.

    Parameters
    ----------
    estimator : fitted skequi estimator, or a Pipeline ending in one
        For a Pipeline the group acts on its raw inputs and on its final
        step's outputs, so the steps before must commute with the action
        (pointwise scalings do; per-pixel standardisation does not).
    X : array-like
        Inputs, as for ``predict``.
    y : ignored
    group : str or group, optional
        Default: the estimator's own group. Any group whose action applies:
        a subgroup of D4 for image models, a matrix or finite group on EMLP's
        representations, a group acting on the latent models' inputs.
    per_element : bool, default=False
        A pandas Series of each element's error, indexed by element name.

    Returns
    -------
    float or pandas.Series

    Raises
    ------
    ValueError
        If the group cannot act on the estimator's inputs.
    TypeError
        If the estimator is not a skequi estimator or a Pipeline ending in one.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skequi import GMCNNClassifier
    >>> from skequi.metrics import equivariance_error
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = GMCNNClassifier("D4", channels=(2,), max_epochs=1, random_state=0).fit(X[:64], y[:64])
    >>> equivariance_error(clf, X[:8]) < 1e-5
    True
    >>> equivariance_error(clf, X[:8], group="C2", per_element=True).index.tolist()
    ['r^2']
    """
    errors = equivariance_errors(estimator, X, group)
    if per_element:
        return errors
    return float(errors.mean()) if len(errors) else 0.0


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
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return int(estimator.n_params_)


def relative_l2_error(y_true, y_pred) -> float:
    """``||y_pred - y_true|| / ||y_true||`` over all values: the error PDE surrogates report.

    Parameters
    ----------
    y_true, y_pred : array-like of one shape (fields may be flattened)

    Returns
    -------
    float

    Examples
    --------
    >>> from skequi.metrics import relative_l2_error
    >>> relative_l2_error([3.0, 4.0], [3.0, 5.0])
    0.2
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float).reshape(y_true.shape)
    return float(np.linalg.norm(y_pred - y_true) / max(np.linalg.norm(y_true), 1e-300))
