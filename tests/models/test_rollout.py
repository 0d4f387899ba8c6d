"""Autoregressive rollouts: the window slides, equivariant steps give equivariant rollouts."""

import torch

from skequi.models import AutoregressiveRollout, GMCNNFieldRegressor, roll_out
from tests.equivariance import assert_equivariant


def test_each_prediction_joins_the_window_as_the_oldest_frame_leaves():
    seen = []

    def step(window):
        seen.append(window[0, :, 0, 0].tolist())
        return window[:, -2:] + window[:, :2]  # next frame = last + first

    x = torch.tensor([1.0, 10.0, 2.0, 20.0])[None, :, None, None]  # frames (1, 10), (2, 20)
    out = roll_out(step, x, steps=3, frame_channels=2)
    assert seen == [[1, 10, 2, 20], [2, 20, 3, 30], [3, 30, 5, 50]]
    assert out[0, :, 0, 0].tolist() == [3, 30, 5, 50, 8, 80]


def test_flat_step_outputs_are_reshaped_into_frames_and_returned_flat():
    x = torch.arange(8.0).reshape(1, 2, 2, 2)
    out = roll_out(lambda w: w[:, -1:].flatten(1) * 2, x, steps=2, frame_channels=1)
    assert out.shape == (1, 8)
    assert torch.equal(out[:, 4:], out[:, :4] * 2)


def test_a_rollout_of_an_exact_c4_step_is_c4_equivariant():
    torch.manual_seed(0)
    step = GMCNNFieldRegressor("C4", 3, 1, in_field="vector", out_field="vector",
                               channels=(4,), image_size=(8, 8))
    model = AutoregressiveRollout(step, steps=4, frame_channels=2).eval()
    x = torch.randn(2, 6, 8, 8)
    assert model(x).shape == (2, 8, 8, 8)
    assert_equivariant(model, x, "C4", in_field="vector", out_field="vector")
