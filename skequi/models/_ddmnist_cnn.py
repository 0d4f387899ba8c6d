"""The latent-equivariance paper's DDMNIST CNN (its appendix C.1), split at the latent layer.

Encoder: upsample to 57x57 (29x29 for single digits); conv 7 -> c, conv 5 ->
2c, average pool, conv 3 (stride 2) -> 4c, average pool, conv 3 (stride 2)
-> 6c, conv 3 -> 6c, each conv followed by BatchNorm and ELU; average pool to
1x1; a 1x1 conv to 11c channels: the latent (66 at c = 6), where the paper
imposes the equivariance loss (its layer 9). Head: BatchNorm1d, ELU, linear.
At c = 6 and 100 classes the network has 33,742 parameters (the paper: 0.03M).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["DDMNISTCNNEncoder", "DDMNISTCNNHead"]

#: The latent has this many channels per unit of ``c`` (the paper's ``expanded_factor``)
_LATENT_FACTOR = 11


class DDMNISTCNNEncoder(nn.Module):
    """The paper's DDMNIST CNN up to its latent layer: images -> ``11 c`` latents.

    Parameters
    ----------
    in_channels : int, default=1
    c : int, default=6
        Width unit; the latent has ``11 c`` features (66 at the default).
    double : bool, default=True
        56x56 double-digit canvases (upsampled to 57x57); False: 28x28 digits
        (upsampled to 29x29).

    Examples
    --------
    >>> import torch
    >>> from skequi.models import DDMNISTCNNEncoder
    >>> DDMNISTCNNEncoder()(torch.randn(2, 1, 56, 56)).shape
    torch.Size([2, 66])
    """

    def __init__(self, in_channels: int = 1, c: int = 6, double: bool = True) -> None:
        super().__init__()
        size, pad_3, pad_4 = (57, 2, 0) if double else (29, 1, 2)

        def block(n_in, n_out, kernel, **conv):
            return [nn.Conv2d(n_in, n_out, kernel, **conv), nn.BatchNorm2d(n_out), nn.ELU()]

        self.latent_dim = _LATENT_FACTOR * c
        self.net = nn.Sequential(
            nn.Upsample(size=(size, size)),
            *block(in_channels, c, 7, padding=2),
            *block(c, 2 * c, 5, padding=2),
            nn.AvgPool2d(5, stride=2, padding=1),
            *block(2 * c, 4 * c, 3, stride=2, padding=pad_3),
            nn.AvgPool2d(5, stride=2, padding=1),
            *block(4 * c, 6 * c, 3, stride=2, padding=pad_4),
            *block(6 * c, 6 * c, 3, padding=1),
            nn.AvgPool2d(5, stride=1, padding=1),
            nn.Conv2d(6 * c, self.latent_dim, 1),
            nn.Flatten(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class DDMNISTCNNHead(nn.Module):
    """The paper's DDMNIST CNN after its latent layer: BatchNorm1d, ELU, linear.

    Parameters
    ----------
    n_outputs : int, default=100
    latent_dim : int, default=66

    Examples
    --------
    >>> import torch
    >>> from skequi.models import DDMNISTCNNHead
    >>> DDMNISTCNNHead()(torch.randn(4, 66)).shape
    torch.Size([4, 100])
    """

    def __init__(self, n_outputs: int = 100, latent_dim: int = 66) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.BatchNorm1d(latent_dim), nn.ELU(),
                                 nn.Linear(latent_dim, n_outputs))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)
