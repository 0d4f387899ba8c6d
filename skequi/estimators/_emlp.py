"""EMLPClassifier and the shared EMLP estimator: equivariant MLPs for matrix groups (Finzi et al.
2021); the regressor is in :mod:`._emlp_regressor`."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data
from skorch import NeuralNetClassifier

from ..groups import FiniteGroup, as_matrix_group, get_group
from ..models import EMLP, MLP, HamiltonianField
from ..nn import GroupElementSampler, apply_representation
from ..reps import Rep, parse_rep, uniform_rep
from ._base import EquivariantNetMixin
from ._registry import register
from ._checks import check_float32_range
from ._images import readable_array
from ._labels import LabelledClassifierMixin
from ._symmetry import GroupAction, act_on_user_array, measured_elements, unchanged

__all__ = ["EMLPClassifier"]

#: Largest representation (coordinates of X's or y's columns) an EMLP takes.
MAX_REP_SIZE = 100_000


def _standardizer(values: np.ndarray, rep: Rep, dim: int) -> tuple[list, list]:
    """Per-coordinate (shift, scale) that commute with the group.

    Scalars are centred and scaled by their std; each non-scalar copy is only
    divided by its RMS norm (one number per copy), as a fixed scalar multiple
    commutes with every group element.
    """
    shift, scale = np.zeros(values.shape[1]), np.ones(values.shape[1])
    offset = 0
    for p, q in rep.copies():
        size = dim ** (p + q)
        block = values[:, offset:offset + size]
        if p + q == 0:
            shift[offset] = block.mean()
            scale[offset] = block.std()
        else:
            scale[offset:offset + size] = np.sqrt((block**2).sum(1).mean() / size)
        offset += size
    scale[scale < 1e-12] = 1.0
    return shift.tolist(), scale.tolist()


def _scalars(n: int) -> Rep:
    return Rep([(n, 0, 0)])


class _EMLPMixin(EquivariantNetMixin):
    _parameter_constraints = {
        **EquivariantNetMixin._parameter_constraints,
        "group": "no_validation",  # get_group names the spec and the valid forms
        "rep_in": [str, Rep, None],
        "hidden": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "relaxation_penalty": [Interval(Real, 0, None, closed="left")],
        "architecture": [StrOptions({"emlp", "mlp"})],
        "augment": ["boolean"],
        "standardize": ["boolean"],
        "dynamics": [None, StrOptions({"ode", "hamiltonian"})],
    }

    def __init__(self, group="O(3)", rep_in="V", relaxation_rank=0, *, relaxation_penalty=1e-3,
                 hidden=384, n_layers=3, architecture="emlp", augment=False, standardize=True,
                 dynamics=None,
                 lr=3e-3, lr_schedule=None, max_epochs=100, batch_size=500, weight_decay=0.0,
                 optimizer=torch.optim.Adam, criterion=None,
                 early_stopping=False, train_split=None, callbacks=None, device="auto",
                 random_state=None, precision="float32", n_threads="auto", data_on_device="auto",
                 verbose=0, module=None, **kwargs):
        super().__init__(module=module, criterion=criterion, optimizer=optimizer, lr=lr,
                         max_epochs=max_epochs, batch_size=batch_size, train_split=train_split,
                         callbacks=callbacks, device=device, verbose=verbose, **kwargs)
        self.group = group
        self.rep_in = rep_in
        self.relaxation_rank = relaxation_rank
        self.relaxation_penalty = relaxation_penalty
        self.hidden = hidden
        self.n_layers = n_layers
        self.architecture = architecture
        self.augment = augment
        self.standardize = standardize
        self.dynamics = dynamics
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.precision = precision
        self.n_threads = n_threads
        self.data_on_device = data_on_device

    def _check_group(self) -> None:
        self.group_ = as_matrix_group(self.group)
        # rep_in=None: every column an invariant scalar, counted when X is seen
        self.rep_in_ = parse_rep(self.rep_in) if self.rep_in is not None else None
        self._check_rep_out()
        for name in ("rep_in", "rep_out"):
            rep = getattr(self, name + "_", None)
            if rep is not None and rep.size(self.group_.dim) > MAX_REP_SIZE:
                raise ValueError(
                    f"The {name!r} parameter of {type(self).__name__} describes "
                    f"{rep.size(self.group_.dim):,} coordinates for {self.group_.name}, over "
                    f"skequi's limit of {MAX_REP_SIZE:,}. Got {getattr(self, name)!r} instead.")

    def _check_rep_out(self) -> None:
        """Subclass hook: parse and check the output representation."""

    def _restore_fit_meta(self, fit_meta: dict) -> None:
        super()._restore_fit_meta(fit_meta)
        if self.rep_in is None:
            self.rep_in_ = _scalars(len(fit_meta["x_shift"]))

    def _check_fit_meta(self) -> None:
        """The standardisation must be finite, with positive scales of the reps' sizes."""
        super()._check_fit_meta()
        dim = self.group_.dim
        pairs = [("x", self.rep_in_)] + ([("y", self.rep_out_)] if "y_shift" in self.fit_meta_
                                         else [])
        for prefix, rep in pairs:
            shift, scale = self.fit_meta_[f"{prefix}_shift"], self.fit_meta_[f"{prefix}_scale"]
            size = rep.size(dim)
            for key, values in ((f"{prefix}_shift", shift), (f"{prefix}_scale", scale)):
                if not isinstance(values, list) or len(values) != size:
                    raise TypeError(f"{key} must be a list of {size} numbers for {rep}")
                try:
                    array = np.asarray(values, dtype=float)
                except (ValueError, TypeError):
                    raise TypeError(f"{key} holds values that are not numbers") from None
                if not np.isfinite(array).all():
                    raise TypeError(f"{key} holds values that are not finite")
            if (np.asarray(scale, dtype=float) <= 0).any():
                raise TypeError(f"{prefix}_scale holds values <= 0, which would divide by zero")

    def _prepare_X(self, X, *, reset: bool) -> np.ndarray:
        self._begin_prepare(reset=reset)
        X = readable_array(X, "X", type(self).__name__)
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        check_float32_range(X, "X", type(self).__name__, self.precision)
        if reset and self.rep_in is None:
            self.rep_in_ = _scalars(X.shape[1])
        stats = self._columns_and_stats(X, self.rep_in_, "rep_in", "X", fit=reset)
        if reset:
            self.x_stats_ = {"x_shift": stats[0], "x_scale": stats[1]}
        stats = self.fit_meta_ if not reset else self.x_stats_
        return (X - np.asarray(stats["x_shift"])) / np.asarray(stats["x_scale"])

    def _columns_and_stats(self, values, rep, rep_name: str, data_name: str, *, fit: bool):
        """Check ``values`` has ``rep``'s coordinates; when fitting, its equivariant
        (shift, scale), else None."""
        expected = rep.size(self.group_.dim)
        if values.shape[1] != expected:
            raise ValueError(
                f"{rep_name}={str(rep)!r} of {self.group_.name} has {expected} coordinates, "
                f"but {data_name} has {values.shape[1]} columns"
            )
        if not fit:
            return None
        if not self.standardize or self.dynamics == "hamiltonian":
            # a Hamiltonian field is the gradient of H in the coordinates it is given
            return [0.0] * expected, [1.0] * expected
        return _standardizer(values, rep, self.group_.dim)

    def _hidden_size(self) -> int:
        return self.hidden if self.architecture == "mlp" else uniform_rep(
            self.hidden, self.group_).size(self.group_.dim)

    def _relaxation_bound(self) -> tuple[int, str]:
        dim = self.group_.dim
        sizes = [self.rep_in_.size(dim), self._hidden_size(), self.rep_out_.size(dim)]
        return max(min(a, b) for a, b in zip(sizes, sizes[1:])), (
            "the largest rank a layer between rep_in, the hidden layers and rep_out can use")

    def _estimated_size(self) -> tuple[float, str]:
        dim = self.group_.dim
        if self.hidden > 10**5:  # do not even lay out a representation this wide
            return float(self.hidden) ** 2 * self.n_layers, f"hidden={self.hidden}"
        width = 1.25 * self._hidden_size()
        size_in, size_out = self.rep_in_.size(dim), self.rep_out_.size(dim)
        dense = width * (size_in + size_out) + self.n_layers * width * width
        relaxed = self.relaxation_rank * (self.n_layers + 1) * (2 * width + size_in + size_out)
        return dense + relaxed, (f"hidden={self.hidden}, n_layers={self.n_layers}, "
                                 f"relaxation_rank={self.relaxation_rank}")

    def _build_module(self):
        size_in = self.rep_in_.size(self.group_.dim)
        rep_out = _scalars(1) if self.dynamics == "hamiltonian" else self.rep_out_
        if self.architecture == "mlp":
            module = MLP(size_in, rep_out.size(self.group_.dim), hidden=self.hidden,
                         n_layers=self.n_layers)
        else:
            module = EMLP(self.rep_in_, rep_out, self.group_, hidden=self.hidden,
                          n_layers=self.n_layers, relaxation_rank=self.relaxation_rank)
        return HamiltonianField(module) if self.dynamics == "hamiltonian" else module

    def get_loss(self, y_pred, y_true, X=None, training=False, sample_weight=None):
        loss = super().get_loss(y_pred, y_true, X=X, training=training,
                                sample_weight=sample_weight)
        if training and self.relaxation_rank and hasattr(self.module_, "relaxation_penalty"):
            loss = loss + self.relaxation_penalty * self.module_.relaxation_penalty()
        return loss

    def _group_action(self, group=None) -> GroupAction:
        """How ``group`` (default: the estimator's own) acts through ``rep_in``/``rep_out``."""
        self._check_fitted()
        spec = self.group if group is None else group
        resolved = get_group(spec)
        if isinstance(resolved, FiniteGroup):
            matrices = resolved.matrices if resolved.matrices is not None \
                else resolved.regular_representation()
            elements = tuple((name, np.asarray(matrices[g], dtype=float))
                             for name, g in measured_elements(resolved))
            dim = matrices.shape[1]
        else:
            elements, dim = measured_elements(resolved), resolved.dim
        if dim != self.group_.dim:
            raise ValueError(
                f"{type(self).__name__} with rep_in={str(self.rep_in_)!r} of "
                f"{self.group_.name} acts on R^{self.group_.dim}; group {resolved.name!r} acts on "
                f"R^{dim}. Measure against a group of {self.group_.dim}x{self.group_.dim} "
                f"matrices (e.g. SO({self.group_.dim}), O({self.group_.dim}))"
            )

        def act_input(X, g):
            return act_on_user_array(X, lambda a: a.reshape(len(a), -1),
                                     lambda a: a @ self.rep_in_.rho(g).T)

        act_output, act_target, moves = self._output_actions()
        return GroupAction(resolved, elements, act_input, act_output, act_target,
                           targets_move=moves)

    def _output_actions(self):
        """(act_output, act_target, targets_move): invariant outputs by default."""
        return unchanged, unchanged, False

    def _transform_training_batch(self, Xi, yi):
        """MLP+Aug: every sample moved by a fresh group element (the authors' sampler)."""
        if not self.augment:
            return Xi, yi
        copies = getattr(self, "_fit_device_copies", None)
        sampler = None if copies is None else copies.get("augment_sampler")
        if sampler is None:  # built on the device once per training call, then dropped
            sampler = GroupElementSampler(self.group_).to(Xi.device, Xi.dtype)
            if copies is not None:
                copies["augment_sampler"] = sampler
        g = sampler(len(Xi), getattr(self, "_augment_generator", None))
        Xi = apply_representation(Xi, g, self.rep_in_)
        if yi.is_floating_point():
            yi = apply_representation(yi.reshape(len(yi), -1), g, self._target_rep()).reshape(
                yi.shape)
        return Xi, yi

    def _target_rep(self) -> Rep:
        return self.rep_out_


