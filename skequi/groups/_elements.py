"""Which elements of a group a measurement uses: all of a small group, else a fixed sample."""

from __future__ import annotations

import numpy as np

from ._finite import FiniteGroup
from ._matrix import enumerate_finite
from ._spec import get_group

__all__ = ["MAX_MEASURED_ELEMENTS", "element_pool", "measured_elements"]

#: Elements an equivariance error averages over, at most (sampled for larger groups).
MAX_MEASURED_ELEMENTS = 24
#: Elements a transformed-data scorer draws from for a Lie group.
POOL_SIZE = 32
#: Largest finite matrix group listed element by element.
MAX_ENUMERATED = 4096


def measured_elements(group, limit: int = MAX_MEASURED_ELEMENTS) -> tuple:
    """``((name, element), ...)``: the non-identity elements a measurement averages over.

    Every non-identity element of a finite group (a fixed sample of ``limit``
    for larger ones), or a fixed sample of ``limit`` elements of a Lie group,
    named ``"sample 1"`` ... An element is an index (finite) or a matrix.

    Examples
    --------
    >>> from skequi.groups._elements import measured_elements
    >>> [name for name, _ in measured_elements("D1d")]
    ['f r^3']
    """
    group = get_group(group)
    if isinstance(group, FiniteGroup):
        others = [g for g in range(group.order) if g != group.identity]
        return tuple((group.elements[g], int(g)) for g in _at_most(others, limit))
    finite = _finite_matrices(group)
    if finite is not None:  # S(n), Z(n), C(k), D(k): every element but the identity, numbered
        identity = np.eye(group.dim)
        others = [i for i, m in enumerate(finite) if not np.allclose(m, identity)]
        return tuple((f"element {i}", finite[i]) for i in _at_most(others, limit))
    samples = group.samples(limit, random_state=0)
    return tuple((f"sample {i + 1}", m) for i, m in enumerate(samples))


def _at_most(indices: list, limit: int) -> list:
    if len(indices) <= limit:
        return indices
    return sorted(int(i) for i in np.random.RandomState(0).choice(indices, limit, replace=False))


def _finite_matrices(group):
    """Every element of a matrix group with no Lie algebra (a finite one), or None."""
    if len(group.lie_generators) or not len(group.discrete_generators):
        return None
    try:
        return enumerate_finite(group.discrete_generators, limit=MAX_ENUMERATED)
    except ValueError:  # too many to list: sample instead
        return None


def element_pool(group) -> list:
    """Elements drawn from uniformly to transform data: all of a finite group (the
    identity included), or a fixed sample of ``POOL_SIZE`` elements of a Lie group."""
    group = get_group(group)
    if isinstance(group, FiniteGroup):
        return list(range(group.order))
    finite = _finite_matrices(group)
    if finite is not None:
        return list(finite)
    return list(group.samples(POOL_SIZE, random_state=0))
