"""The shared estimator base: skorch's training loop under scikit-learn's rules.

Every skequi estimator mixes :class:`EquivariantNetMixin` into skorch's
``NeuralNetClassifier`` or ``NeuralNetRegressor``. The mixin adds

* parameter validation at fit time (sklearn's ``_parameter_constraints``),
* input validation with sklearn's utilities before any torch code runs,
* ``device="auto"``, ``random_state`` (seeded init and batch order, without
  touching the caller's global torch RNG), ``early_stopping``,
* ``n_params_``, ``equivariance_error(X)`` and safe ``save``/``load``.

Subclasses implement ``_build_module()``, ``_prepare_X`` (array -> float32
model input), ``_prepare_Xy`` (which also records ``fit_meta_`` when
``reset``) and the group actions on inputs and outputs.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted
from skorch import NeuralNet, NeuralNetClassifier
from skorch.utils import is_dataset

from .. import __version__
from skorch.callbacks import EarlyStopping
from skorch.dataset import ValidSplit

__all__ = ["EquivariantNetMixin", "LabelledClassifierMixin", "resolve_device"]


def resolve_device(device):
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; anything else unchanged."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _to_numpy(X):
    if isinstance(X, torch.Tensor):
        return X.detach().cpu().numpy()
    return X


class EquivariantNetMixin:
    """Shared behaviour of skequi estimators; mix in before a skorch net class."""

    _parameter_constraints: dict = {
        "relaxation_rank": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"all"})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    #: how many group elements equivariance_error averages over, at most
    _max_error_elements = 24

    # -- device="auto" ------------------------------------------------------
    # skorch reads self.device everywhere; the raw value stays in __dict__ so that
    # get_params/clone see exactly what the user passed.
    @property
    def device(self):
        return resolve_device(self.__dict__.get("device", "auto"))

    @device.setter
    def device(self, value):
        self.__dict__["device"] = value

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        params["device"] = self.__dict__.get("device", "auto")
        return params

    def __setstate__(self, state):
        raw = state.get("device", "auto")
        state["device"] = resolve_device(raw)  # skorch maps weights to this device
        super().__setstate__(state)
        self.__dict__["device"] = raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False  # NaN/inf are rejected at fit and predict
        tags.non_deterministic = self.random_state is None
        return tags

    # -- validation -----------------------------------------------------------
    def _validate_hyperparameters(self) -> None:
        """Check every declared constraint; raises sklearn's InvalidParameterError."""
        params = {k: getattr(self, k) for k in self._parameter_constraints}
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        if self.batch_size == "all":
            raise ValueError("batch_size='all' is not supported; pass an int")
        self._check_group()

    def _check_group(self) -> None:
        """Subclass hook: raise a ValueError if the group cannot act on this data."""

    # -- seeding --------------------------------------------------------------
    @contextmanager
    def _seeded(self):
        """Seed torch for init and batch order without leaking into the global RNG."""
        if self.random_state is None:
            yield
            return
        seed = (
            int(self.random_state)
            if isinstance(self.random_state, Integral)
            else int(np.random.RandomState(self.random_state).randint(2**31 - 1))
        )
        devices = list(range(torch.cuda.device_count())) if self.device == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            yield

    # -- skorch hooks -----------------------------------------------------------
    def get_default_callbacks(self):
        callbacks = list(super().get_default_callbacks())
        if self.early_stopping:
            patience = 5 if self.early_stopping is True else int(self.early_stopping)
            callbacks.append(
                ("early_stopping", EarlyStopping(patience=patience, load_best=True, sink=_silent))
            )
        return callbacks

    def get_split_datasets(self, X, y=None, **fit_params):
        if self.early_stopping and self.train_split is None:
            dataset = self.get_dataset(X, y)
            split = ValidSplit(0.1, stratified=self._stratify_split, random_state=0)
            return split(dataset, y, **fit_params)
        return super().get_split_datasets(X, y, **fit_params)

    _stratify_split = False

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if prefix == "optimizer":
            kwargs.setdefault("weight_decay", self.weight_decay)
        return args, kwargs

    #: loss used when ``criterion=None``; each estimator family sets its own
    _default_criterion = None

    def initialize_criterion(self):
        criterion = self.criterion if self.criterion is not None else self._default_criterion
        self.criterion_ = self.initialized_instance(criterion, self.get_params_for("criterion"))
        return self

    def _begin_prepare(self, *, reset: bool) -> None:
        """Validate hyperparameters when fitting; require a fitted estimator otherwise."""
        if reset:
            self._validate_hyperparameters()
        else:
            self._check_fitted()

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if kwargs:
            raise ValueError(
                f"{type(self).__name__} builds its own module; set its architecture with the "
                f"estimator's parameters instead of {sorted('module__' + k for k in kwargs)}"
            )
        self.module_ = self._build_module()
        self.n_params_ = sum(p.numel() for p in self.module_.parameters() if p.requires_grad)
        return self

    # -- fit / predict ------------------------------------------------------------
    def fit(self, X, y=None, **fit_params):
        """Validate X and y, build the module from them and train (skorch's loop).

        Parameters
        ----------
        X : array-like
            Inputs (see the estimator's docstring for accepted shapes).
        y : array-like
            Targets.
        **fit_params
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        X, y = self._prepare_Xy(X, y, reset=True)
        return self._train(X, y, initialize=True, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Continue training on (X, y) without re-initialising (``fit`` if not fitted yet).

        Returns
        -------
        self
        """
        if not hasattr(self, "fit_meta_"):
            return self.fit(X, y, **fit_params)
        X, y = self._prepare_Xy(X, y, reset=False)
        return self._train(X, y, initialize=False, **fit_params)

    def _train(self, X, y, *, initialize: bool, **fit_params):
        with self._seeded():
            if initialize and (not self.warm_start or not self.initialized_):
                self.initialize()
            NeuralNet.partial_fit(self, X, y, **fit_params)
        return self

    def _check_y_given(self, y) -> None:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )

    def _check_fitted(self) -> None:
        check_is_fitted(self, "fit_meta_")

    def _forward_numpy(self, X) -> np.ndarray:
        """Raw module outputs for prepared inputs, as float64 numpy."""
        self._check_fitted()
        outputs = []
        self.module_.eval()
        with torch.no_grad():
            for start in range(0, len(X), 512):
                batch = torch.as_tensor(X[start:start + 512], device=self.device)
                outputs.append(self.module_(batch).double().cpu().numpy())
        return np.concatenate(outputs)

    def equivariance_error(self, X) -> float:
        """Mean relative change of the outputs under the group's action.

        For each group element ``g`` (all of them, or a fixed sample of 24 for
        larger groups and for Lie groups) this computes ``|f(g x) - g f(x)| / |f(x)|`` over the
        batch, where ``g f(x)`` is ``f(x)`` for invariant outputs (logits,
        vector targets) and the transformed field for field outputs, then
        averages over ``g``. Exact models give 0 up to float rounding.

        Parameters
        ----------
        X : array-like
            Inputs, as for ``predict``.

        Returns
        -------
        float
        """
        Xp = self._prepare_X(X, reset=False)
        base = self._forward_numpy(Xp)
        scale = max(np.linalg.norm(base), 1e-30)
        errors = []
        for g in self._error_elements():
            moved = np.ascontiguousarray(self._act_on_input(Xp, g))
            expected = self._act_on_output(base, g)
            errors.append(np.linalg.norm(self._forward_numpy(moved) - expected) / scale)
        return float(np.mean(errors))

    def _act_on_output(self, Y: np.ndarray, g) -> np.ndarray:
        """How ``g`` acts on model outputs; invariant outputs (the default) are unchanged."""
        return Y

    def _error_elements(self) -> list:
        """Group elements equivariance_error averages over: all, or a fixed sample."""
        order = self.group_.order
        elements = np.arange(order)
        if order > self._max_error_elements:
            elements = np.random.RandomState(0).choice(order, self._max_error_elements, False)
        return [int(g) for g in elements]

    # -- persistence ---------------------------------------------------------------
    def save(self, path) -> None:
        """Save config (JSON) and weights to one file that :func:`skequi.load` reads safely.

        Parameters
        ----------
        path : str or path-like

        Raises
        ------
        ValueError
            If a parameter cannot be written as JSON (callbacks, custom
            optimizers or criteria); pickle the estimator instead.
        """
        self._check_fitted()
        params = self._json_params()
        config = {
            "estimator": type(self).__name__,
            "skequi_version": __version__,
            "params": params,
            "fit_meta": self.fit_meta_,
        }
        state = {k: v.detach().cpu() for k, v in self.module_.state_dict().items()}
        torch.save({"config": json.dumps(config), "state_dict": state}, path)

    def _json_params(self) -> dict:
        """Every parameter JSON can hold, defaults included, so that a skequi with other
        defaults rebuilds the same estimator; a default JSON cannot hold (a class) is left
        to the class."""
        defaults = type(self)().get_params(deep=False)
        params = {}
        for key, value in self.get_params(deep=False).items():
            if key == "device":
                continue
            try:
                json.dumps(value)
            except TypeError:
                if _is_default(value, defaults.get(key, object())):
                    continue
                raise ValueError(
                    f"cannot save parameter {key}={value!r} as JSON; use pickle or joblib "
                    "for estimators with callbacks or custom classes"
                ) from None
            params[key] = value
        return params

    def _restore(self, fit_meta: dict, state_dict: dict, saved_by: str | None = None):
        self.fit_meta_ = fit_meta
        self._restore_fit_meta(fit_meta)
        self.initialize()
        try:
            self.module_.load_state_dict(state_dict)
        except RuntimeError as error:  # a file from a skequi whose layers stored other shapes
            written_by = f"skequi {saved_by}" if saved_by else "an earlier skequi"
            raise ValueError(
                f"the saved weights do not fit the {type(self).__name__} that skequi "
                f"{__version__} builds from the saved parameters (file written by "
                f"{written_by}); refit and save again. "
                f"Details: {str(error).splitlines()[0]}"
            ) from None
        self.module_.to(self.device)
        return self

    def _restore_fit_meta(self, fit_meta: dict) -> None:
        """Recreate fitted attributes from fit_meta; subclasses extend it."""
        self._validate_hyperparameters()


