"""GMCNNRegressor: equivariant fields, invariant numbers or turning vectors from images."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetRegressor

from ..models import AutoregressiveRollout, GMCNNFieldRegressor
from ..transforms import apply_group, group_matrices
from ._sklearn_params import signature_with
from ._registry import register
from ._gmcnn import _GMCNNMixin
from ._gmcnn_doc import _COMMON_DOC
from ._images import validate_target
from ._regression import (ROLLOUT_DOC, ShapedRegressorMixin, field_layout,
                          refuse_rollout_without_fields, rollout_frame_channels)
from ._symmetry import act_on_user_array, unchanged

__all__ = ["GMCNNRegressor"]


@register
class GMCNNRegressor(ShapedRegressorMixin, _GMCNNMixin, NeuralNetRegressor):
    __doc__ = (
        """Group-matrix CNN regressor: equivariant fields, invariant or turning vectors.

    Which outputs transform, and how:

    * fields on the input grid, ``y`` of shape ``(n, C_out, H, W)``, or
      flattened to ``(n, C_out*H*W)`` with ``target_type="field"`` (the same
      model either way; ``predict`` answers in the shape fit was given, so
      every scikit-learn scorer works on the flat form): mapped equivariantly,
      rotating the input rotates the prediction; with ``field="vector"`` both
      are vector fields whose (u, v) components turn too;
    * ``y`` of shape ``(n,)`` or ``(n, k)`` with ``target_type="invariant"``
      (the default): invariant numbers, unchanged by the group;
    * ``y`` of shape ``(n, 2k)`` with ``target_type="vector"``: k planar
      vectors in (u, v) pairs that turn with the group, such as the mean flow
      of a velocity field.

    ``score`` is R^2: for fields over all values pooled, ``1 - SSE / SST``
    with SST about each pixel's mean (scikit-learn's ``variance_weighted``),
    so nearly constant pixels (a boundary) cannot dominate it; for numbers
    and vectors the mean of each column's R^2.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """    target_type : {"invariant", "vector", "field"}, default="invariant"
        How ``y`` transforms (see above). 4-d ``y`` is always fields.
