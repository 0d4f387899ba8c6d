"""Where solved invariant bases are kept on disk, if anywhere, and how they are read.

Off by default: bases live in memory for the process. Set a folder with
:func:`set_basis_cache_dir` or the ``SKEQUI_CACHE_DIR`` environment variable
and every solve is stored there as one ``.npy`` file, named by a SHA-256 of
the group's generators, the tensor type and the solver's version, so a new
process loads a basis instead of solving it again.

Loading never unpickles: files are read with ``numpy.load(allow_pickle=False)``
and must hold a float64 matrix of the expected width whose columns satisfy the
group's constraints (checked with one product per generator). Anything else in
the folder (another program's files, a planted pickle or basis, a corrupt or
truncated file) is ignored with a warning and the basis is solved again. A
folder that belongs to another user, is not writable, or is not a folder at all
is not used (with a warning): the cache is optional, so it never fails a fit.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np

__all__ = [
    "basis_cache_dir",
    "cached_basis",
    "default_basis_cache_dir",
    "set_basis_cache_dir",
    "usable_cache_dir",
]

#: Environment variable read when :func:`set_basis_cache_dir` was never called.
CACHE_DIR_ENV = "SKEQUI_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_UNSET = object()
_chosen = _UNSET  # what set_basis_cache_dir was given (a Path or None)
_scanned: set[Path] = set()  # folders whose foreign files were already reported
_refused: set[Path] = set()  # folders already reported as unusable
_FILE = re.compile(r"^basis-[0-9a-f]{64}\.npy$")
_SUBFOLDERS = {"plumes"}  # skequi.datasets.make_plumes keeps its simulations there


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

    Examples
    --------
    >>> import os
    >>> from skequi.reps import basis_cache_dir
    >>> basis_cache_dir() is None or basis_cache_dir().is_absolute()
    True
    """
    if _chosen is not _UNSET:
        return _chosen
    env = os.environ.get(CACHE_DIR_ENV)
    return _checked(env, f"{CACHE_DIR_ENV}=") if env else None


def _key(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part, dtype=np.float64)
            digest.update(repr(array.shape).encode())
            digest.update(array.tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def usable_cache_dir() -> Path | None:
    """:func:`basis_cache_dir` if skequi may read and write it, else None (with a warning).

    A folder is usable when it does not exist yet (it is created on the first
    write), or is a folder that belongs to the current user and is writable.

    Examples
    --------
    >>> from skequi.reps import usable_cache_dir
    >>> usable_cache_dir() is None or usable_cache_dir().is_absolute()
    True
    """
    folder = basis_cache_dir()
    if folder is None:
        return None
    reason = None
    if folder.exists():
        if not folder.is_dir():
            reason = "it is not a folder"
        elif hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            reason = "it belongs to another user, who would decide what skequi loads"
        elif not os.access(folder, os.W_OK | os.X_OK):
            reason = "it is not writable"
    if reason is None:
        return folder
    if folder not in _refused:
        _refused.add(folder)
        warnings.warn(f"not using the skequi cache folder {str(folder)!r}: {reason}; bases "
                      "and simulations are computed again and kept in memory only",
                      UserWarning, stacklevel=3)
    return None


def _report_foreign_files(folder: Path) -> None:
    if folder in _scanned or not folder.is_dir():
        return
    _scanned.add(folder)
    foreign = sorted(p.name for p in folder.iterdir()
                     if not _FILE.match(p.name) and p.name not in _SUBFOLDERS)
    if foreign:
        warnings.warn(
            f"the basis cache folder {str(folder)!r} holds {len(foreign)} file(s) skequi did "
            f"not write ({', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}); they "
            "are ignored. The folder should belong to you and hold only skequi's bases",
            UserWarning, stacklevel=3)


def _load(path: Path, width: int, check=None) -> np.ndarray | None:
    try:
        basis = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        warnings.warn(f"ignoring unreadable basis cache file {str(path)!r} ({error}); "
                      "solving again", UserWarning, stacklevel=3)
        return None
    if basis.dtype != np.float64 or basis.ndim != 2 or basis.shape[0] != width or not \
            np.all(np.isfinite(basis)):
        warnings.warn(f"ignoring basis cache file {str(path)!r}: it does not hold a float64 "
                      f"({width}, n) basis; solving again", UserWarning, stacklevel=3)
        return None
    if check is not None:
        residual = check(basis)
        if not residual < 1e-6:
            warnings.warn(f"ignoring basis cache file {str(path)!r}: its columns break the "
                          f"group's constraints (residual {residual:.2e}); solving again",
                          UserWarning, stacklevel=3)
            return None
    return basis


def _store(path: Path, basis: np.ndarray) -> None:
    """Best effort: a cache that cannot be written is only a cache not kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError as error:
        warnings.warn(f"cannot write to the skequi cache folder {str(path.parent)!r} "
                      f"({error.strerror or error}); keeping the basis in memory only",
                      UserWarning, stacklevel=3)
        return
    try:
        with os.fdopen(handle, "wb") as file:
            np.save(file, np.ascontiguousarray(basis, dtype=np.float64), allow_pickle=False)
        os.replace(temporary, path)  # atomic: readers see the old file or the whole new one
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)


def cached_basis(solve, width: int, *key_parts, check=None) -> np.ndarray:
    """``solve()``, or its result stored earlier under the key of ``key_parts``.

    Without a usable cache folder this is ``solve()``. ``width`` is the basis's
    number of rows (the tensor dimension), checked on every load, and
    ``check(basis)`` its largest constraint residual (a loaded basis above 1e-6
    is refused).
    """
    folder = usable_cache_dir()
    if folder is None:
        return solve()
    _report_foreign_files(folder)
    path = folder / f"basis-{_key(*key_parts)}.npy"
    if path.is_file():
        basis = _load(path, width, check)
        if basis is not None:
            return basis
    basis = solve()
    _store(path, basis)
    return basis
