"""EMLP vs MLP vs MLP+augmentation on the EMLP paper's tasks, beside the paper's numbers.

Five tables:

1. test MSE (mean over seeds) per dataset and training-set size, with the
   paper's N=1000 numbers (Finzi et al. 2021, Fig. 5/Table) beside ours;
   ModifiedInertia adds relaxed EMLP (relaxation_rank > 0) against exact EMLP
   and MLP (the residual pathway prior paper's claim);
2. model build time (basis solving), cold and with cached bases;
3. time per training step at batch 500: EMLP vs a plain MLP of equal width,
   timed in alternating rounds (the ratio is the median of the rounds' ratios,
   with their range), with the ratio of their floating-point operations
   (forward + backward, torch's flop counter) and the rate each runs at, so a
   gap in time can be told apart from a gap in work;
4. where an EMLP step goes: forward + backward of all its equivariant linear,
   bilinear and gate layers, each timed alone on the activations it sees in
   the model, beside the MLP's linear layers timed the same way;
5. the matrix products alone: every mm/addmm/bmm call of one EMLP and one MLP
   training step (forward + backward, recorded by a torch dispatch mode), each
   timed alone on fresh operands of its shapes and summed: a floor under
   what the step could cost with everything else free, so ``floor_ratio``
   (EMLP over MLP, alternating rounds as in 3) bounds what better glue code
   can reach for this formulation.

Setup follows the paper's code (Adam, batch 500, 384 channels, 3 layers,
epochs = min(900000 / N, 1000), 1000 validation and 5000 test samples, and
the epoch with the best validation MSE kept, as the reference trainer's
``early_stop_metric='val_MSE'`` does) unless reduced with ``--epoch-scale``
(CPU runs) or ``--quick``. Every model uses the paper's lr 3e-3
(``--emlp-lr`` changes it for the EMLP models).

Usage::

    python benchmarks/bench_emlp.py --quick --device cpu  # < 1 minute
    python benchmarks/bench_emlp.py --timing-only         # build and step tables only
    python benchmarks/bench_emlp.py --timing-only --compile   # steps under torch.compile
    python benchmarks/bench_emlp.py --no-timing --sizes 1000  # the test-MSE table only
    python benchmarks/bench_emlp.py --sizes 1000 --seeds 1 --epoch-scale 0.2
    python benchmarks/bench_emlp.py --device cuda --sizes 100,1000,10000

Controls, each written as a column of the table: ``--emlp-lr``, ``--emlp-dense-linear``
(the authors' dense projected linear layers), ``--emlp-init authors`` (their start) and
``--max-hom-dim 4096`` (their hidden allocation for O(1,3)) change the EMLP models;
``--mlp-init authors`` starts the MLP baselines as their objax MLP starts;
``--pool-stats 36000`` (their standardisation statistics) and ``--raw`` (no standardisation,
as their Inertia) change every model.
``--authors-draw`` trains and tests ParticleInteraction on the authors' own samples (the
seeds then vary the start only). ``--first-seed`` adds seeds to a run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch

from skorch.callbacks import Callback

from skequi import EMLPRegressor
from skequi.datasets import (
    make_inertia,
    make_modified_inertia,
    make_o5_synthetic,
    make_particle_interaction,
)
from skequi.groups import as_matrix_group
from skequi.models import EMLP, MLP
from skequi.reps import _allocation, _basis, parse_rep

TASKS = {  # name: (maker, group, rep_in, rep_out, paper's N=1000 test MSE)
    "O5Synthetic": (make_o5_synthetic, "O(5)", "2V", "S",
                    {"MLP": 0.089, "MLP+Aug": 0.063, "EMLP": 0.017}),
    "Inertia": (make_inertia, "O(3)", "5S+5V", "V**2",
                {"MLP": 3.24, "MLP+Aug": 0.130, "EMLP": 0.136}),
    "ParticleInteraction": (make_particle_interaction, "O(1,3)", "4V", "S",
                            {"MLP": 0.364, "MLP+Aug": 0.0125, "EMLP": 3.3e-4}),
    "ModifiedInertia": (make_modified_inertia, "O(3)", "5S+5V", "V**2",
                        {"MLP": 4.79, "EMLP": 1.185}),
}

#: The EMLP authors' published test MSE per training-set size (mean of their 3 trials;
#: experiments/notebooks/synthetic_results_all.csv in mfinzi/equivariant-MLP; EMLP with
#: O(5), O(3) and O(1,3)), for the data-efficiency comparison.
AUTHORS_PER_N = {
    "O5Synthetic": {
        "EMLP": {30: 0.1519, 100: 0.04081, 300: 0.03442, 1000: 0.01701, 3000: 0.03103,
                 10000: 0.01295, 30000: 0.02726},
        "MLP": {30: 28.1, 100: 2.831, 300: 0.2482, 1000: 0.08924, 3000: 0.06234,
                10000: 0.06159, 30000: 0.06224},
        "MLP+Aug": {30: 0.4758, 100: 0.3973, 300: 0.09362, 1000: 0.06334, 3000: 0.08891,
                    10000: 0.07016, 30000: 0.0672}},
    "Inertia": {
        "EMLP": {30: 4.106, 100: 1.439, 300: 0.3035, 1000: 0.136, 3000: 0.02815,
                 10000: 0.018, 30000: 0.0141},
        "MLP": {30: 13.43, 100: 7.908, 300: 4.935, 1000: 3.236, 3000: 0.8397, 10000: 0.1537,
                30000: 0.1117},
        "MLP+Aug": {30: 4.643, 100: 1.785, 300: 0.4636, 1000: 0.1301, 3000: 0.1118,
                    10000: 0.1118, 30000: 0.1064}},
    "ParticleInteraction": {
        "EMLP": {30: 0.54, 100: 0.008878, 300: 0.001949, 1000: 0.0003298, 3000: 0.0002656,
                 10000: 0.0002644, 30000: 0.0001577},
        "MLP": {30: 0.7333, 100: 0.733, 300: 0.6974, 1000: 0.364, 3000: 0.05037,
                10000: 0.01664, 30000: 0.01199},
        "MLP+Aug": {30: 0.6274, 100: 0.1902, 300: 0.03966, 1000: 0.01252, 3000: 0.01083,
                    10000: 0.01342, 30000: 0.01176}},
}

MODELS = {
    "EMLP": dict(architecture="emlp", lr=3e-3),
    "MLP": dict(architecture="mlp", lr=3e-3),
    "MLP+Aug": dict(architecture="mlp", augment=True, lr=3e-3),
    "RPP-EMLP r=4": dict(architecture="emlp", relaxation_rank=4, relaxation_penalty=1e-4,
                         lr=3e-3),
}


class _DenseProjection(torch.nn.Module):
    """A block's basis coefficients as the projection of a dense weight: with orthonormal basis
    rows, ``coefficients = dense @ basis.T`` is the orthogonal projection onto the equivariant
    maps, and ``right_inverse`` starts the dense weight at the equivariant one."""

    def __init__(self, basis: torch.Tensor):
        super().__init__()
        self.register_buffer("basis", basis)

    def forward(self, dense: torch.Tensor) -> torch.Tensor:
        return dense @ self.basis.T

    def right_inverse(self, coefficients: torch.Tensor) -> torch.Tensor:
        return coefficients @ self.basis


class DenseLinearEMLPRegressor(EMLPRegressor):
    """EMLPRegressor whose equivariant linear layers train a dense weight, projected onto the
    equivariant maps in every forward pass, as the EMLP authors' ``Linear`` does (our layers
    train the basis coefficients). Same model and initial weights; only what Adam steps
    differs: every dense entry by about lr, which moves a unit basis element's coefficient by
    up to lr times its L1 norm (1.7 for O(3)'s V -> V, about 4 for V**2 -> V**2)."""

    def _build_module(self):
        return dense_linear(super()._build_module())


def linear_form(module: torch.nn.Module) -> str:
    """How ``module``'s equivariant linear layers are trained, read off the module: "dense,
    projected" (:func:`dense_linear`) or "coefficients" (skequi's own)."""
    from torch.nn.utils import parametrize

    dense = any(parametrize.is_parametrized(m) for m in module.modules())
    return "dense, projected" if dense else "coefficients"


def dense_linear(module: torch.nn.Module) -> torch.nn.Module:
    """``module`` with every equivariant linear layer's non-scalar blocks trained as dense
    weights projected onto the equivariant maps (in place; the weights stay as they were)."""
    from torch.nn.utils import parametrize

    from skequi.nn import EquivariantLinear

    for layer in [m for m in module.modules() if isinstance(m, EquivariantLinear)]:
        for blk in layer._blocks:
            if not blk.is_scalar:  # a scalar block's basis is [[1]]: nothing changes
                parametrize.register_parametrization(
                    layer, f"w_{blk.name}", _DenseProjection(getattr(layer, f"basis_{blk.name}")))
    return module


def equivariant_projection(layer, dense: torch.Tensor) -> dict[str, torch.Tensor]:
    """The coefficients (by parameter name) of the orthogonal projection of a dense
    ``(size_out, size_in)`` matrix onto ``layer``'s equivariant maps: each block's entries
    against its orthonormal basis rows (a scalar block's basis is [[1]])."""
    flat = dense.reshape(-1)
    coefficients = {}
    for blk in layer._blocks:
        entries = flat[torch.from_numpy(layer._block_positions(blk))].reshape(
            blk.m_o, blk.m_i, blk.d_o * blk.d_i)
        coefficients[f"w_{blk.name}"] = (entries[..., 0] if blk.is_scalar
                                         else entries @ getattr(layer, f"basis_{blk.name}").T)
    return coefficients


@torch.no_grad()
def authors_init(module: torch.nn.Module) -> torch.nn.Module:
    """``module`` (in place) started as the EMLP authors' objax model starts: every equivariant
    linear layer at the projection onto the equivariant maps of a random orthogonal
    (size_out, size_in) matrix, its bias at the projection of uniform(0, 1) / sqrt(size_out),
    and every bilinear layer at ``0.1 W(x) x`` with unit normal weights (skequi's layers start
    variance-preserving, with zero bias, and divide the bilinear product by its fan-in). A plain
    ``torch.nn.Linear`` (the MLP baselines') starts as objax's ``Linear`` does by default:
    Xavier-normal weights and zero bias (torch's: uniform weights of std 1/sqrt(3 fan_in) and a
    uniform bias)."""
    from skequi.nn import EquivariantBilinear, EquivariantLinear

    for layer in module.modules():
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_normal_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        elif isinstance(layer, EquivariantLinear):
            dense = torch.nn.init.orthogonal_(torch.empty(layer.size_out, layer.size_in))
            for name, coefficients in equivariant_projection(layer, dense).items():
                getattr(layer, name).copy_(coefficients)
            if layer._has_bias:  # orthonormal rows: the coefficients of the projection
                layer.bias_coef.copy_(layer.bias_basis
                                      @ (torch.rand(layer.size_out) / layer.size_out ** 0.5))
        elif isinstance(layer, EquivariantBilinear):
            for name, gain in layer.named_buffers():
                if name.startswith("gain_"):
                    gain.fill_(0.1)
    module.init_form = "the authors'"
    return module


def init_form(module: torch.nn.Module) -> str:
    """How ``module`` was started, read off the module: "the authors'" (:func:`authors_init`) or
    "skequi's"."""
    return getattr(module, "init_form", "skequi's")


class AuthorsInitEMLPRegressor(EMLPRegressor):
    """EMLPRegressor started as the authors' model starts (:func:`authors_init`)."""

    def _build_module(self):
        return authors_init(super()._build_module())


class AuthorsEMLPRegressor(DenseLinearEMLPRegressor, AuthorsInitEMLPRegressor):
    """The authors' start and their dense projected linear layers together."""


class KeepBestOnValidation(Callback):
    """Score a held-out set after every epoch; restore the best epoch's weights at the end."""

    def __init__(self, X_val, y_val):
        self.X_val, self.y_val = X_val, y_val

    def on_train_begin(self, net, **kwargs):
        self.best_, self.state_ = np.inf, None

    def on_epoch_end(self, net, **kwargs):
        mse = float(np.mean((net.predict(self.X_val) - self.y_val) ** 2))
        net.history.record("val_mse", mse)
        if mse < self.best_:
            self.best_ = mse
            self.state_ = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}

    def on_train_end(self, net, **kwargs):
        if self.state_ is not None:
            net.module_.load_state_dict(self.state_)


