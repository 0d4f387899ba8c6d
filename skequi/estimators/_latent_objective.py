"""The latent-equivariance objective: the training loss of the latent estimators.

For each training batch, with ``g`` drawn uniformly per sample::

    task(H(E(x)), y) + w task(H(E(g x)), g y) + lambda * MSE(E(g x), rho(g) E(x))

plus ``algebra_strength`` times the algebra loss of a learned ``rho``
(``relaxation_rank > 0``). :class:`LatentObjectiveMixin` adds this loss, the
group's action on training batches and the encoder's measured equivariance
to an estimator; the estimator (:mod:`._latent`) supplies the group, the
module and the hooks ``_rollout`` and ``_prepare_X``.
"""

from __future__ import annotations

import numpy as np
import torch

from ..transforms import apply_group, apply_group_per_sample
from ._symmetry import measured_elements

__all__ = ["LatentObjectiveMixin"]


class LatentObjectiveMixin:
    """The latent method's loss and its group action on training batches.

    Mix in before the skorch net class: ``get_loss`` adds its terms to the
    net's task loss (``super().get_loss``).
    """

    def _act_on_input(self, X, g):
        if self.input_action is not None:
            return self.input_action(X, g)
        return apply_group(X, g, self.group_, self.field)

    def _act_batch(self, X: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        """Each sample of X acted on by its own element: one gather for the grid actions,
        one call per distinct element for a user's ``input_action``."""
        if self.input_action is None:
            return apply_group_per_sample(X, elements, self.group_, self.field)
        out = torch.empty_like(X)
        for g in elements.unique().tolist():
            rows = (elements == g).nonzero(as_tuple=True)[0]
            out[rows] = torch.as_tensor(self._act_on_input(X[rows], g), device=X.device).to(X.dtype)
        return out

    def _act_on_targets(self, y: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        """g y for each sample; labels (the default) are invariant."""
        return y

    def get_loss(self, y_pred, y_true, X=None, training=False, sample_weight=None):
        loss = super().get_loss(y_pred, y_true, X=X, training=training,
                                sample_weight=sample_weight)
        if not training or X is None:
            return loss
        model = self.module_
        z = model.take_latent(X)  # E(x) from this step's forward pass
        if self.relaxation_rank:
            loss = loss + self.algebra_strength * model.action.algebra_loss()
        if not (self.transformed_task_weight or self.equivariance_strength):
            return loss  # plain training on x (the paper's DDMNIST baseline)
        X = torch.as_tensor(X, device=y_pred.device)
        generator = getattr(self, "_augment_generator", None)
        elements = torch.randint(self.group_.order, (len(X),), device=X.device,
                                 generator=generator)
        moved = self._act_batch(X, elements)
        z_moved = self._encode(moved)
        if self.transformed_task_weight:
            y_moved = self._act_on_targets(y_true, elements)
            out = self._head(z_moved)
            if self._rollout()[0] > 1:  # a rollout's first frame only (the SMOKE recipe)
                y_moved = y_moved[:, :out.shape[1]]
            loss = loss + self.transformed_task_weight * super().get_loss(
                out, y_moved, X=moved, training=training, sample_weight=sample_weight)
        if self.equivariance_strength:
            z = self._encode(X) if z is None else z.to(z_moved.dtype)  # bf16 under autocast
            gap = (z_moved - model.action(z, elements)).square().flatten(1).mean(1)
            if sample_weight is not None:
                gap = gap * sample_weight.to(gap.dtype)
            loss = loss + self.equivariance_strength * gap.mean()
        return loss

    def _transform_training_batch(self, Xi, yi):
        """``batch_transform`` on each training batch (never in predict or validation)."""
        if self.batch_transform is None:
            return Xi, yi
        moved = self.batch_transform(Xi)
        if not isinstance(moved, torch.Tensor) or tuple(moved.shape) != tuple(Xi.shape):
            raise ValueError(
                f"{type(self).__name__}: batch_transform must return a torch tensor shaped like "
                f"its input {tuple(Xi.shape)}; got "
                f"{tuple(getattr(moved, 'shape', ())) or type(moved).__name__}")
        return moved.to(Xi.device, Xi.dtype), yi

    def _encode(self, X):
        from ._precision import autocast

        with autocast(self.precision, X.device):
            z = self.module_.encode(X.to(next(self.module_.parameters()).dtype))
        return z.float() if self.precision == "bf16" else z

    def _head(self, z):
        from ._precision import autocast

        with autocast(self.precision, z.device):
            out = self.module_.head(z)
        return out.float() if self.precision == "bf16" else out

    def latent_equivariance_error(self, X) -> float:
        """Mean relative error of the latent: ``|E(g x) - rho(g) E(x)| / |E(x)|`` over g.

        The quantity the equivariance loss drives down: how far the *encoder*
        is from equivariant, with ``rho`` the latent representation (learned,
        for ``relaxation_rank > 0``), averaged over the non-identity elements.
        :meth:`equivariance_error` measures the predictions instead.

        Parameters
        ----------
        X : array-like
            Inputs, as for ``predict``.

        Returns
        -------
        float
        """
        Xp = self._prepare_X(X, reset=False)  # raises NotFittedError before fit
        parameter = next(self.module_.parameters())
        Xp = torch.as_tensor(Xp).to(parameter.device, parameter.dtype)
        model = self.module_.eval()
        errors = []
        with torch.no_grad():
            z = model.encode(Xp)
            for _, g in measured_elements(self.group_):
                elements = torch.full((len(Xp),), g, device=Xp.device)
                moved = model.encode(self._act_batch(Xp, elements))
                errors.append(((moved - model.action(z, elements)).norm() / z.norm()).item())
        return float(np.mean(errors)) if errors else 0.0
