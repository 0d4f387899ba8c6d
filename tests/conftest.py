"""Shared fixtures: seeds, dtypes with their tolerances, and the group catalog."""

import contextlib
import importlib.util
import pathlib
import sys

import numpy as np
import pytest
import torch

#: Every finite group the foundation promises, as specs.
FINITE_GROUP_CATALOG = (
    "C1", "C2", "C3", "C4", "C6", "D1", "D2", "D3", "D4", "D6",
    "S1", "S3", "S4", "A4", "A5", "C2xC4", "D2xC3", "C2xC2xC3", "O",
)
#: The ten subgroups of D4, every group that acts on square pixel grids.
LATTICE_GROUPS = ("C1", "C2", "C4", "D1", "D1h", "D1d", "D1a", "D2", "D2d", "D4")

#: Relative tolerance for equivariance checks, per dtype.
EQUIVARIANCE_RTOL = {torch.float64: 1e-5, torch.float32: 1e-4}


@contextlib.contextmanager
def default_dtype(dtype):
    """Build torch modules under another default dtype, restoring the old one after."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


@pytest.fixture
def benchmark_script(monkeypatch):
    """Load ``benchmarks/<name>.py`` as a module (the scripts are not a package)."""
    def load(name: str):
        path = pathlib.Path(__file__).parents[1] / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)  # dataclasses look it up
        spec.loader.exec_module(module)
        return module
    return load


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


@pytest.fixture(autouse=True)
def _seed_torch():
    torch.manual_seed(0)
    yield
