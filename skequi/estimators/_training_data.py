"""The data path of every skequi fit: tensors made once, batches drawn by index.

skorch's default path wraps numpy arrays in a ``Dataset`` and lets a
``DataLoader`` collate one row at a time, every batch, every epoch. For the
small models swept here that per-batch work is most of a step. Here X, y (and
the sample weights) become tensors once per fit; when they fit comfortably on
the compute device they are moved there once (*resident*), and every batch is
one ``index_select`` on the device with indices from a seeded permutation.

Rule for ``data_on_device="auto"``: resident when the prepared tensors take
at most a quarter of the device's free memory (CUDA: ``torch.cuda.mem_get_info``;
CPU: the memory the OS reports available), else they stay in host memory and
each batch is copied over (pinned, non-blocking). ``data_on_device=False``
uses skorch's own ``DataLoader`` over the same dataset and the same sampler,
so both paths see the same batches in the same order and train the same model.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from skorch.dataset import Dataset
from torch.utils.data import DataLoader, Sampler

__all__ = ["Batch", "EpochPermutation", "IndexedBatches", "TrainingData", "fits_on_device"]

#: Fraction of free device memory the resident tensors may take.
RESIDENT_FRACTION = 0.25


def _free_bytes(device: torch.device) -> int | None:
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # not a POSIX system: assume it fits
        return None


def fits_on_device(n_bytes: int, device) -> bool:
    """Whether ``n_bytes`` of training data may live on ``device`` (the rule above)."""
    free = _free_bytes(torch.device(device))
    return free is None or n_bytes <= RESIDENT_FRACTION * free


class Batch(tuple):
    """A ``(X, y)`` batch that may carry per-sample weights as ``.sample_weight``.

    It unpacks as skorch expects (``X, y = batch``), so callbacks keep working;
    the weights travel beside it.
    """

    sample_weight = None

    @classmethod
    def of(cls, X, y, sample_weight=None) -> "Batch":
        batch = cls((X, y))
        batch.sample_weight = sample_weight
        return batch


class TrainingData(Dataset):
    """X, y and optional sample weights as tensors on one storage device.

    A :class:`skorch.dataset.Dataset`, so skorch's ``ValidSplit`` and scoring
    callbacks see ``.X`` and ``.y`` as usual; :meth:`take` gathers a whole
    batch at once.
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor | None, sample_weight=None):
        super().__init__(X, y)
        self.sample_weight = sample_weight

    @classmethod
    def from_arrays(cls, X: np.ndarray, y, sample_weight, *, device, resident: bool):
        """Tensors made once; on ``device`` when ``resident``, else in (pinned) host memory."""
        target = torch.device(device) if resident else torch.device("cpu")
        pin = not resident and torch.device(device).type == "cuda"

        def tensor(a):
            if a is None:
                return None
            t = torch.as_tensor(np.ascontiguousarray(a))
            t = t.pin_memory() if pin else t
            return t.to(target, non_blocking=True)

        return cls(tensor(X), tensor(y), tensor(sample_weight))

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (self.X, self.y, self.sample_weight)
                   if t is not None)

    def __getitem__(self, i):
        y = self.y[i] if self.y is not None else torch.zeros(())
        if self.sample_weight is None:
            return self.X[i], y
        return self.X[i], y, self.sample_weight[i]

    def take(self, indices: torch.Tensor, device) -> Batch:
        """The rows ``indices`` as one batch on ``device``."""
        indices = indices.to(self.X.device, non_blocking=True)

        def rows(t):
            if t is None:
                return None
            return t.index_select(0, indices).to(device, non_blocking=True)

        y = rows(self.y)
        return Batch.of(rows(self.X), y if y is not None else torch.zeros(len(indices)),
                        rows(self.sample_weight))


def collate_batch(items) -> Batch:
    """DataLoader ``collate_fn``: rows of (x, y[, w]) into a :class:`Batch`."""
    columns = list(zip(*items))
    X, y = torch.stack(columns[0]), torch.stack(columns[1])
    weight = torch.stack(columns[2]) if len(columns) > 2 else None
    return Batch.of(X, y, weight)


class EpochPermutation(Sampler):
    """One seeded permutation of ``range(n)`` per epoch (or ``range(n)`` unshuffled).

    The same sampler drives the resident batches and skorch's ``DataLoader``,
    so both paths visit the data in the same order.
    """

    def __init__(self, n: int, generator: torch.Generator | None, shuffle: bool = True):
        self.n, self.generator, self.shuffle = n, generator, shuffle

    def __len__(self) -> int:
        return self.n

    def permutation(self) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(self.n)
        return torch.randperm(self.n, generator=self.generator)

    def __iter__(self):
        return iter(self.permutation().tolist())


def _subset_indices(dataset):
    """``(TrainingData, indices or None)`` for a TrainingData or a Subset of one."""
    if isinstance(dataset, TrainingData):
        return dataset, None
    inner = getattr(dataset, "dataset", None)
    if isinstance(inner, TrainingData):
        return inner, torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
    return None, None


class IndexedBatches:
    """Batches of a :class:`TrainingData` (or a subset of one) drawn by index.

    Iterating gives one epoch: the sampler's permutation cut into batches of
    ``batch_size`` (the last one may be smaller), each gathered in one
    operation and placed on ``device``.
    """

    def __init__(self, dataset, *, batch_size: int, device, sampler: EpochPermutation):
        data, indices = _subset_indices(dataset)
        if data is None:
            raise TypeError(f"IndexedBatches needs a TrainingData, got {type(dataset).__name__}")
        self.data, self.indices = data, indices
        self.batch_size, self.device, self.sampler = batch_size, device, sampler

    def __len__(self) -> int:
        return -(-len(self.sampler) // self.batch_size)

    def __iter__(self):
        order = self.sampler.permutation()
        if self.indices is not None:
            order = self.indices[order]
        for start in range(0, len(order), self.batch_size):
            yield self.data.take(order[start:start + self.batch_size], self.device)


def make_iterator(dataset, *, training: bool, batch_size: int, device,
                  generator: torch.Generator | None, loader_kwargs: dict, use_loader: bool):
    """The iterator skorch's loop runs over: indexed batches, or skorch's ``DataLoader``.

    Parameters
    ----------
    dataset : TrainingData, a Subset of one, or any dataset
    training : bool
        Training batches are shuffled (unless ``loader_kwargs`` says
        ``shuffle=False``); evaluation batches keep the data's order.
    use_loader : bool
        Use ``DataLoader`` (with ``loader_kwargs``) even for a TrainingData.
    """
    shuffle = bool(loader_kwargs.pop("shuffle", training))
    data, indices = _subset_indices(dataset)
    n = len(dataset)
    sampler = EpochPermutation(n, generator, shuffle)
    if data is not None and not use_loader:
        return IndexedBatches(dataset, batch_size=batch_size, device=device, sampler=sampler)
    if data is not None:
        loader_kwargs.setdefault("collate_fn", collate_batch)
    if "sampler" not in loader_kwargs and "batch_sampler" not in loader_kwargs:
        loader_kwargs["sampler"] = sampler
    return DataLoader(dataset, batch_size=batch_size, **loader_kwargs)
