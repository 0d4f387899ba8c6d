"""skequi's training loop inside skorch's: data path, steps, losses, failure safety.

:class:`TrainingLoopMixin` overrides the skorch hooks a fit goes through:

* ``fit``/``partial_fit`` build a :class:`~._training_data.TrainingData` once
  (resident on the device when it fits) and run skorch's loop over indexed
  batches; a call that raises restores every attribute, and for in-place
  training (``partial_fit``, ``warm_start``) the weights, optimizer state,
  history and callbacks as well;
* ``get_split_datasets`` / ``get_iterator`` keep ``train_split``, early
  stopping and user iterators working on that data;
* ``infer`` / ``train_step_single`` / ``get_loss`` apply ``precision``, a
  subclass's batch augmentation and per-sample weights;
* ``on_batch_end`` stops training with a ValueError when the loss stops
  being finite.
"""

from __future__ import annotations

import copy
import math
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples
from skorch.dataset import ValidSplit, unpack_data
from torch.utils.data import DataLoader

from ._checks import prepare_sample_weight, to_numpy
from ._precision import autocast, numpy_dtype, torch_dtype
from ._randomness import FitRandomness, derive_seed
from ._threads import auto_thread_count, torch_threads
from ._training_data import TrainingData, fits_on_device, make_iterator

__all__ = ["TrainingLoopMixin"]


