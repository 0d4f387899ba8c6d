"""Probe: does BatchNorm's train / eval switch explain the plume models' rollouts?

The plume models train on a 6-step rollout in train mode, where every step's
BatchNorm normalises with its own batch's statistics; the fitted model rolls
out with fixed statistics (recomputed over the training rollouts). This fits
some of ``bench_plumes.py``'s models and scores 20-frame rollouts both ways:
with the fitted model's fixed statistics (as every table does) and with each
step's batch statistics (no gradients; weights and stored statistics
unchanged).

Usage::

    python benchmarks/probe_plume_batchnorm.py --epochs 4 --stride 1
    python benchmarks/probe_plume_batchnorm.py --variant rotation \
        --models "CNN,GM-CNN C4 exact,GM-CNN C4 r=1" --epochs 12 --stride 4 \
        --windows train --training-batches --statistics-gap

The first (the CNN on translation's validation windows, all in one batch),
measured 2026-12-06 (one thread, 6.1 min): fixed statistics 0.142 / 0.285 /
0.709 at frames 1 / 6 / 20, batch statistics 0.394 / 0.372 / 0.659. This
does not rule BatchNorm out, as first read: one batch of every validation
window has other statistics than training's shuffled batches of 16 (the
first frame's RMSE triples). The second form isolates the switch: the
models' own training windows in shuffled batches of the training batch size,
what the training loss saw. There the translation CNN's frame-20 RMSE is
0.045 worse with fixed statistics at 12 epochs and 0.186 worse at 24, and
no other row model's is worse (benchmarks/RESULTS.md). ``--statistics-gap``
also measures why: how far each rolled-out step's batch statistics sit from
the fixed ones, layer by layer (``batchnorm_gap.csv``). Every run also writes
each frame's RMS, forecast and true (``batchnorm_amplitude.csv``): whether the
forecasts fade.
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import sys
import time

import numpy as np
import pandas as pd
import torch

from skequi.dynamics import forecast_rmse, rollout
from skequi.reps import set_basis_cache_dir

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # run from anywhere
import bench_plumes as bench  # noqa: E402


def _per_batch(model):
    """A copy of ``model`` whose BatchNorm normalises every call with that batch's own
    statistics, as in training, and leaves the stored statistics alone."""
    batch_stats = copy.deepcopy(model)  # a copy to alter: the fitted model stays as it is
    module = batch_stats.module_
    module.eval = lambda: module.train()  # predict's eval() keeps batch statistics
    for norm in module.modules():
        if isinstance(norm, torch.nn.modules.batchnorm._BatchNorm):
            norm.momentum = 0.0
    return batch_stats


def _shuffled_histories(X: np.ndarray, batch_size: int) -> tuple[np.ndarray, list]:
    """The windows' histories in one fixed shuffled order, cut into batches of
    ``batch_size`` (one batch without), and that order."""
    order = np.random.default_rng(0).permutation(len(X))
    history = X.reshape(len(X), bench.HISTORY, 2, *X.shape[-2:])[order]
    size = batch_size or len(X)
    return order, [history[i:i + size] for i in range(0, len(X), size)]


def _rollouts(model, windows, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The true and the rolled-out frames, in one order; with ``batch_size``, rolled out in
    shuffled batches of that many windows (training's batches), else all windows in one
    batch."""
    X, truth = windows
    order, batches = _shuffled_histories(X, batch_size)
    return truth[order], np.concatenate([rollout(model, batch, truth.shape[1])
                                         for batch in batches])


def _steps(model, windows, batch_size: int) -> np.ndarray:
    """RMSE of each rolled-out frame (:func:`_rollouts`)."""
    return forecast_rmse(*_rollouts(model, windows, batch_size), per_step=True)[1]


def _amplitude(frames: np.ndarray) -> np.ndarray:
    """The root mean square of each frame of ``frames`` ``(windows, frames, 2, H, W)``, over
    windows, both velocity components and the grid: whether a forecast fades."""
    return np.sqrt((np.asarray(frames, dtype=np.float64) ** 2).mean(axis=(0, 2, 3, 4)))


