"""Forward+backward time of group-matrix layers, side by side with the alternatives.

Compares, for C4 and D4 regular -> regular layers on a square grid:

* ``conv2d``: ``torch.nn.Conv2d`` with the same expanded channel counts (the floor:
  what any group convolution must at least compute);
* ``skequi exact``: :class:`skequi.nn.GroupMatrixConv2d`, relaxation_rank=0;
* ``skequi r=1,2,4``: the low displacement rank relaxation;
* ``conv2d, r=k channels``: a conv2d with the relaxed layer's output channels
  (``(fields + r) |H|``), i.e. the relaxed layer's convolution alone, so that
  the rest of its cost (modulation, spread, their backward) can be read off;
* ``dense GM``: the layer as one dense group matrix, where it fits in memory;
* ``e2cnn R2Conv``: on regular fields of the same group, when e2cnn is installed.

Also times one training step (forward, backward, Adam) of the paper-faithful
models at the paper's settings (batch 64, 28x28, 2 x 120 channels, Cayley
radius 3, shared mixing), C28xC28 (a circular conv2d) and D14xD14 (moved
copies of the input and one GEMM) side by side in alternating rounds, and
prints their parameter counts. torch's intra-op thread count is fixed
(``--threads``, default 2) and printed. The last line is
``ratio_vs_conv2d=<x.xx>`` for the C4 exact layer.

Usage::

    python benchmarks/bench_gm_layers.py            # 28x28, 16 fields, batch 256
    python benchmarks/bench_gm_layers.py --quick    # small sizes, CPU, < 1 minute
    python benchmarks/bench_gm_layers.py --device cuda
    python benchmarks/bench_gm_layers.py --quick --compile   # and under torch.compile
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import torch
from torch.utils import benchmark

from skequi.models import PaperGMCNN
from skequi.nn import GroupMatrixConv2d, layer_matrix


def _time(fn, x, min_run_time: float) -> float:
    """Median seconds of forward + backward (w.r.t. input and parameters)."""

    def step():
        x.grad = None
        fn(x).square().mean().backward()

    step()  # warm-up: first-call allocations, cuDNN autotuning
    timer = benchmark.Timer(stmt="step()", globals={"step": step})
    return timer.blocked_autorange(min_run_time=min_run_time).median


def _e2cnn_layer(group: str, fields: int):
    """(forward fn, module), or None with the reason printed when e2cnn cannot run here."""
    try:
        from e2cnn import gspaces
        from e2cnn import nn as enn

        space = gspaces.Rot2dOnR2(N=4) if group == "C4" else gspaces.FlipRot2dOnR2(N=4)
        ftype = enn.FieldType(space, fields * [space.regular_repr])
        conv = enn.R2Conv(ftype, ftype, kernel_size=3, padding=1, bias=False)
    except Exception as exc:  # not installed, or broken against this numpy/torch
        print(f"e2cnn R2Conv ({group}) not measured: {type(exc).__name__}: {exc}")
        return None
    return lambda x: conv(enn.GeometricTensor(x, ftype)).tensor, conv


class _Compiled(torch.nn.Module):
    """``torch.compile(module)`` that still counts the module's parameters."""

    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = module
        self.compiled = torch.compile(module)

    def forward(self, x):
        return self.compiled(x)

    def parameters(self, recurse: bool = True):
        return self.module.parameters(recurse)


def run(batch: int, size: int, fields: int, device: str, min_run_time: float,
        rounds: int, compiled: bool = False) -> pd.DataFrame:
    """One row per group and layer; ``compiled``: conv2d, exact and relaxed under torch.compile."""
    rows = []
    for group in ("C4", "D4"):
        order = 4 if group == "C4" else 8
        channels = fields * order
        x = torch.randn(batch, channels, size, size, device=device, requires_grad=True)
        candidates = {}
        conv = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False).to(device)
        candidates["conv2d (floor)"] = conv
        exact = GroupMatrixConv2d(fields, fields, group, bias=False).to(device)
        candidates["skequi exact"] = exact
        for r in (1, 2, 4):
            candidates[f"skequi r={r}"] = GroupMatrixConv2d(
                fields, fields, group, relaxation_rank=r, grid_size=size, bias=False
            ).to(device)
        for r in (1, 2, 4):  # the relaxed layers' one conv2d alone: what is not convolution
            candidates[f"conv2d, r={r} channels"] = torch.nn.Conv2d(
                channels, (fields + r) * order, 3, padding=1, bias=False).to(device)
        n = channels * size * size
        if compiled:  # the same modules, compiled; no dense or e2cnn rows
            candidates = {name: _Compiled(module) for name, module in candidates.items()}
        elif n * n * 4 <= 2 * 1024**3:
            dense = torch.tensor(
                layer_matrix(exact.cpu(), (channels, size, size)), dtype=torch.float32,
                device=device, requires_grad=True,
            )
            exact.to(device)
            candidates["dense GM"] = lambda t, m=dense: (t.flatten(1) @ m.T)
        e2 = None if compiled else _e2cnn_layer(group, fields)
        if e2 is not None:
            fn, module = e2
            module.to(device).train()
            candidates["e2cnn R2Conv"] = fn
        # interleaved rounds; each ratio is taken within a round (the candidates timed
        # seconds apart) and the median over rounds is reported, so load that drifts
        # across the run moves the milliseconds but not the ratios
        for fn in candidates.values():
            _time(fn, x, min_run_time)  # warm the thread pool and the allocator
        times = {name: [] for name in candidates}
        for _ in range(rounds):
            for name, fn in candidates.items():
                times[name].append(_time(fn, x, min_run_time))
        per_round = {name: np.asarray(t) for name, t in times.items()}
        for name, fn in candidates.items():
            params = (sum(p.numel() for p in fn.parameters())
                      if isinstance(fn, torch.nn.Module) else None)
            t = per_round[name]
            rows.append(dict(group=group, layer=name, ms=1000 * np.median(t),
                             ratio_vs_conv2d=np.median(t / per_round["conv2d (floor)"]),
                             ratio_vs_exact=np.median(t / per_round["skequi exact"]),
                             params=params))
    return pd.DataFrame(rows)