class TrainingLoopMixin:
    """The fit machinery of :class:`~._base.EquivariantNetMixin` (see the module docstring)."""

    _stratify_split = False

    def get_dataset(self, X, y=None):
        if isinstance(X, TrainingData):
            return X
        return super().get_dataset(X, y)

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        labels = getattr(dataset, "labels", y)
        split = self.train_split
        if split is None and self.early_stopping:
            split = ValidSplit(0.1, stratified=self._stratify_split, random_state=0)
        if not split:
            return dataset, None
        return split(dataset, labels, **fit_params)

    def get_iterator(self, dataset, training=False):
        name = "iterator_train" if training else "iterator_valid"
        iterator, kwargs = getattr(self, name), self.get_params_for(name)
        batch_size = kwargs.pop("batch_size", self.batch_size)
        batch_size = len(dataset) if batch_size == -1 else batch_size
        if iterator is not DataLoader:  # the user's own iterator, as in skorch
            return iterator(dataset, batch_size=batch_size, **kwargs)
        use_loader = self.data_on_device is False or bool(set(kwargs) - {"shuffle"})
        generator = getattr(self, "_shuffle_generator", None) if training else None
        return make_iterator(dataset, training=training, batch_size=batch_size,
                             device=self.device, generator=generator, loader_kwargs=kwargs,
                             use_loader=use_loader)

    def infer(self, x, **fit_params):
        dtype = torch_dtype(self.precision)
        x = torch.as_tensor(x, device=self.device)
        x = x.to(dtype) if x.is_floating_point() else x
        with autocast(self.precision, self.device):
            out = self.module_(x, **fit_params)
        return out.float() if self.precision == "bf16" else out

    def _set_training(self, training=True):
        # skorch sets the mode before every batch, and Module.train walks the whole tree
        # (about 60 us for a 3-block GMCNN); skequi only ever switches whole modules, so
        # the top-level flags say whether anything needs to change
        modules = [getattr(self, name + "_", None) for name in self._modules + self._criteria]
        if any(isinstance(m, torch.nn.Module) and m.training != training for m in modules):
            super()._set_training(training)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi, yi = self._transform_training_batch(Xi, yi)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True,
                             sample_weight=getattr(batch, "sample_weight", None))
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False,
                                 sample_weight=getattr(batch, "sample_weight", None))
        return {"loss": loss, "y_pred": y_pred}

    def _transform_training_batch(self, Xi, yi):
        """Subclass hook: augment a training batch (on its device)."""
        return Xi, yi

    def _on_fit_device(self, name: str, tensors: tuple) -> tuple:
        """``tensors`` (kept on the CPU between fits) on the device, copied once per training call.

        The copies are dropped when the call ends, so that between fits the
        estimator holds no device memory beyond its module and optimizer.
        """
        copies = getattr(self, "_fit_device_copies", None)
        if copies is None:  # a training step called outside fit
            return tuple(t.to(self.device) for t in tensors)
        if name not in copies:
            copies[name] = tuple(t.to(self.device) for t in tensors)
        return copies[name]

    def get_loss(self, y_pred, y_true, X=None, training=False, sample_weight=None):
        """The task loss, weighted per sample when ``sample_weight`` is given."""
        if sample_weight is None:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        return self._weighted(lambda: super(TrainingLoopMixin, self).get_loss(
            y_pred, y_true, X=X, training=training), sample_weight)

    def _weighted(self, per_sample_loss, sample_weight):
        """Evaluate ``per_sample_loss()`` with ``reduction='none'`` and weight its rows."""
        criterion = self.criterion_
        if not hasattr(criterion, "reduction"):
            raise TypeError(
                f"sample_weight needs a criterion with a 'reduction' attribute; "
                f"{type(criterion).__name__} has none"
            )
        before, criterion.reduction = criterion.reduction, "none"
        try:
            losses = per_sample_loss()
        finally:
            criterion.reduction = before
        losses = losses.reshape(len(sample_weight), -1).mean(1)
        return (losses * sample_weight.to(losses.dtype)).mean()

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        super().on_batch_end(net, batch=batch, training=training, **kwargs)
        key = "train_loss" if training else "valid_loss"
        loss = self.history[-1, "batches", -1, key]
        if not math.isfinite(loss):
            epoch = len(self.history)
            raise ValueError(
                f"{type(self).__name__}: the {key.replace('_', ' ')} became {loss} in epoch "
                f"{epoch}; training stopped and the estimator was left as it was. Try a smaller "
                f"lr (now {self.lr}) or standardised targets"
            )

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Validate X and y, build the module from them and train (skorch's loop).

        A call that raises leaves the estimator exactly as it was.

        Parameters
        ----------
        X : array-like
            Inputs (see the estimator's docstring for accepted shapes).
        y : array-like
            Targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample's loss (all loss terms).
            Weights are normalised to mean 1; zero-weight samples are dropped.
        **fit_params
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        with self._unchanged_on_failure(in_place=False):
            X, y, weights = self._kept_samples(X, y, sample_weight)
            X, y = self._prepare_Xy(X, y, reset=True)
            self._check_size()
            self._train(X, y, weights, initialize=True, **fit_params)
        self._record_fitted_params()
        return self

    def _record_fitted_params(self) -> None:
        """The parameters this model was fitted with, for ``save`` to check against."""
        from ._persistence import fitted_json_params

        self.__dict__["_json_params_at_fit"] = fitted_json_params(self)

    def _kept_samples(self, X, y, sample_weight):
        """Drop zero-weight samples before anything is computed from the data.

        Returns X, y and the normalised weights of the kept samples (None when
        all are equal).
        """
        if sample_weight is None:
            return X, y, None
        weights, keep = prepare_sample_weight(sample_weight, _num_samples(X),
                                              type(self).__name__)
        if keep is not None:
            rows = np.flatnonzero(keep)
            X = _safe_indexing(to_numpy(X), rows)
            y = None if y is None else _safe_indexing(to_numpy(y), rows)
        return X, y, weights

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Continue training on (X, y) without re-initialising (``fit`` if not fitted yet).

        Returns
        -------
        self
        """
        if not hasattr(self, "fit_meta_"):
            return self.fit(X, y, sample_weight=sample_weight, **fit_params)
        with self._unchanged_on_failure(in_place=True):
            self._restore_fit_meta(self.fit_meta_)  # validates: lr=-1 set after fit is refused
            X, y, weights = self._kept_samples(X, y, sample_weight)
            X, y = self._prepare_Xy(X, y, reset=False)
            self._train(X, y, weights, initialize=False, **fit_params)
        self._record_fitted_params()
        return self

    @contextmanager
    def _unchanged_on_failure(self, *, in_place: bool):
        """Restore every attribute (and, for in-place training, the weights) if the block raises."""
        saved = dict(self.__dict__)
        trained = None
        if in_place or (self.warm_start and self.initialized_):
            trained = _training_state(self)
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            if trained is not None:
                _restore_training_state(self, trained)
            raise

    def _train(self, X, y, weights, *, initialize: bool, **fit_params):
        dtype = numpy_dtype(self.precision)
        X = X.astype(dtype, copy=False)
        y = np.asarray(y)
        y = y.astype(dtype, copy=False) if y.dtype.kind == "f" else y
        device = self.device
        data = TrainingData.from_arrays(X, y, weights, device=device,
                                        resident=self._resident(X.nbytes + y.nbytes, device))
        data.labels = y
        randomness = FitRandomness(derive_seed(self.random_state))
        if initialize and (not self.warm_start or not self.initialized_):
            with randomness.global_rng_for_init():
                self.initialize()
            self._macs_per_sample = None
        else:
            self._refresh_optimizer_settings()
        if getattr(self, "lr_schedule", None) is not None:
            # each training call runs its schedule from lr (a cosine ends at 0: a later
            # partial_fit would otherwise train with the last call's final rate)
            for group in self.optimizer_.param_groups:
                group["lr"] = group["initial_lr"] = self.lr
        self._shuffle_generator = randomness.generator("shuffle")
        self._augment_generator = randomness.generator("augment", device)
        self._fit_device_copies = {}
        in_place = not initialize or bool(self.warm_start)
        try:
            with self._runtime(X[:1]):
                self._fit_loop(data, in_place, **fit_params)
                self._check_finite_weights()
                self._recalibrate_batch_norm(data)
        finally:
            del self._shuffle_generator, self._augment_generator, self._fit_device_copies
        # nothing of the fit stays on the device but the module and the optimizer's state
        self.module_.zero_grad(set_to_none=True)
        return self

    def _fit_loop(self, data: TrainingData, in_place: bool, **fit_params) -> None:
        """skorch's training loop, without its silent catch of KeyboardInterrupt.

        skorch stops on Ctrl-C and keeps the half-trained weights as if the fit
        had finished. Here an interrupted ``fit`` re-raises (and
        :meth:`_unchanged_on_failure` puts the previous model back); only
        in-place training (``partial_fit``, ``warm_start=True``) keeps skorch's
        behaviour, with a warning.
        """
        self.notify("on_train_begin", X=data, y=None)
        try:
            self.fit_loop(data, None, **fit_params)
        except KeyboardInterrupt:
            if self._stopped_early():  # skorch's EarlyStopping stops with KeyboardInterrupt
                self.notify("on_train_end", X=data, y=None)
                return
            if not in_place:
                raise
            import warnings

            warnings.warn(
                f"{type(self).__name__}: training was interrupted after {len(self.history)} "
                "epoch(s); as partial_fit / warm_start=True ask, the weights trained so far "
                "are kept", UserWarning, stacklevel=4)
        self.notify("on_train_end", X=data, y=None)

    def _stopped_early(self) -> bool:
        """Whether an EarlyStopping callback ended training (it raises KeyboardInterrupt)."""
        from skorch.callbacks import EarlyStopping

        return any(isinstance(cb, EarlyStopping) and cb.misses_ >= cb.patience
                   for _, cb in getattr(self, "callbacks_", []))

    def _recalibrate_batch_norm(self, data: TrainingData) -> None:
        """Recompute BatchNorm statistics over the training data with the final weights.

        The running averages kept during training lag behind weights that move
        every step (momentum 0.1 averages over the last ~10 batches of a
        changing network); at lr 0.01 that lag alone cost real-digit models
        20-50 accuracy points in eval mode. One pass without gradients, every
        batch weighted equally, gives the trained model its own statistics
        (the recalibration of SWA's ``torch.optim.swa_utils.update_bn``).
        """
        module = getattr(self.module_, "_orig_mod", self.module_)
        norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                 and m.track_running_stats]
        if not norms:
            return
        momenta = [m.momentum for m in norms]
        was_training = module.training
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # cumulative average over the pass
        module.train()
        dtype = torch_dtype(self.precision)
        try:
            with torch.no_grad(), autocast(self.precision, self.device):
                for start in range(0, len(data), max(self.batch_size, 256)):
                    rows = torch.arange(start, min(start + max(self.batch_size, 256), len(data)))
                    batch = data.X.index_select(0, rows.to(data.X.device))
                    module(batch.to(self.device, dtype))
        finally:
            for norm, momentum in zip(norms, momenta):
                norm.momentum = momentum
            module.train(was_training)

    def _resident(self, n_bytes: int, device) -> bool:
        if self.data_on_device == "auto":
            return fits_on_device(n_bytes, device)
        return bool(self.data_on_device)

    @contextmanager
    def _runtime(self, sample=None):
        """Thread count for this estimator's work (see :mod:`._threads`)."""
        if self.n_threads is None:
            yield
            return
        if self.n_threads == "auto":
            n = auto_thread_count(self._step_macs(sample))
        else:
            n = int(self.n_threads)
        with torch_threads(n):
            yield

    def _step_macs(self, sample) -> float | None:
        """Multiply-adds of one training batch, counted once (lazily) on one sample."""
        per_sample = self.__dict__.get("_macs_per_sample")
        if per_sample is None and sample is not None and hasattr(self, "fit_meta_"):
            per_sample = _count_macs(self, sample)
            self._macs_per_sample = per_sample
        return None if per_sample is None else per_sample * self.batch_size

    def _check_finite_weights(self) -> None:
        if not all(torch.isfinite(p).all() for p in self.module_.parameters()):
            raise ValueError(
                f"{type(self).__name__}: training produced non-finite weights; the estimator was "
                f"left as it was. Try a smaller lr (now {self.lr}) or standardised targets"
            )


def _training_state(estimator) -> dict:
    """Copies of what in-place training changes: weights, optimizer, history, callbacks."""
    state = {}
    if getattr(estimator, "module_", None) is not None:
        state["module"] = {k: v.detach().clone() for k, v in estimator.module_.state_dict().items()}
    if getattr(estimator, "optimizer_", None) is not None:
        state["optimizer"] = copy.deepcopy(estimator.optimizer_.state_dict())
    for key in ("history_", "callbacks_"):
        if key in estimator.__dict__:
            state[key] = copy.deepcopy(estimator.__dict__[key])
    return state


def _restore_training_state(estimator, state: dict) -> None:
    if "module" in state:
        estimator.module_.load_state_dict(state["module"])
    if "optimizer" in state:
        estimator.optimizer_.load_state_dict(state["optimizer"])
    for key in ("history_", "callbacks_"):
        if key in state:
            estimator.__dict__[key] = state[key]


def _count_macs(estimator, sample: np.ndarray) -> float | None:
    """Forward multiply-adds for one sample, from torch's flop counter (None if it fails)."""
    from torch.utils.flop_counter import FlopCounterMode

    module = getattr(estimator.module_, "_orig_mod", estimator.module_)  # torch.compile'd
    parameter = next(module.parameters(), None)
    if parameter is None:
        return None
    x = torch.as_tensor(np.ascontiguousarray(sample)).to(parameter.device, parameter.dtype)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            module(x)
        return counter.get_total_flops() / 2
    except Exception:  # a user module the counter cannot trace: no size-based policy
        return None
    finally:
        module.train(was_training)
