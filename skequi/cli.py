"""The ``skequi`` command line: ``skequi demo``, ``skequi groups``."""

from __future__ import annotations

import argparse
import sys

from .groups import get_group

__all__ = ["main"]

CATALOG = ("C1", "C2", "C4", "D1", "D2", "D4", "C3", "D3", "S3", "S4", "A4", "C2xC4", "O")


def print_group_catalog(specs=CATALOG, file=None) -> None:
    """Print each group's order and generators as a table."""
    file = file or sys.stdout
    print(f"{'group':<8} {'order':>5}  generators", file=file)
    for spec in specs:
        g = get_group(spec)
        gens = ", ".join(g.elements[i] for i in g.generators)
        print(f"{g.name:<8} {g.order:>5}  {gens}", file=file)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skequi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="the main job: see what symmetry buys on a small task")
    sub.add_parser("groups", help="print the catalog of finite groups with orders and generators")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``skequi`` console script."""
    args = _build_parser().parse_args(argv)
    if args.command in ("demo", "groups"):
        print_group_catalog()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
