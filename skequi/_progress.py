"""One line per finished fit of a scikit-learn search: n/N, elapsed time, time left.

joblib calls ``Parallel.print_progress`` in the calling process after every
finished batch of tasks, whatever the backend (sequential, threads, loky
processes, dask). :func:`progress` gives scikit-learn's search module a
``Parallel`` that counts the fits it is handed, writes that line, and sends
one fit per task (joblib's automatic batching would group fast fits on
processes and report them together), for the duration of a ``with`` block;
outside it nothing is changed.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from unittest import mock

from sklearn.model_selection import _search
from sklearn.utils.parallel import Parallel

__all__ = ["progress", "report_search_progress"]


class _Reporter:
    def __init__(self, total, file, label: str) -> None:
        self.total, self.file, self.label = total, file, label
        self.expected = 0  # fits handed to the searches so far
        self.start = time.perf_counter()
        self.reported = 0
        self.lock = threading.Lock()

    def begin(self, n_tasks: int) -> int:
        """Count a batch of fits; returns how many came before it."""
        with self.lock:
            offset, self.expected = self.expected, self.expected + n_tasks
            return offset

    def update(self, done: int) -> None:
        with self.lock:
            if done <= self.reported:
                return
            self.reported = done
            total = self.total if self.total is not None else self.expected
            elapsed = time.perf_counter() - self.start
            left = elapsed / done * max(total - done, 0)
            width = len(str(total))
            print(f"  {self.label} {done:>{width}}/{total} done, {_clock(elapsed)} elapsed, "
                  f"about {_clock(left)} left", file=self.file, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@contextmanager
def progress(*, file=None, label: str = "fit", total: int | None = None):
    """Print a line after each finished fit of the searches run inside the block.

    Works for ``GridSearchCV``, ``RandomizedSearchCV`` and the halving
    searches over any estimator, on every joblib backend (one process,
    threads, loky processes, dask): ``fit 7/45 done, 1m02s elapsed, about
    5m30s left``. The count of fits comes from the search itself.

    Parameters
    ----------
    file : file-like, optional
        Default ``sys.stdout``.
    label : str, default="fit"
    total : int, optional
        Fits to expect, when known better than the searches say (a series of
        searches in one block).

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> import skequi
    >>> out = io.StringIO()
    >>> X, y = load_iris(return_X_y=True)
    >>> with skequi.progress(file=out):
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

        def __call__(self, iterable):
            tasks = list(iterable)  # scikit-learn hands a generator: count it first
            self._skequi_offset = reporter.begin(len(tasks))
            return super().__call__(tasks)

        def print_progress(self):
            reporter.update(getattr(self, "_skequi_offset", 0) + self.n_completed_tasks)

    with mock.patch.object(_search, "Parallel", _ReportingParallel):
        yield reporter


def report_search_progress(total: int | None = None, *, file=None, label: str = "fit"):
    """:func:`progress` with the number of fits given first (the CLI's form)."""
    return progress(file=file, label=label, total=total)
