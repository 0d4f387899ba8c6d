"""Smoke plumes simulated with PhiFlow, after Wang, Walters and Yu (ICML 2022).

The approximately symmetric dynamics benchmark of both seed papers. Wang et
al.'s generator (``data_gen.ipynb`` of Rose-STL-Lab/Approximately-Equivariant-Nets,
PhiFlow 2.0) is followed as closely as PhiFlow 3 allows; every setting, on a
``size x size`` box (theirs: 64) with lengths and forces scaled by ``size / 64``:

* smoke: a centred grid with zero-gradient boundaries, advected by MacCormack
  with ``dt = 1``; the inflow, a disc of radius 5, is added every step;
* velocity: a staggered grid with zero (no-through-flow) boundaries,
  semi-Lagrangian self-advection (``dt = 1``, translation set ``dt = 0.5``),
  plus the buoyancy ``smoke * force`` resampled to the faces, then made
  incompressible with a direct pressure solve (relative and absolute tolerance
  1e-5, in float64);
* ``variant="rotation"``: the inflow at the middle of one side (bottom, right,
  top, left in turn: 5 cells in from the wall) with the force pointing away
  from that side, of magnitude ``0.025 k`` for simulation ``k = 1, 2, ...``
  (theirs: 36 simulations, so each side sees its own magnitudes and the four
  directions are not exact rotations of each other);
* ``variant="translation"``: upward plumes from inflows at x in {8, 16, ..., 56}
  and y in {5, 10, ..., 25} (35 positions in order, cycled), with buoyancy
  0.1 on the left half of the box and 0.2 on the right;
* ``variant="symmetric"``: as rotation, but the four sides of each group of
  four simulations share one magnitude ``0.025 level``: the control where the
  dynamics are symmetric under quarter turns (up to the staggered grid).

The first step is dropped (as theirs); ``n_frames`` frames follow. Frames
are the staggered velocity sampled at the cell centres, ``(u, v)`` with ``u``
rightwards and ``v`` upwards and row 0 at the top (skequi's convention, see
:mod:`skequi.transforms`), so ``apply_group(frames, g, "C4", "vector")``
turns a simulation. Simulations run batched (one PhiFlow call per
``batch_size`` simulations) on numpy. With a cache folder set
(:func:`skequi.reps.set_basis_cache_dir` or ``SKEQUI_CACHE_DIR``) results are
stored there as ``.npz`` files (read without pickle), keyed by every argument.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["make_plumes"]

VARIANTS = ("rotation", "translation", "symmetric")
#: sides in the order Wang et al. cycle them, with the unit force pointing away
_SIDES = (("bottom", (0.5, 5 / 64), (0.0, 1.0)), ("right", (59 / 64, 0.5), (-1.0, 0.0)),
          ("top", (0.5, 59 / 64), (0.0, -1.0)), ("left", (5 / 64, 0.5), (1.0, 0.0)))
_TRANSLATION_INFLOWS = [(x, y) for x in range(8, 64, 8) for y in range(5, 30, 5)]
_FORMAT = 1  # part of the cache key: raise it when the simulation changes


def _phiflow():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from phi import flow
            from phiml import math as phimath
    except ImportError:
        raise ImportError(
            "make_plumes simulates with PhiFlow; install it with pip install "
            "\"skequi[dynamics]\" (or pip install phiflow)"
        ) from None
    return flow, phimath


def _settings(variant: str, n_simulations: int, size: int, rng) -> pd.DataFrame:
    scale = size / 64
    rows = []
    for k in range(1, n_simulations + 1):
        if variant == "translation":
            x, y = _TRANSLATION_INFLOWS[(k - 1) % len(_TRANSLATION_INFLOWS)]
            centre, side, force = (x * scale, y * scale), "bottom", (0.0, 1.0)
            magnitude = None
        else:
            side, (cx, cy), force = _SIDES[(k - 1) % 4]
            centre = (cx * size, cy * size)
            level = k if variant == "rotation" else (k - 1) // 4 + 1
            magnitude = 0.025 * level * scale
        if rng is not None:  # jitter along the wall, within one cell
            along = 0 if side in ("bottom", "top") else 1
            centre = list(centre)
            centre[along] += rng.uniform(-1.0, 1.0)
            centre = tuple(centre)
        rows.append(dict(
            simulation=k - 1, variant=variant, side=side, inflow_x=centre[0], inflow_y=centre[1],
            force_u=np.nan if magnitude is None else force[0] * magnitude,
            force_v=np.nan if magnitude is None else force[1] * magnitude))
    return pd.DataFrame(rows)


#: With ``verbose=None``, progress lines start once simulating has taken this long.
_QUIET_SECONDS = 5.0


class _Progress:
    """Lines on stderr while simulating: after 5 s (``verbose=None``), always, or never."""

    def __init__(self, verbose, total_steps: int, n_simulations: int) -> None:
        self.verbose, self.total, self.n = verbose, total_steps, n_simulations
        self.start, self.done, self.next_line = time.perf_counter(), 0, 0.0

    def step(self, first: int, last: int) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        fraction = self.done / self.total
        due = fraction >= self.next_line or self.done == self.total
        if self.verbose is False or not due or (self.verbose is None and elapsed < _QUIET_SECONDS):
            return
        self.next_line = fraction + 0.1
        left = elapsed / fraction * (1 - fraction)
        print(f"make_plumes: simulations {first + 1}-{last + 1} of {self.n}, {fraction:.0%} done, "
              f"{elapsed:.0f}s elapsed, about {left:.0f}s left", file=sys.stderr, flush=True)


def _simulate(settings: pd.DataFrame, variant: str, size: int, n_frames: int,
              progress: _Progress | None = None):
    """Run one batch of simulations; returns frames (n, T, 2, size, size) and max |div|."""
    flow, phimath = _phiflow()
    scale = size / 64
    with warnings.catch_warnings(), phimath.precision(64):
        warnings.simplefilter("ignore")  # scipy's sparse-format notes from the direct solve
        bounds = flow.Box(x=size, y=size)
        grid = dict(x=size, y=size, bounds=bounds)
        sims = flow.batch("sim")
        vector = flow.channel(vector="x,y")
        centres = flow.tensor(settings[["inflow_x", "inflow_y"]].to_numpy(), sims, vector)
        inflow = flow.CenteredGrid(flow.Sphere(center=centres, radius=5 * scale),
                                   flow.extrapolation.BOUNDARY, **grid)
        smoke = flow.CenteredGrid(0, flow.extrapolation.BOUNDARY, **grid)
        velocity = flow.StaggeredGrid(0, flow.extrapolation.ZERO, **grid)
        if variant == "translation":
            half = np.where(np.arange(size) < size // 2, 0.1, 0.2) * scale  # along x
            upward = np.stack([np.zeros((size, size)), np.tile(half, (size, 1)).T], axis=-1)
            force = flow.CenteredGrid(flow.tensor(upward, flow.spatial("x,y"), vector),
                                      flow.extrapolation.ZERO, **grid)
            dt_velocity = 0.5
        else:
            force = flow.tensor(settings[["force_u", "force_v"]].to_numpy(), sims, vector)
            dt_velocity = 1.0
        pressure = None
        frames, divergence = [], []
        for step in range(n_frames + 1):
            smoke = flow.advect.mac_cormack(smoke, velocity, dt=1) + inflow
            buoyancy = flow.resample(smoke * force, to=velocity)
            velocity = flow.advect.semi_lagrangian(velocity, velocity, dt=dt_velocity) + buoyancy
            velocity, pressure = flow.fluid.make_incompressible(
                velocity, (), flow.Solve("auto", 1e-5, 1e-5, x0=pressure))
            if progress is not None:
                progress.step(int(settings.simulation.iloc[0]), int(settings.simulation.iloc[-1]))
            if step == 0:
                continue  # dropped, as in Wang et al.
            centred = velocity.at_centers().values.numpy(["sim", "vector", "y", "x"])
            frames.append(centred[:, :, ::-1, :])  # y up -> row 0 on top
            div = flow.field.divergence(velocity).values.numpy(["sim", "y", "x"])
            divergence.append(np.abs(div).max(axis=(1, 2)))
    frames = np.ascontiguousarray(np.stack(frames, axis=1), dtype=np.float32)
    return frames, np.max(divergence, axis=0)


def _cache_path(key: dict) -> Path | None:
    from ..reps import usable_cache_dir

    folder = usable_cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return folder / "plumes" / f"plumes-{digest}.npz"


def _load_cached(path: Path, n: int, n_frames: int, size: int):
    try:
        with np.load(path, allow_pickle=False) as stored:
            frames, divergence = stored["frames"], stored["max_divergence"]
    except (ValueError, OSError, KeyError, EOFError) as error:
        warnings.warn(f"ignoring unreadable plume cache file {str(path)!r} ({error}); "
                      "simulating again", UserWarning, stacklevel=3)
        return None
    if frames.shape != (n, n_frames, 2, size, size) or frames.dtype != np.float32:
        warnings.warn(f"ignoring plume cache file {str(path)!r} of the wrong shape",
                      UserWarning, stacklevel=3)
        return None
    return frames, divergence


def _store(path: Path, frames, divergence) -> None:
    try:  # best effort: a cache that cannot be written is only a cache not kept
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, frames=frames, max_divergence=divergence)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)


def make_plumes(n_simulations: int = 8, *, variant: str = "rotation", size: int = 32,
                n_frames: int = 100, batch_size: int = 8, random_state=None,
                cache: bool = True, verbose: bool | None = None):
    """Smoke-plume velocity fields simulated with PhiFlow (Wang et al.'s benchmark).

    See the module docstring for every setting. Wang et al.'s sets: rotation
    36 simulations, translation 35, at ``size=64`` with 309 frames (their
    splits use frames 0-249).

    Parameters
    ----------
    n_simulations : int, default=8
    variant : {"rotation", "translation", "symmetric"}, default="rotation"
    size : int, default=32
        Grid cells per side (at least 16).
    n_frames : int, default=100
    batch_size : int, default=8
        Simulations run together in one PhiFlow call.
    random_state : int or None, default=None
        None: the published inflow positions; an int jitters each inflow
        along its wall by up to one cell (seeded).
    cache : bool, default=True
        Use skequi's cache folder when one is set.
    verbose : bool or None, default=None
        Progress lines on stderr (simulations, share done, time left): None
        prints them once a simulation has run for 5 s, True from the start,
        False never.

    Returns
    -------
    frames : ndarray of shape (n_simulations, n_frames, 2, size, size), float32
        Velocity ``(u, v)`` at cell centres, in skequi's vector convention.
    info : pandas.DataFrame
        One row per simulation: ``side``, ``inflow_x``, ``inflow_y`` (cells,
        PhiFlow's frame: x right, y up from the bottom wall), ``force_u``,
        ``force_v`` (NaN for translation, whose force depends on position),
        and ``max_divergence``, the largest ``|div u|`` of the staggered field
        over all frames (the pressure solve's residual).

    Raises
    ------
    ImportError
        If PhiFlow is not installed (the ``dynamics`` extra).

    Examples
    --------
    >>> from skequi.datasets import make_plumes
    >>> frames, info = make_plumes(2, size=16, n_frames=3, cache=False)
    >>> frames.shape, info.side.tolist()
    ((2, 3, 2, 16, 16), ['bottom', 'right'])
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    for name, value, low in (("n_simulations", n_simulations, 1), ("size", size, 16),
                             ("n_frames", n_frames, 1), ("batch_size", batch_size, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    rng = None if random_state is None else np.random.default_rng(random_state)
    info = _settings(variant, int(n_simulations), int(size), rng)
    key = dict(variant=variant, n=int(n_simulations), size=int(size), n_frames=int(n_frames),
               random_state=None if random_state is None else int(random_state), format=_FORMAT)
    path = _cache_path(key) if cache else None
    stored = _load_cached(path, int(n_simulations), int(n_frames), int(size)) \
        if path is not None and path.is_file() else None
    if stored is None:
        batches = range(0, len(info), batch_size)
        reporter = _Progress(verbose, len(batches) * (int(n_frames) + 1), len(info))
        parts = [_simulate(info.iloc[i:i + batch_size], variant, int(size), int(n_frames),
                           reporter) for i in batches]
        frames = np.concatenate([p[0] for p in parts])
        divergence = np.concatenate([p[1] for p in parts])
        if path is not None:
            _store(path, frames, divergence)
    else:
        frames, divergence = stored
    info["max_divergence"] = divergence
    return frames, info
