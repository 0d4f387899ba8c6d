"""GMCNNClassifier and the shared GM-CNN machinery: group-matrix CNNs as estimators."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier

from ..groups import LATTICE_GROUPS, FiniteGroup, get_group
from ..models import GMCNN, PaperGMCNN, is_lattice_group
from ..nn._cayley_conv import _factors, kernel_support
from ..transforms import apply_group
from ._base import EquivariantNetMixin
from ._registry import register
from ._checks import check_channels, check_model_size, is_shape
from ._images import as_images, square_image_hint, validate_images
from ._labels import LabelledClassifierMixin
from ._gmcnn_doc import _COMMON_DOC
from ._matched import MATCH_TOLERANCE, matched_widths, reference_label
from ._randomness import isolated_global_rng
from ._symmetry import GroupAction, act_on_user_array, measured_elements, unchanged

__all__ = ["GMCNNClassifier"]


class _GMCNNMixin(EquivariantNetMixin):
    """What both GM-CNN estimators share: group checks, input handling, actions."""

    _parameter_constraints = {
        **EquivariantNetMixin._parameter_constraints,
        "group": [str, FiniteGroup],
        "channels": ["array-like", StrOptions({"matched"})],
        "reference_channels": ["array-like"],
        "kernel_radius": [Interval(Integral, 1, None, closed="left")],
        "channel_mixing": [StrOptions({"auto", "full", "shared"})],
        "paper_block": [StrOptions({"reference", "compact"})],
        "pooling": [StrOptions({"max", "mean"})],
        "normalization": [StrOptions({"batch"}), None],
        "field": [StrOptions({"scalar", "vector"})],
        "image_shape": [None, tuple, list],
    }

    def __init__(
        self,
        group="C4",
        relaxation_rank=0,
        *,
        channels=(8, 8, 8),
        reference_channels=(8, 8, 8),
        kernel_radius=1,
        channel_mixing="auto",
        paper_block="reference",
        pooling="max",
        normalization="batch",
        field="scalar",
        image_shape=None,
        lr=0.01,
        lr_schedule=None,
        max_epochs=20,
        batch_size=64,
        weight_decay=1e-4,
        optimizer=torch.optim.AdamW,
        criterion=None,
        early_stopping=False,
        train_split=None,
        callbacks=None,
        device="auto",
        random_state=None,
        precision="float32",
        n_threads="auto",
        data_on_device="auto",
        verbose=0,
        module=None,
        **kwargs,
    ):
        super().__init__(
            module=module, criterion=criterion, optimizer=optimizer, lr=lr,
            max_epochs=max_epochs, batch_size=batch_size, train_split=train_split,
            callbacks=callbacks, device=device, verbose=verbose, **kwargs,
        )
        self.group = group
        self.relaxation_rank = relaxation_rank
        self.channels = channels
        self.reference_channels = reference_channels
        self.kernel_radius = kernel_radius
        self.channel_mixing = channel_mixing
        self.paper_block = paper_block
        self.pooling = pooling
        self.normalization = normalization
        self.field = field
        self.image_shape = image_shape
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.precision = precision
        self.n_threads = n_threads
        self.data_on_device = data_on_device

    def _check_group(self) -> None:
        group = get_group(self.group)  # ValueError naming the spec for unknown groups
        self.group_ = group
        if is_lattice_group(group):
            self.paper_mode_ = False
        else:
            try:
                factors = _factors(group)
            except ValueError:
                factors = []
            if len(factors) != 2:
                raise ValueError(
                    f"group {group.name!r} cannot act on a square pixel grid; use one of "
                    f"{', '.join(LATTICE_GROUPS)}, or a product of cyclic/dihedral groups "
                    "matching the image such as 'C28xC28' for the paper-faithful model"
                )
            if self.field == "vector":
                raise ValueError(
                    f"group {group.name!r} treats pixels as group elements and has no rotation "
                    "to turn vectors with; field='vector' needs one of "
                    f"{', '.join(LATTICE_GROUPS)}"
                )
            if self.normalization != "batch":
                raise ValueError(
                    f"normalization={self.normalization!r} applies to the point groups "
                    f"({', '.join(LATTICE_GROUPS)}); the paper-faithful model on "
                    f"{group.name!r} takes its normalisation from paper_block ('reference': "
                    "LayerNorm, 'compact': BatchNorm)"
                )
            self.paper_mode_ = True
        if not isinstance(self.channels, str):
            check_channels(self.channels, type(self).__name__)
        check_channels(self.reference_channels, type(self).__name__, "reference_channels")
        if self.image_shape is not None and not is_shape(self.image_shape):
            raise ValueError(
                f"The 'image_shape' parameter of {type(self).__name__} must be (height, width) "
                f"with positive ints. Got {self.image_shape!r} instead."
            )

    @property
    def _channels_per_field(self) -> int:
        return 2 if self.field == "vector" else 1

    def _prepare_X(self, X, *, reset: bool) -> np.ndarray:
        """Validate X and bring it to (n, C, H, W) float32; check it fits the group."""
        self._begin_prepare(reset=reset)
        X = validate_images(self, X, reset=reset)
        images = as_images(X, self.image_shape, self._channels_per_field, type(self).__name__)
        height, width = images.shape[-2:]
        if min(height, width) < 1:
            raise ValueError(f"{type(self).__name__}: X has images of size {height}x{width}")
        group = self.group_  # set by the validation of fit (or of load)
        if self.paper_mode_:
            sizes = [n * (2 if kind == "D" else 1) for kind, n in _factors(group)]
            if len(sizes) != 2 or tuple(sizes) != (height, width):
                raise ValueError(
                    f"group {group.name!r} has factors of orders {sizes}, which must match the "
                    f"image's (H, W) = {(height, width)}"
                )
        elif group.matrices is not None and any(
            abs(m[0, 1]) for m in group.matrices
        ) and height != width:
            raise ValueError(
                f"group {group.name!r} swaps the image axes (a quarter turn or a diagonal "
                f"mirror) and needs square images: "
                f"{square_image_hint(X.shape, self.image_shape, height, width)}; use C1, C2, "
                "D1, D1h or D2 for rectangular images"
            )
        if not reset and hasattr(self, "fit_meta_"):
            expected = tuple(self.fit_meta_["input_shape"])
            if images.shape[1:] != expected:
                raise ValueError(
                    f"{type(self).__name__} was fitted on inputs of shape {expected}, got "
                    f"{images.shape[1:]}"
                )
        return images

    def _relaxation_bound(self) -> tuple[int, str]:
        _, height, width = self.fit_meta_["input_shape"]
        positions = self.group_.order if self.paper_mode_ else self.group_.order * height * width
        return positions, "the number of output positions of a layer, group x grid"

    def _estimated_size(self) -> tuple[float, str]:
        return self._estimate(self.group_, self.channels_, self.relaxation_rank)

    def _estimate(self, group, channels, rank) -> tuple[float, str]:
        in_channels, height, width = self.fit_meta_["input_shape"]
        order = group.order
        if not is_lattice_group(group):
            support = "product" if self.paper_block == "reference" else "ball"
            kernel, stack = len(kernel_support(group, self.kernel_radius, support)), 1
            positions = order
        else:
            kernel, stack = (2 * self.kernel_radius + 1) ** 2, order
            positions = order * height * width
        total, fields_in = 0.0, in_channels
        for width_i in list(channels) + [self._n_output_fields()]:
            bank = float(width_i) * fields_in * stack * stack * kernel
            total += bank + rank * (fields_in * stack * stack * kernel + width_i + positions)
            fields_in = width_i
        return total, (f"channels={tuple(int(c) for c in channels)}, kernel_radius="
                       f"{self.kernel_radius}, relaxation_rank={rank} on {height}x{width} images")

    def _check_size(self) -> None:
        self._resolve_channels()
        super()._check_size()

    def _resolve_channels(self) -> None:
        """``channels_``: the widths given, or for ``"matched"`` those this group needs to
        have the reference plain CNN's free parameters (recorded in ``fit_meta_``)."""
        if not isinstance(self.channels, str):
            self.channels_ = tuple(int(c) for c in self.channels)
            return
        if "channels" in self.fit_meta_:  # loaded, or matched earlier in this fit
            self.channels_ = tuple(int(c) for c in self.fit_meta_["channels"])
            return
        reference = tuple(int(c) for c in self.reference_channels)
        plain = get_group("C1")
        check_model_size(type(self).__name__, *self._estimate(plain, reference, 0))
        with isolated_global_rng():  # counting builds modules: keep other fits' draws intact
            target = _n_free(self._make_module(plain, reference, 0))
            widths, count = matched_widths(
                lambda w: _n_free(self._make_module(self.group_, w, 0)), target,
                n_layers=len(reference), max_width=2 * max(reference))
        self.channels_ = widths
        self.fit_meta_["channels"] = list(widths)
        self.fit_meta_["matched"] = {"reference": list(reference), "reference_n_params": target,
                                     "n_params": count}
        if abs(count - target) > MATCH_TOLERANCE * target:
            import warnings

            warnings.warn(
                f"{type(self).__name__}: channels='matched' found no widths for group "
                f"{self.group_.name!r} within {MATCH_TOLERANCE:.0%} of the {target:,} free "
                f"parameters of {reference_label(reference)}; the closest, {widths}, has "
                f"{count:,}. Pass larger reference_channels for a finer match",
                UserWarning, stacklevel=4)

    def _n_output_fields(self) -> int:
        return 1

    def _image_layout(self, array: np.ndarray) -> np.ndarray:
        """A user's X (numpy) as the (n, C, H, W) images the group acts on."""
        return as_images(array, self.image_shape, self._channels_per_field, type(self).__name__)

    def _group_action(self, group=None) -> GroupAction:
        """How ``group`` (default: the estimator's own) acts on inputs, outputs, targets."""
        self._check_fitted()
        grp = self.group_ if group is None else get_group(group)
        if self.paper_mode_ and grp == self.group_:
            table = grp.cayley_table  # pixels are group elements: x(a) -> x(a g)

            def on_grid(images, g):
                flat = images.reshape(*images.shape[:2], -1)
                return flat[..., table[:, g]].reshape(images.shape)
        else:
            self._check_measurable(grp)

            def on_grid(images, g):
                return apply_group(images, g, grp, self.field)

        def act_input(X, g):
            return act_on_user_array(X, self._image_layout, lambda images: on_grid(images, g))

        act_output, act_target = self._output_actions(grp)
        return GroupAction(grp, measured_elements(grp), act_input, act_output, act_target,
                           targets_move=act_target is not unchanged)

    def _check_measurable(self, group) -> None:
        name = type(self).__name__
        if not is_lattice_group(group):
            raise ValueError(
                f"{name} is measured against groups that act on its images: a subgroup of D4 "
                f"({', '.join(LATTICE_GROUPS)}) or its own group {self.group_.name!r}; got "
                f"{group.name!r}"
            )
        _, height, width = self.fit_meta_["input_shape"]
        if height != width and any(abs(m[0, 1]) for m in group.matrices):
            raise ValueError(
                f"group {group.name!r} swaps the image axes and cannot act on the "
                f"{height}x{width} images {name} was fitted on; use C1, C2, D1, D1h or D2"
            )

    def _output_actions(self, group):
        """(act_output, act_target) of ``group``; the outputs are invariant by default."""
        return unchanged, unchanged

    def _make_module(self, group, channels, relaxation_rank: int):
        """Subclass hook: the module for ``group`` with these widths and rank."""
        raise NotImplementedError

    def _build_module(self):
        self._resolve_channels()
        return self._make_module(self.group_, self.channels_, self.relaxation_rank)

    def _backbone(self, n_outputs: int, group, channels, relaxation_rank: int, **kwargs):
        in_channels, height, width = self.fit_meta_["input_shape"]
        fields = in_channels // self._channels_per_field
        if not is_lattice_group(group):
            mixing = "shared" if self.channel_mixing == "auto" else self.channel_mixing
            return PaperGMCNN(
                group, fields, n_outputs, channels=tuple(channels),
                kernel_radius=self.kernel_radius, channel_mixing=mixing,
                relaxation_rank=relaxation_rank, block=self.paper_block,
            )
        return GMCNN(
            group, fields, n_outputs, channels=tuple(channels),
            kernel_radius=self.kernel_radius, in_field=self.field,
            relaxation_rank=relaxation_rank, image_size=(height, width),
            pooling=self.pooling, normalization=self.normalization, **kwargs,
        )


