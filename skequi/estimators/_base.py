"""The shared estimator base: skorch's training loop under scikit-learn's rules.

Every skequi estimator mixes :class:`EquivariantNetMixin` into skorch's
``NeuralNetClassifier`` or ``NeuralNetRegressor``. The mixin adds

* parameter validation at fit time (sklearn's ``_parameter_constraints``),
  input validation before any torch code runs, and a fit that either
  succeeds or leaves the estimator exactly as it was;
* the data path of :mod:`._training_data` (tensors made once, resident on
  the device when they fit, batches drawn by index);
* per-fit generators (:mod:`._randomness`), thread policy (:mod:`._threads`),
  ``precision`` (:mod:`._precision`) and the optimizer, fused where torch has
  the kernels (:mod:`._optimizer`);
* ``sample_weight``, ``early_stopping``, ``lr_schedule``, ``n_params_`` and
  ``equivariance_error(X)``;
* scikit-learn's parameter rules: ``get_params``, ``set_params``,
  ``device="auto"`` and the ``repr``
  (:class:`~._sklearn_params.SklearnParamsMixin`);
* safe ``save`` (:class:`~._persistence.SavableMixin`).

Subclasses implement ``_build_module()``, ``_prepare_X`` (array -> model
input), ``_prepare_Xy`` (which also records ``fit_meta_`` when ``reset``),
``_estimated_size()`` and the group actions on inputs and outputs.
"""

from __future__ import annotations

import sys
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import LRScheduler, PrintLog
from torch.optim.lr_scheduler import CosineAnnealingLR, ReduceLROnPlateau

from ._callbacks import HostEarlyStopping, PlainPrintLog, silent
from ._checks import check_device, check_model_size
from ._optimizer import make_optimizer
from ._parameter_checks import (check_optimizer, check_skorch_plumbing, is_callback_list,
                                refuse_bools_for_ints, takes)
from ._persistence import SavableMixin
from ._precision import PRECISIONS, autocast, torch_dtype
from ._sklearn_params import SklearnParamsMixin
from ._training import TrainingLoopMixin

__all__ = ["EquivariantNetMixin"]

#: Rows per forward pass in predict and equivariance_error.
_INFERENCE_BATCH = 1024
#: ``lr_schedule`` values: a cosine from lr to 0 over max_epochs, or x0.7 on plateaus.
LR_SCHEDULES = ("cosine", "plateau")


