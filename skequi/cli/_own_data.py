"""``skequi sweep --data PATH``: does symmetry help on my data, how much, and which?

The command reads the data (:func:`skequi.datasets.load_data_file`), tells
classification, regression and field targets apart, sweeps ``--groups`` x
``--ranks`` with GridSearchCV (matched widths for images), and writes three
files: ``results.csv`` (one row per candidate: its scores, its scores on
validation data moved by each candidate group, its equivariance error against
each candidate group), ``relaxation.png`` and ``report.md`` (the answer in one
sentence, the tables, and which symmetries the data have, element by element).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["Task", "detect_task", "loss_still_falling", "run_data_sweep"]

TASKS = ("classification", "regression", "field")
#: A relative fall of the training loss over the last fifth of the epochs above which a
#: model counts as still learning (the report then says so).
STILL_LEARNING = 0.05


@dataclass
class Task:
    """What a sweep over a user's data predicts, and how it is scored."""

    kind: str  # "classification", "regression" or "field"
    data: str  # "images" or "vectors"
    scoring: object  # for GridSearchCV: a scorer name or None (the estimator's score)
    metric: Callable  # (y_true, y_pred) -> float, the same score on predictions
    score_name: str


def detect_task(y, X, data_kind: str, override: str = "auto") -> Task:
    """Classification, regression or fields, from the targets (or ``--target-type``).

    Fields are targets on the input grid: ``y`` with 3 or more axes, or any
    ``y`` with ``--target-type field``. Labels are strings, booleans, or
    integers with at most 50 distinct values; anything else is regression.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.cli._own_data import detect_task
    >>> X = np.zeros((20, 1, 8, 8))
    >>> [detect_task(y, X, "images").kind for y in (np.arange(20) % 3, np.linspace(0, 1, 20),
    ...                                            np.zeros((20, 1, 8, 8)))]
    ['classification', 'regression', 'field']
    """
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.utils.multiclass import type_of_target

    y = np.asarray(y)
    kind = override
    if kind == "auto":
        if y.ndim >= 3:
            kind = "field"
        elif y.dtype.kind in "OUSb":
            kind = "classification"
        elif y.ndim == 1 and type_of_target(y) in ("binary", "multiclass") \
                and len(np.unique(y)) <= 50:
            kind = "classification"
        else:
            kind = "regression"
    if kind == "field" and data_kind != "images":
        raise ValueError("field targets need images as inputs; this data holds vectors")
    if kind == "classification":
        return Task(kind, data_kind, "accuracy", accuracy_score, "accuracy")
    if kind == "field":
        def pooled_r2(a, b):
            return r2_score(a.reshape(len(a), -1), b.reshape(len(b), -1),
                            multioutput="variance_weighted")
        return Task(kind, data_kind, None, pooled_r2, "R^2 pooled over all values")

    def r2(a, b):
        return r2_score(a.reshape(len(a), -1), b.reshape(len(b), -1))
    return Task(kind, data_kind, "r2", r2, "R^2")


def _rmse(estimator, X, y) -> float:
    pred = np.asarray(estimator.predict(X), dtype=float).reshape(len(y), -1)
    return float(np.sqrt(np.mean((pred - np.asarray(y, dtype=float).reshape(len(y), -1)) ** 2)))


def _relative_l2(estimator, X, y) -> float:
    from ..metrics import relative_l2_error

    return relative_l2_error(y, estimator.predict(X))


def _plain_group(groups, data_kind):
    from ..groups import as_matrix_group

    if data_kind == "images":
        return "C1"
    return f"Trivial({as_matrix_group(groups[0]).dim})"


#: Optimizer steps an EMLP fit gets with --epochs auto (EMLPs need 1,000-2,000 to converge
#: on the paper's tasks, benchmarks/RESULTS.md)
VECTOR_STEPS = 1500


def _epochs(args, task: "Task", n_train: int) -> int:
    if args.epochs != "auto":
        return args.epochs
    if task.data == "images":
        return 15
    fold = n_train - n_train // args.cv
    return int(min(1000, max(15, np.ceil(VECTOR_STEPS / np.ceil(fold / args.batch_size)))))


