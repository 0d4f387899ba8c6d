"""GMCNNClassifier and GMCNNRegressor: group-matrix CNNs as scikit-learn estimators."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier, NeuralNetRegressor

from ..groups import LATTICE_GROUPS, FiniteGroup, get_group
from ..models import GMCNN, GMCNNFieldRegressor, PaperGMCNN, is_lattice_group
from ..nn._cayley_conv import _factors, cayley_ball
from ..transforms import apply_group, group_matrices
from ._base import EquivariantNetMixin
from ._checks import check_channels, is_shape
from ._images import as_images, square_image_hint, validate_images, validate_target
from ._labels import LabelledClassifierMixin
from ._regression import ShapedRegressorMixin

__all__ = ["GMCNNClassifier", "GMCNNRegressor"]


class _GMCNNMixin(EquivariantNetMixin):
    """What both GM-CNN estimators share: group checks, input handling, actions."""

    _parameter_constraints = {
        **EquivariantNetMixin._parameter_constraints,
        "group": [str, FiniteGroup],
        "channels": ["array-like"],
        "kernel_radius": [Interval(Integral, 1, None, closed="left")],
        "channel_mixing": [StrOptions({"full", "shared"})],
        "pooling": [StrOptions({"max", "mean"})],
        "field": [StrOptions({"scalar", "vector"})],
        "image_shape": [None, tuple, list],
    }

    def __init__(
        self,
        group="C4",
        relaxation_rank=0,
        *,
        channels=(8, 8, 8),
        kernel_radius=1,
        channel_mixing="full",
        pooling="max",
        field="scalar",
        image_shape=None,
        lr=0.01,
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
        self.kernel_radius = kernel_radius
        self.channel_mixing = channel_mixing
        self.pooling = pooling
        self.field = field
        self.image_shape = image_shape
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
            self.paper_mode_ = True
        check_channels(self.channels, type(self).__name__)
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
        in_channels, height, width = self.fit_meta_["input_shape"]
        order, rank = self.group_.order, self.relaxation_rank
        if self.paper_mode_:
            kernel, stack = len(cayley_ball(self.group_, self.kernel_radius)), 1
            positions = order
        else:
            kernel, stack = (2 * self.kernel_radius + 1) ** 2, order
            positions = order * height * width
        total, fields_in = 0.0, in_channels
        for width_i in list(self.channels) + [self._n_output_fields()]:
            bank = float(width_i) * fields_in * stack * stack * kernel
            total += bank + rank * (fields_in * stack * stack * kernel + width_i + positions)
            fields_in = width_i
        return total, (f"channels={tuple(int(c) for c in self.channels)}, kernel_radius="
                       f"{self.kernel_radius}, relaxation_rank={rank} on {height}x{width} images")

    def _n_output_fields(self) -> int:
        return 1

    def _act_on_input(self, X: np.ndarray, g: int) -> np.ndarray:
        if self.paper_mode_:  # pixels are group elements; the layers commute with x(a g)
            flat = X.reshape(*X.shape[:2], -1)
            return flat[..., self.group_.cayley_table[:, g]].reshape(X.shape)
        return apply_group(X, g, self.group_, self.field)

    def _backbone(self, n_outputs: int):
        in_channels, height, width = self.fit_meta_["input_shape"]
        fields = in_channels // self._channels_per_field
        if self.paper_mode_:
            return PaperGMCNN(
                self.group, fields, n_outputs, channels=tuple(self.channels),
                kernel_radius=self.kernel_radius, channel_mixing=self.channel_mixing,
                relaxation_rank=self.relaxation_rank,
            )
        return GMCNN(
            self.group, fields, n_outputs, channels=tuple(self.channels),
            kernel_radius=self.kernel_radius, in_field=self.field,
            relaxation_rank=self.relaxation_rank, image_size=(height, width),
            pooling=self.pooling,
        )


_COMMON_DOC = """
    group : str or FiniteGroup, default="C4"
        Symmetry group: C1 (a plain CNN), C2, C4, D1, D2, D4 (aliases p4, p4m)
        acting on the pixel grid, or a product of cyclic/dihedral groups of the
        image's size (``"C28xC28"``, ``"D14xD14"``) for the paper-faithful model.
    relaxation_rank : int, default=0
        Displacement rank of each layer's deviation from a group matrix; 0 is
        exact equivariance. The deviation starts at zero. At most the number
        of output positions of a layer (``|group| x H x W``).
    channels : sequence of int, default=(8, 8, 8)
        Regular fields per layer (each takes ``|group|`` tensor channels).
    kernel_radius : int, default=1
        Kernel radius (1 gives 3x3 kernels).
    channel_mixing : {"full", "shared"}, default="full"
        Paper-faithful groups only: ``"shared"`` sums input channels with no
        weight, as in the paper.
    pooling : {"max", "mean"}, default="max"
    field : {"scalar", "vector"}, default="scalar"
        ``"vector"``: channels are (u, v) pairs of a vector field, turned by
        rotations (see :mod:`skequi.transforms` for the convention).
    image_shape : (int, int), optional
        Shape of each image when X is flat ``(n, C*H*W)``.
    lr : float, default=0.01
    max_epochs : int, default=20
    batch_size : int, default=64
    weight_decay : float, default=1e-4
    optimizer : torch optimizer class, default=torch.optim.AdamW
    criterion : torch loss class, optional
        Default ``CrossEntropyLoss`` on logits for the classifier (not skorch's
        NLLLoss, which expects probabilities), ``MSELoss`` for the regressor.
    early_stopping : bool or int, default=False
        Hold out 10% of the training data and stop after this many epochs
        (5 for True) without improvement, restoring the best weights.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all of X.
    callbacks : list or None, default=None
        skorch callbacks.
    device : str, default="auto"
        ``"auto"`` uses CUDA when available.
    random_state : int, RandomState or None, default=None
        Seeds initialisation, batch order and every random draw of the fit
        with generators of its own: the same int gives the same model however
        fits are scheduled (threads, processes, dask workers). A RandomState
        gives a new draw per fit; None draws from torch's global generator.
    precision : {"float32", "bf16", "float64"}, default="float32"
        ``"bf16"``: bfloat16 autocast with float32 weights; ``"float64"``:
        double precision (equivariance to about 1e-12).
    n_threads : "auto", int or None, default="auto"
        torch intra-op threads inside ``fit`` and ``predict`` (restored
        afterwards). ``"auto"``: one thread for small models and for fits in
        worker threads, else torch's count; None leaves torch's setting alone.
    data_on_device : "auto" or bool, default="auto"
        Keep the training tensors on the device and draw batches by index
        (``"auto"``: when they take under a quarter of its free memory);
        False uses skorch's ``DataLoader`` (same batches, same model).
    verbose : int, default=0
    **kwargs
        Other skorch ``NeuralNet`` parameters (``iterator_train__...``,
        ``optimizer__...``, ``warm_start`` ...).
