"""The estimators' optimizer: fused where torch has the kernels, torch's own otherwise."""

import functools

import numpy as np
import pytest
import torch

from skequi import GMCNNClassifier
from skequi.estimators._optimizer import make_optimizer
from tests.estimators.test_training import _digits


def _groups():
    return ([{"params": [torch.nn.Parameter(torch.zeros(3))]}],)


def test_fused_unless_an_implementation_is_chosen():
    default = make_optimizer(torch.optim.AdamW, _groups(), {"lr": 0.1}, "E")
    assert default.defaults["fused"] is (torch.__version__ >= "2.4")  # CPU kernels
    assert not make_optimizer(torch.optim.AdamW, _groups(), {"fused": False}, "E").defaults["fused"]
    chosen = make_optimizer(torch.optim.AdamW, _groups(), {"foreach": True}, "E")
    assert chosen.defaults["foreach"] and not chosen.defaults["fused"]


def test_optimizers_without_a_fused_kernel_are_built_as_given():
    rmsprop = make_optimizer(torch.optim.RMSprop, _groups(), {"lr": 0.1}, "E")
    assert type(rmsprop) is torch.optim.RMSprop
    partial = functools.partial(torch.optim.SGD, momentum=0.9)
    assert make_optimizer(partial, _groups(), {"lr": 0.1}, "E").defaults["momentum"] == 0.9


@pytest.mark.parametrize("kwargs,named", [
    ({"lr": 0.1, "betas": (2.0, 0.9)}, r"optimizer__betas=\(2.0, 0.9\)"),
    ({"lr": -1.0}, "lr=-1.0"),
    ({"lr": 0.1, "betaz": 0.9}, "optimizer__betaz=0.9"),
])
def test_refused_arguments_are_named(kwargs, named):
    refused = f"^GMCNNClassifier: AdamW refused its arguments .*{named}"
    with pytest.raises(ValueError, match=refused):
        make_optimizer(torch.optim.AdamW, _groups(), kwargs, "GMCNNClassifier")


def test_estimators_train_with_the_fused_optimizer_unless_asked_otherwise():
    X, y = _digits(64)
    make = functools.partial(GMCNNClassifier, "C1", channels=(2,), max_epochs=1, random_state=0)
    fused = make().fit(X, y)
    assert fused.optimizer_.defaults["fused"] is (torch.__version__ >= "2.4")  # CPU kernels
    unfused = make(optimizer__fused=False).fit(X, y)
    assert not unfused.optimizer_.defaults["fused"]
    assert not make(optimizer__foreach=True).fit(X, y).optimizer_.defaults["fused"]
    # the same algorithm either way
    np.testing.assert_allclose(fused.predict_proba(X), unfused.predict_proba(X), atol=1e-4)
    # an optimizer without a fused kernel is built as in skorch; refused arguments are named
    assert type(make(optimizer=torch.optim.RMSprop).fit(X, y).optimizer_) is torch.optim.RMSprop
    refused = r"AdamW refused its arguments .*optimizer__betas=\(2.0, 0.9\).*beta"
    with pytest.raises(ValueError, match=refused):
        make(optimizer__betas=(2.0, 0.9)).fit(X, y)
    with pytest.raises(ValueError, match="optimizer__betaz"):
        make(optimizer__betaz=0.9).fit(X, y)
