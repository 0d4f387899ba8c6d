"""How one device runs a sweep of many small fits: in turn, in threads, in processes, or vmap'd.

Issue 14, item 5. One sweep is the grid of ``bench_sweep.py`` (group in {C1, C4,
D4} x relaxation_rank in {0, 1}, cv=3, 3 layers, batch 64, on scikit-learn's
1,797 8x8 digits), run four ways, side by side in alternating rounds:

* ``sequential``: ``GridSearchCV(GMCNNClassifier, n_jobs=1)``, the estimators'
  tensor-resident batches, one fit after another;
* ``threads``: the same search with ``n_jobs=--jobs`` under joblib's threading
  backend (CUDA kernels and most CPU kernels release the GIL);
* ``processes``: ``n_jobs=--jobs`` on loky (on a GPU each worker holds its own
  CUDA context; the pool is warmed before the timed rounds);
* ``threads + streams`` (CUDA only): the threaded search with each fit on a
  CUDA stream of its own, so that the fits' kernels may overlap on the device
  (in plain threads they all queue on the device's default stream);
* ``vmap folds``: the cv folds of each candidate trained as ONE module,
  ``torch.func.stack_module_state`` + ``vmap(functional_call)``, with one AdamW
  over the stacked parameters (fused, as the estimators build it). AdamW is
  elementwise, so that is one AdamW per fold; each fold draws its own shuffled
  batches from device-resident tensors (all folds cut to the smallest fold's
  size, which drops at most one sample per epoch), and BatchNorm statistics
  are recomputed over the training rows at the end, as the estimators do.
  This is plain torch in this script, not a skequi API.

The table gives seconds per sweep (median of the rounds), the ratio to
``sequential``, the mean cross-validated accuracy over the candidates (the
strategies seed their fits differently, so accuracies agree within noise, not
bit for bit) and, on CUDA, the peak memory this process allocated. torch runs
on ``--threads`` intra-op threads (default 1) in every fit. The last line is
``fastest=<strategy>``.

Usage::

    python benchmarks/bench_many_fits.py --quick          # CPU, about a minute on 2 cores
    python benchmarks/bench_many_fits.py --device cuda
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np
import pandas as pd
import torch
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from torch.func import functional_call, stack_module_state, vmap

from bench_sweep import WIDTH, _grids, ours  # the same grid and estimator as bench_sweep
from skequi import GMCNNClassifier
from skequi.datasets import load_digit_images
from skequi.models import GMCNN


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


class _FitOnOwnStream(GMCNNClassifier):
    """GMCNNClassifier whose ``fit`` runs on a CUDA stream of its own, then waits for it."""

    def fit(self, X, y=None, **fit_params):
        stream = torch.cuda.Stream()
        with torch.cuda.stream(stream):
            super().fit(X, y, **fit_params)
        stream.synchronize()  # the scoring that follows runs on the default stream
        return self


def _search(X, y, cv, grid, args, n_jobs: int, backend: str | None,
            own_streams: bool = False) -> float:
    """Mean CV accuracy over the candidates of one GridSearchCV sweep."""
    estimator = ours(args.epochs, args.device, args.threads)
    if own_streams:
        estimator = _FitOnOwnStream(**estimator.get_params(deep=False))
    search = GridSearchCV(estimator, grid, cv=cv, n_jobs=n_jobs, refit=False)
    if backend is None:
        search.fit(X, y)
    else:
        with parallel_config(backend=backend):
            search.fit(X, y)
    return float(np.mean(search.cv_results_["mean_test_score"]))


def _vmap_folds(X, y, cv, groups, ranks, layers, args) -> float:
    """Each candidate's folds trained as one vmap'd module; mean CV accuracy."""
    device = torch.device(args.device)
    Xt = torch.as_tensor(X, dtype=torch.float32, device=device)
    yt = torch.as_tensor(y, dtype=torch.long, device=device)
    folds = [(torch.as_tensor(tr, device=device), torch.as_tensor(te, device=device))
             for tr, te in cv.split(X, y)]
    n_train = min(len(tr) for tr, _ in folds)
    generator = torch.Generator(device=device).manual_seed(0)
    accuracies = []
    for group in groups:
        for rank in ranks:
            torch.manual_seed(0)
            models = [GMCNN(group, 1, 10, channels=(WIDTH[group],) * layers,
                            relaxation_rank=rank, image_size=8).to(device) for _ in folds]
            params, buffers = stack_module_state(models)
            base = copy.deepcopy(models[0]).to("meta")
            optimizer = torch.optim.AdamW(params.values(), lr=0.01, weight_decay=1e-4,
                                          fused=True)  # as the estimators build it

            def forward(p, b, x):
                return functional_call(base, (p, b), (x,))

            batched = vmap(forward, randomness="different")
            base.train()
            for _ in range(args.epochs):
                order = torch.stack([tr[torch.randperm(len(tr), device=device,
                                                       generator=generator)[:n_train]]
                                     for tr, _ in folds])  # (folds, n_train)
                for start in range(0, n_train, 64):
                    rows = order[:, start:start + 64]
                    logits = batched(params, buffers, Xt[rows])  # (folds, batch, 10)
                    loss = torch.nn.functional.cross_entropy(
                        logits.flatten(0, 1), yt[rows].flatten(), reduction="none")
                    optimizer.zero_grad(set_to_none=True)
                    # the sum of the folds' mean losses: each fold's gradient is its own
                    loss.view(len(folds), -1).mean(1).sum().backward()
                    optimizer.step()
            _recalibrate_batch_norm(base, batched, params, buffers, Xt, order)
            base.eval()
            with torch.no_grad():
                scores = []
                for k, (_, te) in enumerate(folds):
                    fold = ({n: v[k] for n, v in params.items()},
                            {n: v[k] for n, v in buffers.items()})
                    pred = functional_call(base, fold, (Xt[te],)).argmax(1)
                    scores.append((pred == yt[te]).float().mean().item())
            accuracies.append(statistics.mean(scores))
    _sync(args.device)
    return float(np.mean(accuracies))


def _recalibrate_batch_norm(base, batched, params, buffers, Xt, order) -> None:
    """BatchNorm statistics recomputed over each fold's training rows, as the estimators do.

    One batch of all the rows with momentum 1 (vmap cannot run the cumulative
    average, which reads ``num_batches_tracked`` as a Python number).
    """
    norms = [m for m in base.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.momentum = 1.0
    base.train()
    with torch.no_grad():
        batched(params, buffers, Xt[order])
    for norm in norms:
        norm.momentum = 0.1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="groups C1, C4, 2 layers, 4 epochs, 600 digits, 2 rounds")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads per fit")
    parser.add_argument("--jobs", type=int, default=3, help="fits at once (threads, processes)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--strategies", default=None,
                        help="comma-separated subset to time (default: all; threads + "
                             "streams only on CUDA)")
    args = parser.parse_args(argv)
    groups, ranks, layers, rounds, epochs = ["C1", "C4", "D4"], [0, 1], 3, 3, 20
    X, y = load_digit_images()
    if args.quick:
        groups, layers, rounds, epochs = ["C1", "C4"], 2, 2, 4
        X, y = X[:600], y[:600]
    args.epochs = args.epochs or epochs
    rounds = args.rounds or rounds
    torch.set_num_threads(args.threads)
    cv = StratifiedKFold(3)  # GridSearchCV's split for a classifier with cv=3
    grid = _grids(groups, ranks, layers, ours=True)
    strategies = {
        "sequential": lambda: _search(X, y, cv, grid, args, 1, None),
        "threads": lambda: _search(X, y, cv, grid, args, args.jobs, "threading"),
        "processes": lambda: _search(X, y, cv, grid, args, args.jobs, "loky"),
        "vmap folds": lambda: _vmap_folds(X, y, cv, groups, ranks, layers, args),
    }
    if args.device.startswith("cuda"):
        strategies["threads + streams"] = lambda: _search(X, y, cv, grid, args, args.jobs,
                                                          "threading", own_streams=True)
    chosen = [s.strip() for s in (args.strategies or ",".join(strategies)).split(",")]
    if "threads + streams" in chosen and not args.device.startswith("cuda"):
        parser.error("'threads + streams' needs --device cuda")
    unknown = sorted(set(chosen) - set(strategies))
    if unknown:
        parser.error(f"unknown strategies {unknown}; choose from {sorted(strategies)}")
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"# one device, many fits: {len(groups) * len(ranks)} candidates x 3 folds, "
          f"{args.epochs} epochs, {len(X)} digits; device {device_name}; torch "
          f"{torch.__version__}, {args.threads} intra-op thread(s) per fit, "
          f"{args.jobs} fits at once for threads/processes\n")
    if "processes" in chosen:  # start loky's workers (and their CUDA contexts) untimed
        with parallel_config(backend="loky"):
            _search(X[:90], y[:90], StratifiedKFold(3), _grids(groups[:1], [0], 1, ours=True),
                    args, args.jobs, None)
    times = {s: [] for s in chosen}
    accuracy, peak, failed = {}, {}, {}
    for round_ in range(1, rounds + 1):
        for name in chosen:
            if name in failed:
                continue
            if args.device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            try:
                accuracy[name] = strategies[name]()
                _sync(args.device)
            except Exception as exc:  # one strategy's failure must not lose the others' numbers
                failed[name] = f"{type(exc).__name__}: {exc}"
                print(f"{name} failed: {failed[name]}", flush=True)
                continue
            times[name].append(time.perf_counter() - start)
            if args.device.startswith("cuda"):
                peak[name] = torch.cuda.max_memory_allocated() / 2**20
            # a line per run, so that a run cut short by a time limit still reports
            print(f"round {round_}: {name} {times[name][-1]:.1f} s", flush=True)
    measured = [name for name in chosen if name not in failed]
    base = statistics.median(times[measured[0]])
    rows = [{"strategy": name, "median_s": statistics.median(times[name]),
             "runs_s": ", ".join(f"{t:.1f}" for t in times[name]),
             f"ratio_vs_{measured[0]}": statistics.median(times[name]) / base,
             "mean_cv_accuracy": accuracy[name],
             **({"peak_MiB_this_process": peak[name]} if peak else {})}
            for name in measured]
    print()
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".3f"))
    for name, reason in failed.items():
        print(f"not measured: {name} ({reason})")
    fastest = min(measured, key=lambda name: statistics.median(times[name]))
    print(f"\nfastest={fastest}")


if __name__ == "__main__":
    main()