"""


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

    def _build_module(self):
        return self._backbone(len(self.classes_))

    def _n_output_fields(self) -> int:
        return len(self.fit_meta_.get("classes", [0, 1]))

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:])}
        return images, self._encode_labels(y, len(images), reset=reset)


class GMCNNRegressor(ShapedRegressorMixin, _GMCNNMixin, NeuralNetRegressor):
    __doc__ = (
        """Group-matrix CNN regressor: equivariant fields, invariant or turning vectors.

    Which outputs transform, and how:

    * ``y`` of shape ``(n, C_out, H, W)``: fields, mapped equivariantly
      (rotating the input rotates the prediction; with ``field="vector"``
      both are vector fields whose (u, v) components turn too);
    * ``y`` of shape ``(n,)`` or ``(n, k)`` with ``target_type="invariant"``
      (the default): invariant numbers, unchanged by the group;
    * ``y`` of shape ``(n, 2k)`` with ``target_type="vector"``: k planar
      vectors in (u, v) pairs that turn with the group, such as the mean flow
      of a velocity field.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """    target_type : {"invariant", "vector"}, default="invariant"
        How ``(n,)`` / ``(n, k)`` targets transform (see above); field
        targets ignore it.

    Attributes
    ----------
    n_params_ : int
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
    """
    )

    _parameter_constraints = {**_GMCNNMixin._parameter_constraints,
                              "target_type": [StrOptions({"invariant", "vector"})]}

    _own_fit_meta_keys = ("input_shape", "target_shape")

    _default_criterion = torch.nn.MSELoss

    def __init__(self, group="C4", relaxation_rank=0, *, target_type="invariant", **kwargs):
        super().__init__(group, relaxation_rank, **kwargs)
        self.target_type = target_type

    def _predicts_fields(self) -> bool:
        return len(self.fit_meta_["target_shape"]) == 3

    def _predicts_vectors(self) -> bool:
        return not self._predicts_fields() and self.target_type == "vector"

    def _n_output_fields(self) -> int:
        target = self.fit_meta_.get("target_shape", [])
        return int(np.prod(target)) if target else 1

    def _build_module(self):
        target = self.fit_meta_["target_shape"]
        if not self._predicts_fields():
            size = int(np.prod(target)) if target else 1
            if self._predicts_vectors():
                in_channels, height, width = self.fit_meta_["input_shape"]
                return GMCNN(
                    self.group, in_channels // self._channels_per_field, size // 2,
                    channels=tuple(self.channels), kernel_radius=self.kernel_radius,
                    in_field=self.field, relaxation_rank=self.relaxation_rank,
                    image_size=(height, width), pooling=self.pooling, output="vector",
                )
            return self._backbone(size)
        in_channels, height, width = self.fit_meta_["input_shape"]
        per = self._channels_per_field
        return GMCNNFieldRegressor(
            self.group, in_channels // per, target[0] // per, in_field=self.field,
            out_field=self.field, channels=tuple(self.channels),
            kernel_radius=self.kernel_radius, relaxation_rank=self.relaxation_rank,
            image_size=(height, width),
        )

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        images = self._prepare_X(X, reset=reset)
        y = validate_target(y, len(images), name=type(self).__name__)
        if y.ndim == 4:
            if self.paper_mode_:
                raise ValueError(
                    "field targets (n, C, H, W) need a point group (C1, C2, C4, D1, D2, D4); "
                    f"group {self.group_.name!r} predicts invariant vectors only"
                )
            if y.shape[2:] != images.shape[2:]:
                raise ValueError(
                    f"field targets must be on the input grid {images.shape[2:]}, got {y.shape[2:]}"
                )
            if y.shape[1] % self._channels_per_field:
                raise ValueError(
                    f"field='vector' targets need (u, v) channel pairs, got {y.shape[1]} channels"
                )
        elif y.ndim not in (1, 2):
            raise ValueError(f"y must be (n,), (n, k) or fields (n, C, H, W); got shape {y.shape}")
        elif self.target_type == "vector":
            if self.paper_mode_:
                raise ValueError(
                    f"target_type='vector' needs a point group (C1, C2, C4, D1, D2, D4); "
                    f"group {self.group_.name!r} has no rotation to turn vectors with"
                )
            if y.ndim != 2 or y.shape[1] % 2:
                raise ValueError(
                    "target_type='vector' needs y of shape (n, 2k): vectors as (u, v) pairs; "
                    f"got shape {y.shape}"
                )
        if reset:
            self.fit_meta_ = {"input_shape": list(images.shape[1:]),
                              "target_shape": list(y.shape[1:])}
        elif list(y.shape[1:]) != self.fit_meta_["target_shape"]:
            raise ValueError(
                f"y has shape {y.shape[1:]} per sample; this estimator was fitted on "
                f"{tuple(self.fit_meta_['target_shape'])}"
            )
        return images, (y.reshape(len(y), -1) if y.ndim <= 2 else y)

    def _act_on_output(self, Y: np.ndarray, g: int) -> np.ndarray:
        if self._predicts_fields():
            return apply_group(Y, g, self.group_, self.field)
        if self._predicts_vectors():
            matrix = group_matrices(self.group_)[g]
            return (Y.reshape(len(Y), -1, 2) @ matrix.T).reshape(Y.shape)
        return Y
