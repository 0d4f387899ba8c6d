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

``--out``/plumes_runs.csv holds every fit, one row per model and seed; a
run keeps the earlier fits of other models, and of other seeds at its own
settings, so seeds run side by side (``--first-seed``) pool. plumes.csv is
the table: a row per set and model, its fits pooled over seeds (mean, std);
it keeps the rows of earlier runs for the sets and models this run does not
redo, so tables can be run one at a time; so do ``plume_steps.csv``, the RMSE
of each of the 20 rolled-out frames, and ``plume_curves.csv``, the per-epoch
validation RMSE ``--valid-curve`` records.

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
from skorch.callbacks import Callback, LRScheduler

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
#: Wang et al.'s learning-rate decay per epoch (``run.sh``: ``--decay_rate=0.95``)
WANG_DECAY = 0.95


class _Persistence:
    """The last observed frame, repeated: the forecast with no model."""

    n_params_ = 0

    def fit(self, X, y):
        self.steps_ = y.shape[1] // 2
        return self

    def predict(self, X):
        return np.tile(X[:, -2:], (1, self.steps_, 1, 1))


def _training(args) -> dict:
    """The estimator parameters every model shares: Wang et al.'s 6-step rollout loss
    (``--schedule wang``: no cosine; :func:`_callbacks` adds their step decay)."""
    return dict(field="vector", rollout_steps=TRAIN_STEPS, max_epochs=args.epochs, lr=args.lr,
                lr_schedule="cosine" if args.schedule == "cosine" else None,
                batch_size=args.batch_size, optimizer=torch.optim.Adam, weight_decay=4e-4,
                device=args.device, n_threads=args.threads)


