"""Assertions for tests of equivariant code: skequi's layers and users' own modules.

The measurement is :func:`skequi.metrics._functions.function_equivariance_errors`;
this module turns it into a pass or a failure that names the worst elements.
"""

from ..metrics._functions import function_equivariance_errors as _measure

__all__ = ["assert_equivariant"]

#: (rtol, atol) by dtype name: a few hundred units of float32 rounding, and of float64.
_DEFAULT_TOLERANCES = {"float16": (1e-2, 1e-3), "bfloat16": (3e-2, 1e-3),
                      "float32": (1e-4, 1e-6), "float64": (1e-9, 1e-12)}


def _dtype_name(x) -> str:
    return str(getattr(x, "dtype", "float64")).replace("torch.", "")


def assert_equivariant(fn, group, x, *, field: str = "scalar", out_field: str | None = None,
                       rtol: float | None = None, atol: float | None = None):
    """Assert ``fn(g x) == g fn(x)`` for every non-identity element of ``group``.

    Each element passes when ``||fn(g x) - g fn(x)|| <= atol + rtol ||fn(x)||``
    (norms over the whole batch). Groups of more than 25 elements and Lie
    groups are checked on a fixed sample of 24 elements. Peers:
    ``e3nn.util.test.assert_equivariant``, escnn's ``check_equivariance``.

    Parameters
    ----------
    fn : callable
        A torch module (run without gradients) or any function of a batch.
    group : str or group
        E.g. ``"C4"``, ``"D1d"``, ``"O"``, ``"SO(3)"``.
    x : torch.Tensor or ndarray
        Random inputs: images ``(n, C, H, W)``, volumes, or vectors
        ``(n, size)`` for a representation spec.
    field : str, default="scalar"
        How the group acts on ``x``: ``"scalar"``, ``"vector"`` or ``"regular"``
        fields on the grid, or a representation spec such as ``"2V"``.
    out_field : str, optional
        How it acts on the output (default: as ``field``); ``"invariant"``
        for outputs that do not move.
    rtol, atol : float, optional
        Default by ``x``'s dtype: float32 ``1e-4, 1e-6``; float64
        ``1e-9, 1e-12``; float16 and bfloat16 looser.

    Returns
    -------
    pandas.DataFrame
        Each element's error and relative error, when the assertion holds.

    Raises
    ------
    AssertionError
        Naming the group, the field types, the worst elements with their
        relative errors, and the tolerance.

    Examples
    --------
    >>> import torch
    >>> from skequi.nn import GroupMatrixConv2d
    >>> from skequi.testing import assert_equivariant
    >>> layer = GroupMatrixConv2d(1, 2, "C4", in_field="scalar", out_field="regular")
    >>> _ = assert_equivariant(layer, "C4", torch.randn(2, 1, 9, 9), out_field="regular")
    >>> conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    >>> assert_equivariant(conv, "C4", torch.randn(2, 1, 9, 9))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: not equivariant under C4 (scalar -> scalar): worst elements r^...
    """
    default_rtol, default_atol = _DEFAULT_TOLERANCES.get(_dtype_name(x), (1e-4, 1e-6))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    errors = _measure(fn, x, group, field=field, out_field=out_field)
    bound = atol + rtol * errors.attrs["output_norm"]
    failed = errors[errors["error"] > bound].sort_values("relative", ascending=False)
    if len(failed):
        worst = ", ".join(f"{name}: {value:.2e}" for name, value in failed["relative"][:4].items())
        more = f" (and {len(failed) - 4} more)" if len(failed) > 4 else ""
        raise AssertionError(
            f"not equivariant under {errors.attrs['group']} ({field} -> "
            f"{field if out_field is None else out_field}): worst elements {worst}{more} "
            f"(relative errors ||f(g x) - g f(x)|| / ||f(x)||; {len(failed)} of {len(errors)} "
            f"elements over rtol={rtol:g}, atol={atol:g})"
        )
    return errors
