"""How many intra-op threads torch uses inside ``fit`` and ``predict``.

The models swept here are small: a training step is 10^6 to 10^9
multiply-adds spread over many small operations. On an idle 2-core machine a
second thread saves 0-15% of a fit for steps under about 10^8 multiply-adds
and 17-39% for steps of 5-6 x 10^8; on a busy one (other processes on the
cores) the threads wait for each other and a fit takes 1.1-34x as long as on
one thread (``benchmarks/bench_threads.py``, table in
``benchmarks/RESULTS.md``). ``n_threads="auto"`` therefore uses

* one thread when the fit runs in a worker thread (joblib's threading
  backend, a thread pool): the concurrent fits are the parallelism;
* one thread when a training step costs less than
  :data:`SMALL_STEP_MACS` multiply-adds (counted once per fit on one sample);
* one thread when the machine is already saturated (1-minute load average
  at or above the number of cores);
* otherwise torch's current count, which already honours ``OMP_NUM_THREADS``
  and the limits joblib and dask set in their worker processes.

The count is set on entry and restored on exit. torch's count is one per
process, so concurrent fits in threads share it; a reference count restores
the caller's value only when the last of them finishes.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import torch

__all__ = ["SMALL_STEP_MACS", "auto_thread_count", "torch_threads"]

#: Training steps below this many multiply-adds (forward, one batch) run on one thread.
SMALL_STEP_MACS = 3e8

_lock = threading.Lock()
_active = 0
_saved = None


def auto_thread_count(macs_per_step: float | None) -> int:
    """The ``n_threads="auto"`` choice for a step of ``macs_per_step`` multiply-adds."""
    if threading.current_thread() is not threading.main_thread():
        return 1
    if macs_per_step is not None and macs_per_step < SMALL_STEP_MACS:
        return 1
    if _saturated():
        return 1
    return max(1, torch.get_num_threads() if _saved is None else _saved)


def _saturated() -> bool:
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1)
    except (OSError, AttributeError):  # no load average on this platform
        return False


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
