"""The n_threads="auto" policy and the scoped, reference-counted thread setting."""

import os
import threading

import numpy as np
import pytest
import torch

from skequi.estimators import _threads
from skequi.estimators._threads import SMALL_STEP_MACS, auto_thread_count, torch_threads


@pytest.fixture
def two_torch_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_small_steps_and_uncountable_modules_run_on_one_thread():
    assert auto_thread_count(SMALL_STEP_MACS / 10) == 1
    assert auto_thread_count(None) == 1


def test_large_steps_get_the_machines_cores_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(_threads.os, "cpu_count", lambda: 2)
    assert auto_thread_count(SMALL_STEP_MACS * 10) == 2
    monkeypatch.setattr(_threads.os, "cpu_count", lambda: 64)
    assert auto_thread_count(SMALL_STEP_MACS * 10) == _threads.MAX_AUTO_THREADS


def test_the_choice_is_the_same_in_a_worker_thread_and_under_load(monkeypatch):
    seen = []
    worker = threading.Thread(target=lambda: seen.append(auto_thread_count(SMALL_STEP_MACS * 10)))
    worker.start()
    worker.join()
    monkeypatch.setattr(os, "getloadavg", lambda: (100.0, 100.0, 100.0))
    assert seen == [auto_thread_count(SMALL_STEP_MACS * 10)]


def test_nested_scopes_restore_the_callers_count_only_at_the_end(two_torch_threads):
    with torch_threads(1):
        assert torch.get_num_threads() == 1
        with torch_threads(1):
            pass
        assert torch.get_num_threads() == 1  # the inner scope did not restore early
    assert torch.get_num_threads() == 2


def test_none_leaves_torch_alone(two_torch_threads):
    with torch_threads(None):
        assert torch.get_num_threads() == 2


def test_a_large_fit_is_bit_identical_in_the_main_thread_and_in_a_worker_thread():
    """Above the threshold "auto" uses several threads; where the fit runs must not matter."""
    from skequi import GMCNNClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2, 28, 28)).astype(np.float32)
    y = np.arange(64) % 4

    def fit():
        return GMCNNClassifier("C4", channels=(16, 16), max_epochs=1, batch_size=64,
                               random_state=0).fit(X, y)

    main = fit()
    assert main._step_macs(X[:1]) > SMALL_STEP_MACS
    results = []
    worker = threading.Thread(target=lambda: results.append(fit()))
    worker.start()
    worker.join()
    for a, b in zip(main.module_.parameters(), results[0].module_.parameters()):
        assert torch.equal(a, b)
