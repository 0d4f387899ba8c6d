"""Encoder/head architectures for the latent regular-representation method."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..nn import LatentRegularAction
from ._gmcnn import _check_normalization
from ._rollout import next_window, roll_out

__all__ = ["ConvEncoder", "ConvFieldEncoder", "ConvFieldHead", "LatentModel", "MLPHead"]


def _conv_block(conv: nn.Module, norm: nn.Module | None) -> list[nn.Module]:
    """conv -> norm -> ReLU, or conv -> ReLU without normalisation."""
    return [conv, nn.ReLU()] if norm is None else [conv, norm, nn.ReLU()]


class ConvEncoder(nn.Module):
    """A plain CNN encoder: conv blocks (2-D images or 3-D volumes) -> flatten -> linear.

    Parameters
    ----------
    in_channels : int
    latent_dim : int
    spatial_shape : tuple of int
        ``(H, W)`` or ``(D, H, W)``; selects Conv2d or Conv3d.
    channels : sequence of int, default=(16, 32)
        Each block is conv(3) -> BatchNorm -> ReLU, then 2x pooling while the
        grid is at least 4 wide.
    normalization : {"batch"} or None, default="batch"
        None: no BatchNorm; each convolution keeps its bias.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import ConvEncoder
    >>> ConvEncoder(1, 32, (8, 16))(torch.randn(2, 1, 8, 16)).shape
    torch.Size([2, 32])
    """

    def __init__(self, in_channels: int, latent_dim: int, spatial_shape,
                 channels: Sequence[int] = (16, 32), normalization: str | None = "batch") -> None:
        super().__init__()
        _check_normalization(normalization)
        three_d = len(spatial_shape) == 3
        conv, norm, pool = ((nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d) if three_d
                            else (nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d))
        layers, width, shape = [], in_channels, list(spatial_shape)
        for out in channels:
            layers += _conv_block(conv(width, out, 3, padding=1),
                                  norm(out) if normalization else None)
            if min(shape) >= 4:
                layers.append(pool(2))
                shape = [s // 2 for s in shape]
            width = out
        flat = width * int(torch.tensor(shape).prod())
        layers += [nn.Flatten(), nn.Linear(flat, latent_dim)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvFieldEncoder(nn.Module):
    """A grid-preserving CNN encoder for structured latents ``(batch, latent_dim, H, W)``.

    Blocks of conv(3, padding 1) -> BatchNorm -> ReLU, then a 1x1 conv to
    ``latent_dim`` channels; no pooling, so the group acts on the latent grid
    as on the input grid.

    Parameters
    ----------
    in_channels, latent_dim : int
    channels : sequence of int, default=(16, 32)
    normalization : {"batch"} or None, default="batch"
        None: no BatchNorm; each convolution keeps its bias.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import ConvFieldEncoder
    >>> ConvFieldEncoder(2, 8, channels=(4,))(torch.randn(3, 2, 16, 16)).shape
    torch.Size([3, 8, 16, 16])
    """

    def __init__(self, in_channels: int, latent_dim: int,
                 channels: Sequence[int] = (16, 32), normalization: str | None = "batch") -> None:
        super().__init__()
        _check_normalization(normalization)
        layers, width = [], in_channels
        for out in channels:
            layers += _conv_block(nn.Conv2d(width, out, 3, padding=1),
                                  nn.BatchNorm2d(out) if normalization else None)
            width = out
        layers.append(nn.Conv2d(width, latent_dim, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvFieldHead(nn.Module):
    """Structured latents ``(batch, latent_dim, H, W)`` -> flattened fields ``(batch, C H W)``.

    ReLU -> conv(3, padding 1) to ``hidden`` -> ReLU -> 1x1 conv to ``out_channels``.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import ConvFieldHead
    >>> ConvFieldHead(8, 2)(torch.randn(3, 8, 16, 16)).shape
    torch.Size([3, 512])
    """

    def __init__(self, latent_dim: int, out_channels: int, hidden: int = 32) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.ReLU(), nn.Conv2d(latent_dim, hidden, 3, padding=1),
                                 nn.ReLU(), nn.Conv2d(hidden, out_channels, 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).flatten(1)


class MLPHead(nn.Module):
    """latent -> hidden -> outputs, with ReLU.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import MLPHead
    >>> MLPHead(16, 3)(torch.randn(4, 16)).shape
    torch.Size([4, 3])
    """

    def __init__(self, latent_dim: int, n_outputs: int, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.ReLU(), nn.Linear(latent_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_outputs))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class LatentModel(nn.Module):
    """``head(encoder(x))``, carrying the latent group action used by the loss.

    Parameters
    ----------
    encoder, head : torch.nn.Module
    action : LatentRegularAction
    rollout_steps : int, default=1
        Forecasting: ``head(encoder(x))`` is one frame of ``frame_channels``
        channels, applied ``rollout_steps`` times on its own predictions
        (:func:`~skequi.models.roll_out`); the latent kept for the loss is
        the first window's.
    frame_channels : int, optional
        Channels of one frame (needed when ``rollout_steps > 1``).

    Examples
    --------
    >>> import torch
    >>> from skequi.models import ConvEncoder, LatentModel, MLPHead
    >>> from skequi.nn import LatentRegularAction
    >>> model = LatentModel(ConvEncoder(1, 8, (8, 8)), MLPHead(8, 10), LatentRegularAction("C4", 8))
    >>> model(torch.randn(2, 1, 8, 8)).shape, model.encode(torch.randn(2, 1, 8, 8)).shape
    (torch.Size([2, 10]), torch.Size([2, 8]))
    """

    def __init__(self, encoder: nn.Module, head: nn.Module, action: LatentRegularAction,
                 rollout_steps: int = 1, frame_channels: int | None = None) -> None:
        super().__init__()
        self.encoder, self.head, self.action = encoder, head, action
        self.rollout_steps, self.frame_channels = int(rollout_steps), frame_channels
        self._last = None

    def take_latent(self, x: torch.Tensor) -> torch.Tensor | None:
        """The latent of the last training forward pass if it ran on this very tensor, else
        None; forgotten either way. The equivariance loss needs E(x) again: this saves an
        encoder pass per step."""
        last, self._last = self._last, None
        return last[1] if last is not None and last[0] is x else None

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encoder(x)
        flat = self.action.structure == "flat"
        if (z.ndim != 2 if flat else z.ndim != 4) or z.shape[1] != self.action.latent_dim:
            expected = "(batch, latent_dim=" if flat else "(batch, channels="
            raise ValueError(
                f"the encoder must return {expected}{self.action.latent_dim}"
                f"{')' if flat else ', H, W)'} latents, got {tuple(z.shape)}"
            )
        return z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encode(x)
        # kept for take_latent only while training with gradients; dropped when read
        self._last = (x, z) if self.training and torch.is_grad_enabled() else None
        out = self.head(z)
        if self.rollout_steps == 1:
            return out
        later = roll_out(lambda window: self.head(self.encode(window)),
                         next_window(x, out, self.frame_channels), self.rollout_steps - 1,
                         self.frame_channels)
        return torch.cat([out, later], dim=1)

