"""Wall time of ``skequi demo`` run one fit at a time, in threads, and in worker processes.

Issue 14, item 5, on the CPU: which way should the command line run a
sweep's many small fits by default? Each round starts a fresh ``skequi demo``
(27 fits: groups C1, C4, D4 x ranks 0, 1, 2 x 3 folds, 15 epochs, then the
refit and the plain CNN) three ways, side by side in alternating order:

* ``--n-jobs 1``: one fit after another in the command's process;
* ``--n-jobs auto`` (the default): one fit per CPU core at once, in threads;
* ``--n-jobs <cores>``: as many joblib worker processes (loky), each of
  which first imports torch.

Every fit runs on one torch intra-op thread (the estimators'
``n_threads="auto"`` at this model size). The table gives the median wall
seconds of the whole command, the ratio to ``--n-jobs 1`` and whether the
printed scores equal those of ``--n-jobs 1`` (the fits' own generators make
them identical however the fits are scheduled). The last line is
``auto_vs_one_at_a_time=<x.xx>``.

Usage::

    python benchmarks/bench_demo.py              # about 7 minutes on 2 cores
    python benchmarks/bench_demo.py --quick      # 2 epochs, ranks 0 and 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import joblib
import pandas as pd


def _scores(output: str) -> list[str]:
    """The rows of the printed results table and test accuracies, without the fit times."""
    rows = []
    for line in output.splitlines():
        words = line.split()
        if len(words) == 7 and words[0] in ("C1", "C2", "C4", "D1", "D2", "D4"):
            rows.append(" ".join(words[:6]))  # mean_fit_time (the 7th) differs by design
        elif line.strip().startswith(("best:", "plain CNN")):
            rows.append(" ".join(words))
    return rows


def _demo(n_jobs: str, extra: list[str], folder: str) -> tuple[float, list[str]]:
    command = [sys.executable, "-m", "skequi", "demo", "--n-jobs", n_jobs,
               "--output", os.path.join(folder, "demo.png"), *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, _scores(done.stdout)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 epochs, ranks 0 and 1")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    extra = ["--epochs", "2", "--ranks", "0,1"] if args.quick else []
    cores = joblib.cpu_count()
    strategies = {"one at a time (--n-jobs 1)": "1",
                  f"threads (--n-jobs auto: {cores})": "auto",
                  f"processes (--n-jobs {cores})": str(cores)}
    print(f"# skequi demo {' '.join(extra)}: {cores} CPU cores (joblib.cpu_count), "
          f"one torch thread per fit, {args.rounds} alternating rounds\n")
    times = {name: [] for name in strategies}
    scores = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            for name, n_jobs in strategies.items():
                seconds, scores[name] = _demo(n_jobs, extra, folder)
                times[name].append(seconds)
    base_name = next(iter(strategies))
    base = statistics.median(times[base_name])
    rows = [{"run": name, "median_s": statistics.median(ts),
             "runs_s": ", ".join(f"{t:.1f}" for t in ts),
             "ratio_vs_one_at_a_time": statistics.median(ts) / base,
             "scores_equal_n_jobs_1": scores[name] == scores[base_name] and bool(scores[name])}
            for name, ts in times.items()]
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".2f"))
    auto = statistics.median(times[f"threads (--n-jobs auto: {cores})"])
    print(f"\nauto_vs_one_at_a_time={auto / base:.2f}")


if __name__ == "__main__":
    main()
