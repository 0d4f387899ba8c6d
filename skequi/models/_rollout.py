"""Autoregressive rollouts: a one-frame forecaster applied again on its own predictions."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

__all__ = ["AutoregressiveRollout", "roll_out"]


def roll_out(step: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, steps: int,
             frame_channels: int) -> torch.Tensor:
    """Apply ``step`` ``steps`` times, each prediction appended to the window.

    ``x`` is a window of frames stacked along channels, ``(n, k * c, *grid)``
    with ``c = frame_channels``; ``step`` maps a window to the next frame,
    ``(n, c, *grid)`` or flattened ``(n, c * prod(grid))``. After each step the
    oldest frame leaves the window and the prediction joins it.

    Parameters
    ----------
    step : callable
    x : torch.Tensor of shape (n, k * frame_channels, *grid)
    steps : int
    frame_channels : int

    Returns
    -------
    torch.Tensor
        The ``steps`` predictions concatenated along dimension 1, in the form
        ``step`` returns them: ``(n, steps * c, *grid)`` or flattened.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import roll_out
    >>> x = torch.arange(2.0).reshape(1, 2, 1, 1)  # frames 0 and 1
    >>> roll_out(lambda w: w[:, -1:] + 1, x, steps=3, frame_channels=1).flatten().tolist()
    [2.0, 3.0, 4.0]
    """
    window, outputs = x, []
    for _ in range(int(steps)):
        out = step(window)
        outputs.append(out)
        window = next_window(window, out, frame_channels)
    return torch.cat(outputs, dim=1)


def next_window(window: torch.Tensor, out: torch.Tensor, frame_channels: int) -> torch.Tensor:
    """The window after one step: its oldest frame out, the prediction ``out`` in."""
    frame = out.reshape((len(window), frame_channels) + tuple(window.shape[2:]))
    return torch.cat([window[:, frame_channels:], frame.to(window.dtype)], dim=1)


class AutoregressiveRollout(nn.Module):
    """A one-frame forecaster rolled out for ``steps`` frames (Wang et al.'s training loss).

    Trained on the error of the whole rollout, the model learns to predict
    from its own predictions, as it must at test time. A rollout of
    equivariant steps is equivariant.

    Parameters
    ----------
    step : torch.nn.Module
        Maps a window ``(n, k * frame_channels, *grid)`` to the next frame.
    steps : int
    frame_channels : int

    Examples
    --------
    >>> import torch
    >>> from skequi.models import AutoregressiveRollout
    >>> model = AutoregressiveRollout(torch.nn.Conv2d(4, 2, 3, padding=1), 6, 2)
    >>> model(torch.randn(5, 4, 8, 8)).shape  # two frames in, six out
    torch.Size([5, 12, 8, 8])
    """

    def __init__(self, step: nn.Module, steps: int, frame_channels: int) -> None:
        super().__init__()
        self.step, self.steps, self.frame_channels = step, int(steps), int(frame_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return roll_out(self.step, x, self.steps, self.frame_channels)

    def extra_repr(self) -> str:
        return f"steps={self.steps}, frame_channels={self.frame_channels}"
