"""Probe: where, in which task and which window, does one plume model beat another?

``bench_plumes.py`` reports one RMSE per test. This fits some of its models
and keeps every test window's own numbers, with the simulation's task (its
scale factor, inflow and force), so a gap between two models can be traced
to the tasks, the times or the places it comes from:

* ``window_errors.csv``: a row per model, test (future, domain) and window:
  the simulation, its task, the window's offset, the RMSE over its 20
  rolled-out frames and at frames 1 and 20, and the forecast's and the
  truth's RMS (whether the forecast fades or overshoots);
* ``error_maps.csv``: a row per model, paper test and grid cell (row 0 at the top):
  the mean squared error there over every window and frame, and the truth's
  mean square (where the flow is).

With ``--timeline-stride S`` two more tests are rolled out: every ``S``-th
offset in [0, 250) (Wang et al.'s training, validation and future offsets) of
the training simulations and of the held-out ones. They tell a gap that
follows the time (inside or after the frames the models trained on) from one
that follows the task (a seen or an unseen scale factor, inflow or force).

Usage::

    python benchmarks/probe_plume_windows.py --variant scale \
        --models "CNN,GM-CNN C1 r=1 (CNN width)" --timeline-stride 5 \
        --out benchmarks/results/plumes_scale_windows

Fits are ``bench_plumes.py``'s at its default settings (12 epochs, every
4th training window) with ``--seed`` as the random state, so each model's
future and domain RMSE (printed) equal the same seed's fit in
``bench_plumes.py``'s ``plumes_runs.csv``: the scale runs did, to the 4
digits printed (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np
import pandas as pd
import torch

from skequi.datasets import PLUME_SIMULATIONS, make_plumes, plume_tasks
from skequi.dynamics import PAPER_SPLITS, rollout, split_windows
from skequi.reps import set_basis_cache_dir

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # run from anywhere
import bench_plumes as bench  # noqa: E402

#: what each simulation's row in make_plumes' info says of its task
TASK_COLUMNS = ("scale_factor", "inflow_x", "inflow_y", "force_u", "force_v")
#: the papers' tests: which simulations each reads (its window offsets: Wang et al.'s split
#: of the same name)
PAPER_TESTS = {"future": "train", "domain": "domain"}
#: the timelines (``--timeline-stride``): Wang et al.'s training, validation and future
#: offsets, [0, 250) in all, of the training and of the held-out simulations
TIMELINES = {"timeline, training simulations": "train",
             "timeline, held-out simulations": "domain"}


def window_errors(truth: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """Each window's RMSE over its frames, at its first and last frame, and the RMS of
    its forecast and its truth.

    ``truth`` and ``predicted`` have shape ``(windows, frames, 2, H, W)``.
    """
    squared = (np.asarray(predicted, np.float64) - truth) ** 2
    per_frame = squared.mean(axis=(2, 3, 4))
    return pd.DataFrame({  # rounded: the files stay small, the numbers as exact as reported
        "rmse": np.sqrt(per_frame.mean(axis=1)),
        "rmse_frame1": np.sqrt(per_frame[:, 0]),
        "rmse_frame20": np.sqrt(per_frame[:, -1]),
        "forecast_rms": np.sqrt((np.asarray(predicted, np.float64) ** 2).mean(axis=(1, 2, 3, 4))),
        "truth_rms": np.sqrt((np.asarray(truth, np.float64) ** 2).mean(axis=(1, 2, 3, 4))),
    }).round(6)


def error_map(truth: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """The mean squared error in each grid cell, over windows, frames and both velocity
    components, beside the truth's mean square there; a row per cell."""
    squared = ((np.asarray(predicted, np.float64) - truth) ** 2).mean(axis=(0, 1, 2))
    energy = (np.asarray(truth, np.float64) ** 2).mean(axis=(0, 1, 2))
    rows, cols = np.indices(squared.shape)
    return pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(),
                         "squared_error": squared.ravel(), "truth_square": energy.ravel()}
                        ).round(7)


def window_index(simulations: list, n_windows: int, offsets: range, info: pd.DataFrame
                 ) -> pd.DataFrame:
    """Which simulation, task and offset each window of :func:`split_windows` comes from
    (its windows run simulation by simulation, offsets in order)."""
    tasks = (info.set_index("simulation").loc[simulations, list(TASK_COLUMNS)].round(6)
             .reset_index())  # 0.185, not 0.18500000000000003
    index = tasks.loc[tasks.index.repeat(n_windows)].reset_index(drop=True)
    index["offset"] = np.tile(np.asarray(offsets), len(simulations))
    return index


