"""The ``skequi`` command line.

``skequi demo``
    The main job: on scikit-learn's digits, train on upright images and test on
    randomly rotated ones; sweep ``group x relaxation_rank`` with GridSearchCV
    and print what symmetry buys.
``skequi sweep``
    The same with options (``skequi sweep --help``).
``skequi groups``
    The catalog of finite groups with orders and generators.
"""

from __future__ import annotations

import argparse
import sys
import time

from .groups import LATTICE_GROUPS, get_group

__all__ = ["main"]

CATALOG = ("C1", "C2", "C4", "D1", "D2", "D4", "C3", "D3", "S3", "S4", "A4", "C2xC4", "O")

#: Regular fields per layer for each group, so that the equivariant models
#: have fewer parameters than the plain CNN (C1) they are compared with.
DEFAULT_CHANNELS = {"C1": 32, "C2": 16, "C4": 8, "D1": 16, "D2": 8, "D4": 6}


def print_group_catalog(specs=CATALOG, file=None) -> None:
    """Print each group's order and generators as a table."""
    file = file or sys.stdout
    print(f"{'group':<8} {'order':>5}  generators", file=file)
    for spec in specs:
        g = get_group(spec)
        gens = ", ".join(g.elements[i] for i in g.generators)
        print(f"{g.name:<8} {g.order:>5}  {gens}", file=file)


def _csv(cast):
    return lambda text: [cast(part) for part in text.split(",") if part]


def _add_sweep_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--groups", type=_csv(str), default=["C1", "C4", "D4"],
                        help="comma-separated groups to sweep (default: C1,C4,D4)")
    parser.add_argument("--ranks", type=_csv(int), default=[0, 1, 2],
                        help="comma-separated relaxation ranks (default: 0,1,2)")
    parser.add_argument("--test-group", default="C4",
                        help="group whose random elements transform the test images (default: C4)")
    parser.add_argument("--epochs", type=int, default=15, help="training epochs per fit")
    parser.add_argument("--layers", type=int, default=3, help="group layers per model")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits (joblib)")
    parser.add_argument("--output", default="skequi-demo.png", help="where to write the plot")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu' or 'cuda'")
    parser.add_argument("--random-state", type=int, default=0)


def run_sweep(args, file=None) -> None:
    """Train on upright digits, sweep group x relaxation_rank, test on transformed digits."""
    import numpy as np
    from sklearn.model_selection import GridSearchCV, train_test_split

    from .datasets import load_digit_images
    from .estimators import GMCNNClassifier
    from .metrics import TransformedScorer, n_params
    from .models import is_lattice_group
    from .reporting import plot_relaxation, results_frame

    file = file or sys.stdout
    for spec in args.groups + [args.test_group]:
        if not is_lattice_group(spec):  # a clear ValueError before any training
            raise ValueError(
                f"group {spec!r} cannot act on a square pixel grid; use one of "
                f"{', '.join(LATTICE_GROUPS)}"
            )
    X, y = load_digit_images()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=args.random_state
    )
    rotate = TransformedScorer(args.test_group, random_state=args.random_state + 1)
    X_test_moved = rotate.transform(X_test)
    print(f"digits: {len(X_train)} upright training images, {len(X_test)} test images "
          f"transformed by random elements of {args.test_group}", file=file)

    def channels(group):
        width = DEFAULT_CHANNELS.get(get_group(group).name, 8)
        return [tuple([width] * args.layers)]

    grid = [{"group": [g], "channels": channels(g), "relaxation_rank": args.ranks}
            for g in args.groups]
    base = GMCNNClassifier(max_epochs=args.epochs, device=args.device,
                           random_state=args.random_state)
    search = GridSearchCV(
        base, grid, cv=args.cv, n_jobs=args.n_jobs, verbose=2, refit="transformed_accuracy",
        error_score="raise",
        scoring={"transformed_accuracy": rotate, "accuracy": "accuracy", "n_params": n_params},
    )
    start = time.perf_counter()
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
    figure.axes[0].set_ylabel(f"accuracy, {args.test_group}-transformed")
    figure.savefig(args.output, dpi=120)
    print(f"\nplot written to {args.output}", file=file)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skequi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="the main job: what does symmetry buy on rotated digits?")
    _add_sweep_options(demo)
    sweep = sub.add_parser(
        "sweep", help="GridSearchCV over group x relaxation_rank on digits, with options",
        description="Train on upright 8x8 digits (shipped with scikit-learn), select by "
                    "accuracy on transformed validation folds, report test accuracy on "
                    "transformed digits.",
    )
    _add_sweep_options(sweep)
    sub.add_parser("groups", help="print the catalog of finite groups with orders and generators")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``skequi`` console script."""
    args = _build_parser().parse_args(argv)
    if args.command == "groups":
        print_group_catalog()
        return 0
    try:
        run_sweep(args)
    except ValueError as exc:
        print(f"skequi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
