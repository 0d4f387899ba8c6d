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
  from that side, of magnitude ``0.01 k`` (``0.011 k`` from the top wall) for
  simulation ``k = 1, 2, ...`` (theirs: 36 simulations, so each side sees its
  own magnitudes and the four directions are not exact rotations of each
  other);
* ``variant="translation"``: upward plumes from inflows at x in {8, 16, ..., 56}
  and y in {5, 10, ..., 25} (35 positions in order, cycled), with buoyancy
  0.1 on the left half of the box and 0.2 on the right;
* ``variant="scale"``: simulation ``i`` is the bottom plume on a box
  ``f = 1 + 0.1 i`` times wider (``int(size f)`` cells; inflow, radius and
  buoyancy ``0.1`` scaled by ``f``, velocity ``dt = 0.5``), resampled
  bilinearly to ``size`` cells and divided by ``f`` (theirs: 38 factors,
  1.0 to 4.7): the same flow seen at different scales;
* ``variant="symmetric"``: as rotation, but the four sides of each group of
  four simulations share one magnitude ``0.01 level``: the control where the
  dynamics are symmetric under quarter turns (up to the staggered grid).

Wang et al.'s split of each set into training and held-out simulations is
:func:`plume_tasks`; their windows are :func:`skequi.dynamics.split_windows`.

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

__all__ = ["PLUME_SIMULATIONS", "make_plumes", "plume_tasks"]

VARIANTS = ("rotation", "translation", "scale", "symmetric")
#: sides in the order Wang et al. cycle them, with the force per unit of k pointing away
#: (their generator: 0.01 k on three sides, 0.011 k on the top one)
_SIDES = (("bottom", (0.5, 5 / 64), (0.0, 0.01)), ("right", (59 / 64, 0.5), (-0.01, 0.0)),
          ("top", (0.5, 59 / 64), (0.0, -0.011)), ("left", (5 / 64, 0.5), (0.01, 0.0)))
