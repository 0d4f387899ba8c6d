"""benchmarks/bench_paper_tables.py: the rows it runs (``--models``, the reference configs)."""

import argparse

import pytest


@pytest.fixture()
def bench(benchmark_script):
    return benchmark_script("bench_paper_tables")


def _args(models, reference_epochs=0, reference_groups=("C28xC28",)):
    return argparse.Namespace(width=8, lr=0.03, epochs=2, reference_epochs=reference_epochs,
                              reference_groups=list(reference_groups), models=models,
                              reference_only=False, reference_recipe="paper")


def test_models_picks_rows_by_label(bench):
    every = bench._selected(_args(None), "rotated")
    assert [bench._label(name, rank) for name, _, rank, _, _ in every] == [
        "CNN", "CNN + augmentation", "GM-CNN C4", "GM-CNN C4 r=1", "GM-CNN C4 r=2",
        "GM-CNN D4", "GM-CNN D4 r=1", "GM-CNN D4 r=2"]
    picked = bench._selected(_args("CNN, GM-CNN C4 r=2"), "rotated")
    assert [(name, group, rank) for name, group, rank, _, _ in picked] == [
        ("CNN", "C1", 0), ("GM-CNN C4", "C4", 2)]


def test_an_unknown_model_label_names_the_choices(bench):
    with pytest.raises(SystemExit, match=r"unknown --models \['GM-CNN C5'\]; choose from CNN, "):
        bench._selected(_args("CNN,GM-CNN C5"), "noisy")


@pytest.mark.parametrize("task, group, radius, batch_size, epochs", [
    ("rotated", "D14xD14", 3, 128, 120), ("noisy", "C28xC28", 3, 128, 20),
    ("background", "D14xD14", 2, 256, 100), ("rectangles", "C28xC28", 3, 512, 100)])
def test_the_reference_row_follows_each_tasks_config(bench, task, group, radius, batch_size,
                                                     epochs):
    # configs/exp/{rot-mnist,mnist-noise,mnist-bg-rot,rectangles}.yaml of the GM-CNN repository
    label = f"GM-CNN {group} (reference design)"
    [(name, picked, rank, settings, augment)] = bench._selected(
        _args(label, reference_epochs=None, reference_groups=()), task)
    assert (name, picked, rank, augment) == (label, group, 0, False)
    assert (settings["kernel_radius"], settings["batch_size"], settings["max_epochs"]) == (
        radius, batch_size, epochs)
    assert (settings["lr"], settings["weight_decay"], settings["channels"]) == (
        0.004, 0.0153, (120, 120))


def test_reference_groups_and_epochs_override_the_config(bench):
    models = bench._selected(_args(None, reference_epochs=5,
                                   reference_groups=("C28xC28", "D14xD14")), "rotated")
    reference = [(group, settings["max_epochs"]) for name, group, _, settings, _ in models
                 if "reference" in name]
    assert reference == [("C28xC28", 5), ("D14xD14", 5)]
    assert not [name for name, *_ in bench._selected(_args(None), "rotated")
                if "reference" in name]


def test_reference_only_runs_each_tasks_own_group(bench):
    args = _args(None, reference_epochs=None, reference_groups=())
    args.reference_only = True
    for task, group in [("rotated", "D14xD14"), ("noisy", "C28xC28")]:
        assert [picked for _, picked, *_ in bench._selected(args, task)] == [group]


def test_our_recipe_trains_the_reference_design_as_the_other_rows(bench):
    args = _args(None, reference_epochs=20, reference_groups=())
    args.reference_only, args.reference_recipe = True, "ours"
    [(name, group, _, settings, _)] = bench._selected(args, "noisy")
    assert name == "GM-CNN C28xC28 (reference design, our recipe)" and group == "C28xC28"
    assert settings == dict(channels=(120, 120), paper_block="reference", lr=0.03,
                            lr_schedule="cosine", batch_size=64, max_epochs=20, kernel_radius=3)