def _n_free(module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@register
class GMCNNClassifier(LabelledClassifierMixin, _GMCNNMixin, NeuralNetClassifier):
    __doc__ = (
        """Group-matrix CNN classifier (Samudre et al., AISTATS 2025), invariant to ``group``.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in fit.
    n_params_ : int
        Free (trainable) parameters.
    channels_ : tuple of int
        The widths used (``channels``, or the matched widths).
    n_features_in_ : int
        Values per sample (C*H*W).
    module_ : torch.nn.Module
    history_ : skorch History
        Per-epoch losses; ``pandas.DataFrame(est.history_)`` gives a table.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skequi import GMCNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = GMCNNClassifier("C4", channels=(4, 4), max_epochs=2, random_state=0)
    >>> clf.fit(X[:200] / 16, y[:200]).predict(X[:3]).shape
    (3,)
    >>> clf
    GMCNNClassifier(channels=(4, 4), max_epochs=2, random_state=0)
    """
    )

    _own_fit_meta_keys = ("input_shape",)

    _default_criterion = torch.nn.CrossEntropyLoss

    def _make_module(self, group, channels, relaxation_rank: int):
        return self._backbone(len(self.classes_), group, channels, relaxation_rank)

    def _n_output_fields(self) -> int:
        return len(self.fit_meta_.get("classes", [0, 1]))

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:])}
        return images, self._encode_labels(y, len(images), reset=reset)
