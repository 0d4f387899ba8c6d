"""skequi sweep --data: the user's own files in, results.csv, relaxation.png, report.md out."""

import numpy as np
import pandas as pd
import pytest

from skequi.cli import main
from skequi.datasets import load_digit_images, make_inertia, make_mirror_fields

TINY = ["--ranks", "0", "--epochs", "2", "--cv", "2", "--layers", "1", "--width", "4"]


def _written(folder):
    assert (folder / "results.csv").stat().st_size > 0
    assert (folder / "relaxation.png").stat().st_size > 1000
    return (folder / "report.md").read_text()


def test_classification_npz(tmp_path, capsys):
    X, y = load_digit_images()
    np.savez(tmp_path / "digits.npz", X=X[:160], y=y[:160])
    assert main(["sweep", "--data", str(tmp_path / "digits.npz"), "--groups", "C1,C4",
                 *TINY, "--report-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "classification on images, scored by accuracy" in out
    assert [line.split(" done")[0].strip() for line in out.splitlines() if " done, " in line] \
        == [f"fit {i}/4" for i in range(1, 5)]
    report = _written(tmp_path / "out")
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert set(results.group) == {"C1", "C4"}
    assert {"mean_test_score_on_C4", "mean_test_error_vs_C4", "n_params"} <= set(results.columns)
    best = results.sort_values("rank_test_score").group.iloc[0]
    assert "## The answer" in report and best in report.split("## The answer")[1].split("##")[0]
    assert "| element | score | drop | se | holds |" in report  # the per-element table
    assert "(g x, y) for labels" in report


def test_field_regression_npz_with_a_test_set(tmp_path, capsys):
    X, y = make_mirror_fields(96, size=8, random_state=0)
    X_test, y_test = make_mirror_fields(32, size=8, random_state=1)
    np.savez(tmp_path / "fields.npz", X=X, y=y, X_test=X_test, y_test=y_test)
    assert main(["sweep", "--data", str(tmp_path / "fields.npz"), "--groups", "C1,D1d",
                 *TINY, "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "96 training samples, 32 held out (the file's X_test, y_test)" in out
    assert "field on images, scored by R^2 pooled over all values" in out
    report = _written(tmp_path)
    assert "RMSE" in report and "rel. L2" in report and "(g x, g y)" in report
    results = pd.read_csv(tmp_path / "results.csv")
    assert np.isfinite(results.mean_test_score).all()
    assert (results.loc[results.group == "D1d", "mean_test_error_vs_D1d"] < 1e-5).all()


def test_the_report_finds_the_one_mirror_of_the_data(tmp_path, capsys):
    """Fields symmetric under the transpose only: exact D1d beats the plain CNN and exact D4
    at matched parameters, and the per-element table recommends D1d."""
    X, y = make_mirror_fields(300, size=12, random_state=0)
    np.savez(tmp_path / "mirror.npz", X=X, y=y)
    assert main(["sweep", "--data", str(tmp_path / "mirror.npz"), "--groups", "C1,D1d,D4",
                 "--ranks", "0", "--epochs", "40", "--cv", "3", "--layers", "2", "--width", "8",
                 "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    results = pd.read_csv(tmp_path / "results.csv").set_index("group")
    assert results.mean_test_score["D1d"] > results.mean_test_score["C1"]
    assert results.mean_test_score["D1d"] > results.mean_test_score["D4"]
    counts = results.n_params
    assert counts.max() <= 1.1 * counts["C1"] and counts.min() >= 0.9 * counts["C1"]
    assert "Exact D1d beats the plain CNN (C1)" in out and "the data look D1d-symmetric" in out
    assert "recommended subgroup: D1d" in out
    report = (tmp_path / "report.md").read_text()
    assert "**Recommended group: D1d**" in report and "--groups C1,D1d --ranks 0,1,2" in report


def test_image_folders(tmp_path, capsys):
    from PIL import Image

    X, y = load_digit_images()
    for i in range(60):
        folder = tmp_path / "digits" / f"class{y[i] % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((X[i, 0] * 255).astype(np.uint8)).save(folder / f"{i}.png")
    assert main(["sweep", "--data", str(tmp_path / "digits"), "--groups", "C1,D1", *TINY,
                 "--report-dir", str(tmp_path / "out")]) == 0
    assert "classification on images" in capsys.readouterr().out
    _written(tmp_path / "out")


def test_csv_vector_data_sweeps_emlps(tmp_path, capsys):
    X, y = make_inertia(120, random_state=0)
    columns = [f"m{i}" for i in range(5)] + [f"{a}{i}" for i in range(5) for a in "xyz"]
    targets = [f"I{a}{b}" for a in "xyz" for b in "xyz"]
    pd.DataFrame(np.hstack([X, y]), columns=columns + targets).to_csv(tmp_path / "i.csv",
                                                                      index=False)
    argv = ["sweep", "--data", str(tmp_path / "i.csv"), "--target", ",".join(targets),
            "--groups", "SO(3)", "--ranks", "0", "--epochs", "2", "--cv", "2", "--layers", "1",
            "--hidden", "16", "--report-dir", str(tmp_path)]
    assert main(argv) == 2
    assert "vector data need --rep-in" in capsys.readouterr().err
    assert main(argv + ["--rep-in", "5S+5V", "--rep-out", "V**2"]) == 0
    out = capsys.readouterr().out
    assert "regression on vectors" in out and "Trivial(3)" in out
    report = _written(tmp_path)
    assert "sample 1" in report  # the Lie group's elements are a fixed sample


@pytest.mark.parametrize("make,message", [
    (lambda p: p / "missing.npz", "no file or folder at"),
    (lambda p: (np.savez(p / "a.npz", X=np.zeros((4, 2))), p / "a.npz")[1], "has no array 'y'"),
    (lambda p: (p.joinpath("t.csv").write_text("a,b\n1,2\n"), p / "t.csv")[1],
     "name its target columns"),
    (lambda p: (p.joinpath("t.txt").write_text("1"), p / "t.txt")[1], "skequi reads .npz"),
])
def test_unreadable_data_is_an_error_before_training(tmp_path, capsys, make, message):
    assert main(["sweep", "--data", str(make(tmp_path)), *TINY,
                 "--report-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_unwritable_report_folder_is_refused_before_training(tmp_path, capsys):
    X, y = load_digit_images()
    np.savez(tmp_path / "d.npz", X=X[:40], y=y[:40])
    (tmp_path / "file").write_text("")
    assert main(["sweep", "--data", str(tmp_path / "d.npz"), *TINY,
                 "--report-dir", str(tmp_path / "file")]) == 2
    captured = capsys.readouterr()
    assert "is not a folder" in captured.err and "done," not in captured.out