_TRANSLATION_INFLOWS = [(x, y) for x in range(8, 64, 8) for y in range(5, 30, 5)]
#: Simulations in Wang et al.'s sets, by variant (the symmetric control mirrors rotation)
PLUME_SIMULATIONS = {"rotation": 36, "translation": 35, "scale": 38, "symmetric": 36}
#: Wang et al.'s task split (run_model.py), in their names: rotation (k, side),
#: translation the inflow (x, y), scale the factor's index
_WANG_TASKS = {
    "rotation": dict(
        train=[(27, 2), (33, 0), (3, 2), (28, 3), (9, 0), (12, 3), (22, 1), (8, 3), (30, 1),
               (25, 0), (16, 3), (11, 2), (23, 2), (29, 0), (36, 3), (26, 1), (1, 0), (35, 2),
               (19, 2), (34, 1), (4, 3), (2, 1), (7, 2), (31, 2), (17, 0)],
        domain=[(6, 1), (14, 1), (15, 2), (10, 1), (18, 1), (20, 3), (24, 3), (13, 0), (21, 0),
                (5, 0)]),
    "translation": dict(
        train=[(48, 10), (56, 10), (8, 20), (40, 5), (56, 25), (48, 20), (48, 5), (16, 20),
               (56, 5), (32, 10), (56, 15), (16, 5), (40, 15), (40, 25), (48, 25), (48, 15),
               (24, 10), (56, 20), (32, 15), (16, 15), (8, 10), (24, 15), (8, 15), (32, 25),
               (8, 5)],
        domain=[(32, 20), (32, 5), (24, 20), (16, 25), (24, 5), (16, 10), (40, 20), (8, 25),
                (24, 25), (40, 10)]),
    "scale": dict(
        train=[27, 9, 7, 11, 4, 26, 35, 2, 29, 10, 34, 12, 37, 28, 18, 24, 8, 14, 1, 31, 25,
               0, 19, 15, 36, 3, 20, 13],
        domain=[5, 30, 16, 23, 33, 6, 17, 22, 21, 32]),
}
#: Wang et al.'s scale factors: simulation i runs on a box int(64 f) cells wide
_SCALE_FACTORS = np.linspace(1.0, 5.0, 41)
_FORMAT = 2  # part of the cache key: raise it when the simulation changes


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
        factor = 1.0
        if variant == "translation":
            x, y = _TRANSLATION_INFLOWS[(k - 1) % len(_TRANSLATION_INFLOWS)]
            centre, side, force = (x * scale, y * scale), "bottom", (0.0, 1.0)
            magnitude = None
        elif variant == "scale":
            factor = float(_SCALE_FACTORS[(k - 1) % len(_SCALE_FACTORS)])
            centre, side = (size / 2 * factor, 5 * scale * factor), "bottom"
            force, magnitude = (0.0, 1.0), 0.1 * scale * factor
        else:
            side, (cx, cy), force = _SIDES[(k - 1) % 4]
            centre = (cx * size, cy * size)
            if variant == "rotation":
                magnitude = k * scale
            else:  # symmetric: each group of four shares the magnitude of the first side
                force = tuple(0.01 * np.sign(f) for f in force)
                magnitude = ((k - 1) // 4 + 1) * scale
        if rng is not None:  # jitter along the wall, within one cell
            along = 0 if side in ("bottom", "top") else 1
            centre = list(centre)
            centre[along] += rng.uniform(-1.0, 1.0)
            centre = tuple(centre)
        rows.append(dict(
            simulation=k - 1, variant=variant, side=side, inflow_x=centre[0], inflow_y=centre[1],
            force_u=np.nan if magnitude is None else force[0] * magnitude,
            force_v=np.nan if magnitude is None else force[1] * magnitude,
            scale_factor=factor))
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
    """Run one batch of simulations; returns frames (n, T, 2, size, size) and max |div|.

    A batch shares one box: ``int(size * f)`` cells wide for the scale factor
    ``f`` of its simulations (1 but for ``variant="scale"``), brought back to
    ``size`` cells afterwards.
    """
    flow, phimath = _phiflow()
    scale = size / 64
    factor = float(settings.scale_factor.iloc[0])
    cells = int(size * factor)
    with warnings.catch_warnings(), phimath.precision(64):
        warnings.simplefilter("ignore")  # scipy's sparse-format notes from the direct solve
        bounds = flow.Box(x=cells, y=cells)
        grid = dict(x=cells, y=cells, bounds=bounds)
        sims = flow.batch("sim")
        vector = flow.channel(vector="x,y")
        centres = flow.tensor(settings[["inflow_x", "inflow_y"]].to_numpy(), sims, vector)
        inflow = flow.CenteredGrid(flow.Sphere(center=centres, radius=5 * scale * factor),
                                   flow.extrapolation.BOUNDARY, **grid)
        smoke = flow.CenteredGrid(0, flow.extrapolation.BOUNDARY, **grid)
        velocity = flow.StaggeredGrid(0, flow.extrapolation.ZERO, **grid)
        if variant == "translation":
            half = np.where(np.arange(cells) < cells // 2, 0.1, 0.2) * scale  # along x
            upward = np.stack([np.zeros((cells, cells)), np.tile(half, (cells, 1)).T], axis=-1)
            force = flow.CenteredGrid(flow.tensor(upward, flow.spatial("x,y"), vector),
                                      flow.extrapolation.ZERO, **grid)
        else:
            force = flow.tensor(settings[["force_u", "force_v"]].to_numpy(), sims, vector)
        dt_velocity = 1.0 if variant in ("rotation", "symmetric") else 0.5
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
    frames = np.stack(frames, axis=1)
    if cells != size:
        frames = _downsample(frames, size) / factor
    return np.ascontiguousarray(frames, dtype=np.float32), np.max(divergence, axis=0)


def _simulate_in_parallel(batches: list, variant: str, size: int, n_frames: int, n_jobs: int,
                          progress: _Progress) -> list:
    """The batches in joblib worker processes, in order; progress per finished batch."""
    from joblib import Parallel, delayed

    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_simulate)(batch, variant, size, n_frames) for batch in batches)
    parts = []
    for batch, part in zip(batches, jobs):
        parts.append(part)
        progress.step(int(batch.simulation.iloc[0]), int(batch.simulation.iloc[-1]))
    return parts


