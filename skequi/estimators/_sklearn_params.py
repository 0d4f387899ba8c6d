"""skorch's nets under scikit-learn's parameter rules.

:class:`SklearnParamsMixin` gives an estimator scikit-learn's contract for its
parameters, where skorch's differs: ``get_params`` lists the parameters and
nothing else and returns ``device`` as given (``"auto"``); ``set_params`` on a
fitted estimator defers the components built at fit to the next fit instead
of rebuilding them at once; the ``repr`` shows the parameters that differ from
the defaults; the tags say NaN is refused. :func:`signature_with` shows the
parameters a subclass adds in ``help()``.
"""

from __future__ import annotations

import inspect

import torch

from ._optimizer import make_optimizer
from ._parameter_checks import is_callback_list

__all__ = ["SklearnParamsMixin", "resolve_device", "signature_with"]


def resolve_device(device) -> str:
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; anything else unchanged."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device) if isinstance(device, torch.device) else device


def signature_with(init, *, after: str | None = None, **extra) -> inspect.Signature:
    """``init``'s signature with the parameters ``extra`` (name=default) added.

    A subclass that adds parameters and passes the rest on with ``**kwargs``
    sets this as its ``__init__.__signature__``, so ``help()`` and
    ``inspect.signature`` show every parameter. The new parameters go right
    after the parameter ``after`` (positional or keyword), or else before
    ``**kwargs`` (keyword-only).
    """
    signature = inspect.signature(init)
    parameters = [p for p in signature.parameters.values()]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if after else inspect.Parameter.KEYWORD_ONLY
    added = [inspect.Parameter(name, kind, default=default) for name, default in extra.items()]
    if after is not None:
        at = [p.name for p in parameters].index(after) + 1
    else:
        at = next(i for i, p in enumerate(parameters) if p.kind is inspect.Parameter.VAR_KEYWORD)
    return signature.replace(parameters=parameters[:at] + added + parameters[at:])


class SklearnParamsMixin:
    """scikit-learn's parameter protocol on a skorch net; mix in before the net class."""

    # -- device="auto" ------------------------------------------------------
    # skorch reads self.device everywhere; the raw value stays in __dict__ so that
    # get_params/clone see exactly what the user passed.
    @property
    def device(self):
        return resolve_device(self.__dict__.get("device", "auto"))

    @device.setter
    def device(self, value):
        self.__dict__["device"] = value

    def _get_param_names(self):
        # skorch lists every attribute not ending in "_", its private bookkeeping too
        return sorted(k for k in self.__dict__ if not k.endswith("_") and not k.startswith("_"))

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        params["device"] = self.__dict__.get("device", "auto")
        return params

    #: components skequi builds from the data at every fit: setting them (or their routed
    #: arguments) on a fitted estimator takes effect at the next fit, as in scikit-learn,
    #: instead of skorch's immediate re-initialisation (which would discard the fit)
    _built_at_fit = ("module", "criterion", "optimizer", "encoder", "head")

    def set_params(self, **params):
        """Set parameters; components built at fit change at the next fit (sklearn's rule).

        Returns
        -------
        self
        """
        if "callbacks" in params:
            # stored first: skorch builds the callbacks inside set_params from self.callbacks;
            # an invalid value is kept as given and refused at fit (sklearn's rule)
            self.__dict__["callbacks"] = params["callbacks"]
            if not is_callback_list(params["callbacks"]):
                params.pop("callbacks")
        # optimizer__* settings are kept (skorch would only set them on the live optimizer,
        # unchecked, and the next fit would build a new one without them); they are checked
        # and take effect at the next fit or partial_fit
        for key in [k for k in params if k.startswith("optimizer__")
                    and not k.startswith("optimizer__param_groups")]:
            self.__dict__[key] = params.pop(key)
        if getattr(self, "initialized_", False):
            valid = self.get_params(deep=False)
            components = set(self._modules) | set(self._criteria) | set(self._optimizers)
            deferred = [k for k in params if k.split("__")[0] in self._built_at_fit
                        and (k in valid or "__" in k)]
            # routed settings of anything but a component (iterator_train__..., lr_schedule,
            # lr_schedule__...): skorch would try to re-initialise a component and fail
            deferred += [k for k in params if k not in deferred and k not in ("callbacks",)
                         and any(k.startswith(prefix) for prefix in self.prefixes_)
                         and k.split("__")[0] not in components]
            for key in deferred:
                self.__dict__[key] = params.pop(key)
                if "__" in key:
                    self._params_to_validate.add(key)
        return super().set_params(**params) if params else self

    def _refresh_optimizer_settings(self) -> None:
        """Before in-place training: the optimizer's current settings (lr, weight_decay,
        optimizer__*) on the live optimizer, after a throwaway optimizer has checked them."""
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", [("probe", torch.nn.Parameter(torch.zeros(1)))])
        make_optimizer(self.optimizer, args, kwargs, type(self).__name__)
        settings = {k: v for k, v in kwargs.items() if k not in ("fused", "foreach")}
        for group in self.optimizer_.param_groups:
            group.update({k: v for k, v in settings.items() if k in group})

    def __setstate__(self, state):
        raw = state.get("device", "auto")
        state["device"] = resolve_device(raw)  # skorch maps weights to this device
        super().__setstate__(state)
        self.__dict__["device"] = raw

    def __repr__(self) -> str:
        """scikit-learn's repr: the class and the parameters that differ from the defaults."""
        defaults = type(self)().get_params(deep=False)
        changed = [f"{key}={value!r}" for key, value in self.get_params(deep=False).items()
                   if key in defaults and not _same(value, defaults[key])]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False  # NaN/inf are rejected at fit and predict
        tags.non_deterministic = self.random_state is None
        return tags


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False
