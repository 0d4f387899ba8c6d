"""Group actions on data: images, vector fields and volumes.

Conventions
-----------
Images are ``(..., H, W)`` arrays. Positions are measured from the image
centre with **x along the width axis (rightwards) and y up** (towards row 0),
so the rotation ``r`` of C4/D4, the matrix ``[[0, -1], [1, 0]]``, is
``numpy.rot90(image)``: a counter-clockwise quarter turn as displayed with
row 0 on top. The mirror ``f`` of D1/D2/D4, ``x -> -x``, flips left-right.

Vector fields (``field="vector"``) have channels in ``(u, v)`` pairs on axis
``-3``: ``u`` is the x (rightward) component and ``v`` the y (upward)
component. An element with matrix ``M`` moves the field and turns its
vectors: ``(g f)(p) = M f(M^-1 p)``.

Volumes are ``(..., D, H, W)`` arrays acted on by the 24 cube rotations
(group ``"O"``), with ``(x, y, z)`` along the ``(W, H, D)`` axes; vector
channels are ``(u, v, w)`` triples on axis ``-4``.

Every action is exact (a permutation of pixels, possibly with a signed
permutation of vector components) and a homomorphism:
``apply_group(apply_group(X, h), g) == apply_group(X, g h)``.
"""

from ._actions import FIELD_TYPES, apply_group, group_matrices
from ._per_sample import apply_group_per_sample

__all__ = ["FIELD_TYPES", "apply_group", "apply_group_per_sample", "group_matrices"]