def _downsample(frames: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resampling of (n, T, 2, c, c) cell-centred fields onto ``size`` cells
    (Wang et al.'s scale set: interpolation without smoothing, centres aligned)."""
    import torch

    n, t, _, cells, _ = frames.shape
    stacked = torch.from_numpy(np.ascontiguousarray(frames)).reshape(n * t, 2, cells, cells)
    out = torch.nn.functional.interpolate(stacked, size=(size, size), mode="bilinear",
                                          align_corners=False)
    return out.reshape(n, t, 2, size, size).numpy()


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


def plume_tasks(variant: str = "rotation") -> dict:
    """Wang et al.'s split of a plume set into training and held-out simulations.

    Their held-out ("domain") tasks are interleaved with the training ones:
    unseen force magnitudes (rotation), inflow positions (translation) or
    scale factors (scale) inside the range seen in training. The symmetric
    control uses the rotation split.

    Parameters
    ----------
    variant : {"rotation", "translation", "scale", "symmetric"}, default="rotation"

    Returns
    -------
    dict
        ``"train"`` and ``"domain"``: lists of simulation indices of
        :func:`make_plumes` with ``n_simulations=PLUME_SIMULATIONS[variant]``
        (25 and 10; 28 and 10 for scale), in Wang et al.'s order.

    Examples
    --------
    >>> from skequi.datasets import plume_tasks
    >>> tasks = plume_tasks("rotation")
    >>> len(tasks["train"]), len(tasks["domain"]), tasks["domain"][:3]
    (25, 10, [5, 13, 14])
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    named = _WANG_TASKS["rotation" if variant == "symmetric" else variant]
    if variant == "translation":
        index = {(x, y): i for i, (x, y) in enumerate(_TRANSLATION_INFLOWS)}
        return {part: [index[task] for task in tasks] for part, tasks in named.items()}
    if variant == "scale":
        return {part: list(tasks) for part, tasks in named.items()}
    return {part: [k - 1 for k, _ in tasks] for part, tasks in named.items()}


def make_plumes(n_simulations: int = 8, *, variant: str = "rotation", size: int = 32,
                n_frames: int = 100, batch_size: int = 8, random_state=None,
                cache: bool = True, verbose: bool | None = None, n_jobs: int | None = None):
    """Smoke-plume velocity fields simulated with PhiFlow (Wang et al.'s benchmark).

    See the module docstring for every setting. Wang et al.'s sets
    (:data:`PLUME_SIMULATIONS`): rotation 36 simulations, translation 35,
    scale 38, at ``size=64`` with 309 frames; their splits read frames 2-280,
    so ``n_frames=282`` (281 would do) reproduces them.

    Parameters
    ----------
    n_simulations : int, default=8
    variant : {"rotation", "translation", "scale", "symmetric"}, default="rotation"
    size : int, default=32
        Grid cells per side (at least 16).
    n_frames : int, default=100
    batch_size : int, default=8
        Simulations run together in one PhiFlow call (scale: one each, as
        every factor has a box of its own).
    random_state : int or None, default=None
        None: the published inflow positions; an int jitters each inflow
        along its wall by up to one cell (seeded).
    cache : bool, default=True
        Use skequi's cache folder when one is set.
    verbose : bool or None, default=None
        Progress lines on stderr (simulations, share done, time left): None
        prints them once a simulation has run for 5 s, True from the start,
        False never.
    n_jobs : int or None, default=None
        Batches simulated in parallel processes (joblib; None or 1: in this
        process, -1: one per core). PhiFlow runs on one core, so the scale
        set, one box per simulation, gains the most. With several jobs,
        progress is reported per finished batch.

    Returns
    -------
    frames : ndarray of shape (n_simulations, n_frames, 2, size, size), float32
        Velocity ``(u, v)`` at cell centres, in skequi's vector convention.
    info : pandas.DataFrame
        One row per simulation: ``side``, ``inflow_x``, ``inflow_y`` (cells of
        the simulated box, PhiFlow's frame: x right, y up from the bottom
        wall), ``force_u``, ``force_v`` (NaN for translation, whose force
        depends on position), ``scale_factor`` (the box is ``int(size f)``
        cells wide; 1 but for scale) and ``max_divergence``, the largest
        ``|div u|`` of the staggered field over all frames (the pressure
        solve's residual).

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
    if n_jobs is not None and (not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0
                               or isinstance(n_jobs, bool)):
        raise ValueError(f"n_jobs must be None or a nonzero int (-1: every core), got {n_jobs!r}")
    rng = None if random_state is None else np.random.default_rng(random_state)
    info = _settings(variant, int(n_simulations), int(size), rng)
    key = dict(variant=variant, n=int(n_simulations), size=int(size), n_frames=int(n_frames),
               random_state=None if random_state is None else int(random_state), format=_FORMAT)
    path = _cache_path(key) if cache else None
    stored = _load_cached(path, int(n_simulations), int(n_frames), int(size)) \
        if path is not None and path.is_file() else None
    if stored is None:
        step = 1 if variant == "scale" else batch_size  # a box of its own for each factor
        batches = [info.iloc[i:i + step] for i in range(0, len(info), step)]
        if n_jobs in (None, 1):
            reporter = _Progress(verbose, len(batches) * (int(n_frames) + 1), len(info))
            parts = [_simulate(batch, variant, int(size), int(n_frames), reporter)
                     for batch in batches]
        else:
            parts = _simulate_in_parallel(batches, variant, int(size), int(n_frames), n_jobs,
                                          _Progress(verbose, len(batches), len(info)))
        frames = np.concatenate([p[0] for p in parts])
        divergence = np.concatenate([p[1] for p in parts])
        if path is not None:
            _store(path, frames, divergence)
    else:
        frames, divergence = stored
    info["max_divergence"] = divergence
    return frames, info
