"""Checks of the estimators' own and skorch's parameters, run at fit.

scikit-learn's ``_parameter_constraints`` cover most hyperparameters; these
cover what they cannot say: bools where ints are meant, skorch's plumbing
(criterion, train_split, iterator flags), optimizer classes and callback
lists. Each raises a ``ValueError`` that names the parameter.
"""

from __future__ import annotations

import inspect
from numbers import Integral

from sklearn.utils._param_validation import Interval

__all__ = ["check_optimizer", "check_skorch_plumbing", "is_callback_list",
           "refuse_bools_for_ints", "takes"]


def is_callback_list(callbacks) -> bool:
    """Whether ``callbacks`` is None or a list of skorch callbacks (instances,
    classes or ``(name, callback)`` pairs)."""
    from skorch.callbacks import Callback

    if callbacks is None:
        return True
    if not isinstance(callbacks, (list, tuple)):
        return False
    for item in callbacks:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = item[1]
        if not (isinstance(item, Callback) or (isinstance(item, type)
                                               and issubclass(item, Callback))):
            return False
    return True


def takes(factory, name: str) -> bool:
    """Whether the optimizer factory accepts the keyword ``name``."""
    try:
        return name in inspect.signature(factory).parameters
    except (TypeError, ValueError):  # no signature: assume the usual torch optimizer keywords
        return True


def refuse_bools_for_ints(constraints: dict, params: dict, owner: str) -> None:
    """sklearn's ``Interval(Integral, ...)`` takes True as 1; refuse bools where ints are meant."""
    for key, options in constraints.items():
        if not isinstance(params.get(key), bool) or not isinstance(options, list):
            continue
        ints = [o for o in options if isinstance(o, Interval) and o.type is Integral]
        if ints and "boolean" not in options:
            raise ValueError(
                f"The {key!r} parameter of {owner} must be an int (not a bool), e.g. "
                f"{key}=1. Got {params[key]!r} instead."
            )


def check_skorch_plumbing(estimator) -> None:
    """skorch's own parameters, checked at fit with messages that name them."""
    name = type(estimator).__name__
    criterion = estimator.criterion
    if criterion is not None and (isinstance(criterion, str) or not callable(criterion)):
        raise ValueError(
            f"The 'criterion' parameter of {name} must be None or a torch loss class such as "
            f"torch.nn.MSELoss. Got {criterion!r} instead.")
    split = estimator.train_split
    if not (split is None or split is False or callable(split)):
        raise ValueError(
            f"The 'train_split' parameter of {name} must be None, False or a callable such as "
            f"skorch.dataset.ValidSplit(0.2) (or use early_stopping=True). Got {split!r} "
            "instead.")
    if not isinstance(estimator.warm_start, bool):
        raise ValueError(f"The 'warm_start' parameter of {name} must be True or False. Got "
                         f"{estimator.warm_start!r} instead.")
    for key in ("iterator_train__shuffle", "iterator_valid__shuffle",
                "iterator_train__drop_last", "iterator_valid__drop_last"):
        value = estimator.__dict__.get(key)
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"The {key!r} parameter of {name} must be True or False. Got "
                             f"{value!r} instead.")


def check_optimizer(optimizer, name: str) -> None:
    """Refuse an optimizer that is not a callable (e.g. the string "adam")."""
    if isinstance(optimizer, str) or not callable(optimizer):
        raise ValueError(
            f"The 'optimizer' parameter of {name} must be a torch optimizer class such as "
            f"torch.optim.AdamW. Got {optimizer!r} instead."
        )
