"""The sweep behind ``skequi demo`` and ``skequi sweep``, and the group catalog."""

from __future__ import annotations

import contextlib
import os
import sys
import time

from ..groups import LATTICE_GROUPS, get_group

__all__ = [
    "CATALOG", "DEFAULT_CHANNELS", "concurrent_fits", "print_group_catalog", "run_sweep",
]

CATALOG = ("C1", "C2", "C4", "D1", "D2", "D4", "C3", "D3", "S3", "S4", "A4", "C2xC4", "O")

#: Regular fields per layer for each group, so that the equivariant models
#: have no more parameters than the plain CNN (C1) they are compared with.
DEFAULT_CHANNELS = {"C1": 32, "C2": 16, "C4": 8, "D1": 16, "D2": 8, "D4": 6}


def print_group_catalog(specs=CATALOG, file=None) -> None:
    """Print each group's order and generators as a table.

    Examples
    --------
    >>> from skequi.cli._sweep import print_group_catalog
    >>> print_group_catalog(["D4"])
    group    order  generators
    D4           8  r^1, f
    """
    file = file or sys.stdout
    print(f"{'group':<8} {'order':>5}  generators", file=file)
    for spec in specs:
        g = get_group(spec)
        gens = ", ".join(g.elements[i] for i in g.generators)
        print(f"{g.name:<8} {g.order:>5}  {gens}", file=file)


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


def run_sweep(args, file=None) -> None:
    """Train on upright digits, sweep group x relaxation_rank, test on transformed digits.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`skequi.cli.build_parser` (``groups``, ``ranks``, ``epochs``, ...).
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Raises
    ------
    ValueError
        For a group that cannot act on the pixel grid, an unavailable device
        or an unreachable scheduler, before any training.
    """
    import numpy as np
    from sklearn.model_selection import GridSearchCV, train_test_split

    from .._progress import report_search_progress
    from ..datasets import load_digit_images
    from ..estimators import GMCNNClassifier
    from ..estimators._checks import check_device
    from ..metrics import TransformedScorer, n_params
    from ..models import is_lattice_group
    from ..reporting import plot_relaxation, results_frame

    file = file or sys.stdout
    for spec in args.groups + [args.test_group]:
        if not is_lattice_group(spec):  # a clear ValueError before any training
            raise ValueError(
                f"group {spec!r} cannot act on a square pixel grid; use one of "
                f"{', '.join(LATTICE_GROUPS)}"
            )
    if any(rank < 0 for rank in args.ranks):
        raise ValueError(f"--ranks must be >= 0, got {args.ranks}")
    device = check_device(args.device, "skequi")
    if getattr(args, "mnist", False):
        from ..datasets import load_mnist_images

        X_train, y_train = load_mnist_images("train")
        X_test, y_test = load_mnist_images("test")
        source = "real MNIST digits (28x28)"
    else:
        X, y = load_digit_images()
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.5, stratify=y, random_state=args.random_state
        )
        source = "scikit-learn's 8x8 digits"
    n_samples = getattr(args, "n_samples", None)
    if n_samples is not None and n_samples < len(X_train):
        X_train, _, y_train, _ = train_test_split(
            X_train, y_train, train_size=n_samples, stratify=y_train,
            random_state=args.random_state)
    rotate = TransformedScorer(args.test_group, random_state=args.random_state + 1)
    X_test_moved = rotate.transform(X_test)
    print(f"{source}: {len(X_train)} upright training images, {len(X_test)} test images "
          f"transformed by random elements of {args.test_group}", file=file)

    def channels(group):
        width = DEFAULT_CHANNELS.get(get_group(group).name, 8)
        return [tuple([width] * args.layers)]

    grid = [{"group": [g], "channels": channels(g), "relaxation_rank": args.ranks}
            for g in args.groups]
    base = GMCNNClassifier(max_epochs=args.epochs, device=args.device,
                           random_state=args.random_state)
    total = len(args.groups) * len(args.ranks) * args.cv
    if args.scheduler:
        n_jobs, backend_name = -1, None  # the dask backend below
    else:
        n_jobs, backend_name = concurrent_fits(args.n_jobs, device, total)
    search = GridSearchCV(
        base, grid, cv=args.cv, n_jobs=n_jobs, refit="transformed_accuracy",
        error_score="raise",
        scoring={"transformed_accuracy": rotate, "accuracy": "accuracy", "n_params": n_params},
    )
    if args.scheduler:
        where = f"the dask cluster at {args.scheduler}"
    elif n_jobs == 1:
        where = "this process"
    elif backend_name == "threading":
        where = (f"{n_jobs} threads (--n-jobs auto: one per CPU core, at most one per fit; "
                 "--n-jobs 1 runs one fit at a time)")
    else:
        where = f"{n_jobs} worker processes" if n_jobs > 0 else f"joblib's n_jobs={n_jobs}"
    print(f"GridSearchCV: {total} fits ({len(args.groups) * len(args.ranks)} candidates x "
          f"{args.cv} folds) on {where}", file=file)
    backend = contextlib.nullcontext()
    if backend_name is not None:
        import joblib

        backend = joblib.parallel_config(backend=backend_name)
    if args.scheduler:
        backend, client = _dask_backend(args.scheduler)
        note = _malloc_trim_note(client)
        if note:
            print(note, file=file)
    start = time.perf_counter()
    with backend, report_search_progress(total, file=file):
        search.fit(X_train, y_train)
    frame = results_frame(search)
    shown = ["group", "relaxation_rank", "n_params", "mean_test_score", "std_test_score",
             "mean_test_accuracy", "mean_fit_time"]
    print(f"\nGridSearchCV, {args.cv}-fold, {time.perf_counter() - start:.0f}s. "
          f"mean_test_score = accuracy on {args.test_group}-transformed validation folds; "
          "mean_test_accuracy = on upright folds:\n", file=file)
    print(frame[shown].to_string(index=False, float_format=lambda v: f"{v:.3f}"), file=file)

    best = search.best_estimator_
    plain = GMCNNClassifier("C1", channels=channels("C1")[0], max_epochs=args.epochs,
                            device=args.device, random_state=args.random_state)
    plain.fit(X_train, y_train)
    print(f"\ntest accuracy on {args.test_group}-transformed digits (trained upright):", file=file)
    for name, model in (
        (f"best: group={best.group}, relaxation_rank={best.relaxation_rank}", best),
        ("plain CNN (C1, exact)", plain),
    ):
        accuracy = float(np.mean(model.predict(X_test_moved) == y_test))
        print(f"  {name:<40} {accuracy:.3f}  ({model.n_params_:,} parameters)", file=file)
    figure = plot_relaxation(frame)
    figure.savefig(args.output, dpi=120)
    print(f"\nplot written to {args.output}", file=file)
