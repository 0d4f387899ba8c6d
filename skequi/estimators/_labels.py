"""Labels of any type for the skequi classifiers: ``classes_``, encoding, predictions."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d
from skorch import NeuralNetClassifier
from skorch.utils import is_dataset

from ._checks import to_numpy

__all__ = ["LabelledClassifierMixin"]


class LabelledClassifierMixin:
    """Mix in before :class:`~._base.EquivariantNetMixin`.

    ``fit`` encodes y with a ``LabelEncoder`` (string or non-contiguous labels
    work) and records the classes in ``fit_meta_["classes"]``.
    """

    _stratify_split = True

    def _encode_labels(self, y, n_samples: int, *, reset: bool) -> np.ndarray:
        y = to_numpy(y)
        y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        y = column_or_1d(y, warn=True)
        check_consistent_length(np.empty(n_samples), y)
        if reset:
            check_classification_targets(y)
            encoder = LabelEncoder().fit(y)
            if len(encoder.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in y; got only "
                    f"one class: {encoder.classes_[0]!r}"
                )
            self.label_encoder_ = encoder
            self.fit_meta_["classes"] = encoder.classes_.tolist()
        unknown = np.setdiff1d(np.unique(y), self.label_encoder_.classes_)
        if len(unknown):
            raise ValueError(
                f"y contains labels not seen in the first fit: {unknown[:5].tolist()}; "
                f"{type(self).__name__} knows {self.label_encoder_.classes_.tolist()}"
            )
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
        """Class probabilities, shape (n, n_classes), columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like
            Inputs as for ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        if is_dataset(X):  # skorch's validation scoring passes prepared subsets
            return NeuralNetClassifier.predict_proba(self, X)
        logits = self._forward_numpy(self._prepare_X(X, reset=False))
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels, in the type of the ``y`` passed to fit.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        if is_dataset(X):  # skorch's scoring: encoded labels, as in its validation y
            return NeuralNetClassifier.predict(self, X)
        proba = self.predict_proba(X)  # raises NotFittedError before classes_ is touched
        return self.classes_[proba.argmax(axis=1)]