def _estimator(task: Task, args, reference, epochs: int):
    from ..estimators import EMLPClassifier, EMLPRegressor, GMCNNClassifier, GMCNNRegressor

    # one torch thread per fit: fits run side by side, and the same seed gives the same
    # model whatever --n-jobs is (the thread count changes float summation order)
    common = dict(max_epochs=epochs, batch_size=args.batch_size, device=args.device,
                  random_state=args.random_state, n_threads=1)
    if args.lr is not None:
        common["lr"] = args.lr
    if task.data == "vectors":
        common.update(rep_in=args.rep_in, hidden=args.hidden, n_layers=args.layers)
        if task.kind == "classification":
            return EMLPClassifier(**common)
        return EMLPRegressor(rep_out=args.rep_out, **common)
    common.update(channels="matched", reference_channels=reference, field=args.field)
    if task.kind == "classification":
        return GMCNNClassifier(**common)
    return GMCNNRegressor(target_type="field" if task.kind == "field" else "invariant", **common)


def _largest(groups):
    """The candidate group with the most elements (finite), or the most generators (Lie)."""
    from ..groups import FiniteGroup, get_group

    def size(spec):
        g = get_group(spec)
        if isinstance(g, FiniteGroup):
            return (g.order, 0)
        return (len(g.lie_generators), len(g.discrete_generators))
    return get_group(max(groups, key=size)).name


def _split(data, task: Task, args):
    from sklearn.model_selection import train_test_split

    if data.X_test is not None:
        return data.X, data.X_test, data.y, data.y_test, "the file's X_test, y_test"
    stratify = data.y if task.kind == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        data.X, data.y, test_size=args.test_size, stratify=stratify,
        random_state=args.random_state)
    return X_train, X_test, y_train, y_test, f"{args.test_size:.0%} held out at random"


def _check_groups(groups, data_kind: str, rep_in) -> None:
    from ..groups import LATTICE_GROUPS, as_matrix_group, get_group
    from ..models import is_lattice_group

    for spec in groups:
        group = get_group(spec)  # an unknown spec names the valid forms
        if data_kind == "images" and not is_lattice_group(group):
            raise ValueError(
                f"group {spec!r} cannot act on a square pixel grid; use one of "
                f"{', '.join(LATTICE_GROUPS)} (skequi groups lists them)")
    if data_kind == "vectors":
        dims = {as_matrix_group(spec).dim for spec in groups}
        if len(dims) > 1:
            raise ValueError(f"--groups {','.join(groups)} act on spaces of different "
                             f"dimensions {sorted(dims)}; vector data need groups of one "
                             "dimension, e.g. Trivial(3),SO(3),O(3)")
    if data_kind == "vectors" and not rep_in:
        raise ValueError(
            "vector data need --rep-in, how the group acts on the feature columns in their "
            "order, e.g. --rep-in 5S+5V for five scalars then five 3-vectors")


def _prepare_targets(task: Task, y):
    """Field targets flattened to (n, C*H*W): the same model, and every sklearn scorer works."""
    y = np.asarray(y)
    if task.kind == "field" and y.ndim > 2:
        return y.reshape(len(y), -1)
    return y