def _norm_layers(model) -> list:
    """The fitted network's BatchNorm modules, in the order the data meets them."""
    return [m for m in model.module_.modules()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def _statistics_gap(model, windows, batch_size: int, n_frames: int = 20) -> pd.DataFrame:
    """How far each rolled-out step's batch statistics sit from the fixed ones.

    The fitted model rolls ``windows`` out with its fixed statistics (as every
    table scores), in shuffled batches of ``batch_size``. At each step, each
    BatchNorm layer's input has per-channel batch mean ``m`` and variance
    ``v`` (what training mode would normalise with), against the stored
    ``mu`` and ``var``. A row per layer and frame: ``shift``, the mean over
    channels of ``|m - mu| / sqrt(var + eps)``, ``log_scale``, the mean of
    ``|log(sqrt((v + eps) / (var + eps)))|`` (0 where the two agree), and
    ``log_scale_signed``, the same without the absolute value (positive: the
    batch's activations are wider than the fixed statistics expect), each
    averaged over batches. No weight or stored statistic changes.
    """
    layers = _norm_layers(model)
    seen = {i: [] for i in range(len(layers))}

    def record(i):
        def hook(norm, inputs):
            x = inputs[0].detach()
            dims = [d for d in range(x.ndim) if d != 1]
            mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
            fixed_var = norm.running_var + norm.eps
            log_ratio = 0.5 * ((var + norm.eps) / fixed_var).log()
            seen[i] += [((mean - norm.running_mean).abs() / fixed_var.sqrt()).mean().item(),
                        log_ratio.abs().mean().item(), log_ratio.mean().item()]
        return hook

    handles = [norm.register_forward_pre_hook(record(i)) for i, norm in enumerate(layers)]
    rows = []
    try:
        for batch in _shuffled_histories(windows[0], batch_size)[1]:
            for i in seen:
                seen[i].clear()
            rollout(model, batch, n_frames)
            for i, values in seen.items():
                steps = np.asarray(values).reshape(-1, 3)  # a step's shift and scales
                if len(steps) < n_frames:
                    raise RuntimeError(f"layer {i} ran {len(steps)} steps, not {n_frames}")
                rows += [{"layer": i + 1, "frame": k + 1, "shift": shift, "log_scale": scale,
                          "log_scale_signed": signed}
                         for k, (shift, scale, signed) in enumerate(steps[:n_frames])]
    finally:
        for handle in handles:
            handle.remove()
    return pd.DataFrame(rows).groupby(["layer", "frame"], as_index=False).mean()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="translation")
    parser.add_argument("--models", default="CNN",
                        help="comma-separated names of bench_plumes.py's models and controls")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--windows", choices=("valid", "train"), default="valid",
                        help="validation windows, or the training windows (train_rollouts)")
    parser.add_argument("--training-batches", action="store_true",
                        help="batch statistics of shuffled batches of the training batch "
                             "size, not of all windows at once")
    parser.add_argument("--seed", type=int, default=0, help="every model's random_state")
    parser.add_argument("--statistics-gap", action="store_true",
                        help="also write batchnorm_gap.csv: how far each rolled-out step's "
                             "batch statistics sit from the fixed ones, by layer and frame")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", help="folder for batchnorm_switch.csv (every frame's RMSE, "
                                      "a row per model and statistics) and "
                                      "batchnorm_amplitude.csv (every frame's RMS, forecast "
                                      "and true: whether forecasts fade)")
    args = parser.parse_args(argv)
    settings = bench.parse_args(["--epochs", str(args.epochs), "--stride", str(args.stride),
                                 "--threads", str(args.threads), "--device", args.device,
                                 "--models", args.models])
    models = bench._selected(settings)  # refuses unknown names before simulating
    if "persistence" in models:
        raise SystemExit("persistence has no network to normalise; name the trained models")
    set_basis_cache_dir(settings.cache_dir)
    data = bench.load_variant(args.variant, settings)
    windows = data["valid" if args.windows == "valid" else "train_rollouts"]
    batch_size = settings.batch_size if args.training_batches else 0
    batches = (f"shuffled batches of {batch_size}" if batch_size
               else "all windows in one batch")
    rows, gaps, amplitudes = [], [], []
    for name, make in models.items():
        start = time.perf_counter()
        model = make(args.seed).fit(data["X"], data["y"])
        truth, fixed = _rollouts(model, windows, batch_size)
        per_batch = _rollouts(_per_batch(model), windows, batch_size)[1]
        print(f"{name}, {args.variant}, {args.epochs} epochs, stride {args.stride}: fitted in "
              f"{time.perf_counter() - start:.0f}s; {args.windows} windows ({len(windows[0])}, "
              f"{batches}), RMSE at frames 1 / 6 / 20", flush=True)
        described = {"variant": args.variant, "model": name, "seed": args.seed,
                     "width": max(getattr(model, "channels_", [0])),
                     "relaxation_rank": getattr(model, "relaxation_rank", 0),
                     "epochs": args.epochs}
        if args.statistics_gap:
            gap = _statistics_gap(model, windows, batch_size)
            gaps.append(gap.assign(**described))
            by_frame = gap.groupby("frame")[["shift", "log_scale"]].mean()
            print("  statistics gap (mean over layers) at frames 1 / 6 / 20: shift "
                  + " / ".join(f"{by_frame['shift'][k]:.2f}" for k in (1, 6, 20))
                  + ", log scale "
                  + " / ".join(f"{by_frame['log_scale'][k]:.2f}" for k in (1, 6, 20)),
                  flush=True)
        truth_rms = _amplitude(truth)
        for label, predicted in (("fixed statistics (the tables)", fixed),
                                 ("each step's batch statistics", per_batch)):
            steps = forecast_rmse(truth, predicted, per_step=True)[1]
            rms = _amplitude(predicted)
            print(f"  {label}: {steps[0]:.3f} / {steps[5]:.3f} / {steps[19]:.3f}; forecast RMS "
                  f"/ truth's {rms[0] / truth_rms[0]:.2f} / {rms[5] / truth_rms[5]:.2f} / "
                  f"{rms[19] / truth_rms[19]:.2f}", flush=True)
            statistics = label.split(" (")[0]
            rows.append({"variant": args.variant, "model": name, "seed": args.seed,
                         "statistics": statistics, **described,
                         "stride": args.stride, "windows": args.windows,
                         "batch_size": batch_size or len(windows[0]),
                         **{f"frame {k}": float(rmse) for k, rmse in enumerate(steps, 1)}})
            amplitudes += [{"statistics": statistics, **described, "frame": k,
                            "forecast_rms": float(ours), "truth_rms": float(true)}
                           for k, (ours, true) in enumerate(zip(rms, truth_rms), 1)]
    table = pd.DataFrame(rows)
    print(table[["model", "statistics", "frame 1", "frame 6", "frame 20"]].to_markdown(
        index=False, floatfmt=".3f"))
    if args.out:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "batchnorm_switch.csv", index=False)
        pd.DataFrame(amplitudes).to_csv(out / "batchnorm_amplitude.csv", index=False)
        if gaps:
            pd.concat(gaps, ignore_index=True).to_csv(out / "batchnorm_gap.csv", index=False)


if __name__ == "__main__":
    main()
