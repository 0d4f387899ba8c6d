"""Which learning-rate schedule and lr should the estimators default to?

GMCNNClassifier at its default widths, plain and C4 / D4, exact and relaxed, on rotated
MNIST (4,000 training and 1,000 test digits from disjoint source digits,
``skequi.datasets.make_rotated_mnist``), fitted at the default epoch budget with each
lr x lr_schedule, one seed, and scored on the test digits. The table says, per model,
how far each setting is from the best one found; the defaults are chosen so that no
model's default fit is more than 2 points below its best. Fits run two at a time in
threads (one torch thread each).

Usage::

    python benchmarks/bench_lr_schedule.py              # about an hour on 2 cores
    python benchmarks/bench_lr_schedule.py --quick      # a smoke run
"""

from __future__ import annotations

import argparse
import itertools
import time

import pandas as pd
from joblib import Parallel, delayed, parallel_config

from skequi import GMCNNClassifier
from skequi.datasets import make_rotated_mnist

#: The estimators as a user first meets them: default widths (8, 8, 8) regular fields
MODELS = {
    "CNN (C1)": dict(group="C1"),
    "C4": dict(group="C4"),
    "C4 r=1": dict(group="C4", relaxation_rank=1),
    "D4": dict(group="D4"),
}


def _fit(name, params, lr, schedule, epochs, data):
    X, y, X_test, y_test = data
    start = time.perf_counter()
    clf = GMCNNClassifier(**params, lr=lr, lr_schedule=schedule, max_epochs=epochs,
                          random_state=0, n_threads=1).fit(X, y)
    return dict(model=name, lr=lr, lr_schedule=str(schedule), n_params=clf.n_params_,
                accuracy=100 * clf.score(X_test, y_test), seconds=time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=20, help="the default max_epochs")
    args = parser.parse_args()
    n_train = 400 if args.quick else None
    X, y = make_rotated_mnist(subset="train", random_state=0)
    X_test, y_test = make_rotated_mnist(subset="test", random_state=1)
    if n_train:
        X, y, X_test, y_test = X[:n_train], y[:n_train], X_test[:200], y_test[:200]
    epochs = 2 if args.quick else args.epochs
    lrs = (0.01, 0.03, 0.1)
    schedules = (None, "cosine", "plateau")
    jobs = [delayed(_fit)(name, params, lr, schedule, epochs, (X, y, X_test, y_test))
            for (name, params), lr, schedule in itertools.product(MODELS.items(), lrs,
                                                                   schedules)]
    with parallel_config(backend="threading"):
        rows = Parallel(n_jobs=2, verbose=10)(jobs)
    frame = pd.DataFrame(rows)
    frame["below_best"] = frame.groupby("model").accuracy.transform("max") - frame.accuracy
    print(f"# lr x lr_schedule on rotated MNIST ({len(X)} train / {len(X_test)} test), "
          f"{epochs} epochs, 1 seed, 1 torch thread per fit, 2 fits at a time\n")
    table = frame.pivot_table(index=["lr", "lr_schedule"], columns="model",
                              values="accuracy").round(1)
    print(table.to_markdown())
    print("\npoints below each model's best setting:\n")
    print(frame.pivot_table(index=["lr", "lr_schedule"], columns="model",
                            values="below_best").round(1).to_markdown())
    worst = frame.groupby(["lr", "lr_schedule"]).below_best.max().sort_values()
    print("\nlargest shortfall over the models, per setting:\n")
    print(worst.round(2).to_markdown())


if __name__ == "__main__":
    main()
