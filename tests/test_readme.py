"""Every code block of the README runs as written, at tiny settings (or says why it cannot).

Each Python block is found by a line it contains, run with the substitutions
listed for it (fewer samples, fewer epochs), each of which must appear in the
block, so a README change that this file does not know about fails here. The
``>>>`` blocks are doctests (setup.cfg's --doctest-glob) and the bash blocks
are the CLI, tested in tests/cli.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest

README = pathlib.Path(__file__).parents[1] / "README.md"

# block key (a line of the block) -> substitutions for tiny settings
BLOCKS = {
    "X, y = make_mirror_fields(250, size=12, random_state=0)": [
        ("make_mirror_fields(250, size=12", "make_mirror_fields(120, size=8"),
        ("X[:150], X[150:], y[:150].reshape(150, -1), y[150:].reshape(100, -1)",
         "X[:90], X[90:], y[:90].reshape(90, -1), y[90:].reshape(30, -1)"),
        ("max_epochs=40, random_state=0),\n    {", "max_epochs=1, random_state=0),\n    {"),
        ("refit=\"score\", cv=3)", "refit=\"score\", cv=2)"),
        ("max_epochs=40,\n", "max_epochs=1,\n"),
    ],
    "X, y = load_digit_images()                       # (1797, 1, 8, 8)": [
        ("max_epochs=15", "max_epochs=1"),
        ("\"relaxation_rank\": [0, 1, 2]", "\"relaxation_rank\": [0, 1]"),
        ("refit=\"rotated\", cv=3, n_jobs=-1", "refit=\"rotated\", cv=2, n_jobs=1"),
        ("search.fit(X, y)", "search.fit(X[:120], y[:120])"),
    ],
    "X, y = make_mirror_fields(300, size=12, random_state=0)    # fields (n, 1, 12, 12)": [
        ("make_mirror_fields(300, size=12", "make_mirror_fields(40, size=12"),
        ("max_epochs=20", "max_epochs=1"),
        ("scoring=\"r2\", cv=3", "scoring=\"r2\", cv=2"),
    ],
    "X, y = make_inertia(1000, random_state=0)": [
        ("make_inertia(1000", "make_inertia(60"),
        ("max_epochs=200)", "max_epochs=1, hidden=16, n_layers=1)"),
    ],
    "states, times = make_spring_pendulum(120, t_max=10.0, n_steps=50, random_state=0)": [
        ("make_spring_pendulum(120, t_max=10.0, n_steps=50",
         "make_spring_pendulum(12, t_max=1.0, n_steps=5"),
        ("states[:100]", "states[:10]"),
        ("hidden=64, max_epochs=60", "hidden=8, max_epochs=1"),
        ("states[100:, 0]", "states[10:, 0]"),
        ("states[100:])", "states[10:])"),
    ],
    "X, y = make_double_digits(\"C4\", 3000, random_state=0)": [
        ("make_double_digits(\"C4\", 3000", "make_double_digits(\"C4\", 40"),
        ("equivariance_strength=1.0,", "equivariance_strength=1.0, max_epochs=1,"),
    ],
    "frames, info = make_plumes(": [
        ("make_double_digits(\"C4\", 2000", "make_double_digits(\"C4\", 20"),
        # 36 cheap 16x16 simulations of 2 frames, repeated to the 174 frames the splits read
        ("frames, info = make_plumes(36, variant=\"rotation\", size=32, n_frames=282)",
         "frames, info = make_plumes(36, variant=\"rotation\", size=16, n_frames=2, "
         "cache=False, batch_size=36); frames = frames.repeat(87, axis=1)"),
        ("rollout_steps=6)", "rollout_steps=6, channels=(2,), max_epochs=1)"),
        ("stride=4", "stride=80"),
        ("12, 32, 32", "12, 16, 16"), ("10, 2, 32, 32", "10, 2, 16, 16"),
        ("horizon=20)\n", "horizon=20)\nX_test, truth = X_test[:4], truth[:4]\n"),
    ],
}
# blocks run as a script of their own, with what they need defined before them
SCRIPTS = {
    "LocalCluster(n_workers=2, threads_per_worker=1)": (
        "from sklearn.model_selection import GridSearchCV\n"
        "from skequi import GMCNNClassifier\n"
        "from skequi.datasets import load_digit_images\n"
        "X, y = load_digit_images()\n"
        "X, y = X[:60], y[:60]\n"
        "search = GridSearchCV(GMCNNClassifier(channels=(2,), max_epochs=1, random_state=0),\n"
        "                      {'group': ['C1', 'C4']}, cv=2)\n",
        [("LocalCluster(n_workers=2, threads_per_worker=1)",
          "LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None)")],
    ),
}


def _python_blocks():
    text = README.read_text()
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", text, flags=re.S | re.M)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in blocks
            if not body.lstrip().startswith(">>>")]


def _key(block, keys):
    found = [key for key in keys if key in block]
    assert len(found) == 1, f"README block without tiny settings in tests/test_readme.py:\n{block}"
    return found[0]


def _tiny(block, substitutions):
    for old, new in substitutions:
        assert old in block, f"the README no longer says {old!r}; update tests/test_readme.py"
        block = block.replace(old, new)
    return block


def test_every_block_is_known():
    keys = list(BLOCKS) + list(SCRIPTS)
    assert sorted(_key(block, keys) for block in _python_blocks()) == sorted(keys)


@pytest.mark.parametrize("key", list(BLOCKS), ids=lambda k: k.split("(")[0].split("=")[-1])
def test_block_runs(key, tmp_path, monkeypatch):
    if "make_plumes" in key:
        pytest.importorskip("phi")
        pytest.importorskip("mlxtend")
    monkeypatch.chdir(tmp_path)  # blocks may write files (relaxation.png)
    import matplotlib

    matplotlib.use("Agg")
    block = next(b for b in _python_blocks() if key in b)
    exec(compile(_tiny(block, BLOCKS[key]), "README.md", "exec"), {"__name__": "__main__"})


@pytest.mark.parametrize("key", list(SCRIPTS))
def test_block_runs_as_a_script(key, tmp_path):
    """Pasted into a file and run with python: what the dask block's main guard is for."""
    pytest.importorskip("distributed")
    preamble, substitutions = SCRIPTS[key]
    block = next(b for b in _python_blocks() if key in b)
    script = tmp_path / "pasted.py"
    script.write_text(preamble + _tiny(block, substitutions))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
