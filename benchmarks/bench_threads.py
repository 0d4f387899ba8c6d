"""Fit time against torch's intra-op thread count, on an idle and on a busy machine.

For models of the sizes users sweep (multiply-adds of one training step from
torch's flop counter), fits of a few epochs are timed with ``n_threads=1``,
``2`` (this machine's cores; ``--threads`` for others) and ``"auto"``, in
alternating rounds so that drift hits all equally. ``--busy N`` starts N
spinning processes beside the fits (a loaded shared machine). The table gives
median seconds per fit and the ratio to one thread; ``n_threads="auto"``
should be within noise of the best column in every row.

Usage::

    python benchmarks/bench_threads.py                 # idle, then with 2 busy processes
    python benchmarks/bench_threads.py --quick
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import pandas as pd
import torch

from skequi import EMLPRegressor, GMCNNClassifier, LatentEquivariantClassifier
from skequi.datasets import load_digit_images, make_o5_synthetic
from skequi.estimators._training import _count_macs


def _spin():
    while True:
        pass


def _models(quick: bool):
    X, y = load_digit_images()
    n = 600 if quick else 1437
    X, y = X[:n], y[:n]
    X28 = torch.nn.functional.interpolate(torch.as_tensor(X), size=28, mode="bilinear").numpy()
    Xo, yo = make_o5_synthetic(1000, random_state=0)
    return [
        ("GMCNN C4 (8,8,8), 8x8", GMCNNClassifier("C4"), X, y),
        ("GMCNN D4 (6,6,6), 8x8", GMCNNClassifier("D4", channels=(6, 6, 6)), X, y),
        ("GMCNN C1 (32,32,32), 8x8", GMCNNClassifier("C1", channels=(32, 32, 32)), X, y),
        ("latent C4, 8x8", LatentEquivariantClassifier("C4"), X, y),
        ("GMCNN C4 (16,16,16), 28x28", GMCNNClassifier("C4", channels=(16, 16, 16)), X28, y),
        ("EMLP O(5), hidden 384", EMLPRegressor("O(5)", "2V", "S"), Xo, yo),
    ]


def run(quick: bool, busy: int, threads: list, rounds: int, epochs: int) -> pd.DataFrame:
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(busy)]
    for p in spinners:
        p.start()
    rows = []
    try:
        for name, est, X, y in _models(quick):
            est.set_params(max_epochs=epochs, random_state=0)
            probe = est.set_params(n_threads=1).fit(X[:64], y[:64])
            macs = _count_macs(probe, probe._prepare_X(X[:1], reset=False)) * est.batch_size
            settings = threads + ["auto"]
            times = {s: [] for s in settings}
            for _ in range(rounds):
                for setting in settings:
                    est.set_params(n_threads=setting)
                    start = time.perf_counter()
                    est.fit(X, y)
                    times[setting].append(time.perf_counter() - start)
            one = statistics.median(times[1])
            row = {"model": name, "step_MACs": f"{macs:.2g}", "busy_processes": busy}
            for setting in settings:
                median = statistics.median(times[setting])
                row[f"{setting} thr s"] = round(median, 3)
                row[f"{setting} / 1"] = round(median / one, 2)
            rows.append(row)
    finally:
        for p in spinners:
            p.terminate()
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples and rounds")
    parser.add_argument("--threads", default="1,2", help="comma-separated counts (default 1,2)")
    parser.add_argument("--busy", type=int, default=None,
                        help="spinning processes beside the fits (default: 0, then 2)")
    args = parser.parse_args(argv)
    threads = [int(t) for t in args.threads.split(",")]
    rounds, epochs = (2, 1) if args.quick else (3, 2)
    print(f"# fit time vs n_threads; torch {torch.__version__}, default "
          f"{torch.get_num_threads()} threads, {rounds} alternating rounds, {epochs} epochs\n")
    for busy in ([args.busy] if args.busy is not None else [0, 2]):
        table = run(args.quick, busy, threads, rounds, epochs)
        print(table.to_markdown(index=False))
        print()


if __name__ == "__main__":
    main()