class PoolStandardization:
    """Standardise inputs and targets with the statistics of a large draw ``X, y``, as the EMLP
    authors' trainer does: their ``split_dataset`` subsets forward ``stats`` to the whole
    dataset (train + validation + test, 36,000 samples in the data-efficiency study), so
    every training-set size is standardised with near-population statistics. skequi's
    ``standardize=True`` takes them from the training set. The per-copy forms are skequi's
    (scalars centred and scaled, other copies divided by their RMS norm), which for these tasks
    are the authors' ``stats``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, group: str, rep_in: str, rep_out: str):
        from skequi.estimators._emlp import _standardizer

        dim = as_matrix_group(group).dim
        self.x_shift, self.x_scale = map(np.asarray, _standardizer(X, parse_rep(rep_in), dim))
        self.y_shift, self.y_scale = map(np.asarray, _standardizer(
            y.reshape(len(y), -1), parse_rep(rep_out), dim))

    def x(self, X: np.ndarray) -> np.ndarray:
        return (X - self.x_shift) / self.x_scale

    def y(self, y: np.ndarray) -> np.ndarray:
        return ((y.reshape(len(y), -1) - self.y_shift) / self.y_scale).reshape(y.shape)

    def y_back(self, y: np.ndarray) -> np.ndarray:
        return (y.reshape(len(y), -1) * self.y_scale + self.y_shift).reshape(y.shape)

    @classmethod
    def drawn(cls, make, group: str, rep_in: str, rep_out: str,
              n_pool: int) -> PoolStandardization:
        """The statistics of a fresh ``n_pool``-sample draw of ``make``'s task."""
        return cls(*make(n_pool, random_state=99_999), group, rep_in, rep_out)