def run_data_sweep(args, file=None) -> dict:
    """Sweep group x relaxation_rank on the user's data and write the three report files.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`skequi.cli.build_parser` with ``data`` set.
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    dict
        ``answer`` (the sentence), ``recommended`` (a subgroup of D4 or None),
        ``paths`` (the files written).

    Raises
    ------
    ValueError
        For unreadable data, groups that cannot act on it, an unavailable
        device or an unwritable report folder, before any training.
    """
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from .._progress import progress
    from ..datasets import load_data_file
    from ..estimators._checks import check_device
    from ..groups import get_group
    from ..metrics import n_params
    from ..reporting import (
        element_table,
        plot_relaxation,
        recommended_subgroup,
        results_frame,
        symmetry_answer,
        symmetry_scoring,
    )
    from ._report import write_report
    from ._sweep import check_writable

    file = file or sys.stdout
    report_dir = Path(args.report_dir).expanduser()
    check_writable(report_dir, "--report-dir")
    device = check_device(args.device, "skequi")
    data = load_data_file(args.data, target=args.target, image_size=args.image_size)
    data_kind = "vectors" if args.rep_in else data.kind
    groups = list(args.groups)
    _check_groups(groups, data_kind, args.rep_in)
    plain = _plain_group(groups, data_kind)
    if get_group(plain).name not in [get_group(g).name for g in groups]:
        groups = [plain] + groups
    task = detect_task(data.y, data.X, data_kind, args.target_type)
    X_train, X_test, y_train, y_test, held_out = _split(data, task, args)
    y_train, y_test = _prepare_targets(task, y_train), _prepare_targets(task, y_test)
    reference = tuple([args.width] * args.layers)
    epochs = _epochs(args, task, len(X_train))
    base = _estimator(task, args, reference, epochs)
    names = [get_group(g).name for g in groups]
    scoring = {**symmetry_scoring(names, task.scoring), "n_params": n_params}
    if task.kind == "field":
        scoring.update(rmse=_rmse, relative_l2=_relative_l2)
    grid = {"group": names, "relaxation_rank": list(args.ranks)}
    total = len(names) * len(args.ranks) * args.cv

    from ._execution import backend_for

    n_jobs, backend, where = backend_for(args, device, total, file)
    print(f"{data.source}: {len(X_train)} training samples, {len(X_test)} held out "
          f"({held_out}); {task.kind} on {data_kind}, scored by {task.score_name}", file=file)
    print(f"GridSearchCV: {total} fits ({len(names) * len(args.ranks)} candidates x {args.cv} "
          f"folds) on {where}", file=file)
    search = GridSearchCV(base, grid, cv=args.cv, n_jobs=n_jobs, refit="score",
                          scoring=scoring, error_score="raise")
    start = time.perf_counter()
    with backend, progress(file=file, total=total):
        search.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    frame = results_frame(search)
    plain_name = "the plain CNN" if data_kind == "images" else "the unconstrained model"
    answer, numbers = symmetry_answer(search, plain=plain, plain_name=f"{plain_name} ({plain})")
    print(f"\n{answer}", file=file)

    plain_model = clone(base).set_params(group=plain, relaxation_rank=0).fit(X_train, y_train)
    largest = _largest(names)
    table = element_table(plain_model, X_test, y_test, largest, metric=task.metric,
                          random_state=args.random_state)
    recommended = recommended_subgroup(table, largest)
    tests = _test_scores(search.best_estimator_, plain_model, X_test, y_test, task)
    report_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": report_dir / "results.csv", "plot": report_dir / "relaxation.png",
             "report": report_dir / "report.md"}
    frame.to_csv(paths["results"], index=False)
    figure = plot_relaxation(frame)
    figure.savefig(paths["plot"], dpi=120)
    write_report(paths["report"], args=args, data=data, task=task, names=names, plain=plain,
                 frame=frame, answer=answer, numbers=numbers, table=table, largest=largest,
                 recommended=recommended, tests=tests, held_out=held_out,
                 n_train=len(X_train), n_test=len(X_test), elapsed=elapsed,
                 best=search.best_estimator_, reference=reference, epochs=epochs)
    falling = [row for row in tests if row["loss_drop_last_fifth"] > STILL_LEARNING]
    for row in falling:
        print(f"warning: the {row['model']} model ({row['group']}) was still learning: its "
              f"training loss fell {row['loss_drop_last_fifth']:.0%} over the last fifth of "
              f"the {epochs} epochs; raise --epochs for a trustworthy comparison", file=file)
    if recommended is not None:
        print(f"which symmetries: the plain model keeps its held-out score under "
              f"{', '.join(e for e in table.index[table.holds])} of {largest}; "
              f"recommended subgroup: {recommended}", file=file)
    for path in paths.values():
        print(f"wrote {path}", file=file)
    return {"answer": answer, "recommended": recommended, "paths": paths, "numbers": numbers}


def loss_still_falling(model) -> float:
    """How much the training loss fell over the last fifth of the epochs (relative).

    Compares the mean loss of the last fifth of the epochs with the fifth
    before it; NaN for fewer than 10 epochs. Above a few percent the model
    was still learning when training stopped.
    """
    loss = np.asarray(model.history_[:, "train_loss"], dtype=float)
    k = len(loss) // 5
    if k < 2:
        return float("nan")
    before, last = loss[-2 * k:-k].mean(), loss[-k:].mean()
    return float((before - last) / max(abs(before), 1e-300))


def _test_scores(best, plain_model, X_test, y_test, task: Task) -> list[dict]:
    rows = []
    for name, model in (("best", best), ("plain", plain_model)):
        pred = np.asarray(model.predict(X_test))
        row = {"model": name, "group": model.group, "relaxation_rank": model.relaxation_rank,
               "n_params": model.n_params_, "score": task.metric(np.asarray(y_test), pred)}
        if task.kind == "field":
            row["rmse"] = _rmse(model, X_test, y_test)
            row["relative_l2"] = _relative_l2(model, X_test, y_test)
        row["loss_drop_last_fifth"] = loss_still_falling(model)
        rows.append(row)
    return rows
