"""Where solved invariant bases are kept on disk, if anywhere, and how they are read.

Off by default: bases live in memory for the process. Set a folder with
:func:`set_basis_cache_dir` or the ``SKEQUI_CACHE_DIR`` environment variable
and every solve is stored there as one ``.npy`` file, named by a SHA-256 of
the group's generators, the tensor type and the solver's version, so a new
process loads a basis instead of solving it again.

Loading never unpickles: files are read with ``numpy.load(allow_pickle=False)``
and must hold a float64 matrix of the expected width. Anything else in the
folder (another program's files, a planted pickle, a corrupt or truncated
file) is ignored with a warning and the basis is solved again. The folder
must belong to the user: whoever can write to it decides what skequi solves
from, though never what code runs.
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
]

#: Environment variable read when :func:`set_basis_cache_dir` was never called.
CACHE_DIR_ENV = "SKEQUI_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_UNSET = object()
_chosen = _UNSET  # what set_basis_cache_dir was given (a Path or None)
_scanned: set[Path] = set()  # folders whose foreign files were already reported
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


def _load(path: Path, width: int) -> np.ndarray | None:
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
    return basis


def _store(path: Path, basis: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.save(file, np.ascontiguousarray(basis, dtype=np.float64), allow_pickle=False)
        os.replace(temporary, path)  # atomic: readers see the old file or the whole new one
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)


def cached_basis(solve, width: int, *key_parts) -> np.ndarray:
    """``solve()``, or its result stored earlier under the key of ``key_parts``.

    Without a cache folder this is ``solve()``. ``width`` is the basis's number
    of rows (the tensor dimension), checked on every load.
    """
    folder = basis_cache_dir()
    if folder is None:
        return solve()
    _report_foreign_files(folder)
    path = folder / f"basis-{_key(*key_parts)}.npy"
    if path.is_file():
        basis = _load(path, width)
        if basis is not None:
            return basis
    basis = solve()
    _store(path, basis)
    return basis