_COMMON_DOC = """
    group : str, default="O(3)"
        A matrix group: ``"SO(n)"``, ``"O(n)"``, ``"SO(1,3)"``, ``"O(1,3)"``,
        ``"Sp(n)"``, ``"Z(n)"``, ``"S(n)"``, ``"D(k)"``, ``"C(k)"``,
        ``"Trivial(n)"``, products such as ``"SO(3)xS(4)"``, or a finite group
        spec (through its integer matrices or regular representation).
    rep_in : str, Rep or None, default="V"
        Representation of X's columns, e.g. ``"2V"``, ``"5S+5V"``; columns
        follow the spec's order. ``None``: every column is an invariant scalar.
    relaxation_rank : int, default=0
        Rank of a non-equivariant pathway ``U V^T`` beside every equivariant
        linear layer (a low-rank residual pathway prior); ``U`` starts at zero.
    relaxation_penalty : float, default=1e-3
        Weight of ``sum |U V^T|_F^2`` added to the training loss.
    hidden : int, default=384
        Hidden dimension, split uniformly across tensor ranks.
    n_layers : int, default=3
    architecture : {"emlp", "mlp"}, default="emlp"
        ``"mlp"`` trains a plain MLP of the same width (the baseline).
    augment : bool, default=False
        Move each training sample by a group element drawn fresh every step
        (MLP+Aug), with the EMLP authors' sampler (see
        :class:`~skequi.nn.GroupElementSampler`).
    dynamics : {None, "ode", "hamiltonian"}, default=None
        Regressors of time derivatives ``dz/dt`` of states ``z``
        (:func:`skequi.dynamics.derivative_pairs`), rolled out with
        :func:`skequi.dynamics.integrate`; ``rep_out`` must equal ``rep_in``.
        ``"ode"``: the network predicts ``dz/dt`` (a neural ODE).
        ``"hamiltonian"``: it learns an invariant scalar ``H(z)`` and predicts
        ``J grad H`` by autograd (a Hamiltonian neural network, see
        :class:`~skequi.models.HamiltonianField`), with ``z = (q, p)``; X and
        y are then used unstandardised.
    standardize : bool, default=True
        Equivariant standardisation of inputs (and targets): scalars are
        centred and scaled, each tensor copy divided by its RMS norm.
    lr : float, default=3e-3
        Adam's step size, the paper's.
    max_epochs : int, default=100
    batch_size : int, default=500
    weight_decay : float, default=0.0
    optimizer : torch optimizer class, default=torch.optim.Adam
    criterion : torch loss class, optional
        Default ``CrossEntropyLoss`` (classifier) or ``MSELoss`` (regressor).
    early_stopping : bool or int, default=False
    train_split, callbacks, device, random_state, verbose, **kwargs
        As for skorch's nets; ``device="auto"`` uses CUDA when available;
        ``random_state`` seeds every random draw of the fit with generators of
        its own (see :class:`~skequi.GMCNNClassifier`).
    precision : {"float32", "bf16", "float64"}, default="float32"
    n_threads : "auto", int or None, default="auto"
    data_on_device : "auto" or bool, default="auto"
        As for :class:`~skequi.GMCNNClassifier`.
"""


