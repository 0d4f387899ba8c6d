"""benchmarks/bench_paper_tables.py: ``--models`` picks rows by their printed labels."""

import argparse
import importlib.util
import pathlib

import pytest

SCRIPT = pathlib.Path(__file__).parents[1] / "benchmarks" / "bench_paper_tables.py"


@pytest.fixture()
def bench():
    spec = importlib.util.spec_from_file_location("bench_paper_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _args(models, reference_epochs=0):
    return argparse.Namespace(width=8, lr=0.03, epochs=2, reference_epochs=reference_epochs,
                              reference_groups=["C28xC28"], models=models)


def test_models_picks_rows_by_label(bench):
    every = bench._selected(_args(None))
    assert [bench._label(name, rank) for name, _, rank, _, _ in every] == [
        "CNN", "CNN + augmentation", "GM-CNN C4", "GM-CNN C4 r=1", "GM-CNN C4 r=2",
        "GM-CNN D4", "GM-CNN D4 r=1", "GM-CNN D4 r=2"]
    picked = bench._selected(_args("CNN, GM-CNN C4 r=2"))
    assert [(name, group, rank) for name, group, rank, _, _ in picked] == [
        ("CNN", "C1", 0), ("GM-CNN C4", "C4", 2)]


def test_an_unknown_model_label_names_the_choices(bench):
    with pytest.raises(SystemExit, match=r"unknown --models \['GM-CNN C5'\]; choose from CNN, "):
        bench._selected(_args("CNN,GM-CNN C5"))
