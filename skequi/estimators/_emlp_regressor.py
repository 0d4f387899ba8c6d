"""EMLPRegressor: equivariant MLP regression, dynamics and Hamiltonians (Finzi et al. 2021)."""

from __future__ import annotations

import numpy as np
import torch
from skorch import NeuralNetRegressor

from ..reps import Rep, parse_rep
from ._sklearn_params import signature_with
from ._emlp import _COMMON_DOC, _EMLPMixin, _scalars
from ._images import validate_target
from ._registry import register
from ._regression import ShapedRegressorMixin
from ._symmetry import act_on_user_array

__all__ = ["EMLPRegressor"]


@register
class EMLPRegressor(ShapedRegressorMixin, _EMLPMixin, NeuralNetRegressor):
    __doc__ = (
        """Equivariant MLP regressor: ``y`` moves by ``rep_out`` when X moves by ``rep_in``.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """    rep_out : str, Rep or None, default="S"
        Representation of y's columns (``"S"``: an invariant scalar).
        ``None``: every column of y is an invariant scalar.

    Attributes
    ----------
    n_params_ : int
    module_ : torch.nn.Module
    history_ : skorch History

    Examples
    --------
    >>> from skequi import EMLPRegressor
    >>> from skequi.datasets import make_o5_synthetic
    >>> X, y = make_o5_synthetic(200, random_state=0)
    >>> reg = EMLPRegressor("O(5)", "2V", "S", hidden=32, max_epochs=2, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """
    )

    _parameter_constraints = {**_EMLPMixin._parameter_constraints,
                              "rep_out": [str, Rep, None]}

    _own_fit_meta_keys = ("x_shift", "x_scale", "y_shift", "y_scale", "y_1d")

    _default_criterion = torch.nn.MSELoss

    def __init__(self, group="O(3)", rep_in="V", rep_out="S", relaxation_rank=0, **kwargs):
        super().__init__(group, rep_in, relaxation_rank, **kwargs)
        self.rep_out = rep_out

    __init__.__signature__ = signature_with(_EMLPMixin.__init__, after="rep_in", rep_out="S")

    def _check_rep_out(self) -> None:
        # rep_out=None: every column of y an invariant scalar, counted when y is seen
        self.rep_out_ = parse_rep(self.rep_out) if self.rep_out is not None else None
        if self.dynamics is None:
            return
        name = type(self).__name__
        if self.rep_in_ is None or self.rep_out_ != self.rep_in_:
            raise ValueError(
                f"{name}(dynamics={self.dynamics!r}) learns dz/dt, which moves like z: pass "
                f"rep_out equal to rep_in (got rep_in={self.rep_in!r}, rep_out={self.rep_out!r})")
        if self.dynamics == "hamiltonian" and self.rep_in_.size(self.group_.dim) % 2:
            raise ValueError(
                f"{name}(dynamics='hamiltonian') needs states z = (q, p) with as many momenta "
                f"as positions; rep_in={self.rep_in!r} has an odd number of coordinates")

    def hamiltonian(self, X) -> np.ndarray:
        """The learned energy H of each state (``dynamics="hamiltonian"`` only).

        Parameters
        ----------
        X : array-like of shape (n, rep_in size)

        Returns
        -------
        ndarray of shape (n,)

        Raises
        ------
        ValueError
            If the estimator was not fitted with ``dynamics="hamiltonian"``.

        Examples
        --------
        >>> import numpy as np
        >>> from skequi import EMLPRegressor
        >>> from skequi.datasets import make_spring_pendulum, spring_pendulum_vector_field
        >>> from skequi.dynamics import derivative_pairs
        >>> states, _ = make_spring_pendulum(4, t_max=2.0, n_steps=10, random_state=0)
        >>> X, y = derivative_pairs(states, vector_field=spring_pendulum_vector_field)
        >>> hnn = EMLPRegressor("O2eR3", "4V", "4V", dynamics="hamiltonian", hidden=16,
        ...                     n_layers=1, max_epochs=1, random_state=0).fit(X, y)
        >>> hnn.hamiltonian(X[:3]).shape
        (3,)
        """
        self._check_fitted()
        if self.dynamics != "hamiltonian":
            raise ValueError(f"{type(self).__name__}.hamiltonian needs dynamics='hamiltonian'; "
                             f"this estimator has dynamics={self.dynamics!r}")
        Xp = torch.as_tensor(self._prepare_X(X, reset=False))
        parameter = next(self.module_.parameters())
        with torch.no_grad():
            energy = self.module_.hamiltonian(Xp.to(parameter.device, parameter.dtype))
        return energy.double().cpu().numpy()

    def _restore_fit_meta(self, fit_meta: dict) -> None:
        super()._restore_fit_meta(fit_meta)
        if self.rep_out is None:
            self.rep_out_ = _scalars(len(fit_meta["y_shift"]))

    def _prepare_Xy(self, X, y, *, reset: bool):
        self._check_y_given(y)
        Xp = self._prepare_X(X, reset=reset)
        y = validate_target(y, len(Xp), name=type(self).__name__,
                            precision=self.precision)
        y2 = y.reshape(len(y), -1)
        if reset and self.rep_out is None:
            self.rep_out_ = _scalars(y2.shape[1])
        stats = self._columns_and_stats(y2, self.rep_out_, "rep_out", "y", fit=reset)
        if reset:
            shift, scale = stats
            self.fit_meta_ = {**self.x_stats_, "y_shift": shift, "y_scale": scale,
                              "y_1d": y.ndim == 1}
        shift, scale = (np.asarray(self.fit_meta_[key]) for key in ("y_shift", "y_scale"))
        target = (y2 - shift) / scale
        return Xp, target.astype(np.float32)

    def _output_to_target(self, out: np.ndarray) -> np.ndarray:
        out = out * np.asarray(self.fit_meta_["y_scale"]) + np.asarray(self.fit_meta_["y_shift"])
        return out.ravel() if self.fit_meta_["y_1d"] else out

    def _outputs(self, X) -> np.ndarray:
        out = self._forward_numpy(self._prepare_X(X, reset=False))
        return out * np.asarray(self.fit_meta_["y_scale"]) + np.asarray(self.fit_meta_["y_shift"])

    def _output_actions(self):
        def act_output(Y, g):
            return Y @ self.rep_out_.rho(g).T

        def act_target(y, g):
            return act_on_user_array(y, lambda a: a.reshape(len(a), -1),
                                     lambda a: a @ self.rep_out_.rho(g).T)
        return act_output, act_target, not self.rep_out_.is_scalar