class EquivariantNetMixin(SklearnParamsMixin, SavableMixin, TrainingLoopMixin):
    """Shared behaviour of skequi estimators; mix in before a skorch net class.

    Examples
    --------
    >>> from skorch import NeuralNetClassifier
    >>> from skequi import GMCNNClassifier
    >>> from skequi.estimators import EquivariantNetMixin
    >>> [issubclass(GMCNNClassifier, c) for c in (EquivariantNetMixin, NeuralNetClassifier)]
    [True, True]
    """

    _parameter_constraints: dict = {
        "relaxation_rank": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "precision": [StrOptions(set(PRECISIONS))],
        "n_threads": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"), None],
        "data_on_device": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
        "lr_schedule": [None, StrOptions(set(LR_SCHEDULES))],
    }

    prefixes_ = NeuralNet.prefixes_ + ["lr_schedule"]

    # -- validation -----------------------------------------------------------
    def _validate_hyperparameters(self) -> None:
        """Check every declared constraint; raises sklearn's InvalidParameterError."""
        params = {k: getattr(self, k) for k in self._parameter_constraints}
        refuse_bools_for_ints(self._parameter_constraints, params, type(self).__name__)
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        check_skorch_plumbing(self)
        check_device(self.__dict__.get("device", "auto"), type(self).__name__)
        check_optimizer(self.optimizer, type(self).__name__)
        if not is_callback_list(self.callbacks):
            raise ValueError(
                f"The 'callbacks' parameter of {type(self).__name__} must be None or a list of "
                f"skorch callbacks or (name, callback) pairs, e.g. [EpochScoring('r2')]. Got "
                f"{self.callbacks!r} instead."
            )
        self._check_group()

    def _check_group(self) -> None:
        """Subclass hook: raise a ValueError if the group cannot act on this data."""

    def _check_relaxation_rank(self, bound: int, what: str) -> None:
        if self.relaxation_rank > bound:
            raise ValueError(
                f"The 'relaxation_rank' parameter of {type(self).__name__} must be at most "
                f"{bound} ({what}). Got {self.relaxation_rank} instead."
            )

    def _check_size(self) -> None:
        """Bound relaxation_rank and refuse oversized models, before anything is allocated."""
        bound, what = self._relaxation_bound()
        self._check_relaxation_rank(bound, what)
        estimate, culprit = self._estimated_size()
        check_model_size(type(self).__name__, estimate, culprit)

    def _relaxation_bound(self) -> tuple[int, str]:
        """Subclass hook: (largest useful relaxation_rank, why)."""
        return 10**9, ""

    def _estimated_size(self) -> tuple[float, str]:
        """Subclass hook: (estimated parameters, the settings that decide it)."""
        return 0.0, ""

    # -- skorch hooks -----------------------------------------------------------
    def get_default_callbacks(self):
        callbacks = [(name, cb) for name, cb in super().get_default_callbacks()
                     if self.verbose or not isinstance(cb, PrintLog)]
        # skorch rebuilds callbacks inside set_params, before fit validates early_stopping
        valid = self.early_stopping is True or (
            isinstance(self.early_stopping, Integral) and self.early_stopping >= 1)
        if valid:
            patience = 5 if self.early_stopping is True else int(self.early_stopping)
            callbacks.append(
                ("early_stopping", HostEarlyStopping(patience=patience, load_best=True,
                                                      sink=silent))
            )
        schedule = getattr(self, "lr_schedule", None)
        if schedule in LR_SCHEDULES:
            callbacks.append(("lr_schedule", self._lr_scheduler(schedule)))
        if self.verbose and not sys.stdout.isatty():
            callbacks = [(name, PlainPrintLog() if isinstance(cb, PrintLog) else cb)
                         for name, cb in callbacks]
        return callbacks

    def _lr_scheduler(self, schedule: str) -> LRScheduler:
        """skorch's LRScheduler for ``lr_schedule``, with ``lr_schedule__*`` overrides."""
        validated = bool(self.train_split) or bool(self.early_stopping)
        if schedule == "cosine":
            # one cosine over the fit's epochs, from lr down to 0
            settings = dict(policy=CosineAnnealingLR, T_max=self.max_epochs, eta_min=0.0)
        else:
            # the GM-CNN reference recipe: x0.7 after 5 epochs without improvement
            settings = dict(policy=ReduceLROnPlateau, factor=0.7, patience=5,
                            monitor="valid_loss" if validated else "train_loss")
        settings.update(self.get_params_for("lr_schedule"))
        return LRScheduler(**settings)

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if prefix == "optimizer" and "weight_decay" not in kwargs:
            if takes(self.optimizer, "weight_decay"):
                kwargs["weight_decay"] = self.weight_decay
            elif self.weight_decay:
                raise ValueError(
                    f"{type(self).__name__}: {getattr(self.optimizer, '__name__', 'the optimizer')}"
                    f" takes no weight_decay; set weight_decay=0 to use it. Got "
                    f"weight_decay={self.weight_decay!r}")
        return args, kwargs

    def initialize_optimizer(self, triggered_directly=None):
        """skorch's optimizer, in torch's fused implementation where it has one.

        ``optimizer__fused=False`` or ``optimizer__foreach=...`` choose torch's
        other implementations (see :func:`._optimizer.make_optimizer`).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            When the optimizer refuses its arguments (``lr``, ``weight_decay``,
            ``optimizer__*``), naming them.
        """
        args, kwargs = self.get_params_for_optimizer("optimizer", self.get_all_learnable_params())
        self.optimizer_ = make_optimizer(self.optimizer, args, kwargs, type(self).__name__)
        return self

    #: loss used when ``criterion=None``; each estimator family sets its own
    _default_criterion = None

    def initialize_criterion(self):
        criterion = self.criterion if self.criterion is not None else self._default_criterion
        self.criterion_ = self.initialized_instance(criterion, self.get_params_for("criterion"))
        return self

    def initialize(self):
        """Build module, criterion and optimizer for the data seen in ``fit``.

        skequi builds its module from the data's shapes, so there is nothing
        to build before the first ``fit``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before the first ``fit``: load saved weights with
            :func:`skequi.load`, or fit first and then ``load_params``.
        """
        if not hasattr(self, "fit_meta_"):
            raise NotFittedError(
                f"{type(self).__name__} builds its module from the shapes of the data it is "
                "fitted on, so it cannot be initialized before fit; load a saved model with "
                "skequi.load(path), or fit first and then call load_params(f_params=...)"
            )
        return super().initialize()

    def load_params(self, *args, **kwargs):
        """skorch's ``load_params``, on a fitted estimator, all or nothing.

        If the files do not fit this estimator (another family, another
        width), a ValueError says so and the estimator is left exactly as it
        was: torch would otherwise have copied the tensors that do fit first.

        Raises
        ------
        ValueError
            When the parameters cannot be loaded into this estimator.
        """
        from ._training import _restore_training_state, _training_state

        if not self.initialized_:
            self.initialize()
        saved = _training_state(self)
        try:
            return super().load_params(*args, **kwargs)
        except Exception as error:
            _restore_training_state(self, saved)
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ValueError(
                f"{type(self).__name__}.load_params: the saved parameters do not fit this "
                f"estimator ({first[:300]}); it was left as it was"
            ) from None

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if kwargs:
            raise ValueError(
                f"{type(self).__name__} builds its own module; set its architecture with the "
                f"estimator's parameters instead of {sorted('module__' + k for k in kwargs)}"
            )
        dtype = torch_dtype(self.precision)
        # built in the precision's dtype, so that buffers (bases, group matrices) made
        # from float64 numpy keep their precision; fits build under skequi's init lock
        previous = torch.get_default_dtype()
        torch.set_default_dtype(dtype)
        try:
            module = self._build_module().to(dtype)
        finally:
            torch.set_default_dtype(previous)
        self.module_ = module
        self.n_params_ = sum(p.numel() for p in module.parameters() if p.requires_grad)
        return self

    def _begin_prepare(self, *, reset: bool) -> None:
        """Validate hyperparameters when fitting; require a fitted estimator otherwise."""
        if reset:
            self._validate_hyperparameters()
        else:
            self._check_fitted()

    def _check_y_given(self, y) -> None:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )

    def _check_fitted(self) -> None:
        check_is_fitted(self, "fit_meta_")

    def _forward_numpy(self, X) -> np.ndarray:
        """Raw module outputs for prepared inputs, as float64 numpy.

        X becomes one tensor on the module's device (when it fits there), then
        runs in batches of 1024 rows in eval mode, under the fit's precision
        and thread policy.
        """
        self._check_fitted()
        parameter = next(self.module_.parameters(), None)
        device = parameter.device if parameter is not None else torch.device(self.device)
        dtype = parameter.dtype if parameter is not None else torch_dtype(self.precision)
        X = np.ascontiguousarray(X)
        resident = self._resident(X.nbytes, device)
        source = torch.as_tensor(X).to(device if resident else "cpu")
        outputs = []
        self.module_.eval()
        # no_grad, not inference_mode: a Hamiltonian model takes gradients inside forward
        with self._runtime(X[:1]), torch.no_grad():
            for start in range(0, len(source), _INFERENCE_BATCH):
                batch = source[start:start + _INFERENCE_BATCH].to(device, dtype)
                with autocast(self.precision, device):
                    out = self.module_(batch)
                outputs.append(out.double().cpu().numpy())
        if not outputs:
            return np.empty((0,))
        return np.concatenate(outputs)

    def equivariance_error(self, X, group=None, *, per_element: bool = False):
        """Relative change of the outputs when the inputs are moved by a group.

        The mean over the group's non-identity elements ``g`` of
        ``||f(g x) - g f(x)|| / ||f(x)||`` over the batch (the relative error
        e3nn and escnn report), where ``f`` is the model's output (logits for
        a classifier, predictions in the target's units for a regressor) and
        ``g f(x)`` moves equivariant outputs (fields, vectors, tensors) and
        leaves invariant ones unchanged. Exact models give 0 against their
        own group, up to float rounding.

        Parameters
        ----------
        X : array-like
            Inputs, as for ``predict``.
        group : str or group, optional
            The group to measure against (default: the estimator's own). Any
            group whose action applies: a subgroup of D4 for image models (a
            plain CNN against ``"C4"``), a matrix or finite group on EMLP's
            ``rep_in``/``rep_out``, a group that acts on the latent models'
            inputs. Groups of more than 25 elements and Lie groups are measured
            on a fixed sample of 24 elements.
        per_element : bool, default=False
            Return the error of each element instead of their mean.

        Returns
        -------
        float or pandas.Series
            The mean; with ``per_element=True`` a Series indexed by element
            name (``"r^1"``, ``"f r^3"``; ``"sample 1"`` ... for Lie groups).

        Raises
        ------
        ValueError
            If the group cannot act on this estimator's inputs, naming the
            groups that can.

        Examples
        --------
        >>> from skequi import GMCNNClassifier
        >>> from skequi.datasets import load_digit_images
        >>> X, y = load_digit_images()
        >>> clf = GMCNNClassifier("C1", channels=(4,), max_epochs=2, random_state=0)
        >>> clf = clf.fit(X[:200], y[:200])
        >>> clf.equivariance_error(X[:20]) == 0.0, clf.equivariance_error(X[:20], "C4") > 0.01
        (True, True)
        >>> clf.equivariance_error(X[:20], "D2", per_element=True).index.tolist()
        ['r^2', 'f', 'f r^2']
        """
        from ..metrics import equivariance_error

        return equivariance_error(self, X, group=group, per_element=per_element)

    def _outputs(self, X) -> np.ndarray:
        """What the equivariance error compares: raw outputs for user-layout inputs."""
        return self._forward_numpy(self._prepare_X(X, reset=False))

    def _group_action(self, group=None):
        """Subclass hook: the :class:`~._symmetry.GroupAction` of ``group`` (None: own)."""
        raise NotImplementedError

