"""Predictions, scores and tags shared by the skequi regressors."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils._available_if import available_if
from skorch import NeuralNetRegressor
from skorch.utils import is_dataset

from ._images import validate_target

__all__ = ["ROLLOUT_DOC", "ShapedRegressorMixin", "field_layout", "refuse_rollout_without_fields",
           "rollout_frame_channels"]


def field_layout(per_sample: tuple, grid: tuple, name: str) -> tuple[int, ...]:
    """``(C, *grid)`` of field targets given per sample as ``(C, *grid)``, ``grid`` or flat.

    Raises
    ------
    ValueError
        If the targets do not lie on the input grid.

    Examples
    --------
    >>> from skequi.estimators._regression import field_layout
    >>> field_layout((128,), (8, 8), "GMCNNRegressor")
    (2, 8, 8)
    """
    per_sample, grid = tuple(int(s) for s in per_sample), tuple(int(s) for s in grid)
    pixels = int(np.prod(grid))
    if len(per_sample) == len(grid) + 1 and per_sample[1:] == grid:
        return per_sample
    if per_sample == grid:
        return (1,) + grid
    if len(per_sample) == 1 and per_sample[0] >= pixels and per_sample[0] % pixels == 0:
        return (per_sample[0] // pixels,) + grid
    sides = ", ".join(map(str, grid))
    raise ValueError(
        f"{name}: field targets lie on the input grid {grid}: y must be (n, C, {sides}), "
        f"(n, {sides}) or flattened to (n, C*{pixels}); got {per_sample} per sample"
    )


ROLLOUT_DOC = """    rollout_steps : int, default=1
        Forecasting with field targets: ``y`` holds ``rollout_steps``
        consecutive frames (``X`` the frames before them, stacked along
        channels). The network predicts one frame and is applied
        ``rollout_steps`` times on its own predictions, each joining the
        window as its oldest frame leaves, so fit minimises the error of the
        whole rollout (Wang et al.'s autoregressive loss: 6 steps for the
        smoke plumes) and predict returns the rollout. The network's
        BatchNorm layers normalise each step by its batch's statistics in
        fit and by fixed ones in predict; on the translation plumes this
        made longer fits roll out worse past the trained steps
        (``benchmarks/RESULTS.md``), so watch a validation rollout;
        ``GMCNNRegressor(normalization=None)`` has no BatchNorm.
"""


def refuse_rollout_without_fields(name: str, steps: int, target_shape) -> None:
    """The error for ``rollout_steps > 1`` with targets that are not frames."""
    raise ValueError(
        f"{name}: rollout_steps={steps} forecasts frames: it needs field targets on the input "
        f"grid, (n, C, H, W) or flattened with target_type='field'; got y of shape "
        f"{tuple(target_shape)} per sample")


def rollout_frame_channels(steps: int, in_channels: int, out_channels: int,
                           channels_per_field: int, name: str) -> int:
    """Channels of one frame for a rollout of ``steps`` frames; errors say what misfits.

    Examples
    --------
    >>> from skequi.estimators._regression import rollout_frame_channels
    >>> rollout_frame_channels(6, 20, 12, 2, "GMCNNRegressor")  # 10 frames in, 6 out
    2
    """
    frame = out_channels // steps
    if out_channels % steps or frame % channels_per_field:
        unit = " (u, v) pairs" if channels_per_field == 2 else ""
        raise ValueError(
            f"{name}: rollout_steps={steps} splits y into {steps} frames, but y has "
            f"{out_channels} channels; it must hold {steps} frames of equal channels{unit}"
        )
    if in_channels % frame:
        raise ValueError(
            f"{name}: rollout_steps={steps} feeds each predicted frame of {frame} channels "
            f"back into the input window, but X has {in_channels} channels, not a whole "
            "number of frames"
        )
    return frame


class ShapedRegressorMixin:
    """Mix in before :class:`~._base.EquivariantNetMixin` in a regressor.

    ``predict`` answers in the shape of the ``y`` passed to fit (fields
    ``(n, C, H, W)`` or flattened, vectors ``(n, k)`` or ``(n,)``); a subclass
    that scales its targets undoes that in ``_output_to_target``. ``score`` is
    R^2: for fields (``_predicts_fields()``) over all values pooled, else the
    mean of each output column's.
    ``predict_proba`` is hidden: ``hasattr(reg, "predict_proba")`` is False.
    """

    predict_proba = available_if(lambda est: False)(NeuralNetRegressor.predict_proba)

    def _output_to_target(self, out: np.ndarray) -> np.ndarray:
        """The module's (n, outputs) predictions in the shape of fit's ``y``."""
        return out.reshape((len(out),) + tuple(self.fit_meta_["target_shape"]))

    def predict(self, X):
        """Predictions in the units and shape of the ``y`` passed to fit.

        Parameters
        ----------
        X : array-like
            Inputs as for ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) + target shape
        """
        if is_dataset(X):  # skorch's validation scoring passes prepared subsets
            return NeuralNetRegressor.predict(self, X)
        return self._output_to_target(self._forward_numpy(self._prepare_X(X, reset=False)))

    def _predicts_fields(self) -> bool:
        """Whether the targets are fields on the input grid (subclasses say)."""
        return False

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 of the predictions.

        For field targets, R^2 over all values pooled: ``1 - SSE / SST`` with
        SST the squared deviations of every value from its pixel's mean
        (scikit-learn's ``multioutput="variance_weighted"``), so pixels that
        barely vary, such as a fixed boundary, weigh as little as their
        variance. For numbers and vectors, the mean of each column's R^2
        (scikit-learn's default).

        Parameters
        ----------
        X : array-like
            Inputs as for ``fit``.
        y : array-like
            Targets in the shape fit was given.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        pred = self.predict(X)
        y = validate_target(y, len(pred), name=type(self).__name__)
        pooled = "variance_weighted" if self._predicts_fields() else "uniform_average"
        return float(r2_score(y.reshape(len(y), -1), pred.reshape(len(pred), -1),
                              sample_weight=sample_weight, multioutput=pooled))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # vectors (n, k) and fields (n, C, H, W)
        return tags
