"""A GridSearchCV sweep run by naive skorch and by skequi, side by side, alternating.

The same grid (group in {C1, C4, D4} x relaxation_rank in {0, 1}, cv=3, 20
epochs, batch 64, on scikit-learn's 1,797 8x8 digits) is searched

* (a) by a plain ``skorch.NeuralNetClassifier`` over the same
  :class:`skequi.models.GMCNN` module (skorch's defaults: DataLoader over
  numpy, every default callback; ``CrossEntropyLoss``, shuffled batches);
* (b) by :class:`skequi.GMCNNClassifier` (tensor-resident batches, no
  printing callbacks, seeded generators).

Rounds alternate (a), (b), (a), (b), ... so that drift on a shared machine
hits both; the table gives the median time per search, the ratio, and the
mean validation accuracy of every candidate for each (equal within noise).
The channel widths keep every group's parameter count at or below C1's, as
in ``skequi demo``. Then the same search is run by skequi with n_jobs=1 and on
a 2-worker ``distributed.LocalCluster`` (processes, 1 thread each), twice:
with ``MALLOC_TRIM_THRESHOLD_`` unset in the workers, and with the value
dask's nannies set by default (65536), which makes torch CPU fits about 1.7x
slower; the scores of every run are compared with n_jobs=1.

torch runs on one intra-op thread in every fit (``--threads`` to change);
the last line is ``speedup_vs_naive_skorch=<x.xx>``.

Usage::

    python benchmarks/bench_sweep.py                 # CPU, full grid, 3 rounds
    python benchmarks/bench_sweep.py --quick         # under 2 minutes on 2 cores
    python benchmarks/bench_sweep.py --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
import torch
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV
from skorch import NeuralNetClassifier

from skequi import GMCNNClassifier
from skequi.datasets import load_digit_images
from skequi.models import GMCNN

WIDTH = {"C1": 32, "C4": 8, "D4": 6}


def _grids(groups, ranks, layers, ours: bool):
    prefix = "" if ours else "module__"
    return [{f"{prefix}group": [g], f"{prefix}channels": [(WIDTH[g],) * layers],
             f"{prefix}relaxation_rank": ranks} for g in groups]


def naive_skorch(epochs: int, device: str) -> NeuralNetClassifier:
    return NeuralNetClassifier(
        GMCNN, module__in_channels=1, module__n_outputs=10, module__image_size=8,
        criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW, lr=0.01,
        optimizer__weight_decay=1e-4, max_epochs=epochs, batch_size=64, train_split=None,
        iterator_train__shuffle=True, device=device, verbose=0,
    )


def ours(epochs: int, device: str, threads: int) -> GMCNNClassifier:
    return GMCNNClassifier(max_epochs=epochs, batch_size=64, lr=0.01, device=device,
                           n_threads=threads, random_state=0)


def _timed(estimator, grid, X, y, cv, n_jobs=1):
    search = GridSearchCV(estimator, grid, cv=cv, n_jobs=n_jobs, refit=False)
    start = time.perf_counter()
    search.fit(X, y)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return search, time.perf_counter() - start


def _scores(search, key_group: str) -> dict:
    results = search.cv_results_
    return {(p[key_group], p[key_group.replace("group", "relaxation_rank")]): s
            for p, s in zip(results["params"], results["mean_test_score"])}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="groups C1,C4, 8 epochs, 2 rounds, 600 digits")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster run")
    args = parser.parse_args(argv)
    groups, ranks, epochs, cv, layers = ["C1", "C4", "D4"], [0, 1], 20, 3, 3
    X, y = load_digit_images()
    rounds = args.rounds or 3
    if args.quick:
        groups, epochs, rounds, layers = ["C1", "C4"], 8, args.rounds or 2, 2
        X, y = X[:600], y[:600]
    torch.set_num_threads(args.threads)
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"# GridSearchCV sweep: {len(groups) * len(ranks)} candidates x {cv} folds, {epochs} "
          f"epochs, {len(X)} digits; device {device_name}; torch {torch.__version__}, "
          f"{args.threads} intra-op thread(s)\n")

    times = {"naive skorch": [], "skequi": []}
    searches = {}
    for _ in range(rounds):
        searches["naive skorch"], t = _timed(naive_skorch(epochs, args.device),
                                             _grids(groups, ranks, layers, ours=False), X, y, cv)
        times["naive skorch"].append(t)
        searches["skequi"], t = _timed(ours(epochs, args.device, args.threads),
                                       _grids(groups, ranks, layers, ours=True), X, y, cv)
        times["skequi"].append(t)
    naive = statistics.median(times["naive skorch"])
    rows = [{"search": name, "median_s": statistics.median(ts),
             "runs_s": ", ".join(f"{t:.1f}" for t in ts),
             "ratio_vs_naive": statistics.median(ts) / naive} for name, ts in times.items()]
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".2f"))

    naive_scores = _scores(searches["naive skorch"], "module__group")
    our_scores = _scores(searches["skequi"], "group")
    accuracy = pd.DataFrame([{"group": g, "relaxation_rank": r,
                              "naive skorch accuracy": naive_scores[(g, r)],
                              "skequi accuracy": our_scores[(g, r)]}
                             for g, r in our_scores])
    print("\n# mean cross-validated accuracy per candidate (last round)\n")
    print(accuracy.to_markdown(index=False, floatfmt=".3f"))

    if not args.no_dask:
        _dask_comparison(groups, ranks, layers, epochs, cv, X, y, args)
    speedup = naive / statistics.median(times["skequi"])
    print(f"\nspeedup_vs_naive_skorch={speedup:.2f}")


def _dask_comparison(groups, ranks, layers, epochs, cv, X, y, args) -> None:
    try:
        import distributed
    except ImportError:
        print("\n(dask.distributed is not installed: LocalCluster run skipped)")
        return
    import dask

    grid = _grids(groups, ranks, layers, ours=True)
    serial, t_serial = _timed(ours(epochs, args.device, args.threads), grid, X, y, cv)
    runs = {}
    # dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off
    # glibc's dynamic mmap threshold and makes these fits ~1.7x slower; None unsets it.
    # The cluster without it runs first: a nanny also writes the variable into this
    # process's environment, and every later worker would inherit it.
    for label, trim in [("MALLOC_TRIM_THRESHOLD_ unset", None),
                        ("dask's default worker environment", 65536)]:
        trim_setting = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": trim}
        with dask.config.set(trim_setting), \
                distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         dashboard_address=None) as cluster, \
                distributed.Client(cluster), parallel_config(backend="dask"):
            _timed(ours(epochs, args.device, args.threads), grid, X[:100], y[:100], 2, n_jobs=-1)
            runs[label] = _timed(ours(epochs, args.device, args.threads), grid, X, y, cv,
                                 n_jobs=-1)
    same = all(np.array_equal(serial.cv_results_[k], search.cv_results_[k])
               for search, _ in runs.values()
               for k in ("mean_test_score", "std_test_score", "rank_test_score"))
    table = pd.DataFrame(
        [{"run": "skequi, n_jobs=1", "seconds": t_serial, "ratio_vs_n_jobs_1": 1.0}]
        + [{"run": f"skequi, LocalCluster 2 workers x 1 thread (warm), {label}",
            "seconds": seconds, "ratio_vs_n_jobs_1": seconds / t_serial}
           for label, (_, seconds) in runs.items()])
    print("\n# the same search on dask.distributed\n")
    print(table.to_markdown(index=False, floatfmt=".2f"))
    print(f"\nscores and ranks identical to n_jobs=1 in both cluster runs: {same}")


if __name__ == "__main__":
    main()
