"""Representations as immutable sums of tensor types T(p, q) = V^(x p) (x) V*^(x q)."""

from __future__ import annotations

import re
from functools import reduce

import numpy as np

__all__ = ["Rep", "parse_rep", "tensor_drho", "tensor_rho", "VALID_REP_FORMS"]

VALID_REP_FORMS = (
    "terms joined by '+', each an optional multiplicity and a type: S (scalar), V (vector), "
    "V* (dual), V**p (tensor power), T(p,q); e.g. '2V', '4S+4V', 'V**2', 'T(1,1)'"
)
_TERM = re.compile(r"^(\d*)(?:(S)|(V\*)|V\*\*(\d+)|(V)|T\((\d+),(\d+)\))$")


def _type_str(p: int, q: int) -> str:
    if (p, q) == (0, 0):
        return "S"
    if (p, q) == (1, 0):
        return "V"
    if (p, q) == (0, 1):
        return "V*"
    if q == 0:
        return f"V**{p}"
    return f"T({p},{q})"


class Rep:
    """A direct sum of tensor types with multiplicities, in the order given.

    Parameters
    ----------
    summands : sequence of (multiplicity, p, q)
        ``T(p, q) = V^(x p) (x) V*^(x q)``; the order is the order of the
        coordinates (all copies of the first summand, then the next, ...).

    Examples
    --------
    >>> from skequi.reps import parse_rep
    >>> rep = parse_rep("4S+4V")
    >>> str(rep), rep.size(3), rep.n_copies
    ('4S+4V', 16, 8)
    """

    __slots__ = ("summands",)

    def __init__(self, summands) -> None:
        cleaned = tuple((int(m), int(p), int(q)) for m, p, q in summands if int(m) > 0)
        if not cleaned:
            raise ValueError("a representation needs at least one summand with multiplicity > 0")
        object.__setattr__(self, "summands", cleaned)

    def size(self, dim: int) -> int:
        """Dimension for a group whose defining representation V has size ``dim``."""
        return sum(m * dim ** (p + q) for m, p, q in self.summands)

    @property
    def n_copies(self) -> int:
        """Number of irreducible-type copies (sum of multiplicities)."""
        return sum(m for m, _, _ in self.summands)

    def copies(self):
        """(p, q) of every copy, in coordinate order."""
        return [(p, q) for m, p, q in self.summands for _ in range(m)]

    @property
    def is_scalar(self) -> bool:
        return all((p, q) == (0, 0) for _, p, q in self.summands)

    def rho(self, g: np.ndarray) -> np.ndarray:
        """Block-diagonal matrix of the group element ``g`` (a d x d matrix)."""
        blocks = [tensor_rho(g, p, q) for p, q in self.copies()]
        return _block_diag(blocks)

    def drho(self, a: np.ndarray) -> np.ndarray:
        """Block-diagonal matrix of the Lie algebra element ``a``."""
        blocks = [tensor_drho(a, p, q) for p, q in self.copies()]
        return _block_diag(blocks)

    def __add__(self, other: "Rep") -> "Rep":
        return Rep(self.summands + other.summands)

    def __str__(self) -> str:
        return "+".join((f"{m}" if m > 1 else "") + _type_str(p, q) for m, p, q in self.summands)

    def __repr__(self) -> str:
        return f"Rep({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Rep) and other.summands == self.summands

    def __hash__(self) -> int:
        return hash(self.summands)

    def __setattr__(self, key, value):
        raise AttributeError("Rep is immutable")

    def __reduce__(self):  # immutable slots: rebuild through __init__ when unpickled
        return (Rep, (self.summands,))


def parse_rep(spec) -> Rep:
    """Parse a representation spec such as ``"2V"``, ``"4S+4V"``, ``"V**2"``, ``"T(1,1)"``.

    Parameters
    ----------
    spec : str or Rep

    Returns
    -------
    Rep
        ``str(parse_rep(s))`` is the canonical spelling and parses back to
        the same Rep.

    Raises
    ------
    ValueError
        For an empty or malformed spec; the message lists the valid forms.

    Examples
    --------
    >>> from skequi.reps import parse_rep
    >>> str(parse_rep("1V + 2T(0,0) + V**1"))
    'V+2S+V'
    """
    if isinstance(spec, Rep):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"a representation spec must be a string such as '2V', got {spec!r}")
    text = spec.replace(" ", "")
    if not text:
        raise ValueError(
            f"invalid representation spec {spec!r}: it is empty. Valid: {VALID_REP_FORMS}")
    summands = []
    for term in text.split("+"):
        match = _TERM.match(term)
        if match is None:
            raise ValueError(
                f"invalid representation spec {spec!r}: cannot read term {term!r}. "
                f"Valid: {VALID_REP_FORMS}"
            )
        mult_text, scalar, dual, power, vector, tp, tq = match.groups()
        mult = int(mult_text) if mult_text else 1
        if mult < 1:
            raise ValueError(f"invalid representation spec {spec!r}: multiplicity 0 in {term!r}")
        if scalar:
            p, q = 0, 0
        elif dual:
            p, q = 0, 1
        elif power is not None:
            p, q = int(power), 0
        elif vector:
            p, q = 1, 0
        else:
            p, q = int(tp), int(tq)
        summands.append((mult, p, q))
    return Rep(summands)


def _block_diag(blocks) -> np.ndarray:
    size = sum(b.shape[0] for b in blocks)
    out = np.zeros((size, size))
    i = 0
    for b in blocks:
        out[i:i + b.shape[0], i:i + b.shape[0]] = b
        i += b.shape[0]
    return out


def tensor_rho(g: np.ndarray, p: int, q: int) -> np.ndarray:
    """``rho(g)`` on T(p, q): Kronecker product of p copies of g and q of g^-T.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.reps import tensor_rho
    >>> g = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> np.allclose(tensor_rho(g, 2, 0), np.kron(g, g)), tensor_rho(g, 1, 1).shape
    (True, (4, 4))
    """
    factors = [g] * p + [np.linalg.inv(g).T] * q
    if not factors:
        return np.ones((1, 1))
    return reduce(np.kron, factors)


def tensor_drho(a: np.ndarray, p: int, q: int) -> np.ndarray:
    """``drho(a)`` on T(p, q): the Kronecker sum, with -a^T on dual factors.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.reps import tensor_drho
    >>> a = np.array([[0.0, -1.0], [1.0, 0.0]])  # the generator of SO(2)
    >>> np.allclose(tensor_drho(a, 1, 1), np.kron(a, np.eye(2)) + np.kron(np.eye(2), -a.T))
    True
    """
    d = a.shape[0]
    factors = [a] * p + [-a.T] * q
    if not factors:
        return np.zeros((1, 1))
    total = np.zeros((d ** len(factors),) * 2)
    for i, f in enumerate(factors):
        total += reduce(np.kron, [np.eye(d ** i), f, np.eye(d ** (len(factors) - i - 1))])
    return total
