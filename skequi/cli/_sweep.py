"""The sweep behind ``skequi demo`` and ``skequi sweep`` on digits (built in)."""

from __future__ import annotations

import sys
import time

from ..groups import LATTICE_GROUPS
from ._execution import backend_for, concurrent_fits

__all__ = ["check_writable", "concurrent_fits", "run_sweep"]


def check_writable(path, option: str) -> None:
    """A ValueError, before any training, when ``path`` cannot be written."""
    import os
    from pathlib import Path

    target = Path(path).expanduser()
    folder = target if option == "--report-dir" else target.parent
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{option} {str(path)!r}: {str(folder)!r} is not a folder")
    if not folder.exists():
        if option == "--report-dir":
            return  # created when the report is written
        raise ValueError(f"{option} {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{option} {str(path)!r}: the folder {str(folder)!r} is not writable")


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

    from .._progress import progress
    from ..datasets import load_digit_images
    from ..estimators import GMCNNClassifier
    from ..estimators._checks import check_device
    from ..metrics import TransformedScorer, n_params
    from ..models import is_lattice_group
    from ..reporting import plot_relaxation, results_frame

    file = file or sys.stdout
    epochs = 15 if args.epochs == "auto" else args.epochs
    for spec in args.groups + [args.test_group]:
        if not is_lattice_group(spec):  # a clear ValueError before any training
            raise ValueError(
                f"group {spec!r} cannot act on a square pixel grid; use one of "
                f"{', '.join(LATTICE_GROUPS)} (skequi groups lists them)"
            )
    if any(rank < 0 for rank in args.ranks):
        raise ValueError(f"--ranks must be >= 0, got {args.ranks}")
    device = check_device(args.device, "skequi")
    check_writable(args.output, "--output")
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

    reference = tuple([args.width] * args.layers)
    grid = [{"group": [g], "relaxation_rank": args.ranks} for g in args.groups]
    base = GMCNNClassifier(channels="matched", reference_channels=reference,
                           max_epochs=epochs, device=args.device,
                           random_state=args.random_state, n_threads=1)
    total = len(args.groups) * len(args.ranks) * args.cv
    n_jobs, backend, where = backend_for(args, device, total, file)
    search = GridSearchCV(
        base, grid, cv=args.cv, n_jobs=n_jobs, refit="transformed_accuracy",
        error_score="raise",
        scoring={"transformed_accuracy": rotate, "accuracy": "accuracy", "n_params": n_params},
    )
    print(f"GridSearchCV: {total} fits ({len(args.groups) * len(args.ranks)} candidates x "
          f"{args.cv} folds) on {where}; each group's widths matched to the plain CNN with "
          f"channels={reference}", file=file)
    start = time.perf_counter()
    with backend, progress(file=file, total=total):
        search.fit(X_train, y_train)
    frame = results_frame(search)
    shown = ["group", "relaxation_rank", "n_params", "mean_test_score", "std_test_score",
             "mean_test_accuracy", "mean_fit_time"]
    print(f"\nGridSearchCV, {args.cv}-fold, {time.perf_counter() - start:.0f}s. "
          f"mean_test_score = accuracy on {args.test_group}-transformed validation folds; "
          "mean_test_accuracy = on upright folds:\n", file=file)
    print(frame[shown].to_string(index=False, float_format=lambda v: f"{v:.3f}"), file=file)

    best = search.best_estimator_
    plain = GMCNNClassifier("C1", channels=reference, max_epochs=epochs, device=args.device,
                            random_state=args.random_state, n_threads=1)
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
