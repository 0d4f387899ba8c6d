"""The skequi command line."""

import pytest

from skequi.cli import main


def test_groups_catalog(capsys):
    assert main(["groups"]) == 0
    out = capsys.readouterr().out
    assert "D4           8  r^1, f" in out and "O           24" in out


def test_sweep_at_tiny_settings(tmp_path, capsys):
    png = tmp_path / "plot.png"
    code = main(["sweep", "--groups", "C1,C4", "--ranks", "0", "--epochs", "1", "--cv", "2",
                 "--layers", "1", "--output", str(png)])
    assert code == 0
    out = capsys.readouterr().out
    assert "relaxation_rank" in out and "plain CNN (C1, exact)" in out
    assert png.stat().st_size > 1000


def test_sweep_reports_bad_group_without_a_traceback(capsys):
    assert main(["sweep", "--groups", "C5"]) == 2
    assert "cannot act on a square pixel grid" in capsys.readouterr().err


def test_sweep_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    out = capsys.readouterr().out
    for option in ("--groups", "--ranks", "--epochs", "--test-group", "--output"):
        assert option in out
