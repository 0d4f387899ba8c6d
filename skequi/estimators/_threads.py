"""How many intra-op threads torch uses inside ``fit`` and ``predict``.

The models swept here are small: a training step is 10^6 to 10^9
multiply-adds spread over many small operations. On an idle 2-core machine a
second thread saves 0-15% of a fit for steps under about 10^8 multiply-adds
and 17-39% for steps of 5-6 x 10^8 (``benchmarks/bench_threads.py``, table in
``benchmarks/RESULTS.md``).

Float kernels sum in an order that depends on the number of threads, so the
thread count is part of what a seed means: 1 and 2 threads give weights that
differ by about 1e-7 after one fit. ``n_threads="auto"`` is therefore a function
of the model and its parameters alone, never of the machine's load or of the
thread a fit runs in, so the same seed gives the same model in one process, in
threads, in processes and on dask workers of one machine:

* one thread when a training step costs less than :data:`SMALL_STEP_MACS`
  multiply-adds (counted once per fit on one sample, times ``batch_size``),
  and when the module cannot be counted;
* otherwise ``min(MAX_AUTO_THREADS, os.cpu_count())``.

Running several large fits at once (``n_jobs > 1``) then oversubscribes the
cores; pass ``n_threads=1`` there (the ``skequi`` command does). The count is
set on entry and restored on exit. torch's count is one per process, so
concurrent fits in threads share it; a reference count restores the caller's
value only when the last of them finishes.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import torch

__all__ = ["MAX_AUTO_THREADS", "SMALL_STEP_MACS", "auto_thread_count", "torch_threads"]

#: Training steps below this many multiply-adds (forward, one batch) run on one thread.
SMALL_STEP_MACS = 3e8
#: Most threads ``n_threads="auto"`` gives a large model.
MAX_AUTO_THREADS = 4

_lock = threading.Lock()
_active = 0
_saved = None


def auto_thread_count(macs_per_step: float | None) -> int:
    """The ``n_threads="auto"`` choice for a step of ``macs_per_step`` multiply-adds.

    Examples
    --------
    >>> from skequi.estimators._threads import auto_thread_count
    >>> auto_thread_count(1e6)
    1
    """
    if macs_per_step is None or macs_per_step < SMALL_STEP_MACS:
        return 1
    return max(1, min(MAX_AUTO_THREADS, os.cpu_count() or 1))


@contextmanager
def torch_threads(n: int | None):
    """Run the block with ``n`` torch intra-op threads (``None``: leave them alone)."""
    global _active, _saved
    if n is None:
        yield
        return
    with _lock:
        if _active == 0:
            _saved = torch.get_num_threads()
        _active += 1
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                torch.set_num_threads(_saved)
                _saved = None
