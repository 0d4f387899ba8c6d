"""How a sweep runs its fits: threads, processes or a dask cluster, and what it says about it."""

from __future__ import annotations

import contextlib
import os

__all__ = ["backend_for", "concurrent_fits"]


def _dask_backend(address: str):
    """A joblib backend context on the dask scheduler at ``address``, or a clear error."""
    try:
        import joblib
        from distributed import Client
    except ImportError:
        raise ImportError(
            "--scheduler needs dask.distributed; install it with pip install \"skequi[dask]\""
        ) from None
    try:
        client = Client(address, timeout="10s")
    except OSError as error:
        raise ValueError(f"cannot reach a dask scheduler at {address!r}: {error}") from None
    stack = contextlib.ExitStack()
    stack.enter_context(client)
    stack.enter_context(joblib.parallel_config(backend="dask"))
    return stack, client


def _malloc_trim_note(client) -> str | None:
    """A line for the user when dask workers run with ``MALLOC_TRIM_THRESHOLD_`` set.

    dask's nannies set it (65536 by default) to return memory to the OS sooner;
    it also turns off glibc's dynamic mmap threshold, so the many mid-sized
    tensors of a torch training step are mapped and unmapped again each time,
    and fits run about 1.7x slower (``benchmarks/bench_sweep.py``).
    """
    values = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    slowed = [v for v in values.values() if v is not None]
    if not slowed:
        return None
    return (f"note: {len(slowed)} of {len(values)} dask worker(s) run with "
            f"MALLOC_TRIM_THRESHOLD_={', '.join(sorted(set(slowed)))} (dask's nannies set it "
            "by default), which makes torch training about 1.7x slower; start them with "
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_ set to None (README, "
            "'dask.distributed')")


def concurrent_fits(n_jobs, device, n_fits: int) -> tuple[int, str | None]:
    """How a sweep runs its fits: ``--n-jobs`` with ``"auto"`` resolved.

    On the CPU, ``"auto"`` trains one fit per core at once (at most one per
    fit) in threads of this process, each on one torch thread: the models
    swept here are too small to use several threads well, so the cores are
    better spent on separate fits, and threads start at once where worker
    processes first import torch (``benchmarks/bench_demo.py``). On a GPU it
    is 1, the fits one after another on the device, until
    ``benchmarks/bench_many_fits.py`` has measured the alternatives there.
    An integer is joblib's ``n_jobs`` on its default backend (worker
    processes). The fits' own random generators make the scores the same
    whichever way they run.

    Parameters
    ----------
    n_jobs : "auto" or int
        ``--n-jobs`` as parsed.
    device : torch.device
        Where the fits train.
    n_fits : int
        Fits in the sweep (candidates x folds).

    Returns
    -------
    n_jobs : int
        joblib's ``n_jobs``.
    backend : {"threading", None}
        joblib backend to run them on; None for joblib's default.

    Examples
    --------
    >>> import torch
    >>> from skequi.cli._sweep import concurrent_fits
    >>> concurrent_fits("auto", torch.device("cuda"), 27)  # on a GPU: one at a time
    (1, None)
    >>> concurrent_fits(4, torch.device("cpu"), 27)  # an integer: joblib's processes
    (4, None)
    """
    if n_jobs != "auto":
        return n_jobs, None
    if device.type != "cpu":
        return 1, None
    import joblib

    n_jobs = max(1, min(joblib.cpu_count(), n_fits))
    return n_jobs, ("threading" if n_jobs > 1 else None)




def backend_for(args, device, total: int, file) -> tuple[int, object, str]:
    """``(n_jobs, context manager, where)`` for a search of ``total`` fits.

    The context manager sets joblib's backend (threads, the default, or the
    dask cluster at ``--scheduler``); ``where`` says in words where the fits run.
    """
    if args.scheduler:
        backend, client = _dask_backend(args.scheduler)
        note = _malloc_trim_note(client)
        if note:
            print(note, file=file)
        return -1, backend, f"the dask cluster at {args.scheduler}"
    n_jobs, backend_name = concurrent_fits(args.n_jobs, device, total)
    if n_jobs == 1:
        where = "this process"
    elif backend_name == "threading":
        where = (f"{n_jobs} threads (--n-jobs auto: one per CPU core, at most one per fit; "
                 "--n-jobs 1 runs one fit at a time)")
    else:
        where = f"{n_jobs} worker processes" if n_jobs > 0 else f"joblib's n_jobs={n_jobs}"
    backend = contextlib.nullcontext()
    if backend_name is not None:
        import joblib

        backend = joblib.parallel_config(backend=backend_name)
    return n_jobs, backend, where
