"""The shared training path of all six estimators: data path, seeds, threads, precision, weights."""

import functools
import gc
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from joblib import parallel_config
from skorch.callbacks import Callback
from sklearn.model_selection import GridSearchCV

from skequi import (
    EMLPClassifier,
    EMLPRegressor,
    GMCNNClassifier,
    GMCNNRegressor,
    LatentEquivariantClassifier,
    LatentEquivariantRegressor,
)
from skequi.datasets import load_digit_images, make_o5_synthetic
from tests.conftest import default_dtype


def _digits(n=160):
    X, y = load_digit_images()
    return X[:n], y[:n]


def _fields(n=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1, 8, 8)).astype(np.float32)
    return X, np.rot90(X, axes=(2, 3)) ** 2


def _o5(n=120):
    return make_o5_synthetic(n, random_state=0)


#: one small configuration per estimator, with data it fits
CASES = {
    "GMCNNClassifier": (lambda **kw: GMCNNClassifier("C4", channels=(4, 4), max_epochs=2,
                                                     batch_size=32, random_state=0, **kw), _digits),
    "GMCNNRegressor": (lambda **kw: GMCNNRegressor("D4", channels=(2, 2), max_epochs=2,
                                                   batch_size=16, random_state=0, **kw), _fields),
    "EMLPRegressor": (lambda **kw: EMLPRegressor("O(5)", "2V", "S", hidden=32, n_layers=1,
                                                 max_epochs=2, batch_size=40, augment=True,
                                                 random_state=0, **kw), _o5),
    "EMLPClassifier": (lambda **kw: EMLPClassifier("O(5)", "2V", hidden=32, n_layers=1,
                                                   max_epochs=2, batch_size=40, random_state=0,
                                                   **kw),
                       lambda: (_o5()[0], (_o5()[1] > np.median(_o5()[1])).astype(int))),
    "LatentEquivariantClassifier": (lambda **kw: LatentEquivariantClassifier(
        "C4", channels=(4, 4), latent_dim=8, max_epochs=2, batch_size=32, random_state=0, **kw),
        _digits),
    "LatentEquivariantRegressor": (lambda **kw: LatentEquivariantRegressor(
        "D4", channels=(4,), latent_dim=8, max_epochs=2, batch_size=16, random_state=0, **kw),
        _fields),
}


def _outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
           types.MethodType, types.CodeType, types.FrameType)


def tensors_held_outside(est, owners) -> list:
    """Tensors reachable from ``est`` other than through ``owners`` (classes, modules and
    functions are not followed, so the walk stays inside the estimator's own objects)."""
    stop = {id(o) for o in owners if o is not None}
    seen, stack, found = set(), [est], []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in stop:
            continue
        seen.add(id(obj))
        if isinstance(obj, torch.Tensor):
            found.append(obj)
        elif not isinstance(obj, _OPAQUE):
            stack.extend(gc.get_referents(obj))
    return found


def _same_weights(a, b) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.module_.state_dict().values(),
                                                  b.module_.state_dict().values()))


@pytest.mark.parametrize("name", sorted(CASES))
def test_resident_batches_and_the_dataloader_train_the_same_model(name):
    make, data = CASES[name]
    X, y = data()
    resident = make(data_on_device=True).fit(X, y)
    loader = make(data_on_device=False).fit(X, y)
    assert _same_weights(resident, loader)
    assert np.array_equal(_outputs(resident, X), _outputs(loader, X))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_seed_same_model_in_concurrent_threads(name):
    make, data = CASES[name]
    X, y = data()
    serial = _outputs(make().fit(X, y), X)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: _outputs(make().fit(X, y), X), range(4)))
    assert all(np.array_equal(serial, r) for r in results)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("precision", ["bf16", "float64"])
def test_bf16_and_float64_fit_and_predict(name, precision):
    make, data = CASES[name]
    X, y = data()
    est = make(precision=precision).fit(X, y)
    expected = torch.float64 if precision == "float64" else torch.float32
    assert next(est.module_.parameters()).dtype == expected  # bf16 keeps float32 weights
    assert np.isfinite(_outputs(est, X[:8])).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_float64_default_dtype_works(name):
    make, data = CASES[name]
    X, y = data()
    with default_dtype(torch.float64):
        est = make().fit(X, y)
        assert np.isfinite(_outputs(est, X[:8])).all()
    assert next(est.module_.parameters()).dtype == torch.float32  # precision decides


