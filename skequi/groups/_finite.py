"""Finite groups given by their Cayley table."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ._characters import CharacterTable

__all__ = ["FiniteGroup"]


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


class FiniteGroup:
    """A finite group, stored as its integer Cayley table.

    Elements are the integers ``0 .. order - 1``; ``cayley_table[i, j]`` is the
    index of the product ``g_i g_j``. Every array the group exposes is
    read-only, so a group obtained from :func:`~skequi.groups.get_group` (which
    is cached per spec) cannot be corrupted by a caller.

    Parameters
    ----------
    name : str
        Canonical spec of the group, e.g. ``"D4"``; ``get_group(name)`` rebuilds it.
    cayley_table : ndarray of shape (n, n)
        ``cayley_table[i, j]`` is the index of ``g_i g_j``.
    labels : sequence of str
        Readable element names such as ``"e"``, ``"r^2"``, ``"f r^1"``.
    generators : sequence of int
        Indices of a generating set.
    matrices : ndarray of shape (n, d, d), optional
        A faithful integer matrix representation (2x2 for the planar point
        groups of the pixel lattice, 3x3 for cube rotations). Groups with
        matrices can act on images, vector fields and volumes.
    characters : callable, optional
        Returns the group's :class:`CharacterTable`; computed on first use.
    presentation : sequence of sequence of int, optional
        Relators of a presentation, each a word in ``generators`` (as positions
        into ``generators``) equal to the identity, e.g. ``[[0, 0, 0, 0]]``
        for ``a^4 = e`` in C4.

    Examples
    --------
    >>> from skequi.groups import get_group
    >>> g = get_group("D4")
    >>> g.order, g.elements[:3]
    (8, ('e', 'r^1', 'r^2'))
    >>> int(g.cayley_table[1, 3]) == g.identity
    True
    """

    __slots__ = (
        "_name",
        "_table",
        "_labels",
        "_generators",
        "_matrices",
        "_inverse",
        "_identity",
        "_characters",
        "_character_table",
        "_presentation",
    )

    def __init__(
        self,
        name: str,
        cayley_table: np.ndarray,
        labels: Sequence[str],
        generators: Sequence[int],
        *,
        matrices: np.ndarray | None = None,
        characters: Callable[[], CharacterTable] | None = None,
        presentation: Sequence[Sequence[int]] | None = None,
    ) -> None:
        table = np.asarray(cayley_table, dtype=np.int64)
        n = table.shape[0]
        if table.shape != (n, n):
            raise ValueError(f"cayley_table must be square, got shape {table.shape}")
        if len(labels) != n:
            raise ValueError(f"got {len(labels)} labels for a group of order {n}")
        identity_rows = np.flatnonzero((table == np.arange(n)).all(axis=1))
        if identity_rows.size != 1:
            raise ValueError(f"the Cayley table of {name!r} has no unique identity")
        identity = int(identity_rows[0])
        inverse = np.argmax(table == identity, axis=1)
        if not (table[np.arange(n), inverse] == identity).all():
            raise ValueError(f"the Cayley table of {name!r} has an element without inverse")
        presentation = () if presentation is None else presentation
        fields = {
            "_name": name,
            "_table": _frozen(table),
            "_labels": tuple(labels),
            "_generators": tuple(int(g) for g in generators),
            "_matrices": None if matrices is None else _frozen(np.asarray(matrices)),
            "_inverse": _frozen(inverse),
            "_identity": identity,
            "_characters": characters,
            "_character_table": None,
            "_presentation": tuple(tuple(int(i) for i in w) for w in presentation),
        }
        for key, value in fields.items():
            object.__setattr__(self, key, value)

    # -- basic structure ---------------------------------------------------
    @property
    def name(self) -> str:
        """Canonical spec string of the group."""
        return self._name

    @property
    def order(self) -> int:
        """Number of elements."""
        return self._table.shape[0]

    @property
    def cayley_table(self) -> np.ndarray:
        """Read-only ``(order, order)`` table, ``table[i, j]`` = index of ``g_i g_j``."""
        return self._table

    @property
    def elements(self) -> tuple[str, ...]:
        """Readable element labels, in index order."""
        return self._labels

    @property
    def identity(self) -> int:
        """Index of the identity element."""
        return self._identity

    @property
    def inverse(self) -> np.ndarray:
        """Read-only array, ``inverse[i]`` = index of ``g_i^-1``."""
        return self._inverse

    @property
    def generators(self) -> tuple[int, ...]:
        """Indices of a generating set."""
        return self._generators

    @property
    def matrices(self) -> np.ndarray | None:
        """Integer matrix of each element (point groups, cube rotations), or None."""
        return self._matrices

    @property
    def presentation(self) -> tuple[tuple[int, ...], ...]:
        """Relators as words in :attr:`generators` (positions), each equal to the identity."""
        return self._presentation

    def index(self, element: int | str) -> int:
        """Index of an element given by index or label.

        Parameters
        ----------
        element : int or str
            An index in ``range(order)`` or one of :attr:`elements`.

        Returns
        -------
        int

        Raises
        ------
        ValueError
            If the element is not in the group.
        """
        if isinstance(element, str):
            if element not in self._labels:
                raise ValueError(
                    f"{element!r} is not an element of {self._name}; "
                    f"elements are {', '.join(self._labels[:12])}"
                    + (" ..." if self.order > 12 else "")
                )
            return self._labels.index(element)
        index = int(element)
        if index != element or not 0 <= index < self.order:
            raise ValueError(
                f"element index must be an int in [0, {self.order}) for {self._name}, "
                f"got {element!r}"
            )
        return index

    def multiply(self, *elements: int) -> int:
        """Index of the product of the given element indices, left to right."""
        result = self._identity
        for g in elements:
            result = int(self._table[result, g])
        return result

    # -- representations and structured matrices ----------------------------
    def group_diagonals(self) -> np.ndarray:
        """Index form of the group diagonals ``B_g``.

        ``(B_g)[h, h'] = 1`` iff ``h = g h'``; the returned array ``idx`` has
        ``(B_g)[idx[g, h'], h'] = 1`` and zeros elsewhere, so it equals the
        Cayley table. A group matrix ``sum_g phi(g) B_g`` never needs to be
        materialised: see :meth:`group_matrix` for the dense reference.

        Returns
        -------
        ndarray of shape (order, order)
        """
        return self._table

    def group_matrix(self, phi: np.ndarray) -> np.ndarray:
        """Dense group matrix ``M[a, b] = phi[a b^-1]`` (a reference for small groups).

        Parameters
        ----------
        phi : ndarray of shape (order, ...)
            A function on the group; trailing axes are carried along.

        Returns
        -------
        ndarray of shape (order, order, ...)

        Examples
        --------
        >>> import numpy as np
        >>> from skequi.groups import get_group
        >>> M = get_group("C3").group_matrix(np.array([1.0, 2.0, 3.0]))
        >>> M[0].tolist(), M[1].tolist()
        ([1.0, 3.0, 2.0], [2.0, 1.0, 3.0])
        """
        phi = np.asarray(phi)
        if phi.shape[0] != self.order:
            raise ValueError(f"phi must have {self.order} rows, got shape {phi.shape}")
        a_binv = self._table[:, self._inverse]
        return phi[a_binv]

    def regular_representation(self) -> np.ndarray:
        """Left regular representation as ``(order, order, order)`` permutation matrices.

        ``R[g] @ e_h = e_{g h}``, so ``R[g]`` is the group diagonal ``B_g``.

        Returns
        -------
        ndarray of shape (order, order, order)

        Raises
        ------
        ValueError
            If the group is too large to materialise (order > 512);
            use :meth:`group_diagonals` instead.
        """
        n = self.order
        if n > 512:
            raise ValueError(
                f"the regular representation of {self._name} has {n}^3 entries; "
                "use group_diagonals() for the index form"
            )
        rep = np.zeros((n, n, n))
        g, h = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        rep[g, self._table, h] = 1.0
        return rep

    # -- subgroups ----------------------------------------------------------
    def subgroup(self, generators: Sequence[int | str]) -> np.ndarray:
        """Sorted element indices of the subgroup generated by ``generators``.

        Parameters
        ----------
        generators : sequence of int or str
            Element indices or labels.

        Returns
        -------
        ndarray of int

        Examples
        --------
        >>> from skequi.groups import get_group
        >>> get_group("C4").subgroup([2]).tolist()
        [0, 2]
        """
        gens = [self.index(g) for g in generators]
        members = {self._identity}
        frontier = [self._identity]
        while frontier:
            new = []
            for h in frontier:
                for g in gens:
                    p = int(self._table[h, g])
                    if p not in members:
                        members.add(p)
                        new.append(p)
            frontier = new
        return np.array(sorted(members), dtype=np.int64)

    def cosets(self, subgroup: Sequence[int]) -> np.ndarray:
        """Left cosets ``g K`` of a subgroup ``K``, one per row.

        Rows are ordered by their smallest element and each row lists ``g k``
        for ``k`` in ``subgroup`` order with ``g`` the row's smallest element.

        Parameters
        ----------
        subgroup : sequence of int
            Element indices of a subgroup (e.g. from :meth:`subgroup`).

        Returns
        -------
        ndarray of shape (order // len(subgroup), len(subgroup))

        Raises
        ------
        ValueError
            If ``subgroup`` is not closed under the group law.
        """
        k = np.asarray(sorted(set(int(i) for i in subgroup)), dtype=np.int64)
        if not np.isin(self._table[np.ix_(k, k)], k).all():
            raise ValueError(f"{k.tolist()} is not a subgroup of {self._name}")
        seen = np.zeros(self.order, dtype=bool)
        rows = []
        for g in range(self.order):
            if not seen[g]:
                coset = self._table[g, k]
                seen[coset] = True
                rows.append(coset)
        return np.stack(rows)

    # -- characters ---------------------------------------------------------
    def character_table(self) -> CharacterTable:
        """Irreducible characters of the group, one value per element.

        Returns
        -------
        CharacterTable

        Raises
        ------
        ValueError
            If the group's family has no character table here (available:
            cyclic, dihedral, symmetric, cube rotations and their products).
        """
        if self._character_table is None:
            if self._characters is None:
                raise ValueError(
                    f"no character table for {self._name}; available for C<n>, D<n>, "
                    "S<n>, the cube rotations O, and direct products of these"
                )
            object.__setattr__(self, "_character_table", self._characters())
        return self._character_table

    def decompose(self, rep: np.ndarray, *, atol: float = 1e-6) -> dict[str, int]:
        """Multiplicity of each irrep in a representation, by the character inner product.

        Parameters
        ----------
        rep : ndarray of shape (order, d, d)
            The representation's matrix for every element, in index order.
        atol : float, default=1e-6
            How far a multiplicity may be from an integer.

        Returns
        -------
        dict
            ``{irrep name: multiplicity}`` for every irrep, in table order.

        Raises
        ------
        ValueError
            If ``rep`` has the wrong shape or its multiplicities are not
            integers (it is not a representation of this group).

        Examples
        --------
        >>> from skequi.groups import get_group
        >>> g = get_group("C4")
        >>> g.decompose(g.regular_representation())
        {'chi0': 1, 'chi1': 1, 'chi2': 1, 'chi3': 1}
        """
        rep = np.asarray(rep)
        if rep.ndim != 3 or rep.shape[0] != self.order or rep.shape[1] != rep.shape[2]:
            raise ValueError(
                f"rep must have shape ({self.order}, d, d) for {self._name}, got {rep.shape}"
            )
        traces = np.trace(rep, axis1=1, axis2=2)
        return self.character_table().multiplicities(traces, atol=atol)

    # -- value semantics ----------------------------------------------------
    def __repr__(self) -> str:
        return f"FiniteGroup({self._name!r}, order={self.order})"

    def __str__(self) -> str:
        return self._name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FiniteGroup) and other._name == self._name

    def __hash__(self) -> int:
        return hash(("FiniteGroup", self._name))

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self):
        from ._spec import get_group

        return (get_group, (self._name,))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self
