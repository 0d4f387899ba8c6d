"""The latent-equivariance objective: which loss terms run, and what they change."""

import pytest
import torch
from sklearn.exceptions import NotFittedError
from torch import nn

from skequi import LatentEquivariantClassifier

FAST = dict(max_epochs=2, batch_size=32, channels=(4, 8), random_state=0)


def test_equivariance_loss_lowers_the_latent_equivariance_error(rotated):
    X, y = rotated
    plain = LatentEquivariantClassifier("C4", equivariance_strength=0.0,
                                        **{**FAST, "max_epochs": 6}).fit(X, y)
    strong = LatentEquivariantClassifier("C4", equivariance_strength=10.0,
                                         **{**FAST, "max_epochs": 6}).fit(X, y)
    assert strong.latent_equivariance_error(X[:40]) < plain.latent_equivariance_error(X[:40])


class _CountingEncoder(nn.Module):
    """The default-size CNN encoder, counting its forward passes."""

    calls = 0

    def __init__(self, latent_dim=8):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, latent_dim))

    def forward(self, x):
        type(self).calls += 1
        return self.net(x)


@pytest.mark.parametrize("strength, weight, passes", [(1.0, 1.0, 2), (1.0, 0.0, 2),
                                                      (0.0, 0.0, 1), (0.0, 1.0, 2)])
def test_encoder_passes_per_step(rotated, strength, weight, passes):
    # E(x) of the forward pass is reused by the equivariance loss; g x is encoded only when
    # a loss term needs it
    X, y = rotated
    _CountingEncoder.calls = 0
    clf = LatentEquivariantClassifier("C4", strength, latent_dim=8, encoder=_CountingEncoder,
                                      transformed_task_weight=weight,
                                      **{**FAST, "max_epochs": 1, "batch_size": 160})
    clf.fit(X, y)
    _CountingEncoder.calls = 0
    clf.partial_fit(X, y)  # one step, no probe
    assert _CountingEncoder.calls == passes


def test_transformed_task_weight_and_batch_transform_change_the_loss(rotated):
    X, y = rotated
    Xt = torch.as_tensor(X[:32])
    base = dict(FAST, max_epochs=1)
    clf = LatentEquivariantClassifier("C4", 0.0, **base).fit(X, y)
    clf.module_.train()
    with torch.no_grad():
        pred = clf.infer(Xt)
        y_t = torch.as_tensor(y[:32])
        plain = clf.get_loss(pred, y_t, X=Xt, training=False)
        clf.set_params(transformed_task_weight=0.0)
        only_x = clf.get_loss(pred, y_t, X=Xt, training=True)
    assert torch.isclose(plain, only_x)  # no partner term: the task loss on x alone
    seen = []

    def flip_rows(batch):
        seen.append(batch.shape)
        return batch.flip(-1)

    clf = LatentEquivariantClassifier("C4", batch_transform=flip_rows, **base).fit(X, y)
    assert seen and all(s[1:] == (1, 8, 8) for s in seen)
    n_seen = len(seen)
    clf.predict(X[:5])
    assert len(seen) == n_seen  # never in predict


def test_batch_transform_must_keep_the_shape(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", batch_transform=lambda b: b[:, :, :4], **FAST)
    with pytest.raises(ValueError, match="batch_transform must return a torch tensor shaped"):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X[:2])
