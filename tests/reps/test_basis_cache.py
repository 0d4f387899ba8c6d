"""The optional disk cache of solved bases."""

import numpy as np
import pytest

import skequi
from skequi.reps import (
    basis_cache_dir,
    default_basis_cache_dir,
    invariant_basis,
    set_basis_cache_dir,
)
from skequi.reps import _basis, _basis_cache


@pytest.fixture
def fresh_cache_state(monkeypatch):
    """No folder chosen, no environment variable, empty in-memory caches (before and after)."""
    monkeypatch.setattr(_basis_cache, "_chosen", _basis_cache._UNSET)
    monkeypatch.delenv(_basis_cache.CACHE_DIR_ENV, raising=False)
    _basis._solve.cache_clear()
    _basis._hom_basis.cache_clear()
    yield
    _basis._solve.cache_clear()
    _basis._hom_basis.cache_clear()


def test_memory_only_by_default(fresh_cache_state):
    assert basis_cache_dir() is None


def test_a_solved_basis_is_loaded_from_disk_instead_of_solved_again(
        fresh_cache_state, tmp_path, monkeypatch):
    set_basis_cache_dir(tmp_path)
    solved = invariant_basis("SO(3)", 4, 0).copy()
    assert any(tmp_path.iterdir())
    _basis._solve.cache_clear()  # as in a new process

    def no_solving(*args):
        raise AssertionError("the basis was solved again")

    monkeypatch.setattr(_basis, "_solve_dense", no_solving)
    loaded = invariant_basis("SO(3)", 4, 0)
    np.testing.assert_array_equal(loaded, solved)
    assert not loaded.flags.writeable
    # without the folder it is solved (and here, refused)
    set_basis_cache_dir(None)
    _basis._solve.cache_clear()
    with pytest.raises(AssertionError, match="solved again"):
        invariant_basis("SO(3)", 4, 0)


def test_environment_variable_sets_the_folder_and_the_call_overrides_it(
        fresh_cache_state, tmp_path, monkeypatch):
    monkeypatch.setenv("SKEQUI_CACHE_DIR", str(tmp_path / "from_env"))
    assert basis_cache_dir() == (tmp_path / "from_env").resolve()
    invariant_basis("O(3)", 2, 0)
    assert (tmp_path / "from_env").is_dir()
    set_basis_cache_dir(None)
    assert basis_cache_dir() is None


def test_a_folder_inside_the_package_is_refused(fresh_cache_state, monkeypatch):
    inside = skequi.__path__[0] + "/cache"
    with pytest.raises(ValueError, match="inside the installed skequi package"):
        set_basis_cache_dir(inside)
    monkeypatch.setenv("SKEQUI_CACHE_DIR", inside)
    with pytest.raises(ValueError, match="SKEQUI_CACHE_DIR="):
        basis_cache_dir()


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_basis_cache_dir() == tmp_path / "skequi"


class _Payload:
    """Unpickling this creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_pickle_in_the_cache_folder_is_never_loaded(fresh_cache_state, tmp_path):
    import pickle
    import warnings

    folder = tmp_path / "cache"
    set_basis_cache_dir(folder)
    solved = invariant_basis("O(3)", 2, 0).copy()
    stored = next(folder.glob("basis-*.npy"))
    marker = tmp_path / "ran"
    # the planted file: a pickle under the basis's own name, another beside it, and an
    # object array saved by numpy with pickling allowed
    stored.write_bytes(pickle.dumps(_Payload(marker)))
    (folder / "joblib_output.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    np.save(folder / "extra.npy", np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    _basis._solve.cache_clear()
    _basis_cache._scanned.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = invariant_basis("O(3)", 2, 0)
    assert not marker.exists()
    np.testing.assert_allclose(again, solved)
    messages = " ".join(str(w.message) for w in caught)
    assert "not write" in messages and "unreadable basis cache file" in messages
    assert np.load(stored, allow_pickle=False).shape == solved.shape  # solved and rewritten


def test_a_basis_of_the_wrong_shape_is_solved_again(fresh_cache_state, tmp_path):
    set_basis_cache_dir(tmp_path)
    solved = invariant_basis("SO(3)", 2, 0).copy()
    stored = next(tmp_path.glob("basis-*.npy"))
    np.save(stored, np.zeros((5, 5)))
    _basis._solve.cache_clear()
    with pytest.warns(UserWarning, match="does not hold a float64"):
        np.testing.assert_allclose(invariant_basis("SO(3)", 2, 0), solved)


def test_a_planted_basis_that_breaks_the_constraints_is_refused(fresh_cache_state, tmp_path):
    """A correctly shaped basis that is not invariant: refused with a warning, solved again."""
    set_basis_cache_dir(tmp_path)
    solved = invariant_basis("SO(3)", 2, 0).copy()  # the invariant of V x V: the identity
    _basis._solve.cache_clear()
    (stored,) = [p for p in tmp_path.iterdir() if p.name.startswith("basis-")]
    planted = np.linalg.qr(np.random.default_rng(0).normal(size=solved.shape))[0]
    np.save(stored, planted)
    with pytest.warns(UserWarning, match="break the group's constraints"):
        loaded = invariant_basis("SO(3)", 2, 0)
    np.testing.assert_allclose(np.abs(loaded), np.abs(solved), atol=1e-12)


def test_an_emlp_fit_is_exact_despite_a_planted_cache(fresh_cache_state, tmp_path):
    from skequi import EMLPRegressor
    from skequi.datasets import make_o5_synthetic

    set_basis_cache_dir(tmp_path)
    X, y = make_o5_synthetic(60, random_state=0)
    EMLPRegressor("O(5)", "2V", "S", hidden=16, n_layers=1, max_epochs=1).fit(X, y)
    _basis._solve.cache_clear()
    _basis._hom_basis.cache_clear()  # as in a new process
    rng = np.random.default_rng(1)
    for path in tmp_path.glob("basis-*.npy"):
        basis = np.load(path)
        if basis.shape[1]:
            np.save(path, np.linalg.qr(rng.normal(size=basis.shape))[0])
    with pytest.warns(UserWarning, match="break the group's constraints"):
        reg = EMLPRegressor("O(5)", "2V", "S", hidden=16, n_layers=1, max_epochs=1,
                            random_state=0).fit(X, y)
    assert reg.equivariance_error(X[:10]) < 1e-5


@pytest.mark.parametrize("kind", ["a file", "another user's folder", "a read-only folder"])
def test_unusable_folders_are_skipped_with_a_warning(fresh_cache_state, tmp_path, monkeypatch,
                                                     kind):
    import os

    target = tmp_path / "cache"
    if kind == "a file":
        target.write_text("not a folder")
        match = "not a folder"
    else:
        target.mkdir()
        if kind == "another user's folder":
            monkeypatch.setattr(os, "getuid", lambda: os.stat(target).st_uid + 1)
            match = "belongs to another user"
        else:
            real_access = os.access
            monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(target)
                                else real_access(p, mode))
            match = "not writable"
    monkeypatch.setenv("SKEQUI_CACHE_DIR", str(target))
    monkeypatch.setattr(_basis_cache, "_refused", set())
    with pytest.warns(UserWarning, match=match):
        basis = invariant_basis("O(3)", 2, 0)  # solved in memory: the fit goes on
    assert basis.shape == (9, 1)