@register
class EMLPClassifier(LabelledClassifierMixin, _EMLPMixin, NeuralNetClassifier):
    __doc__ = (
        """Equivariant MLP classifier: logits invariant to the group acting on X by ``rep_in``.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray
    n_params_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skequi import EMLPClassifier
    >>> X = np.random.default_rng(0).normal(size=(100, 6))
    >>> y = (np.linalg.norm(X[:, :3], axis=1) > np.linalg.norm(X[:, 3:], axis=1)).astype(int)
    >>> clf = EMLPClassifier("SO(3)", "2V", hidden=32, max_epochs=2, random_state=0)
    >>> clf.fit(X, y).predict(X[:4]).shape
    (4,)
    """
    )

    _own_fit_meta_keys = ("x_shift", "x_scale")

    _default_criterion = torch.nn.CrossEntropyLoss

    def _check_rep_out(self) -> None:
        classes = getattr(self, "fit_meta_", {}).get("classes", [0, 1])
        self.rep_out_ = Rep([(len(classes), 0, 0)])

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        if reset:  # X first, for its own errors; then the classes set the output rep
            self._begin_prepare(reset=True)
            checked = validate_data(self, readable_array(X, "X", type(self).__name__),
                                    reset=True, dtype=[np.float64, np.float32])
            self.fit_meta_ = {}
            self._encode_labels(y, len(checked), reset=True)
        Xp = self._prepare_X(X, reset=reset)
        encoded = self._encode_labels(y, len(Xp), reset=False)
        if reset:
            self.fit_meta_.update(self.x_stats_)
        return Xp, encoded