@pytest.mark.parametrize("make,data", [
    (lambda: GMCNNClassifier("D4", channels=(3, 3), max_epochs=1, precision="float64",
                             random_state=0), _digits),
    (lambda: GMCNNRegressor("C4", channels=(2,), field="vector", max_epochs=1,
                            precision="float64", random_state=0),
     lambda: (np.random.default_rng(0).normal(size=(16, 2, 8, 8)),) * 2),
    (lambda: EMLPRegressor("O(5)", "2V", "S", hidden=32, n_layers=2, max_epochs=1,
                           precision="float64", random_state=0), _o5),
], ids=["GMCNNClassifier-D4", "GMCNNRegressor-vector", "EMLPRegressor-O5"])
def test_float64_models_are_equivariant_to_1e10(make, data):
    X, y = data()
    assert make().fit(X, y).equivariance_error(X[:16]) < 1e-10


def test_random_state_takes_a_random_state_and_draws_from_it():
    X, y = _digits()
    make = functools.partial(GMCNNClassifier, "C4", channels=(2,), max_epochs=1)
    a = make(random_state=np.random.RandomState(0)).fit(X, y)
    b = make(random_state=np.random.RandomState(0)).fit(X, y)
    assert _same_weights(a, b)
    state = np.random.RandomState(0)
    first, second = make(random_state=state).fit(X, y), make(random_state=state).fit(X, y)
    assert not _same_weights(first, second)  # one state, two draws, as in sklearn


def test_unseeded_fits_follow_torchs_global_seed_and_seeded_fits_leave_it_alone():
    X, y = _digits()
    make = functools.partial(GMCNNClassifier, "C4", channels=(2,), max_epochs=1)
    torch.manual_seed(5)
    a = make().fit(X, y)
    torch.manual_seed(5)
    b = make().fit(X, y)
    assert _same_weights(a, b)
    torch.manual_seed(7)
    before = torch.rand(1)
    torch.manual_seed(7)
    make(random_state=0).fit(X, y)
    assert torch.equal(torch.rand(1), before)


class _RecordThreads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


@pytest.mark.parametrize("n_threads,expected", [(1, 1), ("auto", 1)])
def test_thread_count_applies_inside_fit_and_is_restored(n_threads, expected):
    X, y = _digits()
    before = torch.get_num_threads()
    clf = GMCNNClassifier("C4", channels=(2,), max_epochs=1, n_threads=n_threads,
                          callbacks=[_RecordThreads()], random_state=0).fit(X, y)
    assert clf.history_[-1, "torch_threads"] == expected  # a small model: one thread
    assert torch.get_num_threads() == before


def test_training_batches_are_shuffled_and_early_stopping_and_partial_fit_still_work():
    X, y = _digits(240)
    clf = GMCNNClassifier("C1", channels=(4,), max_epochs=30, lr=1e-6, early_stopping=2,
                          random_state=0).fit(X, y)
    assert "valid_loss" in clf.history_[-1] and "valid_acc" in clf.history_[-1]
    assert len(clf.history_) < 30
    epochs = len(clf.history_)
    clf.partial_fit(X, y)
    assert len(clf.history_) > epochs
    # user DataLoader arguments take skorch's loader; still the same seeded order
    loader = GMCNNClassifier("C1", channels=(4,), max_epochs=2, random_state=0,
                             iterator_train__num_workers=0).fit(X, y)
    resident = GMCNNClassifier("C1", channels=(4,), max_epochs=2, random_state=0).fit(X, y)
    assert _same_weights(loader, resident)


@pytest.mark.parametrize("name", sorted(CASES))
def test_zero_weights_drop_samples_and_equal_weights_change_nothing(name):
    make, data = CASES[name]
    X, y = data()
    keep = np.arange(len(X)) % 3 != 0
    weights = keep.astype(float)
    assert np.array_equal(_outputs(make().fit(X, y, sample_weight=weights), X),
                          _outputs(make().fit(X[keep], y[keep]), X))
    assert np.array_equal(_outputs(make().fit(X, y, sample_weight=np.full(len(X), 2.5)), X),
                          _outputs(make().fit(X, y), X))


@pytest.mark.parametrize("name", sorted(CASES))
def test_unequal_weights_change_the_fit(name):
    make, data = CASES[name]
    X, y = data()
    weights = np.linspace(0.1, 3.0, len(X))
    assert not np.allclose(_outputs(make().fit(X, y, sample_weight=weights), X),
                           _outputs(make().fit(X, y), X))


