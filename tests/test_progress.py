"""One progress line per finished fit of a search, whatever joblib backend runs it."""

import io

import pytest
from joblib import parallel_config
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, _search

from skequi._progress import report_search_progress


def _done_lines(text):
    return [" ".join(line.split(" done")[0].split()) for line in text.splitlines()
            if " done, " in line]


@pytest.mark.parametrize("backend,n_jobs", [("sequential", 1), ("threading", 2), ("loky", 2)])
def test_one_line_per_finished_fit(backend, n_jobs):
    # 40 fits of a few milliseconds: joblib's automatic batching would group them
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(LogisticRegression(max_iter=200), {"C": [0.01 * 2**k for k in range(8)]},
                          cv=5, n_jobs=n_jobs)
    out = io.StringIO()
    with parallel_config(backend=backend), report_search_progress(40, file=out):
        search.fit(X, y)
    assert _done_lines(out.getvalue()) == [f"fit {i}/40" for i in range(1, 41)]
    assert "elapsed, about" in out.getvalue()


def test_the_search_module_is_left_as_it_was():
    before = _search.Parallel
    with report_search_progress(1, file=io.StringIO()):
        assert _search.Parallel is not before
    assert _search.Parallel is before


def test_progress_counts_the_fits_itself_for_skequi_searches():
    import skequi
    from skequi import GMCNNClassifier
    from skequi.datasets import load_digit_images

    X, y = load_digit_images()
    out = io.StringIO()
    search = GridSearchCV(GMCNNClassifier(channels=(2,), max_epochs=1, random_state=0),
                          {"group": ["C1", "C4", "D1d"]}, cv=2)
    with skequi.progress(file=out):
        search.fit(X[:120], y[:120])
    assert _done_lines(out.getvalue()) == [f"fit {i}/6" for i in range(1, 7)]


def test_progress_adds_up_successive_searches():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    import skequi

    X, y = load_iris(return_X_y=True)
    out = io.StringIO()
    with skequi.progress(file=out):
        HalvingGridSearchCV(LogisticRegression(max_iter=200), {"C": [0.1, 1, 10, 100]}, cv=2,
                            factor=2, random_state=0).fit(X, y)
    lines = _done_lines(out.getvalue())
    counts = [int(line.split()[1].split("/")[0]) for line in lines]
    assert counts == list(range(1, len(counts) + 1)) and len(counts) >= 8
