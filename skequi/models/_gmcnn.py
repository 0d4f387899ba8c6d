"""GM-CNN architectures: an invariant classifier backbone, an equivariant field
regressor, and the paper-faithful network on the pixel grid as a group G1 x G1."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
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


_NORMALIZATIONS = ("batch", None)


def _check_normalization(normalization) -> None:
    if normalization not in _NORMALIZATIONS:
        raise ValueError(f"normalization must be 'batch' or None, got {normalization!r}")


def _group_layer(fields_in, width, grp, normalization, **conv) -> list[nn.Module]:
    """A group convolution, then FieldBatchNorm (``"batch"``) or, without normalisation, the
    convolution's own bias (one per field, constant over the group axis and the grid)."""
    if normalization is None:
        return [GroupMatrixConv2d(fields_in, width, grp, bias=True, **conv), nn.ReLU()]
    return [GroupMatrixConv2d(fields_in, width, grp, bias=False, **conv),
            FieldBatchNorm(width, grp.order), nn.ReLU()]


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
    normalization : {"batch"} or None, default="batch"
        After each group convolution: :class:`~skequi.nn.FieldBatchNorm`, or
        None for none (the convolution then has a bias per field).

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
        normalization: str | None = "batch",
    ) -> None:
        super().__init__()
        if output not in ("invariant", "vector"):
            raise ValueError(f"output must be 'invariant' or 'vector', got {output!r}")
        _check_normalization(normalization)
        grp = get_group(group)
        height, width = _pair(image_size)
        layers = []
        fields_in, field = in_channels, in_field
        for i, width_i in enumerate(channels):
            layers += _group_layer(
                fields_in, width_i, grp, normalization, kernel_radius=kernel_radius,
                in_field=field, out_field="regular", relaxation_rank=relaxation_rank,
                grid_size=(height, width),
            )
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
    normalization : {"batch"} or None, default="batch"
        After each hidden group convolution: :class:`~skequi.nn.FieldBatchNorm`,
        or None for none (the convolution then has a bias per field). In an
        autoregressive rollout BatchNorm normalises each training step with
        its batch's statistics and the fitted model with its running ones.

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
        normalization: str | None = "batch",
    ) -> None:
        super().__init__()
        _check_normalization(normalization)
        grp = get_group(group)
        grid = _pair(image_size)
        common = dict(kernel_radius=kernel_radius, relaxation_rank=relaxation_rank, grid_size=grid)
        layers = []
        fields_in, field = in_channels, in_field
        for width in channels:
            layers += _group_layer(fields_in, width, grp, normalization, in_field=field,
                                   **common)
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

    ``block="reference"`` (the default) is the block of the paper's reference
    implementation (``gmcnn_base.py``): a :class:`~skequi.nn.CayleyConv` with
    the product-neighbourhood kernel (:func:`~skequi.nn.product_neighbourhood`)
    and a bias, LayerNorm over (channels, group) without affine parameters,
    one PReLU shared by every block, and a residual (a 1x1 convolution where
    the width changes, else the identity); no pooling between blocks; then a
    global max pool, dropout 0.3 and a linear head. At the reference configs
    (1 input channel, 10 classes, two blocks of 120 channels, radius 3) it has
    13,451 parameters on ``C28xC28`` and 48,731 on ``D14xD14``.

    ``block="compact"`` is skequi's earlier design: a Cayley-graph ball (L1)
    kernel, affine BatchNorm and ReLU, coset pooling (halving each factor)
    between blocks while every factor has even order, a global mean and no
    dropout.

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
    block : {"reference", "compact"}, default="reference"
    dropout : float, optional
        Before the head; default 0.3 for the reference block, 0 for compact.

    Examples
    --------
    >>> import torch
    >>> from skequi.models import PaperGMCNN
    >>> sum(p.numel() for p in PaperGMCNN("C28xC28").parameters())
    13451
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
        block: str = "reference",
        dropout: float | None = None,
    ) -> None:
        super().__init__()
        if block not in ("reference", "compact"):
            raise ValueError(f"block must be 'reference' or 'compact', got {block!r}")
        spec = get_group(group).name
        self.block = block
        reference = block == "reference"
        self.convs, self.norms, self.shortcuts, self.pools = (nn.ModuleList() for _ in range(4))
        fields_in = in_channels
        for i, width in enumerate(channels):
            self.convs.append(CayleyConv(
                fields_in, width, spec, kernel_radius=kernel_radius,
                support="product" if reference else "ball", channel_mixing=channel_mixing,
                relaxation_rank=relaxation_rank, bias=reference))
            if reference:
                order = get_group(spec).order
                self.norms.append(_GroupLayerNorm(width, order))
                self.shortcuts.append(nn.Conv2d(fields_in, width, 1) if fields_in != width
                                      else nn.Identity())
            else:
                self.norms.append(FieldBatchNorm(width, 1))
                sizes = [int(p[1:]) for p in spec.split("x")]
                halvable = all(n % 2 == 0 and n > 2 * kernel_radius + 2 for n in sizes)
                if i < len(channels) - 1 and halvable:
                    pool = CosetPool(spec)
                    self.pools.append(pool)
                    spec = pool.quotient
                else:
                    self.pools.append(nn.Identity())
            fields_in = width
        self.activation = nn.PReLU() if reference else nn.ReLU()  # one, shared by the blocks
        self.global_pool = GlobalPool("max" if reference else "mean")
        self.dropout = nn.Dropout((0.3 if reference else 0.0) if dropout is None else dropout)
        self.head = nn.Linear(channels[-1], n_outputs)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The blocks' output, before the global pool."""
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            y = self.activation(norm(conv(x)))
            if self.block == "reference":
                x = y + self.shortcuts[i](x)
            else:
                x = self.pools[i](y)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.global_pool(self.features(x))))


class _GroupLayerNorm(nn.Module):
    """LayerNorm over (channels, group positions) without affine parameters, as the
    reference's ``nn.LayerNorm([C, 1, N], elementwise_affine=False)``."""

    def __init__(self, channels: int, order: int) -> None:
        super().__init__()
        self.shape = (channels, order)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(x.shape[0], *self.shape)
        return F.layer_norm(flat, self.shape).reshape(x.shape)
