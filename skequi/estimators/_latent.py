"""LatentEquivariantClassifier/Regressor: parameter-free approximate equivariance (2025).

Any encoder ``E`` and head ``H``; the latent space carries a fixed
representation rho (copies of the regular representation of a finite group
plus trivial padding). Training minimises

    task(H(E(x)), y) + task(H(E(g x)), g y) + lambda * MSE(E(g x), rho(g) E(x))

with ``g`` drawn uniformly per sample; ``lambda = equivariance_strength``
(0 is plain augmented training). With ``relaxation_rank > 0`` rho is learned
near the regular representation and an algebra loss keeps it close to a
representation.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.utils import is_dataset

from ..groups import get_group
from ..models import ConvEncoder, LatentModel, MLPHead
from ..nn import LatentRegularAction
from ..transforms import apply_group, group_matrices
from ._base import EquivariantNetMixin, LabelledClassifierMixin
from ._images import validate_images, validate_target

__all__ = ["LatentEquivariantClassifier", "LatentEquivariantRegressor"]


class _LatentMixin(EquivariantNetMixin):
    prefixes_ = NeuralNet.prefixes_ + ["encoder", "head"]

    _parameter_constraints = {
        **EquivariantNetMixin._parameter_constraints,
        "group": "no_validation",  # get_group names the spec and the valid forms
        "equivariance_strength": [Interval(Real, 0, None, closed="left")],
        "algebra_strength": [Interval(Real, 0, None, closed="left")],
        "latent_dim": [None, Interval(Integral, 1, None, closed="left")],
        "field": [StrOptions({"scalar", "vector"})],
        "input_action": [None, callable],
        "latent_structure": [StrOptions({"flat", "grid", "regular"})],
        "channels": ["array-like"],
    }

    def __init__(self, group="C4", equivariance_strength=1.0, relaxation_rank=0, *,
                 latent_dim=None, algebra_strength=1.0, encoder=None, head=None,
                 latent_structure="flat", channels=(16, 32), field="scalar", input_action=None,
                 lr=1e-3, max_epochs=20,
                 batch_size=64, weight_decay=1e-4, optimizer=torch.optim.AdamW,
                 criterion=None, early_stopping=False, train_split=None,
                 callbacks=None, device="auto", random_state=None, verbose=0, module=None,
                 **kwargs):
        super().__init__(module=module, criterion=criterion, optimizer=optimizer, lr=lr,
                         max_epochs=max_epochs, batch_size=batch_size, train_split=train_split,
                         callbacks=callbacks, device=device, verbose=verbose, **kwargs)
        self.group = group
        self.equivariance_strength = equivariance_strength
        self.relaxation_rank = relaxation_rank
        self.latent_dim = latent_dim
        self.algebra_strength = algebra_strength
        self.encoder = encoder
        self.head = head
        self.latent_structure = latent_structure
        self.channels = channels
        self.field = field
        self.input_action = input_action
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.random_state = random_state

    def _check_group(self) -> None:
        self.group_ = get_group(self.group)
        if not hasattr(self.group_, "cayley_table"):
            raise ValueError(
                f"the latent method needs a finite group (C4, D4, S3, O, C4xC4, ...); "
                f"{self.group_.name!r} is a matrix group"
            )
        if self.input_action is None:
            group_matrices(self.group_)  # a clear error if it cannot act on grids
        n = self.group_.order
        self.latent_dim_ = self.latent_dim or n * max(1, 64 // n)
        if self.latent_dim_ < n:
            raise ValueError(f"latent_dim must be >= |{self.group_.name}| = {n}, got {self.latent_dim}")

    def _prepare_X(self, X, *, reset: bool) -> np.ndarray:
        self._begin_prepare(reset=reset)
        X = validate_images(self, X, reset=reset)
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim not in (4, 5):
            raise ValueError(
                f"{type(self).__name__} expects images (n, C, H, W), (n, H, W) or volumes "
                f"(n, C, D, H, W); got shape {X.shape}"
            )
        if not reset and list(X.shape[1:]) != self.fit_meta_["input_shape"]:
            raise ValueError(
                f"fitted on inputs of shape {tuple(self.fit_meta_['input_shape'])}, got {X.shape[1:]}"
            )
        return np.ascontiguousarray(X)

    def _act_on_input(self, X, g):
        if self.input_action is not None:
            return self.input_action(X, g)
        return apply_group(X, g, self.group_, self.field)

    def _act_batch(self, X: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        """Each sample of X acted on by its own element (one call per distinct element)."""
        out = torch.empty_like(X)
        for g in elements.unique().tolist():
            rows = (elements == g).nonzero(as_tuple=True)[0]
            out[rows] = self._act_on_input(X[rows], g).to(X.dtype)
        return out

    def _act_on_targets(self, y: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        """g y for each sample; labels (the default) are invariant."""
        return y

    def _build_module(self):
        input_shape = self.fit_meta_["input_shape"]
        encoder_kwargs = self.get_params_for("encoder")
        head_kwargs = self.get_params_for("head")
        if self.encoder is None:
            encoder = ConvEncoder(input_shape[0], self.latent_dim_, input_shape[1:],
                                  channels=tuple(self.channels), **encoder_kwargs)
        else:
            encoder = self.encoder(**encoder_kwargs)
        head = (MLPHead(self.latent_dim_, self._n_outputs(), **head_kwargs) if self.head is None
                else self.head(**head_kwargs))
        if self.latent_structure != "flat" and (self.encoder is None or self.head is None):
            raise ValueError(
                f"latent_structure={self.latent_structure!r} needs an encoder returning "
                "(batch, latent_dim, H, W) and a head taking it; pass encoder= and head="
            )
        action = LatentRegularAction(self.group_, self.latent_dim_,
                                     relaxation_rank=self.relaxation_rank,
                                     structure=self.latent_structure)
        return LatentModel(encoder, head, action)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if not training or X is None:
            return loss
        model = self.module_
        X = X.to(y_pred.device) if isinstance(X, torch.Tensor) else torch.as_tensor(X, device=y_pred.device)
        elements = torch.randint(self.group_.order, (len(X),), device=X.device)
        moved = self._act_batch(X, elements)
        z_moved = model.encode(moved)
        y_moved = self._act_on_targets(y_true, elements)
        loss = loss + super().get_loss(model.head(z_moved), y_moved, X=moved, training=training)
        if self.equivariance_strength:
            z = model.encode(X)
            loss = loss + self.equivariance_strength * F.mse_loss(z_moved, model.action(z, elements))
        if self.relaxation_rank:
            loss = loss + self.algebra_strength * model.action.algebra_loss()
        return loss

    def equivariance_error(self, X) -> float:
        """Mean relative error of the latent: ``|E(g x) - rho(g) E(x)| / |E(x)|`` over g.

        The method makes the *encoder* (approximately) equivariant; its
        predictions are invariant only as far as the head is.
        """
        Xp = torch.as_tensor(self._prepare_X(X, reset=False), device=self.device)
        model = self.module_.eval()
        errors = []
        with torch.no_grad():
            z = model.encode(Xp)
            for g in self._error_elements():
                elements = torch.full((len(Xp),), g, device=Xp.device)
                moved = model.encode(self._act_batch(Xp, elements))
                errors.append(((moved - model.action(z, elements)).norm() / z.norm()).item())
        return float(np.mean(errors))


class LatentEquivariantClassifier(LabelledClassifierMixin, _LatentMixin, NeuralNetClassifier):
    """Classifier with a regular-representation latent space and an equivariance loss.

    Parameters
    ----------
    group : str or FiniteGroup, default="C4"
        Any finite group; it must act on X (point groups on images, ``"O"`` on
        volumes) unless ``input_action`` is given.
    equivariance_strength : float, default=1.0
        lambda; 0 gives plain augmented training (the paper's baseline).
    relaxation_rank : int, default=0
        0: the fixed regular representation. r > 0: each generator's latent
        matrix gets a learned rank-r correction (starting at zero), kept near a
        representation by ``algebra_strength`` times the algebra loss.
    latent_dim : int, optional
        Default ``|G| * max(1, 64 // |G|)``.
    algebra_strength : float, default=1.0
    encoder, head : torch.nn.Module class, optional
        Defaults: a small CNN (2-D or 3-D) and an MLP. Constructor arguments
        go as ``encoder__name=value``; the encoder must return
        ``(batch, latent_dim)`` (or ``(batch, latent_dim, H, W)`` for
        structured latents).
    latent_structure : {"flat", "grid", "regular"}, default="flat"
        How the group acts on the latent: the regular representation on flat
        vectors; or, on structured latents ``(batch, C, H, W)``, rotating each
        channel's grid (``"grid"``) or also permuting channel blocks of
        ``|G|`` (``"regular"``), as the paper's SMOKE variant.
    channels : sequence of int, default=(16, 32)
        Widths of the default CNN encoder.
    field : {"scalar", "vector"}, default="scalar"
    input_action : callable ``(X, g) -> X``, optional
        How element index g acts on a batch (numpy or torch); e.g.
        ``functools.partial(double_digits_action, group="C4xC4")``.
    lr, max_epochs, batch_size, weight_decay, optimizer, early_stopping,
    train_split, callbacks, device, random_state, verbose, **kwargs
        As for the other skequi estimators.

    Attributes
    ----------
    classes_, n_params_, module_, history_

    Examples
    --------
    >>> from skequi import LatentEquivariantClassifier
    >>> from skequi.datasets import make_rotated_digits
    >>> X, y, _ = make_rotated_digits("C4", random_state=0)
    >>> clf = LatentEquivariantClassifier("C4", max_epochs=1, random_state=0)
    >>> clf.fit(X[:128], y[:128]).predict(X[:2]).shape
    (2,)
    """

    _default_criterion = torch.nn.CrossEntropyLoss

    def _n_outputs(self) -> int:
        return len(self.fit_meta_["classes"])

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:])}
        return images, self._encode_labels(y, len(images), reset=reset)


class LatentEquivariantRegressor(_LatentMixin, NeuralNetRegressor):
    """Regressor with a regular-representation latent space and an equivariance loss.

    Targets are invariant vectors ``(n,)`` / ``(n, k)``, or fields
    ``(n, C, H, W)`` that the group moves like the inputs (``field`` applies to
    both), or anything ``output_action(y, g)`` acts on.

    Parameters
    ----------
    group, equivariance_strength, relaxation_rank, latent_dim, algebra_strength,
    encoder, head, channels, field, input_action
        As for :class:`LatentEquivariantClassifier`.
    output_action : callable ``(y, g) -> y``, optional
        How element g acts on a batch of targets; default: invariant vectors,
        and :func:`~skequi.transforms.apply_group` for field targets.
    lr, max_epochs, batch_size, weight_decay, optimizer, early_stopping,
    train_split, callbacks, device, random_state, verbose, **kwargs
        As for the other skequi estimators.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi import LatentEquivariantRegressor
    >>> X = np.random.default_rng(0).normal(size=(64, 1, 8, 8))
    >>> reg = LatentEquivariantRegressor("D4", max_epochs=1, random_state=0)
    >>> reg.fit(X, X.std(axis=(1, 2, 3))).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {**_LatentMixin._parameter_constraints,
                              "output_action": [None, callable]}

    _default_criterion = torch.nn.MSELoss

    def __init__(self, group="C4", equivariance_strength=1.0, relaxation_rank=0, *,
                 output_action=None, **kwargs):
        super().__init__(group, equivariance_strength, relaxation_rank, **kwargs)
        self.output_action = output_action

    def _n_outputs(self) -> int:
        return int(np.prod(self.fit_meta_["target_shape"])) if self.fit_meta_["target_shape"] else 1

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        y = validate_target(y, len(images), name=type(self).__name__)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:]),
                              "target_shape": list(y.shape[1:])}
        return images, y.reshape(len(y), -1)

    def _act_on_targets(self, y: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        shape = self.fit_meta_["target_shape"]
        if self.output_action is None and len(shape) < 3:
            return y  # invariant vectors
        out = torch.empty_like(y)
        for g in elements.unique().tolist():
            rows = (elements == g).nonzero(as_tuple=True)[0]
            block = y[rows].reshape(len(rows), *shape)
            moved = (self.output_action(block, g) if self.output_action is not None
                     else apply_group(block, g, self.group_, self.field))
            out[rows] = moved.reshape(len(rows), -1).to(y.dtype)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # vectors (n, k) and fields (n, C, H, W)
        return tags

    def predict(self, X):
        """Predictions in the shape of the ``y`` passed to fit."""
        if is_dataset(X):
            return NeuralNetRegressor.predict(self, X)
        out = self._forward_numpy(self._prepare_X(X, reset=False))
        return out.reshape((len(out),) + tuple(self.fit_meta_["target_shape"]))