def _callbacks(args, data: dict) -> list:
    """Fresh callbacks for one fit: Wang et al.'s ``StepLR`` (lr x0.95 after every epoch)
    with ``--schedule wang``, and the validation curve with ``--valid-curve``."""
    callbacks = []
    if args.schedule == "wang":
        callbacks.append(("wang_step", LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=1,
                                                   gamma=WANG_DECAY)))
    if args.valid_curve:
        callbacks.append(("valid_curve", ValidationCurve({"valid": data["valid"],
                                                          "train": data["train_rollouts"]})))
    return callbacks


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
    """Models run only when named in ``--models``: the width controls for the scale row, and
    each learned model (the CNN and the latent encoders among them) with
    ``normalization=None``, as ``"<model> (no BatchNorm)"``."""
    common, depth, width = dict(_training(args), kernel_radius=1), args.layers, args.width
    models = _models(args)
    return {
        **{f"{name} (no BatchNorm)": lambda s, make=models[name]: make(s).set_params(
            normalization=None) for name in models if name != "persistence"},
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

    Returns one row per model and seed (:func:`pool_fits` makes the table's
    rows of them), the RMSE of each rolled-out frame (one row per model, seed,
    test and step) and, with ``--valid-curve``, one row per model, seed and
    epoch of the validation curve.
    """
    data = load_variant(variant, args)
    fits, steps, curves = [], [], []
    for name, make in _selected(args).items():
        for seed in range(args.first_seed, args.first_seed + (
                args.seeds if name != "persistence" else 1)):
            t0 = time.perf_counter()
            model = make(seed)
            callbacks = _callbacks(args, data) if name != "persistence" else []
            if callbacks:
                model.set_params(callbacks=callbacks)
            curve = args.valid_curve and name != "persistence"
            model.fit(data["X"], data["y"])
            if curve:
                curves += _curve_rows(model, variant, name, seed)
            future, per_step = rollout_rmse(model, data["future"])
            domain, domain_steps = rollout_rmse(model, data["domain"])
            steps += [dict(variant=variant, model=name, seed=seed, test=test, step=step + 1,
                           rmse=float(rmse))
                      for test, by_step in (("future", per_step), ("domain", domain_steps))
                      for step, rmse in enumerate(by_step)]
            fits.append(dict(variant=variant, model=name, free_params=model.n_params_,
                             future_rmse=future, domain_rmse=domain,
                             valid_rmse=rollout_rmse(model, data["valid"])[0],
                             step20_rmse=per_step[-1], last_fifth_drop=_train_drop(model),
                             paper=PAPERS.get((variant, name), ""), first_seed=seed,
                             seconds=time.perf_counter() - t0))
        row = pool_fits(pd.DataFrame(fits).query("model == @name")).iloc[0]
        print(f"    {name}: future {row.future_rmse:.4f}, domain {row.domain_rmse:.4f}, valid "
              f"{row.valid_rmse:.4f} ({row.free_params:,} params, loss fell "
              f"{row.last_fifth_drop:.0%} over the last fifth, {row.seconds:.0f}s)", flush=True)
        if curves and curves[-1]["model"] == name:
            valid = pd.DataFrame(curves).query("model == @name").groupby("epoch")[
                "valid_rollout_rmse"].mean()
            print(f"      validation RMSE by epoch: lowest {valid.min():.4f} at epoch "
                  f"{valid.idxmin()} of {valid.index.max()}, last {valid.iloc[-1]:.4f}", flush=True)
    return pd.DataFrame(fits), steps, curves


#: what a fit's row records of the run's settings; fits pool only where all of them agree
SETTINGS = ("size", "n_frames", "epochs", "stride", "schedule", "lr", "batch_size")
#: the settings of runs from before they were recorded (every run then had these)
_EARLIER_SETTINGS = dict(schedule="cosine", lr=2e-3, batch_size=16)


def pool_fits(fits: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, model) of one-seed fits: mean RMSE over the seeds, the
    population std, ``seeds`` counted, ``seconds`` summed and ``first_seed`` the lowest."""
    groups = fits.groupby(["variant", "model"], sort=False)
    table = groups.agg(
        free_params=("free_params", "first"), future_rmse=("future_rmse", "mean"),
        future_std=("future_rmse", lambda x: x.std(ddof=0)),
        domain_rmse=("domain_rmse", "mean"),
        domain_std=("domain_rmse", lambda x: x.std(ddof=0)),
        valid_rmse=("valid_rmse", "mean"), step20_rmse=("step20_rmse", "mean"),
        last_fifth_drop=("last_fifth_drop", "mean"), seeds=("first_seed", "size"),
        paper=("paper", "first"), seconds=("seconds", "sum"),
        first_seed=("first_seed", "min"))
    rest = [c for c in fits.columns if c not in table.columns and c not in ("variant", "model")]
    return table.join(groups[rest].first()).reset_index() if rest else table.reset_index()


def merge_fits(fits: pd.DataFrame, earlier: pd.DataFrame | None) -> pd.DataFrame:
    """This run's one-seed fits beside an earlier file's: an earlier fit is kept where it
    is of another (variant, model), or of another seed at the same settings (``SETTINGS``),
    so seeds run one at a time pool; one at other settings is replaced."""
    if earlier is None or not len(earlier):
        return fits.reset_index(drop=True)
    earlier = earlier.assign(**{key: earlier[key].fillna(value) if key in earlier else value
                                for key, value in _EARLIER_SETTINGS.items()})
    ran = fits.set_index(["variant", "model"])
    keep = []
    for _, fit in earlier.iterrows():
        key = (fit.variant, fit.model)
        if key not in ran.index:
            keep.append(True)
            continue
        now = ran.loc[[key]]
        same = all(np.isclose(float(fit[c]), float(now[c].iloc[0])) if c == "lr"
                   else fit[c] == now[c].iloc[0] for c in SETTINGS)
        keep.append(same and fit.first_seed not in set(now.first_seed))
    return pd.concat([earlier[keep], fits], ignore_index=True)


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
    parser.add_argument("--schedule", choices=("cosine", "wang"), default="cosine",
                        help="the learning rate's schedule: a cosine to 0 over the epochs, or "
                             "Wang et al.'s x0.95 after every epoch (their run.sh: with --lr "
                             "1e-3, and --batch-size 8 on translation)")
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
    fits, steps, curves, start = [], [], [], time.perf_counter()
    for variant in args.variants.split(","):
        print(f"# {variant}: {args.size}x{args.size}, {args.frames} frames, {args.seeds} "
              f"seed(s), {args.epochs} epochs, {device} ({args.threads} thread(s))", flush=True)
        begun = time.perf_counter()
        fit, step, curve = run_variant(variant, args)
        steps += step
        curves += curve
        print(f"\n## {variant} ({(time.perf_counter() - begun) / 60:.1f} min)\n")
        print(pool_fits(fit).drop(columns=["variant"]).to_markdown(index=False,
                                                                   floatfmt=".4f"))
        print()
        fits.append(fit)
    fits = pd.concat(fits).assign(
        seeds=1, device=device, wall_min=(time.perf_counter() - start) / 60, size=args.size,
        epochs=args.epochs, stride=args.stride, n_frames=args.frames, schedule=args.schedule,
        lr=args.lr, batch_size=args.batch_size)
    runs_path = os.path.join(args.out, "plumes_runs.csv")
    runs = merge_fits(fits, pd.read_csv(runs_path) if os.path.exists(runs_path) else None)
    runs.to_csv(runs_path, index=False)
    # the table: this run's (variant, model)s pooled over every seed of theirs in the runs
    ran = pd.MultiIndex.from_frame(fits[["variant", "model"]])
    _write_keeping_earlier(
        pool_fits(runs[pd.MultiIndex.from_frame(runs[["variant", "model"]]).isin(ran)]),
        os.path.join(args.out, "plumes.csv"))
    # per-seed files: an earlier seed's rows stay while the runs file holds its fit
    held = set(zip(runs.variant, runs.model, runs.first_seed))
    if steps:
        _write_keeping_earlier(pd.DataFrame(steps), os.path.join(args.out, "plume_steps.csv"),
                               held)
    if curves:
        _write_keeping_earlier(pd.DataFrame(curves), os.path.join(args.out, "plume_curves.csv"),
                               held)


def _write_keeping_earlier(table: pd.DataFrame, path: str, held: set | None = None) -> None:
    """Write ``table``, keeping an earlier file's rows of the variants and models it lacks
    (so tables can be run one at a time); for per-seed rows, also those of the
    ``(variant, model, seed)`` fits in ``held`` that this run did not redo (so seeds run one
    at a time pool)."""
    if os.path.exists(path):
        earlier = pd.read_csv(path)
        redone = pd.MultiIndex.from_frame(table[["variant", "model"]])
        keep = ~pd.MultiIndex.from_frame(earlier[["variant", "model"]]).isin(redone)
        if held is not None:
            ran = set(zip(table.variant, table.model, table.seed))
            keep |= [key in held and key not in ran
                     for key in zip(earlier.variant, earlier.model, earlier.seed)]
        kept = earlier[keep]
        if len(kept):
            print(f"{path}: kept {len(kept)} rows of earlier runs (other variants, models "
                  "or seeds)")
        table = pd.concat([kept, table], ignore_index=True)
    table.to_csv(path, index=False)


if __name__ == "__main__":
    main()
