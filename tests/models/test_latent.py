"""The latent method's models: the paper's DDMNIST CNN and the latent reuse of LatentModel."""

import pytest
import torch

from skequi.models import (
    ConvEncoder,
    ConvFieldEncoder,
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


def _encoders(normalization):
    """Each default encoder with the shape of one input it takes."""
    return [(ConvEncoder(1, 8, (8, 8), normalization=normalization), (1, 8, 8)),
            (ConvEncoder(1, 8, (4, 4, 4), normalization=normalization), (1, 4, 4, 4)),
            (ConvFieldEncoder(1, 8, channels=(4, 4), normalization=normalization), (1, 8, 8))]


def _batchnorms(module):
    return [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def test_without_normalization_the_encoders_have_no_batchnorm_and_one_answer():
    torch.manual_seed(0)
    for (with_norm, shape), (without, _) in zip(_encoders("batch"), _encoders(None)):
        assert len(_batchnorms(with_norm)) == 2 and not _batchnorms(without)
        norm_params = sum(p.numel() for m in _batchnorms(with_norm) for p in m.parameters())
        assert (sum(p.numel() for p in without.parameters())
                == sum(p.numel() for p in with_norm.parameters()) - norm_params)
        x = torch.randn(5, *shape)
        # train and eval mode differ with BatchNorm, not without it
        for encoder, same in ((with_norm, False), (without, True)):
            with torch.no_grad():
                trained, fitted = encoder.train()(x), encoder.eval()(x)
            assert torch.allclose(trained, fitted) is same


def test_an_unknown_encoder_normalization_is_refused():
    with pytest.raises(ValueError, match="normalization must be 'batch' or None"):
        ConvFieldEncoder(2, 8, normalization="layer")
