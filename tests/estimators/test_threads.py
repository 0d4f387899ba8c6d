"""The n_threads="auto" policy and the scoped, reference-counted thread setting."""

import threading

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


@pytest.fixture
def idle_machine(monkeypatch):
    monkeypatch.setattr(_threads, "_saturated", lambda: False)


def test_small_steps_run_on_one_thread(two_torch_threads, idle_machine):
    assert auto_thread_count(SMALL_STEP_MACS / 10) == 1


def test_large_steps_on_an_idle_machine_keep_torchs_count(two_torch_threads, idle_machine):
    assert auto_thread_count(SMALL_STEP_MACS * 10) == 2
    assert auto_thread_count(None) == 2  # a module the counter cannot trace: no size rule


def test_a_saturated_machine_gets_one_thread(two_torch_threads, monkeypatch):
    monkeypatch.setattr(_threads, "_saturated", lambda: True)
    assert auto_thread_count(SMALL_STEP_MACS * 10) == 1


def test_fits_in_worker_threads_get_one_thread(two_torch_threads, idle_machine):
    seen = []
    worker = threading.Thread(target=lambda: seen.append(auto_thread_count(SMALL_STEP_MACS * 10)))
    worker.start()
    worker.join()
    assert seen == [1]


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
