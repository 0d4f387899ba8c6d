"""The estimators' optimizer: torch's fused implementation where it has one."""

from __future__ import annotations

import inspect

__all__ = ["make_optimizer"]


def make_optimizer(factory, args: tuple, kwargs: dict, owner: str):
    """``factory(*args, **kwargs)``, with ``fused=True`` when the optimizer takes it.

    torch's default on the CPU is a Python loop over the parameter tensors
    (about 1 ms a step for the 20 tensors of a 3-block GMCNN); AdamW, Adam,
    SGD and Adagrad take ``fused=True``, one kernel per tensor on CPU and CUDA
    (torch >= 2.4 on the CPU). Where ``kwargs`` choose an implementation
    (``fused`` or ``foreach``), or torch has no fused kernel for these tensors,
    the optimizer is built as given.

    Parameters
    ----------
    factory : callable
        The optimizer class (or any callable returning an optimizer).
    args, kwargs
        skorch's ``get_params_for_optimizer`` output.
    owner : str
        The estimator's name, for error messages.

    Returns
    -------
    torch.optim.Optimizer

    Raises
    ------
    ValueError
        When the optimizer refuses its arguments, naming them.

    Examples
    --------
    >>> import torch
    >>> groups = ([{"params": [torch.nn.Parameter(torch.zeros(3))]}],)
    >>> make_optimizer(torch.optim.AdamW, groups, {"lr": 0.1}, "E").defaults["fused"]
    True
    """
    if _takes_fused(factory) and not {"fused", "foreach"} & set(kwargs):
        try:
            return factory(*args, fused=True, **kwargs)
        except (RuntimeError, TypeError, ValueError):
            pass  # no fused kernel for these tensors here; a real error recurs below
    try:
        return factory(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        given = ", ".join(f"{'' if k in ('lr', 'weight_decay') else 'optimizer__'}{k}={v!r}"
                          for k, v in kwargs.items())
        name = getattr(factory, "__name__", repr(factory))
        raise ValueError(f"{owner}: {name} refused its arguments ({given}): {exc}") from None


def _takes_fused(factory) -> bool:
    """Whether ``factory`` (a class or any callable) accepts torch's ``fused`` flag."""
    try:
        return "fused" in inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a callable without a signature
        return False