#: the EMLP authors' data-efficiency draw: one dataset of 36,000 samples under numpy seed 2021
#: (train_regression.py's FixedNumpySeed), split by oil's split_dataset
AUTHORS_POOL, AUTHORS_SEED = 36_000, 2021


def authors_draw(n_train: int, n_val: int = 1000, n_test: int = 5000
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """ParticleInteraction's samples exactly as the EMLP authors' data-efficiency study draws
    them: ``np.random.seed(2021)``, ``randn(36000, 16) / 4`` and the matrix element, then oil's
    ``split_dataset`` with ``{'train': n_train, 'test': n_test, 'val': n_val}``, which takes
    the splits largest first (ties in that order), each as the test part of sklearn's
    ``train_test_split`` of the indices left, on numpy's global random state. Every trial of a
    training-set size therefore sees the same samples; only the start differs.

    Returns the whole draw ``X, y`` (the authors standardise with its statistics) and the
    indices of each split by name.
    """
    from sklearn.model_selection import train_test_split

    from skequi.datasets._physics import _particle_interaction_target

    rng = np.random.RandomState(AUTHORS_SEED)  # the global state np.random.seed(2021) sets
    X = rng.randn(AUTHORS_POOL, 16) / 4
    indices, splits = np.arange(AUTHORS_POOL), {}
    sizes = {"train": n_train, "test": n_test, "val": n_val}
    for name, count in sorted(sizes.items(), key=lambda item: item[1], reverse=True):
        if count == len(indices):  # oil takes what is left as it is (N = 30000)
            indices, splits[name] = indices[:0], indices
        else:
            indices, splits[name] = train_test_split(indices, test_size=count,
                                                     random_state=rng)
    return X, _particle_interaction_target(X), splits


#: (dense projected linear layers, the authors' start) -> the estimator
EMLP_ESTIMATORS = {(False, False): EMLPRegressor, (True, False): DenseLinearEMLPRegressor,
                   (False, True): AuthorsInitEMLPRegressor, (True, True): AuthorsEMLPRegressor}


def _mse_table(args) -> pd.DataFrame:
    rows = []
    for task, (make, group, rep_in, rep_out, paper) in TASKS.items():
        if task not in args.tasks:
            continue
        models = ["EMLP", "MLP", "RPP-EMLP r=4" if task == "ModifiedInertia" else "MLP+Aug"]
        models = [m for m in models if args.models is None or m in args.models.split(",")]
        our_test = make(args.n_test, random_state=10_000)
        pool = (PoolStandardization.drawn(make, group, rep_in, rep_out, args.pool_stats)
                if args.pool_stats and not args.authors_draw else None)
        for n in args.sizes:
            # ParticleInteraction is scored on both test sets: ours and the authors' own
            tests = {"our_test_mse": our_test}
            if task == "ParticleInteraction":
                X_all, y_all, split = authors_draw(n, args.n_val, args.n_test)
                tests["authors_test_mse"] = X_all[split["test"]], y_all[split["test"]]
                if args.authors_draw and args.pool_stats:
                    pool = PoolStandardization(X_all, y_all, group, rep_in, rep_out)
            scored_on = "authors_test_mse" if args.authors_draw else "our_test_mse"
            epochs = max(1, int(min(900_000 / n, 1000) * args.epoch_scale))
            for model in models:
                params = dict(MODELS[model])
                emlp = params["architecture"] == "emlp"
                if emlp and args.emlp_lr is not None:
                    params["lr"] = args.emlp_lr
                start_as_authors = (args.emlp_init if emlp else args.mlp_init) == "authors"
                estimator = EMLP_ESTIMATORS[emlp and args.emlp_dense_linear, start_as_authors]
                scores, start = {name: [] for name in ("train_mse", *tests)}, time.perf_counter()
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    if args.authors_draw:  # the same samples for every seed
                        rows_used = np.concatenate([split["train"], split["val"]])
                        X_raw, y_raw = X_all[rows_used], y_all[rows_used]
                    else:
                        X_raw, y_raw = make(n + args.n_val, random_state=seed)
                    X, y = (X_raw, y_raw) if pool is None else (pool.x(X_raw), pool.y(y_raw))
                    keep_best = KeepBestOnValidation(X[n:], y[n:])
                    reg = estimator(group, rep_in, rep_out, hidden=args.hidden,
                                    max_epochs=epochs, batch_size=500,
                                    device=args.device, random_state=seed,
                                    standardize=pool is None and not args.raw,
                                    callbacks=[keep_best], **params).fit(X[:n], y[:n])
                    # in raw units; on the training set as the authors' Train_MSE
                    for name, (X_set, y_set) in {"train_mse": (X_raw[:n], y_raw[:n]),
                                                 **tests}.items():
                        scores[name].append(_raw_mse(reg, pool, X_set, y_set))
                published = AUTHORS_PER_N.get(task, {}).get(model, {}).get(n)
                if published is None and n == 1000:
                    published = paper.get(model)
                rows.append(dict(task=task, N=n, model=model, epochs=epochs, lr=params["lr"],
                                 linear=linear_form(reg.module_) if emlp else None,
                                 stats=(f"pool of {args.pool_stats}" if pool
                                        else "none" if args.raw else "train"),
                                 draw=("the authors' (seed 2021)" if args.authors_draw
                                       else "one per seed"),
                                 hidden_rep=str(reg.module_.hidden_rep) if emlp else None,
                                 max_hom_dim=_allocation.MAX_HOM_DIM if emlp else None,
                                 init=(init_form(reg.module_)
                                       if emlp or start_as_authors else None),
                                 train_mse=np.mean(scores["train_mse"]),
                                 test_mse=np.mean(scores[scored_on]),
                                 std=np.std(scores[scored_on]),
                                 paper_mse=published,
                                 ratio=(np.mean(scores[scored_on]) / published
                                        if published else None),
                                 **{"authors_test_mse": None,
                                    **{name: np.mean(scores[name]) for name in tests}},
                                 seconds=time.perf_counter() - start))
                print(f"  {task} N={n} {model}: {rows[-1]['test_mse']:.4g}", flush=True)
    return pd.DataFrame(rows)


def _raw_mse(reg, pool: PoolStandardization | None, X: np.ndarray, y: np.ndarray) -> float:
    """``reg``'s MSE on raw-unit ``X, y``; ``pool``: the statistics it was trained in (None:
    it standardises itself)."""
    prediction = reg.predict(X) if pool is None else pool.y_back(reg.predict(pool.x(X)))
    return float(np.mean((prediction - y) ** 2))


def _build_table(hidden: int) -> pd.DataFrame:
    rows = []
    for task, (_, group, rep_in, rep_out, _) in TASKS.items():
        if task == "ModifiedInertia":
            continue
        _basis._solve.cache_clear()
        _basis._hom_basis.cache_clear()
        start = time.perf_counter()
        EMLP(rep_in, rep_out, group, hidden=hidden)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        EMLP(rep_in, rep_out, group, hidden=hidden)
        rows.append(dict(model=f"EMLP-{group} {rep_in}->{rep_out}", cold_build_s=cold,
                         cached_build_s=time.perf_counter() - start))
    return pd.DataFrame(rows)


def _step_flops(net, x) -> float:
    """Floating-point operations of one forward + backward pass (torch's flop counter)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        net(x).square().mean().backward()
    net.zero_grad()
    return counter.get_total_flops()


def _timing_tasks(device: str):
    """The paper's three models with a batch of 500 inputs: (task, group, reps, sizes, x)."""
    for task, (_, group, rep_in, rep_out, _) in TASKS.items():
        if task == "ModifiedInertia":
            continue
        d = as_matrix_group(group).dim
        n_in, n_out = parse_rep(rep_in).size(d), parse_rep(rep_out).size(d)
        yield task, group, rep_in, rep_out, n_in, n_out, torch.randn(500, n_in, device=device)


def _step_table(hidden: int, device: str, compile: bool = False,
                rounds: int = 5) -> pd.DataFrame:
    """EMLP and MLP step times, measured in alternating rounds.

    This machine's speed drifts by tens of percent within minutes, so each
    round times EMLP and then the MLP back to back; the ratio is the median of
    the rounds' ratios, with their range beside it.
    """
    from torch.utils import benchmark

    rows = []
    for task, group, rep_in, rep_out, n_in, n_out, x in _timing_tasks(device):
        steps, flops = {}, {}
        for name, net in (("EMLP", EMLP(rep_in, rep_out, group, hidden=hidden)),
                          ("MLP", MLP(n_in, n_out, hidden=hidden))):
            net = net.to(device)
            opt = torch.optim.Adam(net.parameters(), lr=1e-3)
            flops[name] = _step_flops(net, x)
            run = torch.compile(net) if compile else net

            def step(run=run, opt=opt):
                opt.zero_grad()
                run(x).square().mean().backward()
                opt.step()

            start = time.perf_counter()
            step()
            if compile:
                print(f"{task} {name}: first compiled step {time.perf_counter() - start:.1f} s")
            steps[name] = step
        times = {name: [] for name in steps}
        for _ in range(rounds):
            for name, step in steps.items():
                timer = benchmark.Timer("step()", globals={"step": step},
                                        num_threads=torch.get_num_threads())
                times[name].append(timer.blocked_autorange(min_run_time=0.3).median)
        ratios = np.array(times["EMLP"]) / np.array(times["MLP"])
        emlp, mlp = np.median(times["EMLP"]), np.median(times["MLP"])
        rows.append(dict(task=task, emlp_ms=1000 * emlp, mlp_ms=1000 * mlp,
                         ratio=np.median(ratios),
                         ratio_range=f"{ratios.min():.2f}-{ratios.max():.2f}",
                         flop_ratio=flops["EMLP"] / flops["MLP"],
                         emlp_gflops=flops["EMLP"] / emlp / 1e9,
                         mlp_gflops=flops["MLP"] / mlp / 1e9))
    return pd.DataFrame(rows)


def _time_layers(layers, x) -> tuple[float, torch.Tensor]:
    """Summed forward + backward seconds of ``layers`` (each on the activations it sees),
    and the last layer's output."""
    from torch.utils import benchmark

    total = 0.0
    for layer in layers:
        inp = x.detach().requires_grad_()
        out = layer(inp)
        grad = torch.randn_like(out)

        def fwd_bwd(layer=layer, inp=inp, grad=grad):
            inp.grad = None
            layer(inp).backward(grad)

        timer = benchmark.Timer("f()", globals={"f": fwd_bwd},
                                num_threads=torch.get_num_threads())
        total += timer.blocked_autorange(min_run_time=0.3).median
        x = out.detach()
    return total, x


def _breakdown_table(hidden: int, device: str) -> pd.DataFrame:
    rows = []
    for task, group, rep_in, rep_out, n_in, n_out, x in _timing_tasks(device):
        emlp = EMLP(rep_in, rep_out, group, hidden=hidden).to(device)
        linear = bilinear = gate = 0.0
        h = x
        for block in emlp.blocks:
            seconds, lin = _time_layers([block.linear], h)
            linear += seconds
            bilinear += _time_layers([block.bilinear], lin)[0]
            gate += _time_layers([block.nonlinearity], lin)[0]
            h = block(h).detach()
        linear += _time_layers([emlp.head], h)[0]
        mlp = MLP(n_in, n_out, hidden=hidden).to(device)
        mlp_linear = _time_layers([m for m in mlp.net if isinstance(m, torch.nn.Linear)], x)[0]
        rows.append(dict(task=task, emlp_linear_ms=1000 * linear,
                         emlp_bilinear_ms=1000 * bilinear, emlp_gate_ms=1000 * gate,
                         mlp_linear_ms=1000 * mlp_linear))
    return pd.DataFrame(rows)


def _matrix_products(net, x) -> dict:
    """The mm/addmm/bmm calls of one training step (forward + backward):
    (product, operand shapes) -> number of calls."""
    from torch.utils._python_dispatch import TorchDispatchMode

    aten = torch.ops.aten
    products = {aten.mm.default: torch.mm, aten.bmm.default: torch.bmm,
                aten.addmm.default: torch.addmm}
    calls = {}

    class RecordProducts(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func in products:
                key = (products[func], tuple(tuple(a.shape) for a in args[:3]))
                calls[key] = calls.get(key, 0) + 1
            return func(*args, **(kwargs or {}))

    with RecordProducts():
        net(x).square().mean().backward()
    net.zero_grad()
    return calls


def _time_products(calls: dict, device) -> tuple[float, float]:
    """Seconds of ``calls``, each product timed alone on fresh operands of its shapes;
    (all products, of which bmm)."""
    from torch.utils import benchmark

    total = bmm = 0.0
    for (product, shapes), count in calls.items():
        operands = [torch.randn(shape, device=device) for shape in shapes]
        timer = benchmark.Timer("f(*a)", globals={"f": product, "a": operands},
                                num_threads=torch.get_num_threads())
        seconds = count * timer.blocked_autorange(min_run_time=0.05).median
        total += seconds
        bmm += seconds if product is torch.bmm else 0.0
    return total, bmm


def _floor_table(hidden: int, device: str, rounds: int = 5) -> pd.DataFrame:
    """What the matrix products alone cost, EMLP and MLP timed in alternating rounds."""
    rows = []
    for task, group, rep_in, rep_out, n_in, n_out, x in _timing_tasks(device):
        emlp = _matrix_products(EMLP(rep_in, rep_out, group, hidden=hidden).to(device), x)
        mlp = _matrix_products(MLP(n_in, n_out, hidden=hidden).to(device), x)
        times = [(_time_products(emlp, device), _time_products(mlp, device)[0])
                 for _ in range(rounds)]
        ratios = np.array([e[0] / m for e, m in times])
        rows.append(dict(task=task,
                         emlp_products_ms=1000 * np.median([e[0] for e, _ in times]),
                         emlp_bmm_ms=1000 * np.median([e[1] for e, _ in times]),
                         emlp_calls=sum(emlp.values()),
                         mlp_products_ms=1000 * np.median([m for _, m in times]),
                         mlp_calls=sum(mlp.values()), floor_ratio=np.median(ratios),
                         floor_range=f"{ratios.min():.2f}-{ratios.max():.2f}"))
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds run are first-seed, first-seed + 1, ... (to add seeds)")
    parser.add_argument("--epoch-scale", type=float, default=1.0,
                        help="multiply the paper's epoch count (CPU runs use < 1)")
    parser.add_argument("--hidden", type=int, default=384)
    parser.add_argument("--n-test", type=int, default=5000)
    parser.add_argument("--n-val", type=int, default=1000)
    parser.add_argument("--emlp-lr", type=float, default=None,
                        help="learning rate of the EMLP models (default: 3e-3)")
    parser.add_argument("--emlp-dense-linear", action="store_true",
                        help="train the EMLP's linear layers as dense weights projected onto "
                             "the equivariant maps, as the authors' code (a control)")
    parser.add_argument("--emlp-init", choices=("skequi", "authors"), default="skequi",
                        help="start the EMLP models as skequi does or as the authors' code "
                             "does (orthogonal projected weights, uniform bias, bilinear 0.1 "
                             "W(x) x without a fan-in factor; a control)")
    parser.add_argument("--mlp-init", choices=("skequi", "authors"), default="skequi",
                        help="start the MLP baselines with torch's Linear defaults or as the "
                             "authors' objax MLP does (Xavier-normal weights, zero bias; the "
                             "recipe of REPRODUCTION.md's baseline cells)")
    parser.add_argument("--pool-stats", type=int, default=None, metavar="N_POOL",
                        help="standardise with the statistics of an N_POOL-sample draw, as the "
                             "authors' trainer does (36000), not the training set's (a control)")
    parser.add_argument("--raw", action="store_true",
                        help="train on raw inputs and targets, not standardised: the authors' "
                             "Inertia sets its stats to (0, 1, 0, 1) (a control)")
    parser.add_argument("--authors-draw", action="store_true",
                        help="ParticleInteraction only: train, validate and test on the "
                             "authors' own samples (numpy seed 2021, 36,000 drawn, oil's "
                             "split), the same for every seed; with --pool-stats (36000), "
                             "standardise with that draw's statistics (a control)")
    parser.add_argument("--max-hom-dim", type=int, default=None,
                        help="raise the cap on hidden tensor ranks (skequi.reps.uniform_rep: "
                             "d^(2 r) <= this, default 1024); 4096 gives O(1,3)'s 384 channels "
                             "the rank-3 tensor the authors' allocation has (a control)")
    parser.add_argument("--models", default=None,
                        help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating EMLP/MLP timing rounds per task in the step table")
    parser.add_argument("--compile", action="store_true",
                        help="time the training steps of torch.compile'd EMLP and MLP")
    parser.add_argument("--timing-only", action="store_true",
                        help="skip the training runs; print the build and step tables only")
    parser.add_argument("--no-timing", action="store_true",
                        help="print the test-MSE table only (no build, step and matrix tables)")
    parser.add_argument("--csv", default=None, help="also write the test-MSE table here")
    args = parser.parse_args(argv)
    if args.timing_only and args.no_timing:
        parser.error("--timing-only and --no-timing leave nothing to run; choose one")
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.tasks = args.tasks.split(",")
    if args.authors_draw and args.tasks != ["ParticleInteraction"]:
        parser.error("--authors-draw reproduces the authors' ParticleInteraction samples only; "
                     "add --tasks ParticleInteraction")
    if args.authors_draw and args.pool_stats not in (None, AUTHORS_POOL):
        parser.error(f"with --authors-draw the pool is the authors' whole draw: --pool-stats "
                     f"{AUTHORS_POOL} or none")
    if args.raw and args.pool_stats:
        parser.error("--raw trains unstandardised; --pool-stats standardises: choose one")
    if args.quick:
        args.sizes, args.seeds, args.epoch_scale = [200], 1, 0.005
        args.hidden, args.n_test, args.n_val = 64, 500, 200
    if args.max_hom_dim is not None:
        _allocation.MAX_HOM_DIM = args.max_hom_dim
    torch.manual_seed(0)
    device = torch.device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else \
        f"CPU, {torch.get_num_threads()} threads"
    print(f"# EMLP benchmark on {where}; hidden={args.hidden}, seeds={args.seeds}, "
          f"epoch scale {args.epoch_scale}, best of {args.n_val} validation\n")
    if not args.timing_only:
        start = time.perf_counter()
        mse = _mse_table(args)
        if args.csv:
            mse.assign(seeds=args.seeds, first_seed=args.first_seed, device=args.device,
                       wall_min=(time.perf_counter() - start) / 60).to_csv(args.csv, index=False)
        print("\n## test MSE (paper: the authors' published mean per N, synthetic_results_all.csv;"
              " ModifiedInertia from the RPP paper; ratio = ours / theirs)\n")
        print(mse.to_markdown(index=False, floatfmt=".4g"))
    if args.no_timing:
        return
    print("\n## model build time (basis solving)\n")
    print(_build_table(args.hidden).to_markdown(index=False, floatfmt=".3f"))
    print("\n## training step at batch 500\n")
    steps = _step_table(args.hidden, args.device, args.compile, args.rounds)
    print(steps.to_markdown(index=False, floatfmt=".2f"))
    print("\n## where an EMLP step goes (forward + backward at batch 500, each layer alone)\n")
    print(_breakdown_table(args.hidden, args.device).to_markdown(index=False, floatfmt=".2f"))
    print("\n## matrix products alone (one step's mm/addmm/bmm calls, each timed alone)\n")
    print(_floor_table(args.hidden, args.device, args.rounds).to_markdown(index=False,
                                                                        floatfmt=".2f"))


if __name__ == "__main__":
    main()
