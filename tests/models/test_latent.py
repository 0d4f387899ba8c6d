"""The latent method's models: the paper's DDMNIST CNN and the latent reuse of LatentModel."""

import torch

from skequi.models import (
    ConvEncoder,
    DDMNISTCNNEncoder,
    DDMNISTCNNHead,
    LatentModel,
    MLPHead,
)
from skequi.nn import LatentRegularAction


def test_the_paper_ddmnist_cnn_has_its_size_and_latent():
    encoder, head = DDMNISTCNNEncoder(), DDMNISTCNNHead()
    n = sum(p.numel() for m in (encoder, head) for p in m.parameters())
    assert n == 33_742  # the paper: 0.03M
    z = encoder(torch.randn(3, 1, 56, 56))
    assert z.shape == (3, 66) and head(z).shape == (3, 100)
    assert DDMNISTCNNEncoder(double=False)(torch.randn(2, 1, 28, 28)).shape == (2, 66)
    assert DDMNISTCNNEncoder(c=4).latent_dim == 44


def test_latent_of_the_training_forward_pass_is_taken_once():
    torch.manual_seed(0)
    model = LatentModel(ConvEncoder(1, 8, (8, 8)), MLPHead(8, 10), LatentRegularAction("C4", 8))
    x = torch.randn(4, 1, 8, 8)
    model.train()
    model(x)
    z = model.take_latent(x)
    assert z is not None and z.requires_grad
    assert model.take_latent(x) is None  # forgotten once taken
    model(x)
    assert model.take_latent(x.clone()) is None  # only for the very tensor
    model.eval()
    model(x)
    assert model.take_latent(x) is None  # nothing kept outside training
    with torch.no_grad():
        model.train()
        model(x)
    assert model.take_latent(x) is None
