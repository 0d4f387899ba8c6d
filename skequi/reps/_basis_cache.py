"""Where solved invariant bases are kept on disk, if anywhere.

Off by default: bases live in memory for the process. Set a folder with
:func:`set_basis_cache_dir` or the ``SKEQUI_CACHE_DIR`` environment variable
and every solve is stored there by :class:`joblib.Memory`, keyed by the
group's generators and the tensor type, so a new process loads a basis
instead of solving it again.
"""

from __future__ import annotations

import os
from pathlib import Path

import joblib

__all__ = ["basis_cache_dir", "default_basis_cache_dir", "set_basis_cache_dir"]

#: Environment variable read when :func:`set_basis_cache_dir` was never called.
CACHE_DIR_ENV = "SKEQUI_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_UNSET = object()
_chosen = _UNSET  # what set_basis_cache_dir was given (a Path or None)
_memories: dict[Path, joblib.Memory] = {}


def default_basis_cache_dir() -> Path:
    """The conventional user cache folder: ``$XDG_CACHE_HOME/skequi`` or ``~/.cache/skequi``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from skequi.reps import default_basis_cache_dir
    >>> default_basis_cache_dir().name
    'skequi'
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skequi"


def _checked(path, source: str) -> Path:
    path = Path(path).expanduser().resolve()
    if path == _PACKAGE_DIR or _PACKAGE_DIR in path.parents:
        raise ValueError(
            f"{source}{str(path)!r} is inside the installed skequi package; keep the basis "
            f"cache outside it, e.g. {str(default_basis_cache_dir())!r}"
        )
    return path


def set_basis_cache_dir(path: str | os.PathLike | None) -> None:
    """Keep solved equivariant bases on disk under ``path``, or only in memory (``None``).

    Overrides the ``SKEQUI_CACHE_DIR`` environment variable. Bases already
    solved in this process stay in memory either way.

    Parameters
    ----------
    path : str, path-like or None
        A folder outside the skequi package, created when first written;
        :func:`default_basis_cache_dir` is the conventional one.

    Raises
    ------
    ValueError
        If ``path`` lies inside the installed package.

    Examples
    --------
    >>> from skequi.reps import basis_cache_dir, default_basis_cache_dir, set_basis_cache_dir
    >>> set_basis_cache_dir(default_basis_cache_dir())  # created when a basis is first stored
    >>> basis_cache_dir() == default_basis_cache_dir().resolve()
    True
    >>> set_basis_cache_dir(None)
    >>> basis_cache_dir() is None
    True
    """
    global _chosen
    _chosen = None if path is None else _checked(path, "the basis cache folder ")


def basis_cache_dir() -> Path | None:
    """The folder bases are stored in, or None when they are kept in memory only.

    Returns
    -------
    pathlib.Path or None

    Raises
    ------
    ValueError
        If ``SKEQUI_CACHE_DIR`` points inside the installed package.
    """
    if _chosen is not _UNSET:
        return _chosen
    env = os.environ.get(CACHE_DIR_ENV)
    return _checked(env, f"{CACHE_DIR_ENV}=") if env else None


def _disk_memory() -> joblib.Memory | None:
    """The :class:`joblib.Memory` of the current cache folder (None without one)."""
    path = basis_cache_dir()
    if path is None:
        return None
    if path not in _memories:
        _memories[path] = joblib.Memory(path, verbose=0)
    return _memories[path]
