"""LatentEquivariantClassifier/Regressor: parameter-free approximate equivariance (2025).

Any encoder ``E`` and head ``H``; the latent space carries a fixed
representation rho (copies of the regular representation of a finite group
plus trivial padding). Training minimises

    task(H(E(x)), y) + w task(H(E(g x)), g y) + lambda * MSE(E(g x), rho(g) E(x))

with ``g`` drawn uniformly per sample; ``lambda = equivariance_strength``
(0 is plain augmented training) and ``w = transformed_task_weight`` (the
paper's DDMNIST code: 0). With ``relaxation_rank > 0`` rho is learned
near the regular representation and an algebra loss keeps it close to a
representation. The loss itself is :mod:`._latent_objective`'s; this module
holds the estimator: parameters, input checks and the module it builds.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier

from ..groups import get_group
from ..models import ConvEncoder, ConvFieldEncoder, ConvFieldHead, LatentModel, MLPHead
from ..nn import LatentRegularAction
from ..transforms import apply_group, group_matrices
from ._base import EquivariantNetMixin
from ._registry import register
from ._checks import check_channels, is_shape
from ._images import (
    as_images,
    refuse_channels_last,
    square_image_hint,
    validate_images,
)
from ._labels import LabelledClassifierMixin
from ._latent_objective import LatentObjectiveMixin
from ._symmetry import GroupAction, act_on_user_array, measured_elements, unchanged

__all__ = ["LatentEquivariantClassifier"]


#: the default modules' arguments that the estimator fills in, and from where
_SET_BY_ESTIMATOR = {
    "in_channels": "from the data", "spatial_shape": "from the data",
    "latent_dim": "from latent_dim=", "channels": "from channels=",
    "normalization": "from normalization=",
    "n_outputs": "from the targets", "out_channels": "from the targets",
}


class _LatentMixin(LatentObjectiveMixin, EquivariantNetMixin):
    prefixes_ = EquivariantNetMixin.prefixes_ + ["encoder", "head"]

    _parameter_constraints = {
        **EquivariantNetMixin._parameter_constraints,
        "group": "no_validation",  # get_group names the spec and the valid forms
        "equivariance_strength": [Interval(Real, 0, None, closed="left")],
        "algebra_strength": [Interval(Real, 0, None, closed="left")],
        "latent_dim": [None, Interval(Integral, 1, None, closed="left")],
        "field": [StrOptions({"scalar", "vector"})],
        "input_action": [None, callable],
        "batch_transform": [None, callable],
        "transformed_task_weight": [Interval(Real, 0, None, closed="left")],
        "latent_structure": [StrOptions({"flat", "grid", "regular"})],
        "channels": ["array-like"],
        "normalization": [StrOptions({"batch"}), None],
        "image_shape": [None, tuple, list],
    }

    def __init__(self, group="C4", equivariance_strength=1.0, relaxation_rank=0, *,
                 latent_dim=None, algebra_strength=1.0, encoder=None, head=None,
                 latent_structure="flat", channels=(16, 32), normalization="batch",
                 field="scalar", input_action=None,
                 batch_transform=None, transformed_task_weight=1.0, image_shape=None, lr=1e-3,
                 lr_schedule=None, max_epochs=20,
                 batch_size=64, weight_decay=1e-4, optimizer=torch.optim.AdamW,
                 criterion=None, early_stopping=False, train_split=None,
                 callbacks=None, device="auto", random_state=None, precision="float32",
                 n_threads="auto", data_on_device="auto", verbose=0, module=None, **kwargs):
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
        self.normalization = normalization
        self.field = field
        self.input_action = input_action
        self.batch_transform = batch_transform
        self.transformed_task_weight = transformed_task_weight
        self.image_shape = image_shape
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.precision = precision
        self.n_threads = n_threads
        self.data_on_device = data_on_device

    def _check_group(self) -> None:
        name = type(self).__name__
        self.group_ = get_group(self.group)
        if not hasattr(self.group_, "cayley_table"):
            raise ValueError(
                f"the latent method needs a finite group (C4, D4, S3, O, C4xC4, ...); "
                f"{self.group_.name!r} is a matrix group"
            )
        if self.input_action is None and self.group_.matrices is None:
            if "x" in self.group_.name:
                raise ValueError(
                    f"group {self.group_.name!r} is a product and has no action on one image; "
                    "input_action is how a product group acts on data, e.g. on side-by-side "
                    "images input_action=functools.partial(skequi.datasets.double_digits_action, "
                    f"group={self.group_.name!r})"
                )
            group_matrices(self.group_)  # a clear error naming the groups that act on grids
        for role in ("encoder", "head"):
            value = getattr(self, role)
            if value is not None and not isinstance(value, type):
                raise TypeError(
                    f"The '{role}' parameter of {name} must be a torch.nn.Module class (it is "
                    f"built with {role}__... arguments at fit time). Got an instance of "
                    f"{type(value).__name__} instead; pass {type(value).__name__} itself"
                )
        if self.encoder is None:
            check_channels(self.channels, name)
        elif self.normalization != "batch":
            raise ValueError(
                f"{name}: normalization={self.normalization!r} applies to skequi's default "
                f"encoders; encoder={getattr(self.encoder, '__name__', self.encoder)} is built "
                "as given (set its own option with encoder__<name>=...)"
            )
        self._check_default_module_options()
        if self.image_shape is not None and not is_shape(self.image_shape):
            raise ValueError(
                f"The 'image_shape' parameter of {name} must be (height, width) with positive "
                f"ints. Got {self.image_shape!r} instead."
            )
        n = self.group_.order
        self.latent_dim_ = self.latent_dim or n * max(1, 64 // n)
        if self.latent_dim_ < n:
            raise ValueError(
                f"latent_dim must be >= |{self.group_.name}| = {n}, got {self.latent_dim}")

    def _prepare_X(self, X, *, reset: bool) -> np.ndarray:
        self._begin_prepare(reset=reset)
        name = type(self).__name__
        X = validate_images(self, X, reset=reset)
        given_shape = X.shape
        if X.ndim in (3, 4) and self.image_shape is not None \
                and tuple(X.shape[-2:]) != tuple(self.image_shape):
            raise ValueError(
                f"{name}: image_shape={tuple(self.image_shape)} but X holds images of shape "
                f"{tuple(X.shape[-2:])}; image_shape is for flat X (n, H*W)")
        if X.ndim == 2:
            X = as_images(X, self.image_shape, 1, name)
        if X.ndim == 3:
            X = X[:, None]
        refuse_channels_last(given_shape, self.image_shape, name)
        if X.ndim not in (4, 5):
            raise ValueError(
                f"{name} expects images (n, C, H, W), (n, H, W), flat (n, H*W) with image_shape= "
                f"or volumes (n, C, D, H, W); got shape {X.shape}"
            )
        if self.input_action is None and self.group_.matrices is not None:
            dims = self.group_.matrices.shape[1]
            spatial = X.shape[-dims:]
            rotates = any(np.abs(m - np.diag(np.diag(m))).sum() for m in self.group_.matrices)
            if X.ndim - 2 != dims:
                raise ValueError(
                    f"group {self.group_.name!r} acts on {'volumes' if dims == 3 else 'images'}; "
                    f"X has shape {X.shape}"
                )
            if rotates and len(set(spatial)) != 1:
                raise ValueError(
                    f"group {self.group_.name!r} swaps the grid axes and needs equal sides: "
                    f"{square_image_hint(given_shape, self.image_shape, *spatial[-2:])}"
                )
        if not reset and list(X.shape[1:]) != self.fit_meta_["input_shape"]:
            raise ValueError(
                f"fitted on inputs of shape {tuple(self.fit_meta_['input_shape'])}, "
                f"got {X.shape[1:]}"
            )
        return np.ascontiguousarray(X)

    def _relaxation_bound(self) -> tuple[int, str]:
        return self.latent_dim_, "latent_dim, the size of the learned latent matrices"

    def _estimated_size(self) -> tuple[float, str]:
        shape = self.fit_meta_["input_shape"]
        latent, rank = self.latent_dim_, self.relaxation_rank
        total = rank * 2.0 * latent * len(self.group_.generators)
        culprit = f"latent_dim={latent}, relaxation_rank={rank}"
        if self.encoder is None:
            kernel = 3 ** (len(shape) - 1)
            width, spatial = shape[0], list(shape[1:])
            for out in self.channels:
                total += kernel * float(width) * out
                spatial = [s // 2 for s in spatial] if min(spatial) >= 4 else spatial
                width = out
            total += float(width) * float(np.prod(spatial)) * latent
            culprit = f"channels={tuple(int(c) for c in self.channels)}, " + culprit
        if self.head is None:  # MLPHead: latent -> 64 -> outputs
            total += latent * 64.0 + 64.0 * self._n_outputs()
            culprit += f", {self._n_outputs():,} outputs"
        return total, culprit

    def _check_default_module_options(self) -> None:
        """``encoder__`` / ``head__`` options that the default modules take (the default
        encoder: none, its options are the estimator's; the default heads: ``hidden``)."""
        for role, takes in (("encoder", ()), ("head", ("hidden",))):
            if getattr(self, role) is not None:
                continue
            refused = sorted(set(self.get_params_for(role)) - set(takes))
            if refused:
                key = refused[0]
                why = (f"takes {key} {_SET_BY_ESTIMATOR[key]}" if key in _SET_BY_ESTIMATOR
                       else f"takes {role}__hidden only" if takes
                       else "takes its options from channels= and normalization=")
                raise ValueError(
                    f"{type(self).__name__}: {role}__{key} cannot be set for the default "
                    f"{role}, which {why}; pass {role}= to build one of your own"
                )

    def _structured_target_shape(self):
        """(C, H, W) of field targets for a structured latent's default head, or None."""
        return None

    def _rollout(self) -> tuple[int, int | None]:
        """(steps, channels of one frame) of a forecasting rollout; (1, None) if none."""
        return 1, None

    def _build_module(self):
        input_shape = self.fit_meta_["input_shape"]
        head_kwargs = self.get_params_for("head")
        structured = self.latent_structure != "flat"
        steps, frame = self._rollout()
        if self.encoder is not None:
            encoder = self.encoder(**self.get_params_for("encoder"))
        elif structured:
            encoder = ConvFieldEncoder(input_shape[0], self.latent_dim_,
                                       channels=tuple(self.channels),
                                       normalization=self.normalization)
        else:
            encoder = ConvEncoder(input_shape[0], self.latent_dim_, input_shape[1:],
                                  channels=tuple(self.channels),
                                  normalization=self.normalization)
        if self.head is not None:
            head = self.head(**head_kwargs)
        elif structured:
            target = list(self._structured_target_shape() or [])
            if len(target) != 3 or list(target[1:]) != list(input_shape[1:]):
                raise ValueError(
                    f"latent_structure={self.latent_structure!r} has a default head only for "
                    "field targets on the input grid (n, C, H, W); pass head= for other targets"
                )
            head = ConvFieldHead(self.latent_dim_, target[0] // steps, **head_kwargs)
        else:
            head = MLPHead(self.latent_dim_, self._n_outputs() // steps, **head_kwargs)
        action = LatentRegularAction(self.group_, self.latent_dim_,
                                     relaxation_rank=self.relaxation_rank,
                                     structure=self.latent_structure)
        model = LatentModel(encoder, head, action, rollout_steps=steps, frame_channels=frame)
        self._check_output_shape(model, input_shape)
        return model

    def _check_output_shape(self, model, input_shape) -> None:
        """One forward pass on two zero samples: a user's head must give one row of
        ``n_outputs`` per sample, or the fit stops here instead of in predict."""
        probe = torch.zeros((2,) + tuple(input_shape))
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                out = model(probe)
        except (RuntimeError, ValueError, TypeError, IndexError) as error:
            raise ValueError(
                f"{type(self).__name__}: the encoder and head fail on inputs of shape "
                f"{tuple(probe.shape)}: {str(error).splitlines()[0][:200]}") from None
        finally:
            model.train(was_training)
        expected = (2, self._n_outputs())
        if tuple(out.shape) != expected:
            raise ValueError(
                f"{type(self).__name__}: head={getattr(self.head, '__name__', self.head)!s} "
                f"returns outputs of shape {tuple(out.shape)} for 2 samples; it must map "
                f"(batch, latent_dim={self.latent_dim_}) to {expected} (one output per class or "
                "target value)")

    def _model_layout(self, array: np.ndarray) -> np.ndarray:
        """A user's X (numpy) as the (n, C, H, W) images or (n, C, D, H, W) volumes."""
        if array.ndim == 2:
            return as_images(array, self.image_shape, 1, type(self).__name__)
        return array[:, None] if array.ndim == 3 else array

    def _group_action(self, group=None) -> GroupAction:
        """How ``group`` (default: the estimator's own) acts on inputs, outputs, targets."""
        self._check_fitted()
        grp = self.group_ if group is None else get_group(group)
        own = grp == self.group_
        if own and self.input_action is not None:
            def on_layout(X, g):
                return np.asarray(self.input_action(X, g))
        else:
            self._check_measurable(grp)

            def on_layout(X, g):
                return apply_group(X, g, grp, self.field)

        def act_input(X, g):
            return act_on_user_array(X, self._model_layout, lambda a: on_layout(a, g))

        act_output, act_target = self._output_actions(grp, own)
        return GroupAction(grp, measured_elements(grp), act_input, act_output, act_target,
                           targets_move=act_target is not unchanged)

    def _check_measurable(self, group) -> None:
        name = type(self).__name__
        spatial = self.fit_meta_["input_shape"][1:]
        matrices = getattr(group, "matrices", None)
        if matrices is None or matrices.shape[1] != len(spatial):
            kind = "volumes: the cube rotations 'O'" if len(spatial) == 3 else \
                "images: a subgroup of D4 (C1, C2, C4, D1, D1h, D1d, D1a, D2, D2d, D4)"
            raise ValueError(
                f"{name} is measured against its own group {self.group_.name!r} or a group that "
                f"acts on its {kind}; got {group.name!r}"
            )
        swaps = any(np.abs(m - np.diag(np.diag(m))).sum() for m in matrices)
        if swaps and len(set(spatial)) != 1:
            raise ValueError(
                f"group {group.name!r} swaps the grid axes and cannot act on the "
                f"{'x'.join(map(str, spatial))} inputs {name} was fitted on"
            )

    def _output_actions(self, group, own: bool):
        """(act_output, act_target) of ``group``: invariant outputs by default."""
        return unchanged, unchanged


@register
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
        go as ``encoder__name=value`` (for an encoder of your own: the default
        one takes its options from ``channels`` and ``normalization``); the
        encoder must return
        ``(batch, latent_dim)`` (or ``(batch, latent_dim, H, W)`` for
        structured latents).
    latent_structure : {"flat", "grid", "regular"}, default="flat"
        How the group acts on the latent: the regular representation on flat
        vectors; or, on structured latents ``(batch, C, H, W)``, rotating each
        channel's grid (``"grid"``) or also permuting channel blocks of
        ``|G|`` (``"regular"``), as the paper's SMOKE variant. Structured
        latents default to a grid-preserving CNN encoder
        (:class:`~skequi.models.ConvFieldEncoder`) and, for field targets, a
        CNN head (:class:`~skequi.models.ConvFieldHead`).
    channels : sequence of int, default=(16, 32)
        Widths of the default CNN encoder.
    normalization : {"batch"} or None, default="batch"
        The default encoder's normalisation: BatchNorm after each convolution,
        or None (the convolutions' biases only). As for
        :class:`~skequi.GMCNNRegressor`, a fitted model normalises with running
        statistics where training used each batch's, which can part on the
        steps of a rollout. A custom ``encoder`` is built as given, so None
        with one is refused.
    field : {"scalar", "vector"}, default="scalar"
    input_action : callable ``(X, g) -> X``, optional
        How element index g acts on a batch (numpy or torch); e.g.
        ``functools.partial(double_digits_action, group="C4xC4")``. This is
        how a product group acts on side-by-side images. It may be random
        (:class:`~skequi.datasets.DDMNISTAction` adds resampling artefacts).
    batch_transform : callable ``(X) -> X``, optional
        A random transformation of each training batch (a torch tensor on the
        fit's device, returned in the same shape), drawn afresh every step, as
        a data loader's augmentation would; the partner ``g x`` is made from
        the transformed batch. Not applied in ``predict`` or validation.
    transformed_task_weight : float, default=1.0
        Weight of the task loss on ``g x``; the latent paper's DDMNIST code
        trains the task on ``x`` only (0).
    image_shape : (int, int), optional
        Shape of each image when X is flat ``(n, H*W)``.
    lr, max_epochs, batch_size, weight_decay, optimizer, early_stopping,
    train_split, callbacks, device, random_state, precision, n_threads,
    data_on_device, verbose, **kwargs
        As for :class:`~skequi.GMCNNClassifier`. ``sample_weight`` in ``fit``
        weights every loss term of a sample (both task terms and the
        equivariance term).

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

    _own_fit_meta_keys = ("input_shape",)

    _default_criterion = torch.nn.CrossEntropyLoss

    def _n_outputs(self) -> int:
        return len(self.fit_meta_["classes"])

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:])}
        return images, self._encode_labels(y, len(images), reset=reset)
