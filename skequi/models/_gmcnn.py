"""GM-CNN architectures: an invariant classifier backbone, an equivariant field
regressor, and the paper-faithful network on the pixel grid as a group G1 x G1."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..groups import get_group
from ..nn import (
    CayleyConv,
    CosetPool,
    FieldBatchNorm,
    GlobalPool,
    GroupMatrixConv2d,
    GroupPool,
    SpatialPool2d,
)

__all__ = ["GMCNN", "GMCNNFieldRegressor", "PaperGMCNN", "is_lattice_group"]


def is_lattice_group(group) -> bool:
    """True for the point groups of the pixel lattice (C1, C2, C4, D1, D2, D4).

    Examples
    --------
    >>> from skequi.models import is_lattice_group
    >>> is_lattice_group("D4"), is_lattice_group("C5"), is_lattice_group("O")
    (True, False, False)
    """
    g = get_group(group)
    matrices = getattr(g, "matrices", None)  # matrix groups (EMLP) have none
    return matrices is not None and matrices.shape[1] == 2


def _pair(size) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else tuple(int(s) for s in size)


class GMCNN(nn.Module):
    """Invariant GM-CNN: lift -> group layers (norm, ReLU, 2x2 pooling) -> group and
    global pooling -> linear head.

    The features before the head are invariant to the point group (and to
    translations up to boundary effects), so logits or vector predictions are
    invariant. Spatial 2x2 pooling follows every layer but the last while the
    grid is even and at least 8 pixels wide.

    Parameters
    ----------
    group : str or FiniteGroup, default="C4"
        C1 (a plain CNN), C2, C4, D1, D2 or D4.
    in_channels : int, default=1
        Number of input fields.
    n_outputs : int, default=10
    channels : sequence of int, default=(8, 8, 8)
        Regular fields per layer (each takes ``|H|`` tensor channels).
    kernel_radius : int, default=1
    in_field : {"scalar", "vector"}, default="scalar"
    relaxation_rank : int, default=0
    image_size : int or (int, int), default=28
    pooling : {"max", "mean"}, default="max"
        Spatial and group pooling.
    dropout : float, default=0.0
        Before the head.
    output : {"invariant", "vector"}, default="invariant"
        ``"invariant"``: group and global pooling, then a linear head (logits,
        invariant numbers). ``"vector"``: a projection layer from the regular
        fields to ``n_outputs`` vector fields, averaged over the grid: planar
        vectors ``(batch, 2 n_outputs)`` that turn with the group.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import GMCNN
    >>> GMCNN("D4", image_size=8)(torch.randn(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        group="C4",
        in_channels: int = 1,
        n_outputs: int = 10,
        *,
        channels: Sequence[int] = (8, 8, 8),
        kernel_radius: int = 1,
        in_field: str = "scalar",
        relaxation_rank: int = 0,
        image_size=28,
        pooling: str = "max",
        dropout: float = 0.0,
        output: str = "invariant",
    ) -> None:
        super().__init__()
        if output not in ("invariant", "vector"):
            raise ValueError(f"output must be 'invariant' or 'vector', got {output!r}")
        grp = get_group(group)
        height, width = _pair(image_size)
        layers = []
        fields_in, field = in_channels, in_field
        for i, width_i in enumerate(channels):
            layers += [
                GroupMatrixConv2d(
                    fields_in, width_i, grp, kernel_radius=kernel_radius, in_field=field,
                    out_field="regular", relaxation_rank=relaxation_rank,
                    grid_size=(height, width), bias=False,
                ),
                FieldBatchNorm(width_i, grp.order),
                nn.ReLU(),
            ]
            last = i == len(channels) - 1
            if not last and height % 2 == 0 and width % 2 == 0 and min(height, width) >= 8:
                layers.append(SpatialPool2d(pooling))
                height, width = height // 2, width // 2
            fields_in, field = width_i, "regular"
        self.features = nn.Sequential(*layers)
        self.output = output
        self.group_pool = GroupPool(grp.order, pooling)
        self.global_pool = GlobalPool("mean")
        if output == "vector":
            self.head = GroupMatrixConv2d(channels[-1], n_outputs, grp, kernel_radius=0,
                                          in_field="regular", out_field="vector")
        else:
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels[-1], n_outputs))

    def invariant_features(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, channels[-1]) features invariant to the group."""
        return self.global_pool(self.group_pool(self.features(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.output == "vector":
            return self.global_pool(self.head(self.features(x)))
        return self.head(self.invariant_features(x))


class GMCNNFieldRegressor(nn.Module):
    """Equivariant field-to-field GM-CNN: lift -> group layers -> projection.

    Keeps the grid size (no spatial pooling), for dynamics prediction with
    scalar or vector-field channels: rotating/mirroring the input field
    rotates/mirrors the predicted field.

    Parameters
    ----------
    group : str or FiniteGroup, default="C4"
    in_channels, out_channels : int, default=1
        Numbers of input and output fields.
    in_field, out_field : {"scalar", "vector"}, default="scalar"
    channels : sequence of int, default=(8, 8)
        Regular fields per hidden layer.
    kernel_radius : int, default=1
    relaxation_rank : int, default=0
    image_size : int or (int, int), default=32

    Examples
    --------
    >>> import torch
    >>> from skequi.models import GMCNNFieldRegressor
    >>> net = GMCNNFieldRegressor("C4", 1, 1, in_field="vector", out_field="vector",
    ...                           image_size=8)
    >>> net(torch.randn(2, 2, 8, 8)).shape
    torch.Size([2, 2, 8, 8])
    """

    def __init__(
        self,
        group="C4",
        in_channels: int = 1,
        out_channels: int = 1,
        *,
        in_field: str = "scalar",
        out_field: str = "scalar",
        channels: Sequence[int] = (8, 8),
        kernel_radius: int = 1,
        relaxation_rank: int = 0,
        image_size=32,
    ) -> None:
        super().__init__()
        grp = get_group(group)
        grid = _pair(image_size)
        common = dict(kernel_radius=kernel_radius, relaxation_rank=relaxation_rank, grid_size=grid)
        layers = []
        fields_in, field = in_channels, in_field
        for width in channels:
            layers += [
                GroupMatrixConv2d(fields_in, width, grp, in_field=field, bias=False, **common),
                FieldBatchNorm(width, grp.order),
                nn.ReLU(),
            ]
            fields_in, field = width, "regular"
        layers.append(
            GroupMatrixConv2d(fields_in, out_channels, grp, in_field=field, out_field=out_field,
                              **common)
        )
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class PaperGMCNN(nn.Module):
    """The paper's GM-CNN: an ``H x W`` image as a function on a group ``G1 x G2``.

    Blocks of :class:`~skequi.nn.CayleyConv` (kernels on Cayley-graph balls),
    batch norm and ReLU, with coset pooling (halving each factor) between
    blocks while every factor has even order, then global pooling (invariant
    to the group) and a linear head.

    Parameters
    ----------
    group : str, default="C28xC28"
        Product of cyclic or dihedral groups with ``|G1| |G2| = H W``.
    in_channels : int, default=1
    n_outputs : int, default=10
    channels : sequence of int, default=(120, 120)
    kernel_radius : int, default=3
    channel_mixing : {"full", "shared"}, default="shared"
        ``"shared"`` is the paper's unweighted channel sum (``O K`` parameters).
    relaxation_rank : int, default=0

    Examples
    --------
    >>> import torch
    >>> from skequi.models import PaperGMCNN
    >>> net = PaperGMCNN("C8xC8", channels=(4, 4), kernel_radius=1)
    >>> net(torch.randn(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        group="C28xC28",
        in_channels: int = 1,
        n_outputs: int = 10,
        *,
        channels: Sequence[int] = (120, 120),
        kernel_radius: int = 3,
        channel_mixing: str = "shared",
        relaxation_rank: int = 0,
    ) -> None:
        super().__init__()
        spec = get_group(group).name
        layers, fields_in = [], in_channels
        for i, width in enumerate(channels):
            layers += [
                CayleyConv(fields_in, width, spec, kernel_radius=kernel_radius,
                           channel_mixing=channel_mixing, relaxation_rank=relaxation_rank,
                           bias=False),
                FieldBatchNorm(width, 1),
                nn.ReLU(),
            ]
            sizes = [int(p[1:]) for p in spec.split("x")]
            halvable = all(n % 2 == 0 and n > 2 * kernel_radius + 2 for n in sizes)
            if i < len(channels) - 1 and halvable:
                pool = CosetPool(spec)
                layers.append(pool)
                spec = pool.quotient
            fields_in = width
        self.features = nn.Sequential(*layers)
        self.global_pool = GlobalPool("mean")
        self.head = nn.Linear(channels[-1], n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.global_pool(self.features(x)))