def test_sample_weight_passes_through_grid_search():
    X, y = _digits()
    weights = np.where(y < 5, 1.0, 0.0)
    search = GridSearchCV(GMCNNClassifier("C4", channels=(2,), max_epochs=1, random_state=0),
                          {"relaxation_rank": [0, 1]}, cv=2).fit(X, y, sample_weight=weights)
    assert len(search.cv_results_["params"]) == 2


def _search(**kwargs):
    return GridSearchCV(
        GMCNNClassifier(channels=(3, 3), max_epochs=2, batch_size=32, random_state=0),
        {"group": ["C1", "C4"], "relaxation_rank": [0, 1]}, cv=2, **kwargs)


def _same_search(a, b) -> None:
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        assert np.array_equal(a.cv_results_[key], b.cv_results_[key]), key
    assert a.best_params_ == b.best_params_


def test_grid_search_on_joblibs_threading_backend_equals_n_jobs_1():
    X, y = _digits(200)
    serial = _search(n_jobs=1).fit(X, y)
    with parallel_config(backend="threading"):
        threaded = _search(n_jobs=3).fit(X, y)
    _same_search(serial, threaded)


def test_grid_search_on_a_dask_localcluster_equals_n_jobs_1():
    distributed = pytest.importorskip("distributed")
    X, y = _digits(200)
    serial = _search(n_jobs=1).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"):
        on_dask = _search(n_jobs=-1).fit(X, y)
    _same_search(serial, on_dask)


def test_batch_norm_statistics_are_those_of_the_final_weights():
    # the running averages of training lag behind moving weights; fit recomputes them
    X, y = _digits(200)
    clf = GMCNNClassifier("C4", channels=(4, 4), max_epochs=3, lr=0.05, random_state=0).fit(X, y)
    norm = next(m for m in clf.module_.modules() if isinstance(m, torch.nn.BatchNorm1d))
    seen = []
    handle = norm.register_forward_hook(lambda mod, inp, out: seen.append(inp[0]))
    clf.predict(X)
    handle.remove()
    inputs = torch.cat(seen)
    assert torch.allclose(norm.running_mean, inputs.mean((0, 2)).to(norm.running_mean.dtype),
                          atol=1e-5)


class _RecordModes(Callback):
    """Pairs (training batch?, module.training during its forward) for every batch."""

    def on_train_begin(self, net, **kwargs):
        self.pairs, self.mode = [], None

        def hook(module, inputs, output):
            self.mode = module.training

        net.module_.register_forward_hook(hook)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        self.pairs.append((training, self.mode))


