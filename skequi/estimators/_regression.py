"""Predictions, scores and tags shared by the skequi regressors."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils._available_if import available_if
from skorch import NeuralNetRegressor
from skorch.utils import is_dataset

from ._images import validate_target

__all__ = ["ShapedRegressorMixin"]


class ShapedRegressorMixin:
    """Mix in before :class:`~._base.EquivariantNetMixin` in a regressor.

    ``predict`` answers in the shape of the ``y`` passed to fit (fields
    ``(n, C, H, W)``, vectors ``(n, k)`` or ``(n,)``); a subclass that scales
    its targets undoes that in ``_output_to_target``. ``score`` is R^2 with
    every output value a column, so field targets score like vectors.
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

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 averaged over all output values (each field pixel is one column).

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
        return float(r2_score(y.reshape(len(y), -1), pred.reshape(len(pred), -1),
                              sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # vectors (n, k) and fields (n, C, H, W)
        return tags
