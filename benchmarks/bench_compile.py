"""When does ``compile=True`` pay? GMCNNClassifier fits with and without torch.compile.

Fits the same estimator (C4 and C4 r=1 GM-CNNs, 3 layers of 8 fields, batch 64,
on scikit-learn's 1,797 8x8 digits) with ``compile=False`` and ``compile=True``,
twice each, alternating: the first compiled fit pays dynamo's tracing and
Inductor's code generation, the second finds Inductor's kernel cache warm (a
new module instance is traced again). Inductor's and Triton's on-disk caches
start empty (``--warm-cache`` keeps the ones found). From skorch's per-epoch durations
(``history_[:, "dur"]``) the table gives, per pair of fits, the whole fits'
seconds, the compile overhead (the compiled fit's first epoch less its later
ones), the epoch speedup (eager over compiled median later epoch) and the
break-even number of epochs, overhead / seconds saved per epoch, beyond which
the compiled fit is the faster one (``never`` when compiled epochs are not
faster). torch's intra-op threads are fixed (``--threads``). ``--mode`` passes a
``torch.compile`` mode through skorch (``compile__mode``), e.g.
``reduce-overhead``, which replays CUDA graphs on a GPU.

Usage::

    python benchmarks/bench_compile.py --quick          # CPU, 3 epochs, 600 digits
    python benchmarks/bench_compile.py --device cuda
    python benchmarks/bench_compile.py --device cuda --mode reduce-overhead
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import pandas as pd
import torch

from skequi import GMCNNClassifier
from skequi.datasets import load_digit_images


def _fit(X, y, rank: int, compiled: bool, args) -> dict:
    est = GMCNNClassifier("C4", rank, channels=(8, 8, 8), max_epochs=args.epochs, batch_size=64,
                          device=args.device, n_threads=args.threads, random_state=0,
                          compile=compiled,
                          **({"compile__mode": args.mode} if compiled and args.mode else {}))
    start = time.perf_counter()
    est.fit(X, y)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    total = time.perf_counter() - start
    durations = list(est.history_[:, "dur"])
    return dict(first=durations[0], steady=statistics.median(durations[1:]), total=total,
                accuracy=float(np.mean(est.predict(X) == y)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 epochs, 600 digits, rank 0 only")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--warm-cache", action="store_true",
                        help="keep Inductor's and Triton's on-disk caches (default: fresh ones, "
                             "so the first compiled fit is what a new machine sees)")
    parser.add_argument("--mode", default=None,
                        help="torch.compile mode, passed as compile__mode (e.g. reduce-overhead: "
                             "CUDA graphs on a GPU)")
    args = parser.parse_args(argv)
    if not args.warm_cache:
        fresh = tempfile.mkdtemp(prefix="skequi-compile-")
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(fresh, "inductor")
        os.environ["TRITON_CACHE_DIR"] = os.path.join(fresh, "triton")
    X, y = load_digit_images()
    ranks, epochs = (0, 1), 10
    if args.quick:
        X, y, ranks, epochs = X[:600], y[:600], (0,), 3
    args.epochs = args.epochs or epochs
    torch.set_num_threads(args.threads)
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"# compile=True against compile=False: GMCNNClassifier C4, {len(X)} digits, "
          f"{args.epochs} epochs; device {device_name}; torch {torch.__version__}, "
          f"{args.threads} intra-op thread(s); compile mode {args.mode or 'default'}; "
          f"compile caches "
          f"{'as found' if args.warm_cache else 'fresh (a new machine)'}\n")
    rows = []
    for rank in ranks:
        runs = {}
        for attempt in ("first", "second"):  # alternating: eager, compiled, eager, compiled
            for compiled in (False, True):
                runs[compiled, attempt] = _fit(X, y, rank, compiled, args)
        for attempt in ("first", "second"):
            eager, comp = runs[False, attempt], runs[True, attempt]
            overhead = max(comp["first"] - comp["steady"], 0.0)
            saved = eager["steady"] - comp["steady"]
            rows.append({"relaxation_rank": rank, "compiled fit": attempt,
                         "eager fit s": eager["total"], "compiled fit s": comp["total"],
                         "compile overhead s": overhead,
                         "epoch speedup": eager["steady"] / comp["steady"],
                         "break-even epochs": f"{overhead / saved:.0f}" if saved > 0 else "never",
                         "train accuracy eager / compiled":
                             f"{eager['accuracy']:.3f} / {comp['accuracy']:.3f}"})
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".3f"))


if __name__ == "__main__":
    main()
