"""Probe: does BatchNorm's train / eval switch explain the plume CNN's rollouts?

The plume models train on a 6-step rollout in train mode, where every step's
BatchNorm normalises with its own batch's statistics; the fitted model rolls
out with fixed statistics (recomputed over the training rollouts). This fits
the CNN on Wang et al.'s every translation training window and scores the
validation windows' 20-frame rollouts both ways: with the fitted model's
fixed statistics (as every table does) and with each step's batch statistics
(all validation windows in one batch, no gradients, weights unchanged).

Usage::

    python benchmarks/probe_plume_batchnorm.py --epochs 4 --stride 1

Measured 2026-12-06 (one thread, 6.1 min): fixed statistics 0.142 / 0.285 /
0.709 at frames 1 / 6 / 20, batch statistics 0.394 / 0.372 / 0.659. This
does not rule BatchNorm out, as first read: one batch of every validation
window has other statistics than training's shuffled batches of 16 (the
first frame's RMSE triples). The control that settles it trains the CNN
with a bias in place of each BatchNorm (``bench_plumes.py --models "CNN (no
BatchNorm)"``), which beats persistence where the CNN loses to it
(benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import sys
import time

import torch

from skequi.reps import set_basis_cache_dir

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # run from anywhere
import bench_plumes as bench  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args(argv)
    settings = bench.parse_args(["--epochs", str(args.epochs), "--stride", str(args.stride),
                                 "--threads", str(args.threads), "--device", args.device])
    set_basis_cache_dir(settings.cache_dir)
    data = bench.load_variant("translation", settings)
    start = time.perf_counter()
    model = bench._models(settings)["CNN"](0).fit(data["X"], data["y"])
    fixed = bench.rollout_rmse(model, data["valid"])[1]
    batch_stats = copy.deepcopy(model)  # a copy to alter: the fitted model stays as it is
    module = batch_stats.module_
    module.eval = lambda: module.train()  # predict's eval() keeps batch statistics
    for norm in module.modules():
        if isinstance(norm, torch.nn.modules.batchnorm._BatchNorm):
            norm.momentum = 0.0  # and leaves the stored statistics alone
    per_batch = bench.rollout_rmse(batch_stats, data["valid"])[1]
    print(f"CNN, {args.epochs} epochs, stride {args.stride}: fitted in "
          f"{time.perf_counter() - start:.0f}s; validation RMSE at frames 1 / 6 / 20")
    for name, steps in (("fixed statistics (the tables)", fixed),
                        ("each step's batch statistics", per_batch)):
        print(f"  {name}: {steps[0]:.3f} / {steps[5]:.3f} / {steps[19]:.3f}")


if __name__ == "__main__":
    main()
