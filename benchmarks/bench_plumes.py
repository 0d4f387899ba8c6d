"""Smoke-plume forecasting: exact, relaxed and latent models on approximately symmetric flow.

Data: ``skequi.datasets.make_plumes`` (PhiFlow, Wang et al.'s generator) in
three variants: ``rotation`` (inflow on one of four sides, buoyancy away from
it, a magnitude per simulation: the symmetry is broken by a known amount),
``translation`` (upward plumes, buoyancy 0.1 on the left half and 0.2 on the
right) and the ``symmetric`` control (the four sides share each magnitude).
Splits are Wang et al.'s, scaled to the simulated length (``scaled_splits``):
training frames [0, 0.64 T) of the training simulations, future test
[0.8 T, T), and domain test [0, 0.4 T) of held-out simulations (every fourth
group of four, i.e. unseen force magnitudes or positions).

Models map a 10-frame history to the next 5 frames (vector channels, so C4
turns them; the papers train on 6-step targets) and are rolled out
autoregressively for 20 steps; velocities are scaled to unit RMS. The table
gives Wang et al.'s RMSE (per-step MSE averaged over steps, then the root)
on the future and domain tests, mean +- std over seeds, and free parameters:

* persistence: the last observed frame repeated (no model), the floor any
  forecaster should beat;
* CNN: GMCNNRegressor on C1 (an ordinary CNN), exact;
* GM-CNN C4, exact and relaxed (relaxation_rank 1, 2);
* GM-CNN C1 relaxed (rank 1): approximate translation symmetry;
* latent method: LatentEquivariantRegressor on C4 with a grid-structured
  latent (the paper's SMOKE variant), lambda = 1, and its augmented baseline
  (lambda = 0).

Seeds' numbers, same definition at 64x64 with the full sets: GM-CNN slides
(future RMSE) translation 0.72 (best baseline RGroup 0.72), rotation 0.92
(RSteer 0.80); latent paper, rotation set (future / domain): CNN 0.81 / 0.63,
CNN+aug 0.83 / 0.67, RSteer 0.80 / 0.67, PSCNN 0.77 / 0.57, ours 0.78 / 0.61.

Usage::

    python benchmarks/bench_plumes.py               # 32x32, 12 simulations, 3 seeds (CPU)
    python benchmarks/bench_plumes.py --quick       # a few minutes
    python benchmarks/bench_plumes.py --full        # 64x64, the papers' simulation counts
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
import torch

from skequi import GMCNNRegressor, LatentEquivariantRegressor
from skequi.datasets import make_plumes
from skequi.dynamics import forecast_rmse, forecasting_pairs, rollout, scaled_splits
from skequi.reps import default_basis_cache_dir, set_basis_cache_dir

PAPERS = {
    ("rotation", "CNN"): "latent paper CNN 0.81 / 0.63",
    ("rotation", "latent method (lambda=1)"): "latent paper ours 0.78 / 0.61",
    ("rotation", "latent augmented (lambda=0)"): "latent paper CNN+aug 0.83 / 0.67",
    ("rotation", "GM-CNN C4 r=1"): "GM-CNN slides 0.92 (future)",
    ("translation", "GM-CNN C1 r=1"): "GM-CNN slides 0.72 (future)",
}
FULL_COUNTS = {"rotation": 36, "translation": 35, "symmetric": 36}


class _Persistence:
    """The last observed frame, repeated: the forecast with no model."""

    n_params_ = 0

    def __init__(self, horizon: int) -> None:
        self.horizon = horizon

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.tile(X[:, -2:], (1, self.horizon, 1, 1))


def _models(width: int, latent: int, epochs: int, lr: float, device: str, threads: int,
            horizon: int, radius: int):
    common = dict(field="vector", max_epochs=epochs, lr=lr, batch_size=32, device=device,
                  n_threads=threads, weight_decay=0.0)
    gm = dict(channels=(width // 4,) * 3, kernel_radius=radius, **common)
    return {
        "persistence": lambda s: _Persistence(horizon),
        "CNN": lambda s: GMCNNRegressor("C1", channels=(width,) * 3, kernel_radius=radius,
                                        random_state=s, **common),
        "GM-CNN C4 exact": lambda s: GMCNNRegressor("C4", random_state=s, **gm),
        "GM-CNN C4 r=1": lambda s: GMCNNRegressor("C4", relaxation_rank=1, random_state=s, **gm),
        "GM-CNN C4 r=2": lambda s: GMCNNRegressor("C4", relaxation_rank=2, random_state=s, **gm),
        "GM-CNN C1 r=1": lambda s: GMCNNRegressor("C1", relaxation_rank=1,
                                                  channels=(width // 2,) * 3,
                                                  kernel_radius=radius, random_state=s,
                                                  **common),
        "latent method (lambda=1)": lambda s: LatentEquivariantRegressor(
            "C4", equivariance_strength=1.0, latent_structure="grid", latent_dim=latent,
            channels=(width // 2,) * 3, random_state=s, **common),
        "latent augmented (lambda=0)": lambda s: LatentEquivariantRegressor(
            "C4", equivariance_strength=0.0, latent_structure="grid", latent_dim=latent,
            channels=(width // 2,) * 3, random_state=s, **common),
    }


def _split(frames: np.ndarray):
    """Training and held-out simulations: every fourth group of four is held out."""
    index = np.arange(len(frames))
    held_out = (index // 4) % 4 == 3 if len(frames) >= 16 else index >= len(frames) - 4
    return frames[~held_out], frames[held_out]


def run_variant(variant: str, args, plot_dir: str | None) -> pd.DataFrame:
    start = time.perf_counter()
    frames, info = make_plumes(args.simulations, variant=variant, size=args.size,
                               n_frames=args.frames, batch_size=args.simulations)
    simulated = time.perf_counter() - start
    scale = float(np.sqrt((frames ** 2).mean()))
    frames = frames / scale  # unit RMS velocity, so RMSE compares across sizes
    splits = scaled_splits(args.frames)
    train_sims, domain_sims = _split(frames)
    X, y = forecasting_pairs(train_sims, history=args.history, horizon=args.horizon,
                             start=splits["train"][0], stop=splits["train"][1])
    future_start = splits["future"][0]
    future_history = train_sims[:, future_start - args.history:future_start]
    future_truth = train_sims[:, future_start:future_start + args.steps]
    domain_history = domain_sims[:, :args.history]
    domain_truth = domain_sims[:, args.history:args.history + args.steps]
    print(f"  {variant}: {len(frames)} simulations simulated in {simulated:.0f}s "
          f"(max |div u| {info.max_divergence.max():.1e}); {len(X)} training pairs", flush=True)
    rows, examples = [], {}
    models = _models(args.width, args.latent, args.epochs, args.lr, args.device, args.threads,
                     args.horizon, args.kernel_radius)
    for name, make in models.items():
        future, domain, t0, n_params = [], [], time.perf_counter(), None
        for seed in range(args.seeds if name != "persistence" else 1):
            model = make(seed).fit(X, y)
            predicted = rollout(model, future_history, args.steps)
            future.append(forecast_rmse(future_truth, predicted))
            domain.append(forecast_rmse(domain_truth, rollout(model, domain_history,
                                                              args.steps)))
            n_params = model.n_params_
            if seed == 0:
                examples[name] = predicted[0]
        rows.append(dict(variant=variant, model=name, free_params=n_params,
                         future_rmse=np.mean(future), future_std=np.std(future),
                         domain_rmse=np.mean(domain), domain_std=np.std(domain),
                         seeds_paper=PAPERS.get((variant, name), ""),
                         seconds=time.perf_counter() - t0))
        print(f"    {name}: future {rows[-1]['future_rmse']:.3f} +- {rows[-1]['future_std']:.3f}, "
              f"domain {rows[-1]['domain_rmse']:.3f} ({n_params:,} params, "
              f"{rows[-1]['seconds']:.0f}s)", flush=True)
    if plot_dir is not None:
        _plot_frames(future_truth[0], examples, os.path.join(plot_dir, f"plumes-{variant}.png"),
                     variant)
    return pd.DataFrame(rows)


def _plot_frames(truth: np.ndarray, predictions: dict, path: str, variant: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [0, len(truth) // 2, len(truth) - 1]
    rows = {"truth": truth, **predictions}
    fig, axes = plt.subplots(len(rows), len(steps), figsize=(1.8 * len(steps), 1.7 * len(rows)))
    vmax = float(np.hypot(*truth[:, :2].transpose(1, 0, 2, 3)).max())
    for r, (name, field) in enumerate(rows.items()):
        for c, t in enumerate(steps):
            ax = axes[r, c]
            ax.imshow(np.hypot(field[t, 0], field[t, 1]), vmin=0, vmax=vmax, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"step {t + 1}", fontsize=8)
            if c == 0:
                ax.set_ylabel(name, fontsize=6, rotation=0, ha="right", va="center")
    fig.suptitle(f"{variant}: |velocity|, future test, first simulation", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 simulations, 1 seed, few epochs")
    parser.add_argument("--full", action="store_true",
                        help="64x64, the papers' simulation counts, 250 frames (for a GPU)")
    parser.add_argument("--variants", default="rotation,translation,symmetric")
    parser.add_argument("--simulations", type=int, default=12)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--history", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=5, help="frames predicted per step")
    parser.add_argument("--kernel-radius", type=int, default=2, help="GM-CNN kernel radius")
    parser.add_argument("--steps", type=int, default=20, help="rollout steps scored")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--width", type=int, default=32, help="CNN channels per layer")
    parser.add_argument("--latent", type=int, default=8, help="latent channels (latent method)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--cache-dir", default=str(default_basis_cache_dir()),
                        help="where simulations are cached (npz files)")
    parser.add_argument("--out", default="plume-tables", help="folder for CSV and PNG files")
    args = parser.parse_args(argv)
    if args.quick:
        args.simulations, args.frames, args.seeds, args.epochs = 8, 60, 1, 5
        args.steps = 10
    set_basis_cache_dir(args.cache_dir)
    os.makedirs(args.out, exist_ok=True)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    tables = []
    for variant in args.variants.split(","):
        if args.full:
            args.simulations, args.size, args.frames = FULL_COUNTS[variant], 64, 250
        print(f"# {variant}: {args.size}x{args.size}, {args.simulations} simulations x "
              f"{args.frames} frames, {args.seeds} seed(s), {args.epochs} epochs, {device} "
              f"({args.threads} thread(s))", flush=True)
        start = time.perf_counter()
        table = run_variant(variant, args, args.out)
        print(f"\n## {variant} ({(time.perf_counter() - start) / 60:.1f} min)\n")
        print(table.drop(columns=["variant"]).to_markdown(index=False, floatfmt=".3f"))
        print()
        tables.append(table)
    pd.concat(tables).to_csv(os.path.join(args.out, "plumes.csv"), index=False)


if __name__ == "__main__":
    main()
