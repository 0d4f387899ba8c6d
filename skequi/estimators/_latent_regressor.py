"""LatentEquivariantRegressor: the latent-equivariance loss for invariant
vectors, fields that the group moves like the inputs, and autoregressive
rollouts (the mixin is in :mod:`._latent`, its loss in
:mod:`._latent_objective`)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetRegressor

from ..transforms import apply_group, apply_group_per_sample
from ._sklearn_params import signature_with
from ._registry import register
from ._images import validate_target
from ._latent import _LatentMixin
from ._regression import (ShapedRegressorMixin, field_layout, refuse_rollout_without_fields,
                          rollout_frame_channels)
from ._symmetry import act_on_user_array, unchanged

__all__ = ["LatentEquivariantRegressor"]


@register
class LatentEquivariantRegressor(ShapedRegressorMixin, _LatentMixin, NeuralNetRegressor):
    """Regressor with a regular-representation latent space and an equivariance loss.

    Targets are invariant vectors ``(n,)`` / ``(n, k)``; or fields that the
    group moves like the inputs (``field`` applies to both): ``(n, C, H, W)``
    on the input grid, or flattened to ``(n, C*H*W)`` with
    ``target_type="field"`` (the same model; ``predict`` answers in the shape
    fit was given); or anything ``output_action(y, g)`` acts on. ``score`` is
    R^2, pooled over all values for fields (as
    :class:`~skequi.GMCNNRegressor`'s).

    Parameters
    ----------
    group, equivariance_strength, relaxation_rank, latent_dim, algebra_strength,
    encoder, head, channels, normalization, field, input_action, image_shape
        As for :class:`LatentEquivariantClassifier`.
    target_type : {"invariant", "field"}, default="invariant"
        ``"field"``: ``y`` holds fields on the input grid, possibly flattened.
        Targets shaped like the inputs' grid are fields either way.
    output_action : callable ``(y, g) -> y``, optional
        How element g acts on a batch of targets; default: invariant vectors,
        and :func:`~skequi.transforms.apply_group` for field targets.
    rollout_steps : int, default=1
        As for :class:`~skequi.GMCNNRegressor`: the head predicts one frame,
        rolled out on its own predictions. The equivariance loss is on the
        first window's latent and the transformed task on the first frame
        (the latent paper's SMOKE recipe).
    lr, max_epochs, batch_size, weight_decay, optimizer, early_stopping,
    train_split, callbacks, device, random_state, precision, n_threads,
    data_on_device, verbose, **kwargs
        As for :class:`~skequi.GMCNNClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi import LatentEquivariantRegressor
    >>> X = np.random.default_rng(0).normal(size=(64, 1, 8, 8))
    >>> reg = LatentEquivariantRegressor("D4", max_epochs=1, random_state=0)
    >>> reg.fit(X, X.std(axis=(1, 2, 3))).predict(X[:3]).shape
    (3,)
    >>> fields = LatentEquivariantRegressor("D4", max_epochs=1, random_state=0,
    ...                                     target_type="field")
    >>> fields.fit(X, (X ** 2).reshape(64, -1)).predict(X[:3]).shape
    (3, 64)
    """

    _parameter_constraints = {**_LatentMixin._parameter_constraints,
                              "target_type": [StrOptions({"invariant", "field"})],
                              "output_action": [None, callable],
                              "rollout_steps": [Interval(Integral, 1, None, closed="left")]}

    _own_fit_meta_keys = ("input_shape", "target_shape")

    _default_criterion = torch.nn.MSELoss

    def __init__(self, group="C4", equivariance_strength=1.0, relaxation_rank=0, *,
                 target_type="invariant", output_action=None, rollout_steps=1, **kwargs):
        super().__init__(group, equivariance_strength, relaxation_rank, **kwargs)
        self.target_type = target_type
        self.output_action = output_action
        self.rollout_steps = rollout_steps

    __init__.__signature__ = signature_with(_LatentMixin.__init__, target_type="invariant",
                                            output_action=None, rollout_steps=1)

    def _rollout(self) -> tuple[int, int | None]:
        if self.rollout_steps == 1:
            return 1, None
        return self.rollout_steps, self._field_shape()[0] // self.rollout_steps

    def _n_outputs(self) -> int:
        return int(np.prod(self.fit_meta_["target_shape"])) if self.fit_meta_["target_shape"] else 1

    def _field_shape(self):
        """(C, *grid) of field targets, or None."""
        if "field_shape" in self.fit_meta_:
            return tuple(self.fit_meta_["field_shape"])
        target, inputs = self.fit_meta_["target_shape"], self.fit_meta_["input_shape"]
        # files of earlier skequi: targets shaped like the inputs' grid were fields
        if len(target) == len(inputs) and target[1:] == inputs[1:]:
            return tuple(target)
        return None

    def _predicts_fields(self) -> bool:
        return self._field_shape() is not None

    def _structured_target_shape(self):
        return self._field_shape()

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        y = validate_target(y, len(images), name=type(self).__name__,
                            precision=self.precision)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:]),
                              "target_shape": list(y.shape[1:])}
            grid = tuple(images.shape[2:])
            if self.target_type == "field":
                self.fit_meta_["field_shape"] = list(field_layout(y.shape[1:], grid,
                                                                  type(self).__name__))
            elif y.ndim == images.ndim and tuple(y.shape[2:]) == grid:
                self.fit_meta_["field_shape"] = list(y.shape[1:])
            if self.rollout_steps != 1:
                self._check_rollout(images.shape[1])
        elif list(y.shape[1:]) != self.fit_meta_["target_shape"]:
            raise ValueError(
                f"y has shape {y.shape[1:]} per sample; this estimator was fitted on "
                f"{tuple(self.fit_meta_['target_shape'])}"
            )
        return images, y.reshape(len(y), -1)

    def _check_rollout(self, in_channels: int) -> None:
        name = type(self).__name__
        if "field_shape" not in self.fit_meta_:
            refuse_rollout_without_fields(name, self.rollout_steps, self.fit_meta_["target_shape"])
        if self.output_action is not None:
            raise ValueError(
                f"{name}: rollout_steps={self.rollout_steps} feeds predictions back as inputs, "
                "so targets must move like the inputs; leave output_action=None")
        per = 2 if self.field == "vector" else 1
        rollout_frame_channels(self.rollout_steps, in_channels, self.fit_meta_["field_shape"][0],
                               per, name)

    def _act_on_targets(self, y: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        field = self._field_shape()
        if self.output_action is None and field is None:
            return y  # invariant vectors
        if self.output_action is None:
            moved = apply_group_per_sample(y.reshape(len(y), *field), elements, self.group_,
                                           self.field)
            return moved.reshape(y.shape)
        shape = self.fit_meta_["target_shape"]
        out = torch.empty_like(y)
        for g in elements.unique().tolist():
            rows = (elements == g).nonzero(as_tuple=True)[0]
            moved = self.output_action(y[rows].reshape(len(rows), *shape), g)
            out[rows] = torch.as_tensor(moved, device=y.device).reshape(len(rows), -1).to(y.dtype)
        return out

    def _output_actions(self, group, own: bool):
        shape = tuple(self.fit_meta_["target_shape"])
        if own and self.output_action is not None:
            def act(values, g):
                return np.asarray(self.output_action(values, g))

            layout = shape
        elif self._field_shape() is not None:
            def act(values, g):
                return apply_group(values, g, group, self.field)

            layout = self._field_shape()
        else:
            return unchanged, unchanged

        def act_output(Y, g):
            return act(Y.reshape((len(Y),) + layout), g).reshape(Y.shape)

        def act_target(y, g):
            return act_on_user_array(y, lambda a: a.reshape((len(a),) + layout),
                                     lambda a: act(a, g))
        return act_output, act_target