def paper_model_steps(device: str, rounds: int, batch: int = 64) -> pd.DataFrame:
    """Median ms of one training step of each paper-faithful model, alternating rounds."""
    import statistics
    import time

    x = torch.randn(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    nets = {g: PaperGMCNN(g, channels=(120, 120), kernel_radius=3,
                          channel_mixing="shared").to(device) for g in ("C28xC28", "D14xD14")}
    optimizers = {g: torch.optim.Adam(net.parameters()) for g, net in nets.items()}

    def step(group):
        optimizers[group].zero_grad()
        torch.nn.functional.cross_entropy(nets[group](x), y).backward()
        optimizers[group].step()
        if device == "cuda":
            torch.cuda.synchronize()

    times = {g: [] for g in nets}
    for group in nets:
        step(group)  # warm-up
    for _ in range(rounds):
        for group in nets:
            start = time.perf_counter()
            for _ in range(3):
                step(group)
            times[group].append((time.perf_counter() - start) / 3)
    base = statistics.median(times["C28xC28"])
    return pd.DataFrame([{"group": g, "step_ms": 1000 * statistics.median(t),
                          "ratio_vs_C28xC28": statistics.median(t) / base,
                          "params": sum(p.numel() for p in nets[g].parameters())}
                         for g, t in times.items()])


def paper_parameter_counts() -> pd.DataFrame:
    rows = []
    for group in ("C28xC28", "D14xD14"):
        for mixing in ("shared", "full"):
            net = PaperGMCNN(group, channels=(120, 120), kernel_radius=3, channel_mixing=mixing)
            rows.append(dict(group=group, channel_mixing=mixing, blocks="2 x 120",
                             kernel_radius=3, params=sum(p.numel() for p in net.parameters())))
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes on CPU, < 1 minute")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--fields", type=int, default=16, help="regular fields per layer")
    parser.add_argument("--min-run-time", type=float, default=0.5,
                        help="seconds of timing per candidate and round")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds; ratios are medians of per-round ratios")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--compile", action="store_true",
                        help="also time conv2d, exact and relaxed layers under torch.compile")
    args = parser.parse_args(argv)
    if args.quick:
        args.device, args.batch, args.size, args.fields = "cpu", 16, 8, 4
        args.min_run_time, args.rounds = 0.1, 9
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    where = (torch.cuda.get_device_name() if args.device == "cuda"
             else f"{torch.get_num_threads()} CPU threads")
    print(f"# GM layer forward+backward, device={args.device} ({where}), "
          f"batch={args.batch}, {args.size}x{args.size}, {args.fields} regular fields\n")
    table = run(args.batch, args.size, args.fields, args.device, args.min_run_time, args.rounds)
    print(table.to_markdown(index=False, floatfmt=".2f"))
    if args.compile:
        print("\n# the same layers under torch.compile (ratios against the compiled conv2d "
              "and the compiled exact layer)\n")
        print(run(args.batch, args.size, args.fields, args.device, args.min_run_time,
                  args.rounds, compiled=True).to_markdown(index=False, floatfmt=".2f"))
    print("\n# paper-faithful models: one training step at batch 64, 28x28, 2 x 120 channels, "
          "radius 3, shared mixing\n")
    print(paper_model_steps(args.device, rounds=3 if args.quick else 5).to_markdown(
        index=False, floatfmt=".2f"))
    print("\n# paper-faithful models at the paper's settings (paper: 5.9k - 49k parameters)\n")
    print(paper_parameter_counts().to_markdown(index=False))
    c4 = table[(table.group == "C4") & (table.layer == "skequi exact")].ratio_vs_conv2d.iloc[0]
    print(f"\nratio_vs_conv2d={c4:.2f}")


if __name__ == "__main__":
    main()
