"""Time and memory of the two equivariant-basis solvers, side by side.

For each (group, tensor type) the invariant tensors are solved twice, with no
cache: by the dense solver (form the Gram matrix of the stacked constraints,
one ``eigh``) and by the matrix-free one (``lobpcg`` on the axis-by-axis Gram
operator), which :func:`skequi.reps.invariant_basis` uses above
``DENSE_BASIS_DIM`` coordinates. Columns: seconds and peak traced memory of
each (memory from a second, traced run), the basis size, and the largest
principal angle between the two bases (0 when they span the same space),
and the seconds :func:`~skequi.reps.invariant_basis` takes to load the basis
from the disk cache (:func:`~skequi.reps.set_basis_cache_dir`) once another
process has solved it.

Usage::

    python benchmarks/bench_basis.py            # up to 15625 coordinates, ~4 minutes
    python benchmarks/bench_basis.py --quick    # small tensors, seconds
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc

import numpy as np
import pandas as pd
from scipy.linalg import subspace_angles

from skequi.groups import as_matrix_group
from skequi.reps import _basis, invariant_basis, set_basis_cache_dir

CASES = [  # (group, p, q)
    ("O(5)", 4, 0), ("SO(1,3)", 2, 2), ("SO(3)", 6, 0), ("SO(1,3)", 5, 0),
    ("SO(3)", 7, 0), ("O(3)", 7, 0), ("O(5)", 5, 0), ("SO(1,3)", 6, 0),
    ("SO(3)", 8, 0), ("O(5)", 6, 0),
]
QUICK_CASES = CASES[:4]


def _measure(solve, group, p: int, q: int):
    """The basis, its solve time, and the peak memory of a second, traced solve."""
    start = time.perf_counter()
    basis = solve(group, p, q)
    seconds = time.perf_counter() - start
    tracemalloc.start()  # numpy reports its allocations to tracemalloc; tracing slows the
    solve(group, p, q)   # solve, so the timed run above is untraced
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return basis, seconds, peak


def _disk_load_seconds(name: str, p: int, q: int, cache_dir) -> float:
    """Seconds :func:`invariant_basis` takes to load a basis another process stored."""
    set_basis_cache_dir(cache_dir)
    try:
        _basis._solve.cache_clear()
        invariant_basis(name, p, q)  # solves and stores
        _basis._solve.cache_clear()  # forget it in memory, as a new process would
        start = time.perf_counter()
        invariant_basis(name, p, q)
        return time.perf_counter() - start
    finally:
        set_basis_cache_dir(None)


def basis_table(cases, max_dense: int, cache_dir) -> pd.DataFrame:
    rows = []
    for name, p, q in cases:
        group = as_matrix_group(name)
        size = group.dim ** (p + q)
        free, free_s, free_mb = _measure(_basis._solve_iterative, group, p, q)
        row = dict(group=name, type=f"T({p},{q})", coordinates=size, basis=free.shape[1],
                   dense_s=np.nan, dense_peak_mb=np.nan, matrix_free_s=free_s,
                   matrix_free_peak_mb=free_mb, max_angle=np.nan)
        if size <= max_dense:
            dense, row["dense_s"], row["dense_peak_mb"] = _measure(_basis._solve_dense,
                                                                   group, p, q)
            if dense.shape[1] != free.shape[1]:
                row["max_angle"] = np.inf  # different dimensions: the solvers disagree
            elif dense.shape[1]:
                row["max_angle"] = float(np.max(subspace_angles(dense, free)))
            else:
                row["max_angle"] = 0.0
        row["disk_cache_load_s"] = _disk_load_seconds(name, p, q, cache_dir)
        rows.append(row)
        print(f"  {name} T({p},{q}): {size} coordinates, basis {free.shape[1]}", flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max-dense", type=int, default=7000,
                        help="skip the dense solver above this many coordinates")
    args = parser.parse_args()
    cases = QUICK_CASES if args.quick else CASES
    print(f"# basis solvers: dense eigh vs matrix-free lobpcg "
          f"(invariant_basis switches at {_basis.DENSE_BASIS_DIM} coordinates)\n")
    with tempfile.TemporaryDirectory() as cache_dir:
        table = basis_table(cases, args.max_dense, cache_dir)
    print()
    print(table.to_markdown(index=False, floatfmt=".3g"))


if __name__ == "__main__":
    main()