class LabelledClassifierMixin:
    """Labels of any type for the skequi classifiers: ``classes_``, encoding, predictions.

    Mix in before :class:`EquivariantNetMixin`; fit encodes y with a
    ``LabelEncoder`` (string or non-contiguous labels work) and records the
    classes in ``fit_meta_["classes"]``.
    """

    _stratify_split = True

    def _encode_labels(self, y, n_samples: int, *, reset: bool) -> np.ndarray:
        y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else _to_numpy(y))
        check_consistent_length(np.empty(n_samples), y)
        if reset:
            check_classification_targets(y)
            self.label_encoder_ = LabelEncoder().fit(y)
            self.fit_meta_["classes"] = self.label_encoder_.classes_.tolist()
        return self.label_encoder_.transform(y).astype(np.int64)

    @property
    def classes_(self):
        if not hasattr(self, "label_encoder_"):
            raise AttributeError(f"{type(self).__name__} has no attribute 'classes_' before fit")
        return self.label_encoder_.classes_

    def _restore_fit_meta(self, fit_meta: dict) -> None:
        self.label_encoder_ = LabelEncoder().fit(np.asarray(fit_meta["classes"]))
        super()._restore_fit_meta(fit_meta)

    def predict_proba(self, X):
        """Class probabilities, shape (n, n_classes), columns in ``classes_`` order."""
        if is_dataset(X):  # skorch's validation scoring passes prepared subsets
            return NeuralNetClassifier.predict_proba(self, X)
        logits = self._forward_numpy(self._prepare_X(X, reset=False))
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels, in the type of the ``y`` passed to fit."""
        if is_dataset(X):  # skorch's scoring: encoded labels, as in its validation y
            return NeuralNetClassifier.predict(self, X)
        proba = self.predict_proba(X)  # raises NotFittedError before classes_ is touched
        return self.classes_[proba.argmax(axis=1)]


def _is_default(value, default) -> bool:
    if value is default:
        return True
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _silent(*args, **kwargs):
    """A sink that drops EarlyStopping's messages."""
