"""The BatchNorm probe: rollouts with fixed statistics against each batch's own."""

import numpy as np
import torch


def _fitted(bench):
    args = bench.parse_args(["--epochs", "1", "--width", "4", "--layers", "2", "--threads", "1",
                             "--device", "cpu"])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 20, 8, 8)), rng.normal(size=(16, 12, 8, 8))
    windows = (rng.normal(size=(12, 20, 8, 8)).astype(np.float32),
               rng.normal(size=(12, 20, 2, 8, 8)).astype(np.float32))
    return bench._models(args)["CNN"](0).fit(X, y), windows


def test_fixed_statistics_do_not_depend_on_the_batches_and_each_batchs_own_do(
        benchmark_script):
    probe = benchmark_script("probe_plume_batchnorm")
    model, windows = _fitted(probe.bench)
    stored = {k: v.clone() for k, v in model.module_.state_dict().items()}
    whole, batched = probe._steps(model, windows, 0), probe._steps(model, windows, 4)
    np.testing.assert_allclose(batched, whole, rtol=1e-5)
    per_batch = probe._per_batch(model)
    own_whole, own_batched = (probe._steps(per_batch, windows, 0),
                              probe._steps(per_batch, windows, 4))
    assert len(own_whole) == 20 and not np.allclose(own_batched, own_whole, rtol=1e-3)
    assert not np.allclose(own_whole, whole, rtol=1e-3)
    # neither the fitted model nor the copy's stored statistics moved (BatchNorm's
    # num_batches_tracked counts on, and is unused while a momentum is set)
    for module in (model.module_, per_batch.module_):
        state = module.state_dict()
        assert [k for k, v in stored.items() if not torch.equal(state[k], v)
                and not k.endswith("num_batches_tracked")] == []
