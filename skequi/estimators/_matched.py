"""``channels="matched"``: per-group widths with the plain CNN's parameter count.

A fair comparison of groups keeps the free parameters fixed. A regular field
of a group of order |H| takes |H| tensor channels and a layer between two such
fields stores one field's kernel, so widths that keep the parameter count shrink
roughly like ``1 / sqrt(|H|)``; integer widths cannot hit that exactly, so the
search below tries uniform widths and widths one larger in a prefix or a suffix
of the layers, and keeps the closest count.
"""

from __future__ import annotations

from typing import Callable, Sequence

__all__ = ["MATCH_TOLERANCE", "matched_widths", "reference_label"]

#: How far (relative) a matched model's parameter count may be from the reference's.
MATCH_TOLERANCE = 0.10


def _candidates(n_layers: int, max_width: int):
    for width in range(1, max_width + 1):
        yield (width,) * n_layers
        for k in range(1, n_layers):
            yield (width + 1,) * k + (width,) * (n_layers - k)
            yield (width,) * (n_layers - k) + (width + 1,) * k


def matched_widths(count: Callable[[tuple], int], target: int, n_layers: int,
                   max_width: int) -> tuple[tuple[int, ...], int]:
    """The widths whose model's parameter count is closest to ``target``.

    Parameters
    ----------
    count : callable (widths,) -> int
        Free parameters of the model with these widths.
    target : int
        The reference model's free parameters.
    n_layers : int
    max_width : int
        Largest width tried (the search stops early once counts pass twice
        the target, as counts grow with width).

    Returns
    -------
    widths : tuple of int
    n_params : int

    Examples
    --------
    >>> from skequi.estimators._matched import matched_widths
    >>> matched_widths(lambda w: 9 * sum(a * b for a, b in zip((1,) + w, w)), 1224, 3, 32)
    ((8, 8, 8), 1224)
    """
    best, best_count = None, None
    for widths in _candidates(n_layers, max_width):
        n = count(widths)
        if best is None or abs(n - target) < abs(best_count - target):
            best, best_count = widths, n
        if min(widths) > 1 and n > 2 * target and widths == (widths[0],) * n_layers:
            break
    return best, best_count


def reference_label(reference: Sequence[int]) -> str:
    """How the reference model is named in messages and tables."""
    return f"the plain CNN (C1) with channels={tuple(int(c) for c in reference)}"
