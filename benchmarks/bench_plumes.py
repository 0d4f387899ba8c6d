"""Smoke-plume forecasting on Wang et al.'s time axis: exact, relaxed and latent models.

Data: ``skequi.datasets.make_plumes`` (PhiFlow, Wang et al.'s generator) at
32x32 (theirs: 64x64), 282 frames per simulation (their splits read frames
2-280), every simulation of their sets (``PLUME_SIMULATIONS``): ``rotation``
(inflow on one of four sides, buoyancy 0.01 k away from it), ``translation``
(upward plumes, buoyancy 0.1 left / 0.2 right), ``scale`` (one plume at 38
scales) and the ``symmetric`` control (the four sides share each magnitude).

Protocol, as Wang et al.'s ``run_model.py`` (differences in RESULTS.md):

* their task split (``plume_tasks``): 25 training simulations (28 for
  scale), 10 held-out ones interleaved with them;
* their windows (``split_windows``, ``mid = 12``): 10 frames in; training
  offsets [0, 160) of the training simulations, every ``--stride``-th (theirs:
  every one); *future* test: all 50 offsets in [200, 250) of the training
  simulations; *domain* test: all 100 offsets in [0, 100) of the held-out
  ones; both scored on 20 rolled-out frames;
* every model predicts one frame and is trained on the MSE of a 6-step
  autoregressive rollout (``rollout_steps=6``); Adam, weight decay 4e-4;
* RMSE as theirs (per-step MSE averaged over steps and windows, then the
  root) in raw velocity units (cells per step of the 32x32 grid: about half
  those of a 64x64 grid, whose forces and lengths are twice ours);
* *persistence* repeats the last observed frame: the floor any forecaster
  should clear.

Models: CNN (GMCNNRegressor on C1), GM-CNN C4 exact and relaxed (rank 1),
GM-CNN C1 relaxed (rank 1, approximate translation symmetry), and the latent
method by the latent paper's SMOKE recipe (a CNN with a grid latent on which
C4 acts; the rotated window's first frame as a second task and the latent
equivariance loss, at their weights relative to the 6-step loss) beside its
augmented baseline (equivariance weight 0, the paper's CNN+aug).

``--out``/plumes.csv keeps the rows of earlier runs for the variants and
models this run does not redo, so tables can be run one at a time; so do
``plume_steps.csv``, the RMSE of each of the 20 rolled-out frames, and
``plume_curves.csv``, the per-epoch validation RMSE ``--valid-curve`` records.

Usage::

    python benchmarks/bench_plumes.py --variants rotation  # one table, 1 seed (CPU)
    python benchmarks/bench_plumes.py                  # rotation + translation
    python benchmarks/bench_plumes.py --quick          # a few minutes
    python benchmarks/bench_plumes.py --variants scale --sim-jobs -1  # ~2.7 core-hours of PhiFlow
    python benchmarks/bench_plumes.py --seeds 3 --stride 1 --epochs 40 --device cuda
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
import torch
from skorch.callbacks import Callback

from skequi import GMCNNRegressor, LatentEquivariantRegressor
from skequi.datasets import PLUME_SIMULATIONS, make_plumes, plume_tasks
from skequi.dynamics import forecast_rmse, rollout, split_windows
from skequi.reps import default_basis_cache_dir, set_basis_cache_dir

#: the papers' numbers (64x64, their sets, 20 rolled-out frames): future / domain RMSE
PAPERS = {
    ("rotation", "CNN"): "latent paper CNN .81 / .63",
    ("rotation", "latent augmented (CNN+aug)"): "latent paper CNN+aug .83 / .67",
    ("rotation", "latent method (SMOKE recipe)"): "latent paper ours .78 / .61",
    ("rotation", "GM-CNN C4 r=1"): "GM-CNN slides 0.92 (future); Wang RSteer .80 / .67",
    ("translation", "GM-CNN C1 r=1"): "GM-CNN slides 0.72 (future); Wang RGroup .72",
}
HISTORY, TRAIN_STEPS, TEST_STEPS = 10, 6, 20
#: the rolled-out frames whose validation RMSE ``--valid-curve`` records each epoch
CURVE_STEPS = (1, TRAIN_STEPS, TEST_STEPS)
#: the latent paper's SMOKE loss: 0.5 MSE of the first frame + 1.0 for each of the five
#: later ones (5.5 in all), 0.5 for the rotated window's first frame, 0.005 for the latent
#: equivariance; skequi's rollout loss is the mean over the 6 frames, so their weights
#: relative to the rollout loss are these
SMOKE_TASK_WEIGHT, SMOKE_LAMBDA = 0.5 / 5.5, 0.005 / 5.5


class _Persistence:
    """The last observed frame, repeated: the forecast with no model."""

    n_params_ = 0

    def fit(self, X, y):
        self.steps_ = y.shape[1] // 2
        return self

    def predict(self, X):
        return np.tile(X[:, -2:], (1, self.steps_, 1, 1))


def _training(args) -> dict:
    """The estimator parameters every model shares: Wang et al.'s 6-step rollout loss."""
    return dict(field="vector", rollout_steps=TRAIN_STEPS, max_epochs=args.epochs, lr=args.lr,
                lr_schedule="cosine", batch_size=args.batch_size, optimizer=torch.optim.Adam,
                weight_decay=4e-4, device=args.device, n_threads=args.threads)