""" + ROLLOUT_DOC + """
    Attributes
    ----------
    n_params_ : int
    channels_ : tuple of int
    n_features_in_ : int
    module_ : torch.nn.Module
    history_ : skorch History

    Examples
    --------
    >>> import numpy as np
    >>> from skequi import GMCNNRegressor
    >>> X = np.random.default_rng(0).normal(size=(32, 1, 8, 8))
    >>> reg = GMCNNRegressor("D4", channels=(2, 2), max_epochs=2, random_state=0)
    >>> reg.fit(X, np.rot90(X, axes=(2, 3)) ** 2).predict(X).shape
    (32, 1, 8, 8)
    >>> flat = GMCNNRegressor("D4", channels=(2, 2), max_epochs=2, random_state=0,
    ...                       target_type="field")
    >>> flat.fit(X, (X ** 2).reshape(32, -1)).predict(X).shape
    (32, 64)

    Forecasting a vector field two frames ahead from three, one frame per
    step (``skequi.dynamics.forecasting_pairs`` makes such windows):

    >>> frames = np.random.default_rng(0).normal(size=(16, 10, 8, 8))  # 5 frames of (u, v)
    >>> ar = GMCNNRegressor("C4", field="vector", channels=(2,), rollout_steps=2,
    ...                     max_epochs=1, random_state=0)
    >>> ar.fit(frames[:, :6], frames[:, 6:]).predict(frames[:, :6]).shape
    (16, 4, 8, 8)
    """
    )

    _parameter_constraints = {**_GMCNNMixin._parameter_constraints,
                              "target_type": [StrOptions({"invariant", "vector", "field"})],
                              "rollout_steps": [Interval(Integral, 1, None, closed="left")]}

    _own_fit_meta_keys = ("input_shape", "target_shape")

    _default_criterion = torch.nn.MSELoss

    def __init__(self, group="C4", relaxation_rank=0, *, target_type="invariant",
                 rollout_steps=1, **kwargs):
        super().__init__(group, relaxation_rank, **kwargs)
        self.target_type = target_type
        self.rollout_steps = rollout_steps

    __init__.__signature__ = signature_with(_GMCNNMixin.__init__, target_type="invariant",
                                            rollout_steps=1)

    def _predicts_fields(self) -> bool:
        return self._field_shape() is not None

    def _field_shape(self):
        """(C, H, W) of field targets, or None."""
        if "field_shape" in self.fit_meta_:
            return tuple(self.fit_meta_["field_shape"])
        target = self.fit_meta_["target_shape"]
        return tuple(target) if len(target) == 3 else None  # files of earlier skequi

    def _predicts_vectors(self) -> bool:
        return not self._predicts_fields() and self.target_type == "vector"

    def _n_output_fields(self) -> int:
        field = self._field_shape() if "target_shape" in self.fit_meta_ else None
        if field is not None:
            return field[0] // self._channels_per_field // self.rollout_steps
        target = self.fit_meta_.get("target_shape", [])
        return int(np.prod(target)) if target else 1

    def _make_module(self, group, channels, relaxation_rank: int):
        in_channels, height, width = self.fit_meta_["input_shape"]
        per = self._channels_per_field
        field = self._field_shape()
        if field is not None:
            steps = self.rollout_steps
            step = GMCNNFieldRegressor(
                group, in_channels // per, field[0] // steps // per, in_field=self.field,
                out_field=self.field, channels=tuple(channels),
                kernel_radius=self.kernel_radius, relaxation_rank=relaxation_rank,
                image_size=(height, width), normalization=self.normalization,
            )
            return step if steps == 1 else AutoregressiveRollout(step, steps, field[0] // steps)
        target = self.fit_meta_["target_shape"]
        size = int(np.prod(target)) if target else 1
        if self._predicts_vectors():
            return self._backbone(size // 2, group, channels, relaxation_rank, output="vector")
        return self._backbone(size, group, channels, relaxation_rank)

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        y = validate_target(y, len(images), name=type(self).__name__,
                            precision=self.precision)
        field = self._field_target_shape(y, images.shape) if reset else (
            self._field_shape() if self._check_target_shape(y) else None)
        if field is None:
            self._check_number_targets(y, images.shape)
            if self.rollout_steps != 1:
                refuse_rollout_without_fields(type(self).__name__, self.rollout_steps,
                                              y.shape[1:])
        elif reset and self.rollout_steps != 1:
            rollout_frame_channels(self.rollout_steps, images.shape[1], field[0],
                                   self._channels_per_field, type(self).__name__)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:]),
                              "target_shape": list(y.shape[1:])}
            if field is not None:
                self.fit_meta_["field_shape"] = list(field)
        if field is not None:
            return images, y.reshape((len(y),) + tuple(field))
        return images, y.reshape(len(y), -1)

    def _check_target_shape(self, y) -> bool:
        """y has the per-sample shape of fit's y (True when it holds fields)."""
        if list(y.shape[1:]) != self.fit_meta_["target_shape"]:
            raise ValueError(
                f"y has shape {y.shape[1:]} per sample; this estimator was fitted on "
                f"{tuple(self.fit_meta_['target_shape'])}"
            )
        return self._predicts_fields()

    def _field_target_shape(self, y, image_shape):
        """(C, H, W) when y holds fields on the input grid, else None; errors for misfits."""
        name = type(self).__name__
        grid = tuple(image_shape[2:])
        if y.ndim == 4 or self.target_type == "field":
            if self.paper_mode_:
                raise ValueError(
                    f"field targets need a point group ({', '.join(_point_groups())}); "
                    f"group {self.group_.name!r} predicts invariant vectors only"
                )
            field = field_layout(y.shape[1:], grid, name)
            if field[0] % self._channels_per_field:
                raise ValueError(
                    f"field='vector' targets need (u, v) channel pairs, got {field[0]} channels"
                )
            return field
        if y.ndim not in (1, 2):
            raise ValueError(
                f"{name}: y must be (n,), (n, k), fields (n, C, H, W), or fields flattened to "
                f"(n, C*H*W) with target_type='field'; got shape {y.shape}")
        pixels = int(np.prod(grid))
        if y.ndim == 2 and self.target_type == "invariant" and y.shape[1] % pixels == 0:
            warnings.warn(
                f"{name}: y has {y.shape[1]} columns, a multiple of the {grid[0]}x{grid[1]} "
                "input grid; they are fitted as invariant numbers. If they are fields "
                "flattened to (n, C*H*W), pass target_type='field' for the equivariant model",
                UserWarning, stacklevel=4)
        return None

    def _check_number_targets(self, y, image_shape) -> None:
        if self.target_type != "vector":
            return
        if self.paper_mode_:
            raise ValueError(
                f"target_type='vector' needs a point group; group {self.group_.name!r} has no "
                "rotation to turn vectors with"
            )
        if y.ndim != 2 or y.shape[1] % 2:
            raise ValueError(
                "target_type='vector' needs y of shape (n, 2k): vectors as (u, v) pairs; "
                f"got shape {y.shape}"
            )

    def _output_actions(self, group):
        field = self._field_shape()
        if field is not None:
            def act_output(Y, g):
                return apply_group(Y, g, group, self.field)

            def act_target(y, g):
                return act_on_user_array(y, lambda a: a.reshape((len(a),) + field),
                                         lambda fields: apply_group(fields, g, group, self.field))
            return act_output, act_target
        if self._predicts_vectors():
            matrices = group_matrices(group)

            def turn(Y, g):
                return (np.asarray(Y).reshape(len(Y), -1, 2) @ matrices[g].T).reshape(
                    np.shape(Y))

            def act_target(y, g):
                return act_on_user_array(y, lambda a: a, lambda a: turn(a, g))
            return turn, act_target
        return unchanged, unchanged


def _point_groups() -> tuple[str, ...]:
    from ..groups import LATTICE_GROUPS

    return LATTICE_GROUPS