def test_training_batches_run_in_train_mode_and_validation_batches_in_eval_mode():
    X, y = _digits(200)
    record = _RecordModes()
    GMCNNClassifier("C1", channels=(2,), max_epochs=2, early_stopping=5, callbacks=[record],
                    random_state=0).fit(X, y)
    assert {training for training, _ in record.pairs} == {True, False}
    assert all(training == mode for training, mode in record.pairs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_rows_prediction_does_not_depend_on_the_rest_of_the_batch(name):
    make, data = CASES[name]
    X, y = data()
    est = make().fit(X, y)
    together = _outputs(est, X[:12])
    alone = np.concatenate([_outputs(est, X[i:i + 1]) for i in range(12)])
    # float32 kernels sum in a batch-size-dependent order: equal to a few ulp, not bitwise
    np.testing.assert_allclose(alone, together, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_between_fits_tensors_live_only_in_the_module_and_the_optimizer(name):
    # no training data, gradients, early-stopping weights or device copies (EMLP's
    # augmentation sampler) stay behind
    make, data = CASES[name]
    X, y = data()
    est = make(early_stopping=2).fit(X, y)
    owners = [est.module_, est.optimizer_, est.criterion_]
    assert tensors_held_outside(est, owners) == []
    assert all(p.grad is None for p in est.module_.parameters())


@pytest.mark.parametrize("schedule", ["cosine", "plateau"])
def test_lr_schedules_and_their_routed_settings(schedule):
    from skequi import GMCNNClassifier
    from skequi.datasets import load_digit_images

    X, y = load_digit_images()
    clf = GMCNNClassifier("C1", channels=(4,), max_epochs=6, lr=0.02, lr_schedule=schedule,
                          random_state=0).fit(X[:200], y[:200])
    rates = clf.history_[:, "event_lr"]
    assert rates[0] == pytest.approx(0.02)
    if schedule == "cosine":
        assert rates == pytest.approx([0.01 * (1 + np.cos(np.pi * k / 6)) for k in range(6)])
        # a later call runs the schedule again from lr, not from where the last one ended
        clf.partial_fit(X[:200], y[:200])
        assert clf.history_[-6:, "event_lr"][0] == pytest.approx(0.02)
    else:
        flat = GMCNNClassifier("C1", channels=(4,), max_epochs=6, lr=0.02, random_state=0,
                               lr_schedule=schedule, lr_schedule__patience=0,
                               lr_schedule__factor=0.5, lr_schedule__threshold=10.0)
        flat.fit(X[:200], y[:200])  # every epoch counts as a plateau: halved each epoch
        assert flat.history_[:, "event_lr"] == pytest.approx([0.02 / 2**k for k in range(6)])
    with pytest.raises(ValueError, match="lr_schedule"):
        GMCNNClassifier(lr_schedule="linear").fit(X[:20], y[:20])


class _InterruptAt(Callback):
    """Ctrl-C pressed at the end of the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_an_interrupted_refit_leaves_the_previous_model():
    X, y = _digits(120)
    clf = GMCNNClassifier("C1", channels=(2,), max_epochs=2, random_state=0).fit(X, y)
    expected, history = clf.predict_proba(X), len(clf.history_)
    clf.set_params(callbacks=[_InterruptAt(2)], max_epochs=5, random_state=1)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert np.array_equal(clf.predict_proba(X), expected) and len(clf.history_) == history
    fresh = GMCNNClassifier("C1", channels=(2,), max_epochs=5, callbacks=[_InterruptAt(1)])
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "module_")  # a first fit interrupted: still unfitted


def test_interrupted_in_place_training_keeps_its_progress_with_a_warning():
    X, y = _digits(120)
    clf = GMCNNClassifier("C1", channels=(2,), max_epochs=2, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(callbacks=[_InterruptAt(3)], max_epochs=5)
    with pytest.warns(UserWarning, match="interrupted after 3 epoch.*kept"):
        clf.partial_fit(X, y)
    assert len(clf.history_) == 3 and not np.array_equal(clf.predict_proba(X), before)


def test_optimizer_settings_set_after_fit_take_effect_and_are_checked():
    X, y = _digits(120)
    clf = GMCNNClassifier("C1", channels=(2,), max_epochs=1, random_state=0).fit(X, y)
    clf.set_params(optimizer__betas=(0.5, 0.9)).fit(X, y)
    assert clf.optimizer_.param_groups[0]["betas"] == (0.5, 0.9)
    assert clf.get_params()["optimizer__betas"] == (0.5, 0.9)  # and clone keeps them
    clf.set_params(optimizer__betas=(0.6, 0.8), lr=0.02).partial_fit(X, y)
    group = clf.optimizer_.param_groups[0]
    assert group["betas"] == (0.6, 0.8) and group["lr"] == 0.02
    expected = clf.predict_proba(X)
    clf.set_params(optimizer__betas=(2.0, 0.9))
    with pytest.raises(ValueError, match="Invalid beta parameter"):
        clf.partial_fit(X, y)
    assert np.array_equal(clf.predict_proba(X), expected)


@pytest.mark.parametrize("optimizer", [torch.optim.LBFGS, torch.optim.Rprop])
def test_optimizers_without_weight_decay(optimizer):
    X, y = _digits(120)
    clf = GMCNNClassifier("C1", channels=(2,), max_epochs=2, optimizer=optimizer, weight_decay=0,
                          lr=0.1 if optimizer is torch.optim.LBFGS else 0.01,
                          random_state=0).fit(X, y)
    assert "weight_decay" not in clf.optimizer_.defaults  # not passed to one that lacks it
    assert np.isfinite(clf.predict_proba(X)).all()


def test_sample_weights_near_the_float64_limit_are_normalised():
    X, y = _digits(120)
    weights = np.full(len(y), 1e308)
    weights[::2] = 5e307
    clf = GMCNNClassifier("C1", channels=(2,), max_epochs=2, random_state=0)
    plain = GMCNNClassifier("C1", channels=(2,), max_epochs=2, random_state=0)
    clf.fit(X, y, sample_weight=weights)
    plain.fit(X, y, sample_weight=weights / 1e307)  # the same relative weights
    assert np.allclose(clf.predict_proba(X), plain.predict_proba(X), atol=1e-6)
