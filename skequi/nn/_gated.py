"""The gated nonlinearity of EMLP and the representation of its gate scalars."""

from __future__ import annotations

import torch
from torch import nn

from ..groups import as_matrix_group
from ..reps import Rep, parse_rep

__all__ = ["GatedNonlinearity", "gated"]


def gated(rep) -> Rep:
    """One gate scalar per non-scalar copy of ``rep``, then ``rep`` itself.

    The gates come first and join a leading scalar summand, so the scalars
    of ``gated("4S+2V")`` form one summand, ``"6S+2V"``: layers treat them as
    one block.

    Examples
    --------
    >>> from skequi.nn import gated
    >>> str(gated("4S+2V")), str(gated("V+S"))
    ('6S+2V', 'S+V+S')
    """
    rep = parse_rep(rep)
    n_gates = sum(1 for p, q in rep.copies() if p + q > 0)
    if not n_gates:
        return rep
    (m, p, q), rest = rep.summands[0], rep.summands[1:]
    if (p, q) == (0, 0):
        return Rep(((m + n_gates, 0, 0),) + rest)
    return Rep(((n_gates, 0, 0),) + rep.summands)


class GatedNonlinearity(nn.Module):
    """Swish on scalars; each non-scalar copy times the sigmoid of its gate scalar.

    Input: features of ``gated(rep)``; output: features of ``rep``. Scalars
    (and gates) are invariant, so multiplying a tensor by a function of a
    scalar keeps it equivariant.

    Parameters
    ----------
    rep : str or Rep
    group : str or MatrixGroup

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GatedNonlinearity, gated
    >>> from skequi.reps import parse_rep
    >>> width = gated(parse_rep("2S+V")).size(3)  # 2 scalars, one vector, its gate
    >>> GatedNonlinearity("2S+V", "O(3)")(torch.randn(4, width)).shape
    torch.Size([4, 5])
    """

    def __init__(self, rep, group) -> None:
        super().__init__()
        rep = parse_rep(rep)
        d = as_matrix_group(group).dim
        self.size = rep.size(d)
        self.n_gates = gated(rep).size(d) - self.size
        # column of gated(rep) whose sigmoid scales each output coordinate: its gate for
        # non-scalars, itself for scalars (x sigmoid(x) is the swish)
        index, column, gate = [], self.n_gates, 0
        for p, q in rep.copies():
            size = d ** (p + q)
            index += [gate] * size if p + q else [column]
            gate += 1 if p + q else 0
            column += size
        self.register_buffer("_gate_index", torch.tensor(index), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.n_gates:] * torch.sigmoid(x.index_select(1, self._gate_index))
