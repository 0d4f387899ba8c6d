"""GM-CNN models: invariance of the classifier, equivariance of the field regressor."""

import pytest
import torch

from skequi.models import GMCNN, GMCNNFieldRegressor, PaperGMCNN
from tests.conftest import LATTICE_GROUPS
from tests.equivariance import assert_equivariant


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("size", [8, 12])
def test_classifier_backbone_is_invariant(group, size, dtype):
    net = GMCNN(group, 1, 5, channels=(3, 3, 3), image_size=size).to(dtype).eval()
    x = torch.randn(3, 1, size, size, dtype=dtype)
    # invariant logits: the output is a "scalar" with no spatial axes, so compare directly
    from skequi.groups import get_group
    from skequi.transforms import apply_group

    with torch.no_grad():
        y = net(x)
        for g in range(get_group(group).order):
            err = (net(apply_group(x, g, group)) - y).norm() / y.norm()
            assert err < (1e-4 if dtype == torch.float32 else 1e-5)


@pytest.mark.parametrize("group", ["C4", "D4", "D1"])
@pytest.mark.parametrize("fields", [("scalar", "scalar"), ("vector", "vector"),
                                    ("scalar", "vector")])
def test_field_regressor_is_equivariant(group, fields, dtype):
    in_field, out_field = fields
    net = GMCNNFieldRegressor(group, 1, 2, in_field=in_field, out_field=out_field,
                              channels=(3, 3), image_size=8, relaxation_rank=1).to(dtype).eval()
    d = 2 if in_field == "vector" else 1
    assert_equivariant(net, torch.randn(2, d, 8, 8, dtype=dtype), group, in_field, out_field)


def test_classifier_with_vector_input_and_relaxation_starts_invariant():
    net = GMCNN("D4", 1, 4, in_field="vector", channels=(2, 2), image_size=8,
                relaxation_rank=2).double().eval()
    x = torch.randn(2, 2, 8, 8, dtype=torch.float64)
    from skequi.transforms import apply_group

    with torch.no_grad():
        for g in range(8):
            assert torch.allclose(net(apply_group(x, g, "D4", "vector")), net(x), atol=1e-10)


def test_paper_model_parameter_counts_and_invariance():
    net = PaperGMCNN("C28xC28", channels=(120, 120), kernel_radius=3)
    n_params = sum(p.numel() for p in net.parameters())
    assert 5_000 < n_params < 50_000  # the paper's range: 5.9k - 49k
    small = PaperGMCNN("C8xC8", channels=(4, 4), kernel_radius=1).double().eval()
    x = torch.randn(2, 1, 8, 8, dtype=torch.float64)
    shifted = torch.roll(x, shifts=(3, 5), dims=(2, 3))  # a group element of C8xC8
    assert torch.allclose(small(shifted), small(x), atol=1e-10)


@pytest.mark.parametrize("group", LATTICE_GROUPS)
@pytest.mark.parametrize("field", ["scalar", "vector"])
def test_field_regressor_is_equivariant_under_its_own_elements_only(group, field):
    """Each subgroup of D4: exact under its elements, broken under D4's others."""
    from skequi.groups import get_group
    from skequi.transforms import apply_group

    torch.manual_seed(0)
    net = GMCNNFieldRegressor(group, 1, 1, in_field=field, out_field=field, channels=(3, 3),
                              image_size=8).eval()
    d = 2 if field == "vector" else 1
    x = torch.randn(2, d, 8, 8)
    own = set(get_group(group).elements)
    d4 = get_group("D4")
    with torch.no_grad():
        y = net(x)
        for g, label in enumerate(d4.elements):
            moved = net(apply_group(x, g, d4, field))
            err = ((moved - apply_group(y, g, d4, field)).norm() / y.norm()).item()
            if label in own:
                assert err < 1e-5, f"{group} not equivariant under its {label}: {err:.2e}"
            else:
                assert err > 1e-2, f"{group} equivariant under {label}, not its element"


@pytest.mark.parametrize("group", LATTICE_GROUPS)
def test_without_normalization_each_convolution_has_a_bias_and_stays_equivariant(group):
    torch.manual_seed(0)
    net = GMCNNFieldRegressor(group, 1, 1, in_field="vector", out_field="vector",
                              channels=(3, 3), image_size=8, relaxation_rank=0,
                              normalization=None).double()
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules())
    with torch.no_grad():  # every weight moved at random, the biases off zero
        for weight in net.parameters():
            weight.add_(0.1 * torch.randn_like(weight))
    assert all(conv.bias.abs().min() > 0 for conv in net.net if hasattr(conv, "bias")
               and conv.bias is not None)
    assert_equivariant(net, torch.randn(2, 2, 8, 8, dtype=torch.float64), group, "vector",
                       "vector")
    classifier = GMCNN(group, 1, 4, channels=(3, 3), image_size=8, normalization=None)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in classifier.modules())


def test_without_normalization_the_training_and_fitted_networks_are_one():
    """BatchNorm answers differently in train and eval mode; without it they agree."""
    x = torch.randn(4, 1, 8, 8)
    for normalization, same in (("batch", False), (None, True)):
        torch.manual_seed(0)
        net = GMCNNFieldRegressor("C4", 1, 1, channels=(3,), image_size=8,
                                  normalization=normalization)
        net.train()(x)  # moves BatchNorm's running statistics, if any
        with torch.no_grad():
            assert torch.allclose(net.train()(x), net.eval()(x)) is same


def test_an_unknown_normalization_is_refused():
    with pytest.raises(ValueError, match="normalization must be 'batch' or None"):
        GMCNNFieldRegressor("C4", normalization="layer")
