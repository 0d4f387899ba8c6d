"""The equivariance of a plain function or torch module, element by element."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..groups import FiniteGroup, get_group
from ..groups._elements import measured_elements
from ..transforms import FIELD_TYPES, apply_group

__all__ = ["function_equivariance_errors"]


def _is_torch(x) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _action(group, field):
    """``(x, element) -> g x`` for a grid field type, "invariant", or a representation spec."""
    if field == "invariant":
        return lambda x, g: x
    if field in FIELD_TYPES:
        if not isinstance(group, FiniteGroup):
            raise ValueError(
                f"field={field!r} is a field on a pixel or voxel grid, moved by a finite group "
                f"such as 'C4' or 'O'; for the matrix group {group.name!r} give a "
                "representation such as field='2V'"
            )
        return lambda x, g: apply_group(x, g, group, field)
    from ..reps import parse_rep

    rep = parse_rep(field)
    if isinstance(group, FiniteGroup):
        matrices = group.matrices if group.matrices is not None else \
            group.regular_representation()

        def matrix(g):
            return np.asarray(matrices[g], dtype=float)
    else:
        def matrix(g):
            return g

    def act(x, g):
        rho = rep.rho(matrix(g))
        if _is_torch(x):
            import torch

            return x @ torch.as_tensor(rho.T, dtype=x.dtype, device=x.device)
        return x @ rho.T
    return act


def _norm(x) -> float:
    if _is_torch(x):
        return float(x.detach().double().norm().cpu())
    return float(np.linalg.norm(np.asarray(x, dtype=float)))


def function_equivariance_errors(fn, x, group, *, field: str = "scalar",
                                 out_field: str | None = None) -> pd.DataFrame:
    """``||fn(g x) - g fn(x)||`` and ``||fn(x)||`` for each non-identity element.

    Parameters
    ----------
    fn : callable
        A torch module or any function of a batch (torch tensor or numpy).
    x : torch.Tensor or ndarray
        A batch: images ``(n, C, H, W)``, volumes ``(n, C, D, H, W)``, or
        vectors ``(n, size)`` for a representation spec.
    group : str or group
    field : str, default="scalar"
        How ``g`` acts on ``x``: ``"scalar"``, ``"vector"`` or ``"regular"``
        fields on the grid (:func:`~skequi.transforms.apply_group`), or a
        representation spec such as ``"2V"`` for a matrix group.
    out_field : str, optional
        How ``g`` acts on the output (default: as on the input);
        ``"invariant"`` for outputs that do not move (logits).

    Returns
    -------
    pandas.DataFrame
        Indexed by element name, with columns ``error`` (the norm of the
        difference) and ``relative`` (divided by ``||fn(x)||``).
    """
    grp = get_group(group)
    act_in, act_out = _action(grp, field), _action(grp, field if out_field is None else out_field)

    def run(values):
        if _is_torch(values):
            import torch

            with torch.no_grad():
                return fn(values)
        return fn(values)

    base = run(x)
    scale = max(_norm(base), 1e-300)
    rows = {}
    for name, g in measured_elements(grp):
        gap = _norm(run(act_in(x, g)) - act_out(base, g))
        rows[name] = (gap, gap / scale)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["error", "relative"])
    frame.index.name = "element"
    frame.attrs.update(group=grp.name, output_norm=scale)
    return frame