def _models(args) -> dict:
    common = _training(args)
    depth, width = args.layers, args.width
    gm = dict(channels=(width // 4,) * depth, kernel_radius=1, **common)
    latent = dict(latent_structure="grid", latent_dim=args.latent,
                  channels=(width // 2,) * (depth // 2 + 1), **common)
    return {
        "persistence": lambda s: _Persistence(),
        "CNN": lambda s: GMCNNRegressor("C1", channels=(width,) * depth, kernel_radius=1,
                                        random_state=s, **common),
        "GM-CNN C4 exact": lambda s: GMCNNRegressor("C4", random_state=s, **gm),
        "GM-CNN C4 r=1": lambda s: GMCNNRegressor("C4", relaxation_rank=1, random_state=s, **gm),
        "GM-CNN C1 r=1": lambda s: GMCNNRegressor("C1", relaxation_rank=1,
                                                  channels=(width // 2,) * depth,
                                                  kernel_radius=1, random_state=s, **common),
        "latent method (SMOKE recipe)": lambda s: LatentEquivariantRegressor(
            "C4", equivariance_strength=args.latent_strength,
            transformed_task_weight=SMOKE_TASK_WEIGHT, random_state=s, **latent),
        "latent augmented (CNN+aug)": lambda s: LatentEquivariantRegressor(
            "C4", equivariance_strength=0.0, transformed_task_weight=SMOKE_TASK_WEIGHT,
            random_state=s, **latent),
    }


def _controls(args) -> dict:
    """Models run only when named in ``--models``: the width controls for the scale row."""
    common, depth, width = dict(_training(args), kernel_radius=1), args.layers, args.width
    return {
        "CNN (half width)": lambda s: GMCNNRegressor("C1", channels=(width // 2,) * depth,
                                                    random_state=s, **common),
        "GM-CNN C1 r=1 (CNN width)": lambda s: GMCNNRegressor(
            "C1", relaxation_rank=1, channels=(width,) * depth, random_state=s, **common),
    }


def load_variant(variant: str, args):
    """Simulations (cached) and Wang et al.'s windows of one plume set."""
    start = time.perf_counter()
    n = args.simulations or PLUME_SIMULATIONS[variant]
    frames, info = make_plumes(n, variant=variant, size=args.size, n_frames=args.frames,
                               batch_size=n, n_jobs=args.sim_jobs)
    simulated = time.perf_counter() - start
    tasks = plume_tasks(variant)
    if args.simulations:  # --quick: the tasks among the first n simulations
        tasks = {part: [t for t in ids if t < n] for part, ids in tasks.items()}
    train, held_out = frames[tasks["train"]], frames[tasks["domain"]]
    X, y = split_windows(train, "train", history=HISTORY, horizon=TRAIN_STEPS, stride=args.stride)
    data = dict(X=X, y=y.reshape(len(y), -1, *y.shape[-2:]),
                valid=split_windows(train, "valid", history=HISTORY, horizon=TEST_STEPS,
                                    stride=max(args.test_stride, 5)),
                # training windows rolled out as far as the tests (--valid-curve): as many
                # as the validation windows
                train_rollouts=split_windows(train, "train", history=HISTORY,
                                             horizon=TEST_STEPS,
                                             stride=max(args.test_stride, 5) * 4),
                future=split_windows(train, "future", history=HISTORY, horizon=TEST_STEPS,
                                     stride=args.test_stride),
                domain=split_windows(held_out, "domain", history=HISTORY, horizon=TEST_STEPS,
                                     stride=args.test_stride))
    print(f"  {variant}: {n} simulations x {args.frames} frames in {simulated:.0f}s (max |div u| "
          f"{info.max_divergence.max():.1e}); {len(tasks['train'])} training / "
          f"{len(tasks['domain'])} held-out simulations; {len(X)} training windows, "
          f"{len(data['future'][0])} future and {len(data['domain'][0])} domain test windows",
          flush=True)
    return data


def rollout_rmse(model, windows) -> tuple[float, np.ndarray]:
    """Wang et al.'s RMSE of 20 frames rolled out from every window (and per step)."""
    X, truth = windows
    history = X.reshape(len(X), HISTORY, 2, *X.shape[-2:])
    return forecast_rmse(truth, rollout(model, history, truth.shape[1]), per_step=True)


class ValidationCurve(Callback):
    """Record the 20-frame rollout RMSE of some window sets after every epoch.

    Wang et al.'s ``run_model.py`` scores its validation windows each epoch
    (and stops early on them); this records the same curve in skorch's
    history, as ``<name>_rollout_rmse`` and ``<name>_step<k>_rmse`` for each
    named set of ``windows`` (e.g. ``valid``, and ``train``: training windows
    rolled out past the 6 trained frames), without changing the fit. A
    fitted model's BatchNorm statistics are recomputed over the training
    data after the last epoch, so each epoch is scored the same way (torch's
    ``update_bn``) and the running statistics are put back afterwards;
    ``predict`` runs in eval mode and draws no random numbers.
    """

    def __init__(self, windows: dict, batch_size: int = 256):
        self.windows = windows
        self.batch_size = batch_size

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        running = [buffer.clone() for buffer in net.module_.buffers()]
        inputs = dataset_train.X
        batches = [inputs[start:start + self.batch_size]
                   for start in range(0, len(inputs), self.batch_size)]
        torch.optim.swa_utils.update_bn(batches, net.module_, device=net.device)
        for name, windows in self.windows.items():
            rmse, per_step = rollout_rmse(net, windows)
            net.history.record(f"{name}_rollout_rmse", rmse)
            for step in CURVE_STEPS:  # the first frame, the last trained one, the last scored
                net.history.record(f"{name}_step{step}_rmse", per_step[step - 1])
        with torch.no_grad():
            for buffer, kept in zip(net.module_.buffers(), running):
                buffer.copy_(kept)


def _curve_rows(model, variant: str, name: str, seed: int) -> list[dict]:
    """One row per epoch: the training loss and every rollout RMSE the curve recorded."""
    return [dict(variant=variant, model=name, seed=seed, epoch=int(epoch["epoch"]),
                 train_loss=float(epoch["train_loss"]),
                 **{key: float(value) for key, value in epoch.items()
                    if key.endswith("_rmse")}) for epoch in model.history_]


def _train_drop(model) -> float:
    """Share the training loss fell over the last fifth of the epochs (0: flat)."""
    history = getattr(model, "history_", None)
    if history is None or len(history) < 5:
        return float("nan")
    loss = np.asarray(history[:, "train_loss"], dtype=float)
    tail = max(1, len(loss) // 5)
    return float(1 - loss[-1] / loss[-tail - 1])


def _selected(args) -> dict:
    """The models ``--models`` names (default: every model but the controls)."""
    models = _models(args) | _controls(args)
    names = args.models.split(",") if args.models else list(_models(args))
    unknown = [name for name in names if name not in models]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; choose from {', '.join(models)}")
    return {name: models[name] for name in names}


def run_variant(variant: str, args) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Fit and score every selected model on one plume set.

    Returns the table's rows, the RMSE of each rolled-out frame (one row per
    model, seed, test and step) and, with ``--valid-curve``, one row per
    model, seed and epoch of the validation curve.
    """
    data = load_variant(variant, args)
    rows, steps, curves = [], [], []
    for name, make in _selected(args).items():
        scores, t0 = [], time.perf_counter()
        for seed in range(args.first_seed, args.first_seed + (
                args.seeds if name != "persistence" else 1)):
            model = make(seed)
            curve = args.valid_curve and name != "persistence"
            if curve:
                model.set_params(callbacks=[("valid_curve", ValidationCurve(
                    {"valid": data["valid"], "train": data["train_rollouts"]}))])
            model.fit(data["X"], data["y"])
            if curve:
                curves += _curve_rows(model, variant, name, seed)
            future, per_step = rollout_rmse(model, data["future"])
            domain, domain_steps = rollout_rmse(model, data["domain"])
            steps += [dict(variant=variant, model=name, seed=seed, test=test, step=step + 1,
                           rmse=float(rmse))
                      for test, by_step in (("future", per_step), ("domain", domain_steps))
                      for step, rmse in enumerate(by_step)]
            scores.append(dict(future=future, domain=domain,
                               valid=rollout_rmse(model, data["valid"])[0],
                               fell=_train_drop(model), last_step=per_step[-1]))
            n_params = model.n_params_
        frame = pd.DataFrame(scores)
        rows.append(dict(variant=variant, model=name, free_params=n_params,
                         future_rmse=frame.future.mean(), future_std=frame.future.std(ddof=0),
                         domain_rmse=frame.domain.mean(), domain_std=frame.domain.std(ddof=0),
                         valid_rmse=frame.valid.mean(), step20_rmse=frame.last_step.mean(),
                         last_fifth_drop=frame.fell.mean(), seeds=len(frame),
                         paper=PAPERS.get((variant, name), ""),
                         seconds=time.perf_counter() - t0))
        print(f"    {name}: future {rows[-1]['future_rmse']:.4f}, domain "
              f"{rows[-1]['domain_rmse']:.4f}, valid {rows[-1]['valid_rmse']:.4f} ({n_params:,} "
              f"params, loss fell {rows[-1]['last_fifth_drop']:.0%} over the last fifth, "
              f"{rows[-1]['seconds']:.0f}s)", flush=True)
        if curves and curves[-1]["model"] == name:
            valid = pd.DataFrame(curves).query("model == @name").groupby("epoch")[
                "valid_rollout_rmse"].mean()
            print(f"      validation RMSE by epoch: lowest {valid.min():.4f} at epoch "
                  f"{valid.idxmin()} of {valid.index.max()}, last {valid.iloc[-1]:.4f}", flush=True)
    return pd.DataFrame(rows), steps, curves


def parse_args(argv=None) -> argparse.Namespace:
    """The command line's settings (``--quick`` applied)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 seed, 2 epochs, every 32nd training and 25th test window")
    parser.add_argument("--variants", default="rotation,translation")
    parser.add_argument("--models", default="",
                        help="comma-separated subset of the models; the width controls "
                             "'CNN (half width)' and 'GM-CNN C1 r=1 (CNN width)' run only when "
                             "named")
    parser.add_argument("--simulations", type=int, default=0,
                        help="first n simulations only (default: Wang et al.'s full sets)")
    parser.add_argument("--sim-jobs", type=int, default=1,
                        help="processes simulating the plumes (-1: every core; helps scale)")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--frames", type=int, default=282)
    parser.add_argument("--stride", type=int, default=4,
                        help="every stride-th training window (Wang et al.: 1)")
    parser.add_argument("--test-stride", type=int, default=1,
                        help="every stride-th test window (Wang et al.: 1)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds first_seed, first_seed + 1, ... (to run seeds side by side)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--layers", type=int, default=4, help="hidden layers of each model")
    parser.add_argument("--width", type=int, default=32, help="CNN channels per layer")
    parser.add_argument("--latent", type=int, default=16, help="latent channels (latent method)")
    parser.add_argument("--latent-strength", type=float, default=SMOKE_LAMBDA,
                        help="the latent method's equivariance weight (default: the SMOKE "
                             "recipe's, relative to the rollout loss)")
    parser.add_argument("--valid-curve", action="store_true",
                        help="score the validation windows (as Wang et al.) and training "
                             "windows rolled out 20 frames after every epoch, and write the "
                             "curves to plume_curves.csv")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--cache-dir", default=str(default_basis_cache_dir()),
                        help="where simulations are cached (npz files)")
    parser.add_argument("--out", default="plume-tables", help="folder for the CSV file")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.epochs, args.stride, args.test_stride = 1, 2, 32, 25
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    set_basis_cache_dir(args.cache_dir)
    os.makedirs(args.out, exist_ok=True)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    tables, steps, curves, start = [], [], [], time.perf_counter()
    for variant in args.variants.split(","):
        print(f"# {variant}: {args.size}x{args.size}, {args.frames} frames, {args.seeds} "
              f"seed(s), {args.epochs} epochs, {device} ({args.threads} thread(s))", flush=True)
        begun = time.perf_counter()
        table, step, curve = run_variant(variant, args)
        steps += step
        curves += curve
        print(f"\n## {variant} ({(time.perf_counter() - begun) / 60:.1f} min)\n")
        print(table.drop(columns=["variant"]).to_markdown(index=False, floatfmt=".4f"))
        print()
        tables.append(table)
    table = pd.concat(tables).assign(
        device=device, wall_min=(time.perf_counter() - start) / 60, size=args.size,
        epochs=args.epochs, stride=args.stride, n_frames=args.frames, first_seed=args.first_seed)
    _write_keeping_earlier(table, os.path.join(args.out, "plumes.csv"))
    _write_keeping_earlier(pd.DataFrame(steps), os.path.join(args.out, "plume_steps.csv"))
    if curves:
        _write_keeping_earlier(pd.DataFrame(curves), os.path.join(args.out, "plume_curves.csv"))


def _write_keeping_earlier(table: pd.DataFrame, path: str) -> None:
    """Write ``table``, keeping an earlier file's rows of the variants and models it lacks
    (so tables can be run one at a time)."""
    if os.path.exists(path):
        earlier = pd.read_csv(path)
        redone = pd.MultiIndex.from_frame(table[["variant", "model"]])
        kept = earlier[~pd.MultiIndex.from_frame(earlier[["variant", "model"]]).isin(redone)]
        if len(kept):
            print(f"{path}: kept {len(kept)} rows of earlier runs (other variants or models)")
        table = pd.concat([kept, table], ignore_index=True)
    table.to_csv(path, index=False)


if __name__ == "__main__":
    main()
