"""``precision="float32" | "bf16" | "float64"``: the dtypes of one estimator's work.

* ``"float32"``: weights, data and arithmetic in float32 (the default);
* ``"bf16"``: float32 master weights and data, forward passes under
  ``torch.autocast(dtype=torch.bfloat16)`` on CUDA and CPU; outputs are cast
  back to float32 before the loss;
* ``"float64"``: weights and data in float64, for equivariance at 1e-12.

The module is converted to the precision's dtype after it is built, so the
estimators work whatever torch's default dtype is.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

__all__ = ["PRECISIONS", "autocast", "numpy_dtype", "torch_dtype"]

PRECISIONS = ("float32", "bf16", "float64")


def torch_dtype(precision: str) -> torch.dtype:
    """dtype of the weights and of the data fed to the module."""
    return torch.float64 if precision == "float64" else torch.float32


def numpy_dtype(precision: str):
    return np.float64 if precision == "float64" else np.float32


def autocast(precision: str, device) -> contextlib.AbstractContextManager:
    """bf16 autocast on ``device`` for ``precision="bf16"``, else a no-op."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16)
