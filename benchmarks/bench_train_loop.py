"""Per-batch cost of one training loop: a plain torch loop, naive skorch and skequi.

The same :class:`skequi.models.GMCNN` module is trained on scikit-learn's
8x8 digits (1,280 of them, batch 64, 20 batches an epoch) five ways, side by
side in alternating rounds:

* ``plain torch, AdamW``: the loop a user writes by hand on pre-built
  tensors (a seeded permutation per epoch, index batches, zero_grad /
  forward / backward / step; the loss read once an epoch), torch's default
  AdamW implementation;
* ``plain torch, fused AdamW``: the same loop with ``AdamW(fused=True)``;
* ``naive skorch``: ``skorch.NeuralNetClassifier`` over the module with
  skorch's defaults (DataLoader over numpy, every default callback);
* ``skequi``: :class:`skequi.GMCNNClassifier` (resident batches, fused
  AdamW, no printing callbacks), its fit-time extras included (input
  checks, module build, BatchNorm recalibration at the end);
* ``skequi, unfused AdamW``: the same with ``optimizer__fused=False``.

Two model sizes: ``tiny`` (C1, one block of 2 channels: the loop's own
overhead dominates, as it does for small models on a GPU) and ``demo``
(C4, 3 blocks of 8 fields, relaxation rank 1: the models ``skequi demo``
sweeps). The table gives microseconds per batch (median of the rounds) and
the ratio to the plain loop with torch's default AdamW. torch runs on
``--threads`` intra-op threads (default 1). The last line is
``skequi_vs_naive_skorch=<x.xx>`` for the demo model (naive skorch's time
over skequi's: above 1 means skequi is faster).

Usage::

    python benchmarks/bench_train_loop.py --quick     # about a minute on 2 cores
    python benchmarks/bench_train_loop.py --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
import torch
from bench_sweep import naive_skorch, ours  # the same two estimators as bench_sweep
from skequi.datasets import load_digit_images
from skequi.models import GMCNN

MODELS = {
    "tiny": dict(group="C1", channels=(2,), relaxation_rank=0),
    "demo": dict(group="C4", channels=(8, 8, 8), relaxation_rank=1),
}
BATCH = 64


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _plain(X, y, arch: dict, epochs: int, device: str, fused: bool) -> None:
    torch.manual_seed(0)
    module = GMCNN(in_channels=1, n_outputs=10, image_size=8, **arch).to(device)
    optimizer = torch.optim.AdamW(module.parameters(), lr=0.01, weight_decay=1e-4,
                                  fused=fused or None)
    criterion = torch.nn.CrossEntropyLoss()
    Xt = torch.as_tensor(X, device=device)
    yt = torch.as_tensor(y, dtype=torch.long, device=device)
    generator = torch.Generator(device=device).manual_seed(0)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=generator, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, len(Xt), BATCH):
            rows = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = criterion(module(Xt[rows]), yt[rows])
            loss.backward()
            optimizer.step()
            total += loss.detach()
        total.item()


def _naive_skorch(X, y, arch: dict, epochs: int, device: str) -> None:
    naive_skorch(epochs, device).set_params(
        **{f"module__{k}": v for k, v in arch.items()}).fit(X, y)


def _skequi(X, y, arch: dict, epochs: int, device: str, threads: int, **extra) -> None:
    ours(epochs, device, threads).set_params(**arch, **extra).fit(X, y)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 epochs, 3 rounds")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.rounds = 3, 3
    torch.set_num_threads(args.threads)
    X, y = load_digit_images()
    X, y = X[:1280], y[:1280]
    batches = args.epochs * len(X) // BATCH
    device_name = (torch.cuda.get_device_name() if args.device.startswith("cuda")
                   else f"CPU, {args.threads} intra-op thread(s)")
    print(f"# one training loop, {args.epochs} epochs x {len(X) // BATCH} batches of {BATCH}; "
          f"{device_name}; torch {torch.__version__}\n")

    rows, ratio = [], None
    for size, arch in MODELS.items():
        loops = {
            "plain torch, AdamW": lambda: _plain(X, y, arch, args.epochs, args.device, False),
            "plain torch, fused AdamW": lambda: _plain(X, y, arch, args.epochs, args.device, True),
            "naive skorch": lambda: _naive_skorch(X, y, arch, args.epochs, args.device),
            "skequi": lambda: _skequi(X, y, arch, args.epochs, args.device, args.threads),
            "skequi, unfused AdamW": lambda: _skequi(X, y, arch, args.epochs, args.device,
                                                     args.threads, optimizer__fused=False),
        }
        for loop in loops.values():  # warm-up: imports, allocator, kernels
            loop()
            _sync(args.device)
        times = {name: [] for name in loops}
        for _ in range(args.rounds):
            for name, loop in loops.items():
                start = time.perf_counter()
                loop()
                _sync(args.device)
                times[name].append(time.perf_counter() - start)
        # ratios within each round, then the median, so drift between rounds cancels
        base = times["plain torch, AdamW"]
        for name, ts in times.items():
            rows.append({"model": size, "loop": name,
                         "us_per_batch": 1e6 * statistics.median(ts) / batches,
                         "ratio_vs_plain_torch": statistics.median(
                             t / b for t, b in zip(ts, base))})
        if size == "demo":
            ratio = statistics.median(n / s for n, s in zip(times["naive skorch"],
                                                             times["skequi"]))
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".2f"))
    print(f"\nskequi_vs_naive_skorch={ratio:.2f}")


if __name__ == "__main__":
    main()
