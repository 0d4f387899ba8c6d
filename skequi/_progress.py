"""One line per finished fit of a scikit-learn search: n/N, elapsed time, time left.

joblib calls ``Parallel.print_progress`` in the calling process after every
finished batch of tasks, whatever the backend (sequential, threads, loky
processes, dask). :func:`report_search_progress` gives scikit-learn's search
module a ``Parallel`` whose ``print_progress`` writes that line, and which
sends one fit per task (joblib's automatic batching would group fast fits
on processes and report them together), for the duration of a ``with``
block; outside it nothing is changed.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from unittest import mock

from sklearn.model_selection import _search
from sklearn.utils.parallel import Parallel

__all__ = ["report_search_progress"]


class _Reporter:
    def __init__(self, total: int, file, label: str) -> None:
        self.total, self.file, self.label = total, file, label
        self.start = time.perf_counter()
        self.reported = 0
        self.lock = threading.Lock()

    def update(self, done: int) -> None:
        with self.lock:
            if done <= self.reported:
                return
            self.reported = done
            elapsed = time.perf_counter() - self.start
            left = elapsed / done * max(self.total - done, 0)
            width = len(str(self.total))
            print(f"  {self.label} {done:>{width}}/{self.total} done, {_clock(elapsed)} elapsed, "
                  f"about {_clock(left)} left", file=self.file, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@contextmanager
def report_search_progress(total: int, *, file=None, label: str = "fit"):
    """Print a progress line after each finished fit of searches run inside the block.

    Parameters
    ----------
    total : int
        Fits to expect (candidates x folds).
    file : file-like, optional
        Default ``sys.stdout``.
    label : str, default="fit"

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> out = io.StringIO()
    >>> X, y = load_iris(return_X_y=True)
    >>> with report_search_progress(4, file=out):
    ...     _ = GridSearchCV(LogisticRegression(max_iter=500), {"C": [1, 10]}, cv=2).fit(X, y)
    >>> out.getvalue().splitlines()[-1].split(" elapsed")[0].rsplit(",", 1)[0].strip()
    'fit 4/4 done'
    """
    reporter = _Reporter(total, file or sys.stdout, label)

    class _ReportingParallel(Parallel):
        def __init__(self, *args, **kwargs):
            # joblib's automatic batching would group fast fits (threads, processes)
            # and report them together; one fit per task keeps one line per fit
            kwargs.setdefault("batch_size", 1)
            super().__init__(*args, **kwargs)

        def print_progress(self):
            reporter.update(self.n_completed_tasks)

    with mock.patch.object(_search, "Parallel", _ReportingParallel):
        yield reporter
