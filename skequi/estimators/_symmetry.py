"""How a group acts on what an estimator is given and what it answers.

Every skequi estimator answers ``_group_action(group)`` with a
:class:`GroupAction`: the group, the elements to measure, and how an element
moves the user's inputs (in the layout the user passed them), the model's
outputs and the user's targets. The equivariance error, the transformed-data
scorers and the symmetry report (:mod:`skequi.metrics`, :mod:`skequi.reporting`)
are written once against this, for every estimator and for Pipelines ending
in one (the group acts on the Pipeline's raw inputs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..groups._elements import measured_elements
from ._checks import to_numpy

__all__ = ["GroupAction", "act_on_user_array", "measured_elements", "unchanged"]


def unchanged(values, element):
    """The action on invariant outputs and on labels: nothing moves."""
    return values


@dataclass(frozen=True)
class GroupAction:
    """How one group acts on an estimator's inputs, outputs and targets.

    Attributes
    ----------
    group : FiniteGroup or MatrixGroup
    elements : tuple of (str, element)
        The non-identity elements an equivariance error averages over, with
        their names (:func:`~skequi.groups._elements.measured_elements`). An
        element is an index (finite group) or a matrix (Lie group).
    act_input : callable (X, element) -> X
        On inputs as the user passes them (numpy, torch or pandas; the same
        layout comes back, as numpy or a DataFrame).
    act_output : callable (outputs, element) -> outputs
        On the estimator's ``_outputs`` (logits, predictions in target units).
    act_target : callable (y, element) -> y
        On targets as the user passes them.
    targets_move : bool
        Whether the targets transform (fields, vectors, tensors); labels and
        invariant numbers do not, and ``act_target`` leaves them alone.
    """

    group: Any
    elements: tuple
    act_input: Callable
    act_output: Callable
    act_target: Callable = unchanged
    targets_move: bool = False


def act_on_user_array(X, to_layout: Callable, act: Callable):
    """``act`` on ``X`` brought to a model layout, then back to the user's layout.

    Parameters
    ----------
    X : array-like, torch tensor or DataFrame
    to_layout : callable ndarray -> ndarray
        The layout the action applies to (e.g. ``(n, C, H, W)`` images); a
        reshape of X's values.
    act : callable ndarray -> ndarray

    Returns
    -------
    ndarray, or a DataFrame with X's columns and index
    """
    values = to_numpy(X)
    frame = values if hasattr(values, "columns") else None
    array = np.asarray(values.to_numpy() if frame is not None else values)
    moved = np.ascontiguousarray(act(to_layout(array))).reshape(array.shape)
    if frame is not None:
        import pandas as pd

        return pd.DataFrame(moved, columns=frame.columns, index=frame.index)
    return moved