def simulations(variant: str, settings) -> tuple[np.ndarray, pd.DataFrame]:
    """The set's frames and make_plumes' row for each simulation (from the cache
    load_variant filled)."""
    n = PLUME_SIMULATIONS[variant]
    return make_plumes(n, variant=variant, size=settings.size, n_frames=settings.frames,
                       batch_size=n, verbose=False)


def windows_of_each_test(data: dict, frames: np.ndarray, info: pd.DataFrame, tasks: dict,
                         timeline_stride: int = 0, test_stride: int = 1):
    """Yield each test's name, where its windows come from (:func:`window_index`) and the
    windows: the papers' future and domain tests as ``load_variant`` made them (every
    ``test_stride``-th offset), then, with a ``timeline_stride``, every such offset in
    [0, 250) of the training and of the held-out simulations (:data:`TIMELINES`)."""
    for test, part in PAPER_TESTS.items():
        X, truth = data[test]
        offsets = range(*PAPER_SPLITS[test], test_stride)
        if len(X) != len(offsets) * len(tasks[part]):
            raise ValueError(f"the {test} test has {len(X)} windows, not {len(offsets)} "
                             f"offsets of {len(tasks[part])} simulations")
        yield test, window_index(tasks[part], len(offsets), offsets, info), (X, truth)
    if not timeline_stride:
        return
    for test, part in TIMELINES.items():
        pieces = []
        for split in ("train", "valid", "future"):
            windows = split_windows(frames[tasks[part]], split, history=bench.HISTORY,
                                    horizon=bench.TEST_STEPS, stride=timeline_stride)
            offsets = range(*PAPER_SPLITS[split], timeline_stride)
            pieces.append((window_index(tasks[part], len(offsets), offsets, info), windows))
        yield (test, pd.concat([index for index, _ in pieces], ignore_index=True),
               tuple(np.concatenate(parts) for parts in zip(*(w for _, w in pieces))))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="scale")
    parser.add_argument("--models", default="CNN,GM-CNN C1 r=1 (CNN width)",
                        help="comma-separated names of bench_plumes.py's models and controls")
    parser.add_argument("--epochs", type=int, default=12, help="bench_plumes.py's default")
    parser.add_argument("--seed", type=int, default=0, help="every model's random_state")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--timeline-stride", type=int, default=0,
                        help="also roll out every such offset in [0, 250) of the training "
                             "and of the held-out simulations: where in time a gap opens")
    parser.add_argument("--out", help="folder for window_errors.csv and error_maps.csv")
    args = parser.parse_args(argv)
    if args.timeline_stride < 0:
        parser.error(f"--timeline-stride must be >= 0 (0: no timelines), got "
                     f"{args.timeline_stride}")
    settings = bench.parse_args(["--epochs", str(args.epochs), "--threads", str(args.threads),
                                 "--device", args.device, "--models", args.models])
    models = bench._selected(settings)  # refuses unknown names before simulating
    set_basis_cache_dir(settings.cache_dir)
    data = bench.load_variant(args.variant, settings)
    frames, info = simulations(args.variant, settings)
    tasks = plume_tasks(args.variant)
    errors, maps = [], []
    for name, make in models.items():
        start = time.perf_counter()
        model = make(args.seed).fit(data["X"], data["y"])
        fitted = time.perf_counter() - start
        described = {"variant": args.variant, "model": name, "seed": args.seed}
        for test, index, (X, truth) in windows_of_each_test(
                data, frames, info, tasks, args.timeline_stride, settings.test_stride):
            history = X.reshape(len(X), bench.HISTORY, 2, *X.shape[-2:])
            predicted = rollout(model, history, truth.shape[1])
            errors.append(pd.concat([index, window_errors(truth, predicted)], axis=1)
                          .assign(test=test, **described))
            if test in PAPER_TESTS:  # the timelines' maps would double the file
                maps.append(error_map(truth, predicted).assign(test=test, **described))
            whole = np.sqrt((errors[-1]["rmse"] ** 2).mean())
            print(f"{name}: {test} RMSE {whole:.4f} over {len(X)} windows", flush=True)
        print(f"  fitted in {fitted:.0f}s", flush=True)
    if args.out:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for table, name in ((errors, "window_errors.csv"), (maps, "error_maps.csv")):
            path = out / name
            # an earlier run's rows of other models and seeds stay: models run side by side
            held = (set(zip(*pd.read_csv(path)[["variant", "model", "seed"]].T.values))
                    if path.exists() else set())
            bench._write_keeping_earlier(pd.concat(table, ignore_index=True), str(path), held)


if __name__ == "__main__":
    main()
