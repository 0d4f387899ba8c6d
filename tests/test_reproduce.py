"""benchmarks/reproduce.py: every paper table gets a row, verdicts follow the numbers."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture()
def reproduce(benchmark_script, tmp_path, monkeypatch):
    module = benchmark_script("reproduce")
    monkeypatch.setattr(module, "RESULTS", tmp_path)
    return module


_NOTE_LINK = re.compile(r"; … \[note (\d+)\]\(#note-\1\)$")


def _notes(text: str) -> dict[str, str]:
    """Each note under the table, its clauses joined back into the cell's text."""
    notes, number = {}, None
    for line in text.splitlines():
        anchor = re.match(r'<a id="note-(\d+)"></a>', line)
        if anchor:
            number = anchor.group(1)
            notes[number] = []
        elif line.startswith("## "):
            number = None
        elif number and line.startswith("- "):
            notes[number].append(line[2:])
    return {number: "; ".join(clauses) for number, clauses in notes.items()}


def _row(text: str, table: str) -> list[str]:
    """A table row's cells, each long one read in full from its note."""
    line = next(line for line in text.splitlines() if f"| {table} |" in line)
    notes = _notes(text)
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    return [notes[link.group(1)] if (link := _NOTE_LINK.search(cell)) else cell
            for cell in cells]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # a module loader
@given(st.text(alphabet="ab;() []", max_size=40))
def test_clauses_split_a_cell_at_semicolons_outside_brackets_and_join_back(
        benchmark_script, text):
    clauses = benchmark_script("reproduce")._clauses(text)
    assert "; ".join(clauses) == text


def test_a_long_cell_shows_its_first_clause_and_its_note_lists_every_clause(benchmark_script):
    reproduce = benchmark_script("reproduce")
    assert reproduce._clauses("a (b; c); d [e; f]; g") == ["a (b; c)", "d [e; f]", "g"]
    notes = []
    assert reproduce._noted("short; cell", "T: why", notes) == "short; cell" and not notes
    long = "first clause; " + "x" * reproduce.LONG_CELL + " (y; z)"
    assert reproduce._noted(long, "T: why", notes) == "first clause; … [note 1](#note-1)"
    assert notes == [['<a id="note-1"></a>**1. T: why**', "", "- first clause",
                      "- " + "x" * reproduce.LONG_CELL + " (y; z)"]]
    # one long clause has nothing to shorten
    assert reproduce._noted("x" * 500, "T: why", notes) == "x" * 500 and len(notes) == 1


def test_every_table_has_a_row_and_missing_runs_name_their_command(reproduce):
    text = reproduce.render()
    for table in ("Rot-MNIST", "MNIST-noise", "MNIST-bg-rot", "Rectangles", "CIFAR-10",
                  "SmallNORB", "JetFlow", "Plumes: rotation", "Plumes: translation",
                  "Plumes: scaling", "O5Synthetic (O(5))", "Inertia (O(3))",
                  "ParticleInteraction (O(1,3))", "Double spring pendulum, neural ODE",
                  "Double spring pendulum, Hamiltonian", "DDMNIST C4xC4", "DDMNIST D1xD1",
                  "DDMNIST D4xD4", "MedMNIST3D (S4)", "SMOKE (rotation)"):
        assert _row(text, table)
    assert "python benchmarks/bench_ddmnist.py --groups C4 --csv" in _row(text, "DDMNIST C4xC4")[-1]
    assert ("python benchmarks/bench_ddmnist.py --groups D1,D4 --csv"
            in _row(text, "DDMNIST D1xD1")[-1])
    assert "offline" in _row(text, "CIFAR-10")[-1]


def test_a_ddmnist_row_reports_its_longest_run(reproduce, tmp_path):
    def run(groups, epochs, upright):
        return pd.DataFrame(dict(
            group=[g for g in groups for _ in range(2)], method=["CNN", "ours"] * len(groups),
            upright=upright * len(groups), upright_std=0.0, moved=[0.3, 0.35] * len(groups),
            best_epoch=float(epochs), epochs=float(epochs), max_epochs=epochs, seeds=1,
            device="CPU", wall_min=float(epochs)))

    run(["C4xC4", "D1xD1"], 6, [0.40, 0.47]).to_csv(tmp_path / "ddmnist.csv", index=False)
    run(["C4xC4"], 30, [0.80, 0.82]).to_csv(tmp_path / "ddmnist_c4.csv", index=False)
    text = reproduce.render()
    c4, d1 = _row(text, "DDMNIST C4xC4"), _row(text, "DDMNIST D1xD1")
    assert "ours 0.820" in c4[4] and c4[6] == "≤30 (early stopping)" and c4[9] == "30 min"
    assert "ours 0.470" in d1[4] and d1[6] == "≤6 (early stopping)"
    assert "best validation epochs were 30 and 30" in c4[-1]
    run(["D1xD1", "D4xD4"], 30, [0.85, 0.90]).to_csv(tmp_path / "ddmnist_dihedral.csv",
                                                     index=False)
    d1 = _row(reproduce.render(), "DDMNIST D1xD1")
    assert "ours 0.900" in d1[4] and d1[6] == "≤30 (early stopping)"


def test_a_ddmnist_row_merges_the_seeds_of_its_runs_at_one_budget(reproduce, tmp_path):
    def table(name, seeds, wall):
        pd.DataFrame(dict(group="D4xD4", method=["CNN", "ours"], upright=0.0, upright_std=0.0,
                          moved=0.0, best_epoch=0.0, epochs=30.0, seeds=len(seeds),
                          max_epochs=30, device="CPU", wall_min=wall)).to_csv(
            tmp_path / f"{name}.csv", index=False)
        pd.DataFrame(dict(group="D4xD4", method=[m for m in ("CNN", "ours") for _ in seeds],
                          seed=list(seeds) * 2, upright=[0.70 + 0.01 * s for s in seeds]
                          + [0.69 + 0.03 * s for s in seeds], moved=0.6, best_epoch=27.0,
                          epochs=30.0, latent_error=[1.4] * len(seeds) + [1.2] * len(seeds))
                     ).to_csv(tmp_path / f"{name}_runs.csv", index=False)

    table("ddmnist_dihedral", [0], 31.6)
    table("ddmnist_d4_seeds12", [1, 2], 30.4)
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    # CNN 0.70, 0.71, 0.72; ours 0.69, 0.72, 0.75
    assert row[4].startswith("CNN+aug 0.710 ± 0.010 / ours 0.720 ± 0.030 (upright)")
    # ahead by 0.010 with a seed std of 0.030: level, so the paper's ordering is not shown
    assert row[7] == "3" and row[9] == "32 min + 30 min" and row[10] == "not reproduced"
    assert ("ours ahead of the augmented CNN by only 0.010 (the paper: by 0.068), 0.148 under "
            "the paper's number (mean of 3 seeds; seed std up to 0.030, so the two are level "
            "within seed noise)") in row[11]
    # a seed in two tables counts once; an older, shorter run does not join
    table("ddmnist_d4_seeds12", [0, 1, 2], 30.4)
    pd.DataFrame(dict(group="D4xD4", method=["CNN", "ours"], upright=[0.3, 0.4],
                      upright_std=0.0, moved=0.3, best_epoch=6.0, epochs=6.0, seeds=1,
                      max_epochs=6, device="CPU", wall_min=27.0)).to_csv(
        tmp_path / "ddmnist.csv", index=False)
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    assert row[7] == "3" and "ours 0.720 ± 0.030" in row[4] and "≤30" in row[6]
    # the shorter run tells how ours' lead moved with training
    assert ("lead over the augmented CNN: +0.100 at 6 epochs (1 seed), +0.010 at 30, so it "
            "shrank with training; no run past 30 epochs tells whether that lasts;") in row[11]
    runs = pd.read_csv(tmp_path / "ddmnist_d4_seeds12_runs.csv")
    runs.loc[runs.method == "ours", "upright"] -= 0.05
    runs.to_csv(tmp_path / "ddmnist_d4_seeds12_runs.csv", index=False)
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    assert row[10] == "not reproduced" and "-0.023 at 30, so it shrank with training" in row[11]
    assert "relative latent error 1.20, the CNN's 1.40; 0 is equivariant" in row[11]
    # a one-seed control trained longer: its lead beside the same seed's in the row's runs
    def control(name, seed, upright, best_epochs, epochs=60):
        pd.DataFrame(dict(group="D4xD4", method=["CNN", "ours"], max_epochs=epochs, seeds=1,
                          device="CPU", wall_min=float(epochs))).to_csv(
            tmp_path / f"{name}.csv", index=False)
        pd.DataFrame(dict(group="D4xD4", method=["CNN", "ours"], seed=seed, upright=upright,
                          moved=0.6, best_epoch=best_epochs, epochs=float(epochs),
                          latent_error=1.3)).to_csv(tmp_path / f"{name}_runs.csv", index=False)

    control("ddmnist_d4_60ep", 0, [0.80, 0.74], [58, 41])
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    assert ("-0.023 at 30 and -0.060 at 60 (seed 0, CNN+aug 0.800, ours 0.740, best validation "
            "epochs 58 and 41; this seed at 30: -0.010), so it shrinks with training, in the "
            "longer run too") in row[11]
    assert row[7] == "3" and "ours 0.687 ± 0.015" in row[4]  # the control does not join
    # a control where ours' lead grows past the same seed's: the budget is the likely reason
    control("ddmnist_d4_60ep", 0, [0.75, 0.77], [52, 54])
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("+0.020 at 60 (seed 0, CNN+aug 0.750, ours 0.770, best validation epochs 52 and 54; "
            "this seed at 30: -0.010), so the lead returns when trained longer (one seed): likely "
            "the row's epoch budget") in why and "shrinks" not in why
    # a second seed trained longer: the budget is named only when the lead grew in both
    control("ddmnist_d4_60ep_seed1", 1, [0.80, 0.70], [50, 55])
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("-0.100 at 60 (seed 1, CNN+aug 0.800, ours 0.700, best validation epochs 50 and 55; "
            "this seed at 30: -0.040), so the lead grew with training in 1 of the 2 seeds "
            "trained longer: the epoch budget is not the whole story") in why
    control("ddmnist_d4_60ep_seed1", 1, [0.70, 0.75], [50, 55])
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("so the lead returns when trained longer (both seeds tried): likely the row's "
            "epoch budget") in why
    # leads that barely move with training (by less than the seed std): not the budget
    control("ddmnist_d4_60ep", 0, [0.75, 0.745], [52, 54])
    control("ddmnist_d4_60ep_seed1", 1, [0.75, 0.70], [50, 55])
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("so the lead holds with training in the 2 seeds trained longer (it moved by 0.010, "
            "inside the seed std 0.015), so the epoch budget is unlikely to explain the "
            "row") in why and "returns" not in why
    # a control whose fits early stopping ended says so
    runs = pd.read_csv(tmp_path / "ddmnist_d4_60ep_runs.csv").assign(epochs=[57, 59])
    runs.to_csv(tmp_path / "ddmnist_d4_60ep_runs.csv", index=False)
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("best validation epochs 52 and 54, both stopped early, after 57 and 59 epochs; "
            "this seed at 30") in why
    runs.assign(epochs=[60, 59]).to_csv(tmp_path / "ddmnist_d4_60ep_runs.csv", index=False)
    assert "stopped early" not in _row(reproduce.render(), "DDMNIST D4xD4")[11]
    # a seed trained to two longer budgets: its runs are counted, not taken for more seeds
    control("ddmnist_d4_150ep", 0, [0.78, 0.80], [112, 69], epochs=150)
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("+0.020 at 150 (seed 0, CNN+aug 0.780, ours 0.800, best validation epochs 112 and "
            "69; this seed at 30: -0.010), so the lead grew with training in 2 of the 3 runs of "
            "2 seeds trained longer") in why
    # the row moves to a longer budget once as many seeds reached it as any other
    control("ddmnist_d4_150ep_seed1", 1, [0.77, 0.81], [120, 80], epochs=150)
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    assert "≤30" in row[6] and "+0.040 at 150 (seed 1" in row[11]  # 2 seeds: still controls
    control("ddmnist_d4_150ep_seed2", 2, [0.76, 0.79], [100, 90], epochs=150)
    row = _row(reproduce.render(), "DDMNIST D4xD4")
    assert row[6] == "≤150 (early stopping)" and row[7] == "3" and row[10] == "ordering reproduced"
    assert row[4].startswith("CNN+aug 0.770 ± 0.010 / ours 0.800 ± 0.010 (upright)")
    # the shorter budgets' leads, seeds merged, with their seed counts where fewer or more
    assert row[11].endswith("ours' lead over the augmented CNN: +0.100 at 6 epochs (1 seed), "
                            "-0.023 at 30, -0.028 at 60 (2 seeds), +0.030 at 150")
    assert "not converged" not in row[11] and "(seed 0," not in row[11]  # no control left
    control("ddmnist_d4_150ep_seed2", 2, [0.76, 0.72], [100, 90], epochs=150)
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]  # ours 0.80, 0.81, 0.72: level
    assert why.startswith("ours ahead of the augmented CNN by only 0.007")
    assert ("-0.028 at 60 (2 seeds), +0.007 at 150, so the lead grew with training (from 30 "
            "epochs) but at the paper's budget stays inside the seed std: the epoch budget does "
            "not explain the row;") in why
    control("ddmnist_d4_150ep_seed1", 1, [0.77, 0.70], [120, 80], epochs=150)
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]  # lead -0.030, below 30 epochs' -0.023
    assert ("-0.030 at 150, so it shrank with training (from 30 epochs); the latent loss"
            in why) and "no run past" not in why


def test_verdicts_follow_the_numbers(reproduce, tmp_path):
    frame = pd.DataFrame(dict(
        group=["C4xC4", "C4xC4", "D1xD1", "D1xD1"], method=["CNN", "ours"] * 2,
        upright=[0.90, 0.91, 0.95, 0.90], upright_std=0.0, moved=[0.8, 0.85, 0.9, 0.88],
        epochs=[150.0] * 4,
        max_epochs=150, seeds=3, device="cuda", wall_min=12.0))
    frame.to_csv(tmp_path / "ddmnist.csv", index=False)
    dynamics = pd.DataFrame(dict(
        dynamics=["ode"] * 4, model=["O(2)", "SO(2)", "D6", "MLP"],
        rollout_error=[0.02, 0.06, 0.04, 0.05], paper=[0.019, 0.051, 0.036, 0.048],
        diverged=[0.0, 0.0, 0.0, 0.0], train=500, steps=2000, seeds=3, device="cpu", wall_min=40.0))
    dynamics.to_csv(tmp_path / "dynamics.csv", index=False)
    text = reproduce.render()
    assert _row(text, "DDMNIST C4xC4")[10] == "reproduced"  # 0.91 vs 0.915, ahead of the CNN
    assert _row(text, "DDMNIST C4xC4")[11].startswith(
        "ours within 0.02 of the paper's number (0.910 against 0.915) and ahead of the "
        "augmented CNN by 0.010 (the paper: by 0.008) (mean of 3 seeds")
    assert _row(text, "DDMNIST D1xD1")[10] == "not reproduced"  # the CNN is ahead
    assert "DDMNIST D4xD4" in text and _row(text, "DDMNIST D4xD4")[4] == "not run yet"
    ode = _row(text, "Double spring pendulum, neural ODE")
    assert ode[10] == "reproduced" and "O(2) 0.020" in ode[4] and ode[8] == "cpu"
    dynamics.loc[0, ["rollout_error", "diverged"]] = 0.2, 0.5  # O(2) now the worst
    dynamics.to_csv(tmp_path / "dynamics.csv", index=False)
    ode = _row(reproduce.render(), "Double spring pendulum, neural ODE")
    assert ode[10] == "not reproduced" and "rollouts lost" in ode[11] and "O(2) 50%" in ode[11]


def test_an_emlp_row_merges_the_per_n_run_and_names_the_cells_above_the_authors(
        reproduce, tmp_path):
    def run(sizes, mse, paper, wall, seeds=1):
        return pd.DataFrame(dict(
            task="ParticleInteraction", N=[n for n in sizes for _ in range(3)],
            model=["EMLP", "MLP", "MLP+Aug"] * len(sizes), test_mse=mse, paper_mse=paper,
            seeds=seeds, device="cpu", wall_min=wall))

    run([1000], [3e-4, 0.4, 0.02], [3.3e-4, 0.364, 0.0125], 22.0).to_csv(
        tmp_path / "emlp.csv", index=False)
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[5] == "N = 1000; 5,000 test" and "data efficiency" not in row[11]
    run([100, 10000], [0.01, 0.7, 0.2, 1e-4, 0.01, 0.01],
        [0.0089, 0.733, 0.19, 2.6e-4, 0.0166, 0.0134], 30.0).to_csv(
        tmp_path / "emlp_per_n.csv", index=False)
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[5] == "N = 100, 1000, 10000; 5,000 test" and row[9] == "22 min + 30 min"
    assert ("ours at or below the authors' per-N MSE in 5 of 9 (N, model) cells, above in "
            "EMLP at N = 100 (1.12x), MLP+Aug at N = 100 (1.05x), MLP at N = 1000 (1.10x), "
            "MLP+Aug at N = 1000 (1.60x); ranking as the authors' at 2 of 3 sizes (not at "
            "N = 10000: ours EMLP < MLP < MLP+Aug, theirs EMLP < MLP+Aug < MLP)") in row[11]
    assert "O5Synthetic (O(5))" in reproduce.render()  # other tasks: not run yet, no error
    # a run with more seeds takes the cells it shares with a one-seed run
    run([100], [0.008, 0.7, 0.18], [0.0089, 0.733, 0.19], 12.0, seeds=3).to_csv(
        tmp_path / "emlp_o5_n100_3seeds.csv", index=False)
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[5] == "N = 100, 1000, 10000; 5,000 test" and row[7] == (
        "1; 3 for every model at N = 100")
    assert "in 7 of 9 (N, model) cells, above in MLP at N = 1000" in row[11]
    assert "by lr" not in row[11]
    # the EMLP at other lrs where its cells are in question (N = 10000, ranked otherwise; not
    # N = 100, at or below the authors' since the 3-seed run): by lr beside the row's 3e-3
    def control(lr, mse):
        pd.DataFrame(dict(task="ParticleInteraction", N=[100, 10000], model="EMLP", lr=lr,
                          test_mse=mse, seeds=3, device="cpu", wall_min=3.0)).to_csv(
            tmp_path / f"emlp_inertia_small_3seeds_lr{lr:.0e}.csv".replace("e-0", "e-"),
            index=False)

    control(1e-3, [0.02, 2e-4])
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[11].endswith("; our EMLP by lr (the row: the paper's 3e-3): N = 10000: "
                            "1e-3 0.0002, 3e-3 0.0001")
    control(1e-2, [0.005, 5e-5])
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[11].endswith("N = 10000: 1e-3 0.0002, 3e-3 0.0001, 1e-2 5e-05: an lr above "
                            "the paper's is best at every size tried")
    # the authors' parametrization of the linear layers: the cause is named only where it puts
    # our EMLP ahead of our other models where the ranking differed (MLP 0.01 at N = 10000)
    def dense(mse):
        pd.DataFrame(dict(task="ParticleInteraction", N=[10000], model="EMLP", lr=3e-3,
                          linear="dense, projected", test_mse=[mse], seeds=3, device="cpu",
                          wall_min=3.0)).to_csv(
            tmp_path / "emlp_inertia_small_3seeds_dense.csv", index=False)

    dense(0.02)
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert why.endswith("; with the authors' linear layers (dense weights projected onto the "
                        "equivariant maps, Adam at 3e-3, 3 seeds) our EMLP scores 0.02 at "
                        "N = 10000, which does not remove the difference at N = 10000")
    dense(2e-5)
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert ("scores 2e-05 at N = 10000, ahead of our other models and at or below the authors' "
            "EMLP there: the cause is how the linear layers are trained") in why
    # the authors' other choices, one or several at a time: each control named by what it
    # changes, with its seeds, its std and its ratio to the authors', and whether it removes
    # the difference
    def change(name, mse, std=0.001, seeds=3, **columns):
        columns = dict(dict(linear="coefficients", init="skequi's", max_hom_dim=1024,
                            stats="train", hidden_rep="2S"), **columns)
        pd.DataFrame(dict(task="ParticleInteraction", N=[10000], model="EMLP", lr=3e-3,
                          test_mse=[mse], std=std, seeds=seeds, device="cpu", wall_min=3.0,
                          **columns)).to_csv(
            tmp_path / f"emlp_particle_n{name}.csv", index=False)

    change("100_3seeds_poolstats", 0.03, stats="pool of 36000")
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert why.endswith("; with the authors' standardisation (a 36,000-sample draw's "
                        "statistics, as theirs are the whole dataset's) (3 seeds): 0.03 ± 0.001 "
                        "at N = 10000 (115.38x the authors'), which does not remove the "
                        "difference at N = 10000")
    assert "1e-3 0.0002, 3e-3 0.0001, 1e-2 5e-05:" in why  # not counted as an lr control
    # several changes at once, seeds pooled over two runs (3 at 2e-4 +- 0, 3 at 0 +- 0):
    # 1e-4 +- 1e-4, level with the authors' 2.6e-4 and ahead of the MLP
    for name, mse in (("100_3seeds_authors", 2e-4), ("100_3seeds_authors_from3", 0.0)):
        change(name, mse, std=0.0, linear="dense, projected", init="the authors'",
               max_hom_dim=4096, hidden_rep="2S+T(1,2)", stats="pool of 36000")
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert why.endswith("; with the authors' dense projected linear layers, start (projected "
                        "orthogonal weights, bilinear layers at 0.1 W(x) x), hidden allocation "
                        "(2S+T(1,2): a rank-3 tensor) and standardisation (a 36,000-sample "
                        "draw's statistics, as theirs are the whole dataset's) (6 seeds): "
                        "0.0001 ± 0.0001 at N = 10000 (0.38x the authors'), which removes the "
                        "difference: a likely cause")
    # the authors' own samples: a change of its own (a run without the column has our draw)
    change("100_3seeds_draw", 0.02, draw="the authors' (seed 2021)")
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert ("; with the authors' samples (their own draw, numpy seed 2021, the same for every "
            "seed: only the start varies, as in their trials) (3 seeds): 0.02 ± 0.001 at "
            "N = 10000") in why


def test_an_emlp_control_inside_the_verdicts_tolerance_says_so(reproduce, tmp_path):
    # our EMLP at 2.25x the authors' at N = 100, ranked as theirs
    pd.DataFrame(dict(task="ParticleInteraction", N=[100] * 3 + [1000] * 3,
                      model=["EMLP", "MLP", "MLP+Aug"] * 2,
                      test_mse=[0.02, 0.7, 0.2, 3e-4, 0.4, 0.02],
                      paper_mse=[0.0089, 0.733, 0.19, 3.3e-4, 0.364, 0.0125], seeds=3,
                      device="cpu", wall_min=30.0)).to_csv(tmp_path / "emlp_per_n.csv",
                                                           index=False)

    def control(mse):
        pd.DataFrame(dict(task="ParticleInteraction", N=[100], model="EMLP", lr=3e-3,
                          linear="coefficients", init="skequi's", max_hom_dim=1024,
                          stats="train", hidden_rep="2S", draw="the authors' (seed 2021)",
                          test_mse=[mse], std=0.002, seeds=3, device="cpu",
                          wall_min=11.0)).to_csv(
            tmp_path / "emlp_particle_n100_3seeds_draw.csv", index=False)

    control(0.0105)  # 1.18x: above theirs, inside the tolerance
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert ("(3 seeds): 0.0105 ± 0.002 at N = 100 (1.18x the authors'), which does not remove "
            "the difference at N = 100 (though within 1.25x of the authors' MSE, a reproduced "
            "number by this table's tolerance, at N = 100); the authors' samples") in why
    control(0.015)  # 1.69x: outside it
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert ("(1.69x the authors'), which does not remove the difference at N = 100; the "
            "authors' samples move our choices at N = 100 from 0.02 (our draws, 3 seeds) to "
            "0.015 ± 0.002 (theirs, 3 starts): their per-N numbers are one draw's") in why
    assert why.endswith("one draw's")  # no std for the row's cell: no claim on the spreads
    # the authors' choices on our draws and on theirs; the row's cell with its seeds' std
    frame = pd.read_csv(tmp_path / "emlp_per_n.csv").assign(std=0.004)
    frame.to_csv(tmp_path / "emlp_per_n.csv", index=False)
    authors = dict(task="ParticleInteraction", N=[100], model="EMLP", lr=3e-3,
                   linear="dense, projected", init="the authors'", max_hom_dim=1024,
                   stats="train", hidden_rep="2S", seeds=3, device="cpu", wall_min=11.0)
    pd.DataFrame(dict(authors, draw="one per seed", test_mse=[0.025], std=0.012)).to_csv(
        tmp_path / "emlp_particle_n100_3seeds_init_dense.csv", index=False)
    pd.DataFrame(dict(authors, draw="the authors' (seed 2021)", test_mse=[0.0105],
                      std=0.0023, our_test_mse=0.013)).to_csv(
        tmp_path / "emlp_particle_n100_3seeds_authors_draw.csv", index=False)
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert why.endswith(
        "the authors' samples move our choices at N = 100 from 0.02 ± 0.004 (our draws, 3 "
        "seeds) to 0.015 ± 0.002 (theirs, 3 starts) and their dense layers and start at N = 100 "
        "from 0.025 ± 0.012 (our draws, 3 seeds) to 0.0105 ± 0.0023 (theirs, 3 starts; 0.013 on "
        "our test set): their per-N numbers are one draw's, and our seeds (a draw and a start "
        "each) spread wider than starts alone")


def test_baselines_started_as_the_authors_take_the_row_and_skequis_start_is_its_control(
        reproduce, tmp_path):
    # the older runs' baselines (no init column: skequi's start), the MLP at 1.6x the
    # authors' at N = 3000 and 10000 (beyond the tolerance), 1.1x at N = 1000
    pd.DataFrame(dict(task="ParticleInteraction", N=[1000] * 3 + [3000] * 3 + [10000] * 3,
                      model=["EMLP", "MLP", "MLP+Aug"] * 3,
                      test_mse=[3e-4, 0.4, 0.012, 2e-4, 0.08, 0.011, 2e-4, 0.027, 0.013],
                      paper_mse=[3.3e-4, 0.364, 0.0125, 2.7e-4, 0.05, 0.0108, 2.6e-4, 0.0166,
                                 0.0134], seeds=3, device="cpu",
                      wall_min=30.0)).to_csv(tmp_path / "emlp_per_n.csv", index=False)
    before = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert "skequi's start" not in before and "MLP at N = 3000 (1.60x)" in before

    def baselines(sizes, mlp, theirs):
        pd.DataFrame(dict(task="ParticleInteraction", N=sizes, model="MLP", init="the authors'",
                          test_mse=mlp, authors_test_mse=theirs, paper_mse=[
                              {1000: 0.364, 3000: 0.05, 10000: 0.0166}[n] for n in sizes],
                          seeds=3, device="cpu", wall_min=5.0)).to_csv(
            tmp_path / "emlp_baselines_particle.csv", index=False)

    baselines([1000, 3000, 10000], [0.3, 0.064, 0.022], [0.3, 0.046, 0.02])
    row = _row(reproduce.render(), "ParticleInteraction (O(1,3))")
    assert row[9] == "30 min + 5 min"
    # the authors' start's cells are the row's; beyond the tolerance: both test sets named
    assert ("above in MLP+Aug at N = 3000 (1.02x), MLP at N = 3000 (1.28x; 0.92x on their "
            "test set), MLP at N = 10000 (1.33x; 1.20x on their test set)") in row[11]
    assert row[11].endswith(
        "; the MLP with skequi's start (torch's Linear defaults) against the row's, with the "
        "authors' start (Xavier-normal weights, zero bias): the authors' start lower at 3 of 3 "
        "sizes (by 19% to 25%); beyond 1.25x of the authors' MSE with skequi's start: "
        "N = 3000 (1.60x, now 1.28x), N = 10000 (1.63x, now 1.33x)")
    # the row mixes the two starts: the cells with skequi's start left standing in are named
    assert ("; with skequi's start (torch's Linear defaults), no run with the authors' there "
            "yet: MLP+Aug at N = 1000, MLP+Aug at N = 3000, MLP+Aug at N = 10000; ranking"
            ) in row[11]
    baselines([3000], [0.064], [0.046])
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert ("no run with the authors' there yet: MLP at N = 1000, MLP+Aug at N = 1000, MLP+Aug "
            "at N = 3000, MLP at N = 10000, MLP+Aug at N = 10000") in why
    assert why.endswith("the authors' start lower at 1 of 1 sizes (by 20%); beyond "
                        "1.25x of the authors' MSE with skequi's start: N = 3000 (1.60x, now "
                        "1.28x)")
    # a start that does worse: said as such
    baselines([3000], [0.09], [0.07])
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert "(Xavier-normal weights, zero bias): higher at 1 (by 12%: N = 3000)" in why
    baselines([3000], [0.0802], [0.07])  # within half a percent of skequi's start's 0.08
    why = _row(reproduce.render(), "ParticleInteraction (O(1,3))")[11]
    assert "(Xavier-normal weights, zero bias): level (within 0.5%) at every size" in why


def test_an_emlp_row_ranks_its_models_unstandardised_where_that_control_ran(
        reproduce, tmp_path):
    def run(mse, name, seeds=3):
        pd.DataFrame(dict(task="Inertia", N=[30] * 3 + [100] * 3,
                          model=["EMLP", "MLP", "MLP+Aug"] * 2, test_mse=mse,
                          paper_mse=[4.1, 13.43, 4.643, 1.1, 7.908, 1.785], seeds=seeds,
                          device="cpu", wall_min=10.0)).to_csv(tmp_path / name, index=False)

    run([5.6, 11.1, 3.9, 1.6, 8.2, 0.8], "emlp_per_n_inertia.csv", seeds=1)
    pd.DataFrame(dict(task="Inertia", N=1000, model=["EMLP", "MLP", "MLP+Aug"],
                      test_mse=[0.04, 1.8, 0.1], paper_mse=[0.136, 3.24, 0.13], seeds=1,
                      device="cpu", wall_min=10.0)).to_csv(tmp_path / "emlp.csv", index=False)
    assert "unstandardised" not in _row(reproduce.render(), "Inertia (O(3))")[11]
    run([4.0, 12.0, 4.5, 1.9, 8.0, 1.2], "emlp_inertia_raw_3seeds.csv")
    why = _row(reproduce.render(), "Inertia (O(3))")[11]
    assert why.endswith("; every model unstandardised, as the authors train it (3 seeds): "
                        "N = 30: EMLP 4, MLP 12, MLP+Aug 4.5, the authors' ranking; N = 100: "
                        "EMLP 1.9, MLP 8, MLP+Aug 1.2, ranked MLP+Aug < EMLP < MLP")
    # the EMLP with the authors' dense projected layers too: each EMLP ranked on its own
    pd.DataFrame(dict(task="Inertia", N=[100], model="EMLP", linear="dense, projected",
                      test_mse=[1.0], seeds=3, device="cpu", wall_min=5.0)).to_csv(
        tmp_path / "emlp_inertia_raw_dense_3seeds.csv", index=False)
    why = _row(reproduce.render(), "Inertia (O(3))")[11]
    assert why.endswith("N = 100: EMLP 1.9, MLP 8, MLP+Aug 1.2, EMLP with dense projected "
                        "layers 1, EMLP: ranked MLP+Aug < EMLP < MLP, EMLP with dense "
                        "projected layers: the authors' ranking")


def _plume_table(future, domain):
    models = ["persistence", "CNN", "GM-CNN C4 exact", "GM-CNN C4 r=1",
              "latent method (SMOKE recipe)", "latent augmented (CNN+aug)"]
    return pd.DataFrame(dict(
        variant="rotation", model=models, future_rmse=future, domain_rmse=domain,
        last_fifth_drop=[float("nan")] + [0.01] * 5, seeds=1, device="CPU", wall_min=30.0,
        seconds=60.0, size=32, epochs=12, stride=4, n_frames=282))


def test_plume_verdicts_need_the_papers_ordering_and_persistence_beaten(reproduce, tmp_path):
    (tmp_path / "plumes").mkdir()
    _plume_table([0.9, 0.8, 0.75, 0.7, 0.72, 0.74],
                 [0.5, 0.45, 0.4, 0.38, 0.41, 0.42]).to_csv(tmp_path / "plumes/plumes.csv")
    text = reproduce.render()
    rotation, smoke = _row(text, "Plumes: rotation"), _row(text, "SMOKE (rotation)")
    assert rotation[10] == "ordering reproduced" and "GM-CNN C4 r=1 0.700 / 0.380" in rotation[4]
    assert rotation[9] == "6 min (its fits, every seed)"  # the row's own fits, not the run's
    assert smoke[10] == "ordering reproduced"
    assert _row(text, "Plumes: translation")[4] == "not run yet"
    # persistence best: nothing is reproduced, and the row says so
    _plume_table([0.6, 0.8, 0.75, 0.7, 0.72, 0.74],
                 [0.5, 0.45, 0.4, 0.38, 0.43, 0.42]).to_csv(tmp_path / "plumes/plumes.csv")
    text = reproduce.render()
    rotation, smoke = _row(text, "Plumes: rotation"), _row(text, "SMOKE (rotation)")
    assert rotation[10] == "not reproduced" and "persistence not beaten" in rotation[11]
    assert smoke[10] == "not reproduced"  # also behind CNN+aug on the domain test


def test_the_smoke_row_reads_its_latent_weight_controls(reproduce, tmp_path):
    (tmp_path / "plumes").mkdir()
    # the latent method level with CNN+aug: not reproduced, and why from the controls
    table = _plume_table([0.9, 0.8, 0.75, 0.7, 0.74, 0.74], [0.5, 0.45, 0.4, 0.38, 0.42, 0.42])
    table.to_csv(tmp_path / "plumes/plumes.csv")
    smoke = _row(reproduce.render(), "SMOKE (rotation)")
    assert smoke[10] == "not reproduced" and "weights" not in smoke[11]  # no control yet
    for weight, future, domain in (("0.1", 0.735, 0.43), ("1", 0.745, 0.45)):
        (tmp_path / f"plumes_rotation_latent_w{weight}").mkdir()
        table[table.model == "latent method (SMOKE recipe)"].assign(
            future_rmse=future, domain_rmse=domain).to_csv(
            tmp_path / f"plumes_rotation_latent_w{weight}/plumes.csv")
    assert ("; weights 0.1 and 1 gave 0.735 / 0.430 and 0.745 / 0.450 against CNN+aug's "
            "0.740 / 0.420, no weight puts it ahead on both (controlled runs, one seed; "
            "RESULTS.md)") in _row(reproduce.render(), "SMOKE (rotation)")[11]
    strong = tmp_path / "plumes_rotation_latent_w1/plumes.csv"
    table[table.model == "latent method (SMOKE recipe)"].assign(
        future_rmse=0.73, domain_rmse=0.41).to_csv(strong)
    assert "ahead on both tests at 1 (controlled" in _row(reproduce.render(),
                                                          "SMOKE (rotation)")[11]
    # with a runs file, the one-seed controls stand beside their own seed's CNN+aug, not the
    # row's mean over seeds
    pd.concat([table.assign(first_seed=0, future_rmse=0.74, domain_rmse=0.40),
               table.assign(first_seed=1, future_rmse=0.70, domain_rmse=0.38)]).to_csv(
        tmp_path / "plumes/plumes_runs.csv")
    assert ("against seed 0's CNN+aug, 0.740 / 0.400, no weight puts it ahead on both"
            in _row(reproduce.render(), "SMOKE (rotation)")[11])


def test_a_plume_row_reads_its_longer_control_against_the_same_seed(reproduce, tmp_path,
                                                                   monkeypatch):
    (tmp_path / "plumes").mkdir()
    (tmp_path / "plumes_rotation_24ep").mkdir()
    table = _plume_table([0.9, 0.8, 0.75, 0.7, 0.72, 0.74], [0.5, 0.45, 0.4, 0.38, 0.41, 0.42])
    table.to_csv(tmp_path / "plumes/plumes.csv")
    rotation = _row(reproduce.render(), "Plumes: rotation")
    assert "at 24 epochs" not in rotation[6]  # no control yet
    runs = pd.concat([table.assign(first_seed=0),  # seed 1's fits must not be compared
                      table.assign(first_seed=1, future_rmse=0.1, domain_rmse=0.1)])
    runs.to_csv(tmp_path / "plumes/plumes_runs.csv")

    def control(future, valid=0.5):
        keep = table.model.isin(["CNN", "GM-CNN C4 exact", "GM-CNN C4 r=1"])
        table[keep].assign(epochs=24, first_seed=0, future_rmse=future, valid_rmse=valid,
                           last_fifth_drop=[0.02, 0.03, 0.01]).to_csv(
            tmp_path / "plumes_rotation_24ep/plumes.csv")

    control([0.78, 0.74, 0.69])
    rotation = _row(reproduce.render(), "Plumes: rotation")
    assert ("; at 24 epochs (seed 0, future / domain): GM-CNN C4 r=1 0.690 / 0.380 (at 12: "
            "0.700 / 0.380), CNN 0.780 / 0.450 (at 12: 0.800 / 0.450), GM-CNN C4 exact 0.740 / "
            "0.400 (at 12: 0.750 / 0.400), training loss fell 1% to 3% over the last "
            "fifth; GM-CNN C4 r=1 stays ahead on future RMSE") in rotation[6]
    assert "at 24 epochs" not in _row(reproduce.render(), "SMOKE (rotation)")[6]
    assert "persistence" not in _row(reproduce.render(), "Plumes: rotation")[6]
    # a longer fit no better than persistence (0.9) is named, with its validation RMSE
    runs.assign(valid_rmse=0.5).to_csv(tmp_path / "plumes/plumes_runs.csv")
    control([0.95, 0.74, 0.69], valid=[0.6, 0.45, 0.45])
    assert ("; GM-CNN C4 r=1 stays ahead on future RMSE; there CNN loses to persistence (0.950 "
            "against 0.900; validation RMSE 0.500 at 12, 0.600 there): the validation RMSE rose "
            "with training: the longer fit forecasts worse (Wang et al. test the last epoch's "
            "model too: their `best_model = model` keeps no copy), its cause not settled "
            "(RESULTS.md)") in _row(reproduce.render(), "Plumes: rotation")[6]
    # a CNN without BatchNorm at a budget where the CNN loses: the cause, once, after the
    # controls
    (tmp_path / "plumes_rotation_nobn").mkdir()
    monkeypatch.setitem(reproduce.PLUME_WITHOUT_BATCHNORM, "rotation",
                        ("plumes_rotation_nobn/plumes.csv",))

    def without_batchnorm(future):
        table[table.model == "CNN"].assign(
            model="CNN (no BatchNorm)", epochs=24, first_seed=0, future_rmse=future,
            valid_rmse=0.4).to_csv(tmp_path / "plumes_rotation_nobn/plumes.csv")

    without_batchnorm(0.7)
    epochs = _row(reproduce.render(), "Plumes: rotation")[6]
    assert "its cause not settled" not in epochs
    assert epochs.endswith("keeps no copy); for the CNN, BatchNorm is the cause found: with a "
                           "bias in place of each BatchNorm (`normalization=None`) it beats "
                           "persistence (at 24 epochs: 0.700 / 0.450; controlled runs, one seed, "
                           "RESULTS.md; the GM-CNNs without BatchNorm not run at these budgets)")
    without_batchnorm(0.92)  # behind persistence (0.9) too: not the cause
    assert _row(reproduce.render(), "Plumes: rotation")[6].endswith(
        "at 24 epochs: 0.920 / 0.450, not ahead of persistence at every budget, so BatchNorm "
        "is not the whole cause (RESULTS.md)")
    (tmp_path / "plumes_rotation_nobn/plumes.csv").unlink()
    # with the control's validation curves, the curve of the fit behind persistence
    pd.DataFrame(dict(variant="rotation", model="CNN", seed=0, epoch=[1, 2, 3, 4],
                      train_loss=0.1, valid_rollout_rmse=[0.7, 0.45, 0.62, 0.6])).to_csv(
        tmp_path / "plumes_rotation_24ep/plume_curves.csv")
    assert ("(0.950 against 0.900; validation RMSE 0.500 at 12, 0.600 there; by epoch, lowest "
            "0.450 at epoch 2 of 4, 0.600-0.620 over the second half): the validation RMSE "
            "rose") in _row(reproduce.render(), "Plumes: rotation")[6]
    (tmp_path / "plumes_rotation_24ep/plume_curves.csv").unlink()
    control([0.95, 0.74, 0.69], valid=[0.4, 0.45, 0.45])
    assert ("there CNN loses to persistence (0.950 against 0.900; validation RMSE 0.500 at 12, "
            "0.400 there): not every such fit's validation RMSE rose, so the cause is not "
            "found") in _row(reproduce.render(), "Plumes: rotation")[6]
    assert "at this budget only" not in _row(reproduce.render(), "Plumes: rotation")[11]
    control([0.95, 0.74, 0.91])  # the row's model itself loses to persistence there
    assert ("GM-CNN C4 r=1 ahead of CNN and GM-CNN C4 exact on future RMSE, persistence beaten "
            "at this budget only: at 24 epochs GM-CNN C4 r=1 loses to persistence (the epochs "
            "column); RMSE in") in _row(reproduce.render(), "Plumes: rotation")[11]
    control([0.78, 0.68, 0.69])  # the exact model overtakes
    assert "GM-CNN C4 r=1 is no longer ahead" in _row(reproduce.render(), "Plumes: rotation")[6]
    # a control at another training stride says so
    pd.read_csv(tmp_path / "plumes_rotation_24ep/plumes.csv").assign(stride=1).to_csv(
        tmp_path / "plumes_rotation_24ep/plumes.csv")
    assert "; at 24 epochs and training stride 1 (seed 0, future / domain): " in _row(
        reproduce.render(), "Plumes: rotation")[6]
    # a second control, longer still, follows the first
    (tmp_path / "plumes_rotation_48ep").mkdir()
    keep = table.model.isin(["CNN", "GM-CNN C4 exact", "GM-CNN C4 r=1"])
    table[keep].assign(epochs=48, first_seed=0, future_rmse=[0.77, 0.70, 0.66],
                       last_fifth_drop=[0.01, 0.02, 0.005]).to_csv(
        tmp_path / "plumes_rotation_48ep/plumes.csv")
    epochs = _row(reproduce.render(), "Plumes: rotation")[6]
    assert epochs.index("; at 24 epochs") < epochs.index("; at 48 epochs (seed 0, future / "
                                                         "domain): GM-CNN C4 r=1 0.660 / 0.380")
    assert epochs.endswith("training loss fell 0% to 2% over the last fifth; GM-CNN C4 r=1 "
                           "stays ahead on future RMSE")


def test_a_longer_control_says_whether_a_model_behind_at_the_rows_budget_gets_ahead(
        reproduce, tmp_path):
    (tmp_path / "plumes").mkdir()
    (tmp_path / "plumes_rotation_24ep").mkdir()
    # the row's seed 0: the latent method behind its augmented baseline at 12 epochs
    table = _plume_table([0.9, 0.8, 0.75, 0.7, 0.76, 0.74], [0.5, 0.45, 0.4, 0.38, 0.41, 0.42])
    table.to_csv(tmp_path / "plumes/plumes.csv")
    table.assign(first_seed=0).to_csv(tmp_path / "plumes/plumes_runs.csv")
    latent = table.model.isin(["latent method (SMOKE recipe)", "latent augmented (CNN+aug)"])

    def control(future):
        table[latent].assign(epochs=24, first_seed=0, future_rmse=future).to_csv(
            tmp_path / "plumes_rotation_24ep/plumes.csv")
        return _row(reproduce.render(), "SMOKE (rotation)")[6]

    assert control([0.75, 0.74]).endswith("latent method (SMOKE recipe) is still not ahead on "
                                          "future RMSE")
    assert control([0.73, 0.74]).endswith("latent method (SMOKE recipe) is now ahead on "
                                          "future RMSE")


def test_the_translation_row_says_whether_its_lead_survives_without_batchnorm(
        reproduce, tmp_path):
    (tmp_path / "plumes").mkdir()
    table = _plume_table([0.41, 0.40, 0.42, 0.41, 0.39, 0.39], [0.58, 0.47, 0.5, 0.5, 0.49, 0.49])
    table = table.assign(variant="translation").replace({"GM-CNN C4 r=1": "GM-CNN C1 r=1"})
    table.loc[table.model == "GM-CNN C1 r=1", "future_rmse"] = 0.37
    table.to_csv(tmp_path / "plumes/plumes.csv")
    why = _row(reproduce.render(), "Plumes: translation")[11]
    assert "ordering reproduced" == _row(reproduce.render(), "Plumes: translation")[10]
    assert "without BatchNorm" not in why  # not run yet
    (tmp_path / "plumes_translation_nobn").mkdir()

    def without_batchnorm(cnn, relaxed):
        pd.DataFrame(dict(variant="translation",
                          model=["CNN (no BatchNorm)", "GM-CNN C1 r=1 (no BatchNorm)"],
                          future_rmse=[cnn, relaxed], future_std=[0.002, 0.004],
                          domain_rmse=[0.485, 0.489], seeds=3)).to_csv(
            tmp_path / "plumes_translation_nobn/plumes.csv")

    without_batchnorm(0.365, 0.372)
    assert ("GM-CNN C1 r=1 ahead of CNN on future RMSE, with BatchNorm only (as Wang et al.'s "
            "networks): without it the lead is gone (3 seeds at the row's budget, a bias in "
            "place of each BatchNorm: GM-CNN C1 r=1 0.372 ± 0.004 / 0.489 and CNN 0.365 ± "
            "0.002 / 0.485; future RMSE without it minus with it: GM-CNN C1 r=1 +0.002 and "
            "CNN -0.035; RESULTS.md), persistence beaten; RMSE in") in _row(
                reproduce.render(), "Plumes: translation")[11]
    two_by_two = ["CNN", "GM-CNN C1 r=1", "CNN (half width)", "GM-CNN C1 r=1 (CNN width)"]

    def beside_switch(table, name, tag):
        """The translation row's why, with ``table`` as the file ``name`` of the 2 x 2's switch
        run of seed ``tag``."""
        folder = tmp_path / f"plumes_translation_24ep_batchnorm_switch{tag}"
        folder.mkdir(exist_ok=True)
        pd.DataFrame(table).to_csv(folder / name)
        return _row(reproduce.render(), "Plumes: translation")[11]

    def switch(costs, tag=""):
        """Frame-20 RMSE, fixed minus each batch's statistics, of the 2 x 2 width controls."""
        models = pd.DataFrame(dict(model=two_by_two, width=[32, 16, 16, 32],
                                   relaxation_rank=[0, 1, 0, 1], epochs=24,
                                   seed=int(tag[-1]) if tag else 0))
        return beside_switch(pd.concat([
            models.assign(statistics="fixed statistics", **{"frame 20": 0.5 + costs}),
            models.assign(statistics="each step's batch statistics", **{"frame 20": 0.5})]),
            "batchnorm_switch.csv", tag)

    assert ("RESULTS.md); what BatchNorm's train / eval switch costs follows width, not "
            "relaxation, and the row gives GM-CNN C1 r=1 16 and CNN 32 fields per layer "
            "(frame-20 RMSE of the training windows' rollouts, fixed minus each batch's "
            "statistics, seed 0 at 24 epochs: 32 wide: CNN +0.186 and GM-CNN C1 r=1 (CNN width) "
            "+0.174; 16 wide: CNN (half width) +0.027 and GM-CNN C1 r=1 +0.016), persistence "
            "beaten") in switch(np.array([0.186, 0.016, 0.027, 0.174]))
    assert "follows relaxation, not width" in switch(np.array([0.2, 0.01, 0.19, 0.02]))
    assert "follows neither width nor relaxation alone" in switch(
        np.array([0.2, 0.01, 0.01, 0.01]))
    switch(np.array([0.186, 0.016, 0.027, 0.174]))
    assert ("follows width, not relaxation, in each of 2 seeds, and the row gives GM-CNN C1 r=1 "
            "16 and CNN 32 fields per layer (frame-20 RMSE of the training windows' rollouts, "
            "fixed minus each batch's statistics, mean of 2 seeds at 24 epochs: 32 wide: CNN "
            "+0.193") in switch(np.array([0.2, 0.02, 0.03, 0.17]), "_seed1")
    assert "follows neither width nor relaxation in every seed" in switch(
        np.array([0.2, 0.01, 0.19, 0.02]), "_seed2")
    assert "batch statistics drift" not in switch(np.array([0.186, 0.016, 0.027, 0.174]))

    def drift(at_20, tag="", sign=None):
        """The scale gap by layer (two) and frame, 0.12 at frame 1 and ``at_20`` at 20 (with
        ``sign``, a signed gap of that sign too)."""
        return beside_switch([dict(model=name, seed=int(tag[-1]) if tag else 0, layer=layer,
                                   frame=frame, log_scale=0.12 if frame == 1 else end,
                                   **({} if sign is None else {
                                       "log_scale_signed": sign * (0.12 if frame == 1 else end)}))
                              for name, end in zip(two_by_two, at_20) for layer in (1, 2)
                              for frame in (1, 10, 20)], "batchnorm_gap.csv", tag)

    assert ("; as the rollouts go on, their batch statistics drift further from the fixed ones "
            "in the wide models than in any narrow one (the mean over layers of |log| of a "
            "batch's std over the fixed one, frame 1 → 20, seed 0: 32 wide: CNN 0.12 → 0.52 "
            "and GM-CNN C1 r=1 (CNN width) 0.12 → 0.45; 16 wide: CNN (half width) 0.12 → 0.20 "
            "and GM-CNN C1 r=1 0.12 → 0.14; at frame 1 a batch of 16's own noise)") in drift(
                [0.52, 0.14, 0.20, 0.45])
    assert "they narrow" not in drift([0.52, 0.14, 0.20, 0.45])  # the gap's sign unknown
    assert ("; they narrow: at frame 20 the first layer's input, the predicted frames "
            "convolved, has 0.59x and 0.64x the fixed std in CNN and GM-CNN C1 r=1 (CNN width), "
            "so under fixed statistics their forecasts would fade") in drift(
                [0.52, 0.14, 0.20, 0.45], sign=-1)
    assert "they narrow" not in drift([0.52, 0.14, 0.20, 0.45], sign=1)  # they widen
    assert "do not drift further in every wide model" in drift([0.52, 0.14, 0.50, 0.45])
    assert "the forecasts" not in drift([0.52, 0.14, 0.20, 0.45])  # their amplitude not run

    def amplitude(fixed, own, tag=""):
        """Forecast RMS over the truth's at frame 20 by model, fixed and each batch's
        statistics (the truth: 1.0 at frame 1, 1.2 at 20)."""
        return beside_switch([dict(model=name, seed=int(tag[-1]) if tag else 0,
                                   statistics=statistics, frame=frame,
                                   truth_rms=1.0 if frame == 1 else 1.2,
                                   forecast_rms=1.0 if frame == 1 else 1.2 * ratio)
                              for name, ours, own_ratio in zip(two_by_two, fixed, own)
                              for statistics, ratio in (("fixed statistics", ours),
                                                        ("each step's batch statistics",
                                                         own_ratio))
                              for frame in (1, 20)], "batchnorm_amplitude.csv", tag)

    assert ("and GM-CNN C1 r=1 0.12 → 0.14; at frame 1 a batch of 16's own noise); measured, the "
            "forecasts fade further under fixed statistics than under each batch's own in every "
            "wide model, and by more than in any narrow one (their RMS over the truth's at frame "
            "20, fixed and each batch's statistics, seed 0: 32 wide: CNN 0.60 and 0.90 and "
            "GM-CNN C1 r=1 (CNN width) 0.65 and 0.92; 16 wide: CNN (half width) 0.80 and 0.85 "
            "and GM-CNN C1 r=1 0.84 and 0.86; the truth's RMS 1.000 at frame 1, 1.200 at 20)"
            ) in amplitude([0.60, 0.84, 0.80, 0.65], [0.90, 0.86, 0.85, 0.92])
    assert "do not fade under fixed statistics more in every wide model" in amplitude(
        [0.60, 0.50, 0.80, 0.65], [0.90, 0.90, 0.85, 0.92])  # a narrow one fades more
    assert "do not fade under fixed statistics more in every wide model" in amplitude(
        [0.90, 0.84, 0.80, 0.95], [0.90, 0.86, 0.85, 0.92])  # the wide ones do not fade
    amplitude([0.60, 0.84, 0.80, 0.65], [0.90, 0.86, 0.85, 0.92])
    assert ("by more than in any narrow one, in each of 2 seeds (their RMS over the truth's at "
            "frame 20, fixed and each batch's statistics, mean of 2 seeds: 32 wide: CNN 0.60 "
            "and 0.90") in amplitude([0.60, 0.80, 0.80, 0.65], [0.90, 0.86, 0.85, 0.92], "_seed1")
    # seed 2: the relaxed wide model fades no more than the narrow CNN (0.80 → 0.85 against
    # 0.70 → 0.85), which the mean over the three seeds still hides
    assert ("by more than in any narrow one, on the mean of 3 seeds (in 2 of them alone)"
            ) in amplitude([0.60, 0.84, 0.70, 0.80], [0.90, 0.86, 0.85, 0.85], "_seed2")
    assert "mean of 2 seeds: 32 wide: CNN 0.12 → 0.51" in drift([0.50, 0.1, 0.1, 0.4], "_seed1")
    without_batchnorm(0.375, 0.372)
    assert ("ahead of CNN on future RMSE, with BatchNorm (as Wang et al.'s networks) and without "
            "it (3 seeds") in _row(reproduce.render(), "Plumes: translation")[11]
    assert "train / eval switch" not in _row(reproduce.render(), "Plumes: translation")[11]


def test_a_one_seed_control_without_batchnorm_is_set_against_that_seeds_fits(
        reproduce, tmp_path):
    (tmp_path / "plumes").mkdir()
    (tmp_path / "plumes_rotation_nobn").mkdir()
    table = _plume_table([0.9, 0.8, 0.75, 0.7, 0.72, 0.74], [0.5, 0.45, 0.4, 0.38, 0.41, 0.42])
    table.assign(future_rmse=table.future_rmse - 0.01).to_csv(tmp_path / "plumes/plumes.csv")
    pd.concat([table.assign(first_seed=0),  # seed 1's fits must not be compared
               table.assign(first_seed=1, future_rmse=0.1)]).to_csv(
        tmp_path / "plumes/plumes_runs.csv")
    controls = table[table.model.isin(["CNN", "GM-CNN C4 exact", "GM-CNN C4 r=1"])]
    controls.assign(model=controls.model + " (no BatchNorm)", first_seed=0, future_std=0.0,
                    future_rmse=[0.82, 0.78, 0.72]).to_csv(
        tmp_path / "plumes_rotation_nobn/plumes.csv")
    assert ("with BatchNorm (as Wang et al.'s networks) and without it (seed 0 at the row's "
            "budget, a bias in place of each BatchNorm: GM-CNN C4 r=1 0.720 / 0.380, CNN 0.820 "
            "/ 0.450 and GM-CNN C4 exact 0.780 / 0.400; future RMSE without it minus with it "
            "(the same seed's fits): GM-CNN C4 r=1 +0.020, CNN +0.020 and GM-CNN C4 exact "
            "+0.030; RESULTS.md), persistence beaten") in _row(reproduce.render(),
                                                              "Plumes: rotation")[11]


def _scale_table():
    table = _plume_table([0.5, 0.35, 0.37, 0.40, 0.4, 0.4], [0.8, 0.50, 0.52, 0.53, 0.5, 0.5])
    return table.assign(variant="scale").replace({"GM-CNN C4 r=1": "GM-CNN C1 r=1"})


def test_the_scale_row_reads_its_width_controls_from_its_own_file(reproduce, tmp_path):
    (tmp_path / "plumes_scale_rerun").mkdir()
    table = _scale_table()
    table.to_csv(tmp_path / "plumes_scale_rerun/plumes.csv")
    row = _row(reproduce.render(), "Plumes: scaling")
    assert row[10] == "not reproduced" and "controlled" not in row[11]  # no control run yet
    assert row[9] == "6 min (its fits, every seed)"

    def controls(narrow_cnn, wide):
        rows = pd.DataFrame(dict(variant="scale", model=list(reproduce.SCALE_WIDTH_CONTROLS),
                                 future_rmse=[narrow_cnn[0], wide[0]],
                                 domain_rmse=[narrow_cnn[1], wide[1]], seeds=3,
                                 last_fifth_drop=0.5, seconds=600.0))
        pd.concat([table, rows]).to_csv(tmp_path / "plumes_scale_rerun/plumes.csv")
        row = _row(reproduce.render(), "Plumes: scaling")
        # the controls are not the row's models: not its best, its seeds, epochs or wall time
        assert row[9] == "6 min (its fits, every seed)" and row[7] == "1"
        assert "50%" not in row[6] and "(CNN width)" not in row[4]
        return row[11]

    why = controls(narrow_cnn=(0.41, 0.55), wide=(0.36, 0.49))
    assert "controlled (one width at a time, 3 seeds, RESULTS.md): at half width the relaxed " \
           "model beats a CNN of its width (0.400 / 0.530 against 0.410 / 0.550)" in why
    assert "at the CNN's width it is ahead on the domain test only (0.360 / 0.490 " \
           "against 0.350 / 0.500)" in why and "no consistent gain" in why
    why = controls(narrow_cnn=(0.41, 0.55), wide=(0.34, 0.49))
    assert why.startswith("best future RMSE: CNN;")  # not the wide control's 0.340
    assert "at the CNN's width it beats a CNN of its width" in why
    assert "no consistent gain" not in why and "gains on the domain test only" not in why
    assert "seeds on the future test" not in why  # no runs file: the means only
    why = controls(narrow_cnn=(0.39, 0.55), wide=(0.36, 0.49))
    assert ("at half width the relaxed model is ahead on the domain test only (0.400 / 0.530 "
            "against 0.390 / 0.550)") in why
    assert ("; at equal width relaxation gains on the domain test only, not on the future test "
            "the slides report") in why and "no consistent gain" not in why
    # seed by seed, from the runs file: the relaxed model's future RMSE is under the narrow
    # CNN's in seed 0 only, its domain RMSE in every seed
    pd.DataFrame([dict(variant="scale", model=model, first_seed=seed, future_rmse=future,
                       domain_rmse=domain)
                  for seed, futures in enumerate([(0.38, 0.39), (0.40, 0.39), (0.41, 0.40)])
                  for model, future, domain in zip(("GM-CNN C1 r=1", "CNN (half width)"),
                                                   futures, (0.52, 0.55))]).to_csv(
        tmp_path / "plumes_scale_rerun/plumes_runs.csv")
    why = _row(reproduce.render(), "Plumes: scaling")[11]
    assert ("(0.400 / 0.530 against 0.390 / 0.550; ahead in 1 of 3 seeds on the future test, 3 "
            "of 3 on the domain), at the CNN's width it is ahead on the domain test only (0.360 "
            "/ 0.490 against 0.350 / 0.500)") in why  # the wide pair has no seeds in the file


def _scale_windows(path, future_gap_held_out: float = 0.01, scale_follows: bool = False
                   ) -> None:
    """A window probe's file: the relaxed model 0.02 under the CNN over Wang et al.'s
    training offsets, 0.01 over on the validation and the future ones (held-out simulations:
    ``future_gap_held_out``), two seeds, every 5th offset of two simulations of each kind;
    on the future test, its lead at the larger scale factor (3.7 against 1.9) is larger in
    seed 0 and smaller in seed 1, or larger in both (``scale_follows``)."""
    rows, factors = [], {27: 3.7, 9: 1.9, 5: 1.5, 30: 4.0}
    for seed in (0, 1):
        for test, simulations in (("timeline, training simulations", (27, 9)),
                                  ("timeline, held-out simulations", (5, 30))):
            for simulation in simulations:
                for offset in range(0, 250, 5):
                    gap = (-0.02 if offset < 160 else future_gap_held_out
                           if offset >= 200 and "held-out" in test else 0.01)
                    truth = 1.0 if offset < 160 else 0.5
                    for model, rmse in (("CNN", 0.4), ("GM-CNN C1 r=1 (CNN width)", 0.4 + gap)):
                        rows.append(dict(variant="scale", model=model, seed=seed, test=test,
                                         simulation=simulation, offset=offset, rmse=rmse,
                                         truth_rms=truth))
        for simulation in (27, 9):
            wider = (simulation == 27) == (seed == 0 or scale_follows)
            for model, rmse in (("CNN", 0.3), ("GM-CNN C1 r=1 (CNN width)",
                                               0.33 if wider else 0.31)):
                rows += [dict(variant="scale", model=model, seed=seed, test="future",
                              simulation=simulation, offset=offset, rmse=rmse, truth_rms=0.5)
                         for offset in range(200, 250)]
    # the half-width pair, one seed, where the relaxed model is ahead throughout: not read
    rows += [dict(row, model=f"{row['model']} (half width)", rmse=0.3, seed=2) for row in rows]
    frame = pd.DataFrame(rows)
    path.parent.mkdir(exist_ok=True)
    frame.assign(scale_factor=frame.simulation.map(factors)).to_csv(path, index=False)


def test_the_scale_timeline_says_whether_the_gap_follows_the_time_or_the_scale(
        reproduce, tmp_path):
    assert reproduce._scale_timeline() == ""  # no probe run yet
    _scale_windows(tmp_path / reproduce.SCALE_WINDOWS)
    text = reproduce._scale_timeline()
    assert text.startswith("; the gap follows the time, not the scale factor")
    assert ", in every seed (" in text and "every 5th window offset, mean of 2 seeds" in text
    assert ("on the training simulations' scale factors -0.020 on the training offsets, +0.010 "
            "on the validation offsets, +0.010 on the future offsets; on the held-out ones "
            "-0.020 on the training offsets") in text
    assert "behind in 4 of 4 (each seed on each kind of simulation)" in text
    assert "correlates with the scale factor at +1.00 and -1.00 by seed, no consistent sign" \
        in text
    assert ("the training frames, into a calmer flow (the true frames' mean square over the "
            "training, validation and future offsets: 1.00 / 0.25 / 0.25") in text
    # the relaxed model ahead on the held-out scale factors' late frames: not the time alone
    _scale_windows(tmp_path / reproduce.SCALE_WINDOWS, future_gap_held_out=-0.01)
    text = reproduce._scale_timeline()
    assert text.startswith("; whether the gap follows the time or the scale factor is not "
                           "settled (") and "-0.010 on the future offsets;" in text
    # the future test's gap grows with the scale factor in every seed: not the time alone
    _scale_windows(tmp_path / reproduce.SCALE_WINDOWS, scale_follows=True)
    text = reproduce._scale_timeline()
    assert text.startswith("; whether the gap follows the time or the scale factor is not "
                           "settled (") and text.endswith("at +1.00 and +1.00 by seed")


def test_the_scale_rows_finding_reads_the_timeline_in_place_of_the_guess(reproduce, tmp_path):
    (tmp_path / "plumes_scale_rerun").mkdir()
    wide = pd.DataFrame(dict(variant="scale", model=list(reproduce.SCALE_WIDTH_CONTROLS),
                             future_rmse=[0.39, 0.36], domain_rmse=[0.55, 0.49], seeds=3,
                             last_fifth_drop=0.5, seconds=600.0))
    pd.concat([_scale_table(), wide]).to_csv(tmp_path / "plumes_scale_rerun/plumes.csv")
    why = _row(reproduce.render(), "Plumes: scaling")[11]
    assert "gains on the domain test only" in why and "(not tested)" in why
    _scale_windows(tmp_path / reproduce.SCALE_WINDOWS)
    why = _row(reproduce.render(), "Plumes: scaling")[11]
    assert "(not tested)" not in why
    assert ("the future test the slides report; the gap follows the time, not the scale "
            "factor") in why


def test_a_row_that_misses_says_whether_its_miss_survives_without_batchnorm(
        reproduce, tmp_path, monkeypatch):
    monkeypatch.setitem(reproduce.PLUME_ROW_WITHOUT_BATCHNORM, "scale",
                        "plumes_scale_nobn/plumes.csv")
    (tmp_path / "plumes_scale_rerun").mkdir()
    _scale_table().to_csv(tmp_path / "plumes_scale_rerun/plumes.csv")
    assert "without BatchNorm" not in _row(reproduce.render(), "Plumes: scaling")[11]
    (tmp_path / "plumes_scale_nobn").mkdir()

    def without_batchnorm(cnn, relaxed):
        pd.DataFrame(dict(variant="scale",
                          model=["CNN (no BatchNorm)", "GM-CNN C1 r=1 (no BatchNorm)"],
                          future_rmse=[cnn, relaxed], future_std=[0.003, 0.006],
                          domain_rmse=[0.51, 0.52], seeds=3)).to_csv(
            tmp_path / "plumes_scale_nobn/plumes.csv")
        row = _row(reproduce.render(), "Plumes: scaling")
        assert row[10] == "not reproduced"  # the verdict is the row's, with BatchNorm
        return row[11]

    assert ("; without BatchNorm GM-CNN C1 r=1 is still behind (3 seeds at the row's budget, a "
            "bias in place of each BatchNorm: GM-CNN C1 r=1 0.390 ± 0.006 / 0.520 and CNN "
            "0.360 ± 0.003 / 0.510; future RMSE without it minus with it: GM-CNN C1 r=1 -0.010 "
            "and CNN +0.010; RESULTS.md)") in without_batchnorm(0.36, 0.39)
    assert ("; without BatchNorm GM-CNN C1 r=1 is ahead, so the miss comes with BatchNorm (3 "
            "seeds") in without_batchnorm(0.36, 0.35)


def _mnist_table(accuracy, params):
    models = [("CNN", 0), ("CNN + augmentation", 0), ("GM-CNN C4", 0), ("GM-CNN C4", 1)]
    return pd.DataFrame(dict(
        model=[m for m, _ in models], relaxation_rank=[r for _, r in models],
        free_params=params, accuracy=accuracy, std=0.0, seeds=1, epochs=20, device="CPU",
        wall_min=8.0, n_train=4000, n_test=1000))


def test_mnist_verdicts_need_the_papers_ordering_and_name_parameter_counts(reproduce, tmp_path):
    (tmp_path / "paper_tables").mkdir()

    def row_for(accuracy):  # CNN, CNN + aug, C4 (5,100 params), C4 r=1 (9,800)
        _mnist_table(accuracy, [5000, 5000, 5100, 9800]).to_csv(
            tmp_path / "paper_tables/noisy.csv")
        return _row(reproduce.render(), "MNIST-noise")

    row = row_for([85.0, 84.0, 89.5, 88.0])
    assert row[10] == "reproduced" and row[11] == ""
    # within 2 points of the paper's 90.20 but behind the CNN: not reproduced, and why
    row = row_for([91.0, 84.0, 83.0, 89.5])
    assert row[10] == "not reproduced" and "CNN (91.0) is ahead" in row[11]
    # ahead only with twice the parameters: the matched-width exact model is named
    row = row_for([85.0, 84.0, 83.0, 89.5])
    assert row[10] == "reproduced" and "2.0x the CNN's parameters" in row[11]
    assert "(C4, 5,100) scored 83.0" in row[11]
    # far above the paper's number: the ordering holds, the number is the rebuilt data's
    row = row_for([85.0, 84.0, 96.0, 88.0])
    assert row[10] == "ordering reproduced" and "5.8 points above" in row[11]
    # level with the CNN at the paper's number: the number is reproduced, the paper's 7.7-point
    # margin is not, and the exact model trailing the CNN is named
    row = row_for([90.0, 84.0, 83.0, 90.0])
    assert row[10] == "not reproduced" and "its margin is not: level with CNN (+0.0" in row[11]
    assert "the exact models trail the CNN (C4 83.0): the digits are upright" in row[11]
    # with seeds, a margin inside the spread is level
    _mnist_table([89.0, 84.0, 83.0, 90.0], [5000, 5000, 5100, 9800]).assign(
        seeds=3, std=1.2).to_csv(tmp_path / "paper_tables/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert row[10] == "not reproduced" and "level with CNN within seed noise (+1.0" in row[11]
    # where the paper's own margin is a few images, level is reproduced, and says so
    _mnist_table([99.9, 99.0, 52.0, 99.9], [5000, 5000, 5100, 9800]).to_csv(
        tmp_path / "paper_tables/rectangles.csv")
    row = _row(reproduce.render(), "Rectangles")
    assert row[10] == "reproduced" and "(0.29 points) is 3 of our 1,000 test images" in row[11]
    # and the exact model at chance says why: a quarter turn swaps the labels
    assert "(C4, 5,100) scored 52.0 (chance is 50: a quarter turn swaps" in row[11]
    assert "chance is 50" not in _row(reproduce.render(), "MNIST-noise")[11]


def test_an_mnist_row_reports_its_run_with_the_most_seeds(reproduce, tmp_path):
    for folder in ("paper_tables", "paper_tables_30ep"):
        (tmp_path / folder).mkdir()
    _mnist_table([85.0, 84.0, 89.5, 88.0], [5000, 5000, 5100, 9800]).to_csv(
        tmp_path / "paper_tables/noisy.csv")
    converged = _mnist_table([86.0, 84.5, 89.9, 88.5], [5000, 5000, 5100, 9800])
    converged = converged.assign(seeds=3, epochs=[30, 15, 30, 30], std=0.4,
                                 loss_fall=[0.05, 0.02, 0.1, 0.2], wall_min=40.0)
    converged.to_csv(tmp_path / "paper_tables_30ep/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert row[4] == ("best GM-CNN 89.9 ± 0.4 (C4, 5,100 params); best CNN 86.0 ± 0.4 (CNN)")
    assert row[6].startswith("30 (cosine; training loss fell 2% to 20% over the last fifth")
    # a loss that rose over the last fifth is named, and where every such model fits its
    # training set (a saturated task), that too
    converged.assign(loss_fall=[-1.3, 0.02, 0.1, 0.2], train_acc=[100.0, 99.0, 97.0, 98.0]
                     ).to_csv(tmp_path / "paper_tables_30ep/noisy.csv")
    assert _row(reproduce.render(), "MNIST-noise")[6].startswith(
        "30 (cosine; training loss fell -130% to 20% over the last fifth, mean over seeds; "
        "negative: rose, each in a model at 100% training accuracy")
    converged.to_csv(tmp_path / "paper_tables_30ep/noisy.csv")
    assert row[7] == "3" and row[9] == "40 min"
    # a task without a converged run keeps its 1-seed row
    assert _row(reproduce.render(), "Rot-MNIST")[4] == "not run yet"
    # a control at twice the epochs for two of the models: how far they moved
    (tmp_path / "paper_tables_60ep_noisy").mkdir()
    converged.iloc[[0, 3]].assign(epochs=60, accuracy=[86.5, 88.2], std=[0.7, 1.1]).to_csv(
        tmp_path / "paper_tables_60ep_noisy/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert row[6].endswith("at 60 epochs, 2 of its models (CNN, C4) moved -0.3 to +0.5 points, "
                           "seed std up to 1.1)")
    assert row[4].startswith("best GM-CNN 89.9")  # the control does not replace the table


def test_the_reference_design_run_joins_its_tasks_row(reproduce, tmp_path):
    for folder in ("paper_tables_30ep", "paper_tables_reference"):
        (tmp_path / folder).mkdir()
    table = _mnist_table([89.0, 84.0, 83.0, 90.0], [5000, 5000, 5100, 9800]).assign(
        seeds=3, std=1.2, epochs=30, loss_fall=0.1, wall_min=50.0)
    table.to_csv(tmp_path / "paper_tables_30ep/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert "the paper's own design (the pixel grid as the group" in row[11]
    pd.DataFrame(dict(model=["GM-CNN C28xC28 (reference design)"], relaxation_rank=0,
                      free_params=13451, accuracy=[93.5], std=0.5, seeds=3, epochs=20,
                      loss_fall=0.03, train_acc=97.0, device="CPU", wall_min=41.0, n_train=4000,
                      n_test=1000)).to_csv(tmp_path / "paper_tables_reference/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert row[4].startswith("best GM-CNN 93.5 ± 0.5 (C28xC28 (reference design), 13,451 params)")
    assert row[4].endswith("; reference design C28xC28 93.5 ± 0.5 (13,451 params, 20 epochs, "
                           "training accuracy 97.0)")
    # clear of the CNN's seed spread and 3.3 points above the paper's 90.20: the ordering holds
    assert row[10] == "ordering reproduced"
    assert row[6].endswith("; reference design 20 (its config's; lr x0.7 on a plateau; loss "
                           "fell 3% over the last fifth)")
    assert row[7] == "3 (3 for the reference design)" and row[9] == "50 min + 41 min"
    assert "is not in this run" not in row[11] and not row[11].endswith(";")
    # its control at twice the epochs (1 seed) is reported in the epochs cell
    (tmp_path / "paper_tables_reference_40ep").mkdir()
    pd.read_csv(tmp_path / "paper_tables_reference/noisy.csv").assign(
        epochs=40, accuracy=94.0, seeds=1, std=0.0).to_csv(
        tmp_path / "paper_tables_reference_40ep/noisy.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert ("at 40 epochs, 1 of its models (C28xC28 reference design) moved +0.5 points, to "
            "94.0, 1 seed)") in row[6]
    # with the runs seed by seed, a one-seed control is compared with that seed's own fit
    pd.DataFrame(dict(model="GM-CNN C28xC28 (reference design)", relaxation_rank=0,
                      seed=[0, 1, 2], accuracy=[92.0, 94.0, 94.5])).to_csv(
        tmp_path / "paper_tables_reference/noisy_runs.csv")
    row = _row(reproduce.render(), "MNIST-noise")
    assert ("moved +2.0 points, to 94.0, 1 seed against the same seed's fit)") in row[6]
    # far under the paper's number: why, from its training accuracy, its control and the
    # parameter count of its config against the paper's
    pd.read_csv(tmp_path / "paper_tables_reference/noisy.csv").assign(
        accuracy=69.3, train_acc=72.7).to_csv(tmp_path / "paper_tables_reference/noisy.csv")
    pd.read_csv(tmp_path / "paper_tables_reference_40ep/noisy.csv").assign(
        accuracy=75.9, train_acc=82.7).to_csv(tmp_path / "paper_tables_reference_40ep/noisy.csv")
    why = _row(reproduce.render(), "MNIST-noise")[11]
    assert ("the paper's own design at the repository's config (C28xC28, 20 epochs) scored "
            "69.3, 20.9 points under the paper's number, and underfits (training accuracy "
            "72.7); trained longer it rises but does not reach it (40 epochs: 75.9, training "
            "accuracy 82.7; 1 seed, the loss still falling 3% over the last fifth at 40); the "
            "config builds 13,451 parameters where the paper's table lists 5.9k") in why


def test_every_protocol_states_its_measured_cpu_time(reproduce):
    assert set(reproduce.CPU_MINUTES) == set(reproduce.PROTOCOLS)
    text = reproduce.render()
    assert "| plumes_rotation | `python benchmarks/bench_plumes.py --variants rotation" in text


def test_a_dynamics_row_names_the_two_seed_run_when_it_ranks_otherwise(reproduce, tmp_path):
    def run(errors, seeds):
        return pd.DataFrame(dict(
            dynamics="hamiltonian", model=["O(2)", "SO(2)", "D6", "MLP"], rollout_error=errors,
            paper=[0.012, 0.015, 0.013, 0.028], diverged=0.0, train=500, steps=2000,
            seeds=seeds, device="cpu", wall_min=40.0))

    run([0.017, 0.010, 0.0104, 0.016], 3).to_csv(tmp_path / "dynamics.csv", index=False)
    run([0.0104, 0.0117, 0.0114, 0.0174], 2).to_csv(tmp_path / "dynamics_2seeds.csv",
                                                     index=False)
    why = _row(reproduce.render(), "Double spring pendulum, Hamiltonian")[-1]
    assert "seeds 0-1 alone" in why and "O(2) 0.010 < D6 0.011" in why and "(the paper's)" in why
    run([0.017, 0.010, 0.0104, 0.016], 2).to_csv(tmp_path / "dynamics_2seeds.csv", index=False)
    assert "seeds 0-1" not in _row(reproduce.render(), "Double spring pendulum, Hamiltonian")[-1]


def test_a_dynamics_rows_mlp_is_the_one_started_as_the_authors_where_it_has_run(
        reproduce, tmp_path):
    def run(models, errors, seeds, name):
        pd.DataFrame(dict(
            dynamics="hamiltonian", model=models, rollout_error=errors,
            paper=[{"O(2)": 0.012, "SO(2)": 0.015, "D6": 0.013, "MLP": 0.028}[m]
                   for m in models], diverged=0.0, train=500, steps=2000, seeds=seeds,
            device="cpu", wall_min=40.0 if len(models) > 1 else 2.0)).to_csv(
            tmp_path / name, index=False)

    run(["O(2)", "SO(2)", "D6", "MLP"], [0.012, 0.014, 0.013, 0.016], 3, "dynamics.csv")
    run(["O(2)", "SO(2)", "D6", "MLP"], [0.012, 0.014, 0.013, 0.016], 2, "dynamics_2seeds.csv")
    row = _row(reproduce.render(), "Double spring pendulum, Hamiltonian")
    assert "MLP 0.016" in row[4] and "skequi's start" not in row[-1]
    run(["MLP"], [0.030], 3, "dynamics_mlp.csv")
    row = _row(reproduce.render(), "Double spring pendulum, Hamiltonian")
    assert row[4] == "O(2) 0.012, SO(2) 0.014, D6 0.013, MLP 0.030"
    assert row[-1] == ("the MLP scored 0.016 with skequi's start (torch's Linear defaults); "
                       "the row's has the authors' start (Xavier-normal weights, zero bias)")
    assert row[9] == "40 min + 2 min"
    # the two-seed check takes its own Xavier-started MLP
    run(["MLP"], [0.011], 2, "dynamics_mlp_2seeds.csv")
    row = _row(reproduce.render(), "Double spring pendulum, Hamiltonian")
    assert ("seeds 0-1 alone (the 2-seed CPU protocol, dynamics_2seeds.csv) rank MLP 0.011"
            in row[-1])


def test_a_dynamics_row_names_what_the_dense_linear_control_ranks(reproduce, tmp_path):
    def run(models, errors, name, diverged=0.0):
        pd.DataFrame(dict(
            dynamics="ode", model=models, rollout_error=errors, spread=0.001, paper=0.0,
            diverged=diverged, train=500, steps=2000, seeds=3, device="cpu",
            wall_min=40.0)).to_csv(tmp_path / name, index=False)

    run(["O(2)", "SO(2)", "D6", "MLP"], [0.019, 0.017, 0.019, 0.028], "dynamics.csv")
    frame = pd.read_csv(tmp_path / "dynamics.csv")
    frame.paper, frame.spread = [0.019, 0.051, 0.036, 0.048], 0.016
    frame.to_csv(tmp_path / "dynamics.csv", index=False)
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert "dense" not in why  # no control run yet
    run(["O(2)", "SO(2)", "D6"], [0.018, 0.030, 0.020], "dynamics_dense.csv",
        diverged=[0.0, 0.0, 0.02])
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert ("score O(2) 0.018 ± 0.001, SO(2) 0.030 ± 0.001, D6 0.020 ± 0.001 (D6 lost 2.0% of "
            "its rollouts) and rank O(2) < D6 < MLP < SO(2)") in why
    assert ("(the paper's; O(2)'s seed std 0.001 against the row's 0.016): likely the "
            "parametrization") in why
    run(["O(2)", "SO(2)", "D6"], [0.018, 0.015, 0.020], "dynamics_dense.csv")
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert "rank SO(2) < O(2) < D6 < MLP, not the paper's ranking either" in why
    # its protocol is quoted as a shell needs it
    assert ("`python benchmarks/bench_dynamics.py --models 'O(2),SO(2),D6' --emlp-dense-linear"
            in reproduce.render())


def test_a_dynamics_row_names_what_the_rollout_trained_control_ranks(reproduce, tmp_path):
    models = ["O(2)", "SO(2)", "D6", "MLP"]
    pd.DataFrame(dict(
        dynamics="ode", model=models, rollout_error=[0.019, 0.017, 0.019, 0.028], spread=0.002,
        paper=[0.019, 0.051, 0.036, 0.048], diverged=0.0, train=500, steps=2000, seeds=3,
        device="cpu", wall_min=40.0)).to_csv(tmp_path / "dynamics.csv", index=False)

    def run(name, seed, errors, diverged=0.0):  # a run's per-fit file
        pd.DataFrame(dict(dynamics="ode", model=models, seed=seed, rollout_error=errors,
                          diverged=diverged)).to_csv(tmp_path / name, index=False)

    assert "rollouts, as" not in _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    run("dynamics_rollouts_runs.csv", 0, [0.015, 0.012, 0.020, 0.025])
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert ("every model trained on rollouts, as the EMLP authors train (5-state chunks "
            "integrated from their first states; dynamics_rollouts.csv, 1 seed), scores "
            "O(2) 0.015, SO(2) 0.012, D6 0.020, MLP 0.025 and ranks SO(2) < O(2) < D6 < MLP, not "
            "the paper's ranking either: the training objective does not explain it") in why
    # a second seed's run merges with the first, fit by fit
    run("dynamics_rollouts_seed1_runs.csv", 1, [0.015, 0.048, 0.020, 0.025],
        diverged=[0.0, 0.02, 0.0, 0.0])
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert ("(5-state chunks integrated from their first states; dynamics_rollouts.csv and "
            "dynamics_rollouts_seed1.csv, 2 seeds), scores O(2) 0.015 ± 0.000, SO(2) 0.024 ± "
            "0.018, D6 0.020 ± 0.000, MLP 0.025 ± 0.000 (SO(2) lost 1.0% of its rollouts) and "
            "ranks O(2) < D6 < SO(2) < MLP, not the paper's") in why
    run("dynamics_rollouts_seed1_runs.csv", 1, [0.015, 0.200, 0.020, 0.025])
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert ("ranks O(2) < D6 < MLP < SO(2) (the paper's): likely the training objective"
            in why)
    run("dynamics_rollouts_seed2_runs.csv", 2, [0.015, 0.015, 0.020, 0.025])
    why = _row(reproduce.render(), "Double spring pendulum, neural ODE")[-1]
    assert ("first states; dynamics_rollouts.csv, dynamics_rollouts_seed1.csv and "
            "dynamics_rollouts_seed2.csv, 3 seeds), scores O(2) 0.015 ± 0.000, SO(2) 0.033") in why


def test_an_emlp_seeds_cell_names_whole_sizes_once_and_single_cells_by_model(reproduce):
    frame = pd.DataFrame(dict(N=[30, 30, 100, 100, 1000, 1000], model=["EMLP", "MLP"] * 3,
                              seeds=[3, 3, 3, 1, 1, 1]))
    assert reproduce._emlp_seeds(frame) == "1; 3 for every model at N = 30, EMLP at N = 100"
    assert reproduce._emlp_seeds(frame.assign(seeds=1)) == "1"


def test_emlp_cells_pool_runs_of_other_seeds_and_leave_out_runs_that_repeat_one(reproduce):
    def run(first_seed, seeds, mse, std):
        return dict(task="Inertia", N=1000, model="EMLP", test_mse=mse, std=std, seeds=seeds,
                    first_seed=first_seed, paper_mse=0.1)

    runs = pd.DataFrame([run(0, 1, 0.3, 0.0), run(1, 2, 0.6, 0.1),
                         run(2, 1, 9.0, 0.0)])  # seed 2 again: left out
    cell = reproduce._seed_cells(runs).iloc[0]
    assert cell.seeds == 3 and cell.test_mse == pytest.approx(0.5)
    # population std of three seeds with mean 0.3, and two with mean 0.6 and std 0.1
    assert cell["std"] == pytest.approx(np.sqrt((0.3**2 + 2 * (0.1**2 + 0.6**2)) / 3 - 0.25))
    assert cell.ratio == pytest.approx(5.0)
    # files written before first_seed existed ran seeds 0, 1, ...
    old = reproduce._seed_cells(runs.drop(columns="first_seed"))
    assert old.seeds[0] == 2 and old.test_mse[0] == pytest.approx(0.6)


def _ddmnist_row(tmp_path, name: str, group: str, upright: list[float],
                 epochs: int = 30) -> None:
    """A DDMNIST row's table ``name`` and its seed-by-seed file: seeds 0-2 at ``epochs``,
    ``upright`` the CNN's three, then ours'."""
    pd.DataFrame(dict(group=group, method=["CNN", "ours"], upright=0.0, upright_std=0.0,
                      moved=0.0, best_epoch=0.0, epochs=float(epochs), seeds=3,
                      max_epochs=epochs, device="CPU", wall_min=33.0)).to_csv(
        tmp_path / f"{name}.csv", index=False)
    pd.DataFrame(dict(group=group, method=["CNN"] * 3 + ["ours"] * 3, seed=[0, 1, 2] * 2,
                      upright=upright, moved=0.7, best_epoch=epochs - 2.0,
                      epochs=float(epochs), latent_error=1.0)).to_csv(
        tmp_path / f"{name}_runs.csv", index=False)


def test_a_ddmnist_row_reports_its_control_with_fewer_training_digits(reproduce, tmp_path,
                                                                    monkeypatch):
    _ddmnist_row(tmp_path, "ddmnist_c4", "C4xC4", [0.80, 0.81, 0.82, 0.83, 0.84, 0.85])

    def pool(upright, epochs=30, digits=100, seed=0):
        name = f"ddmnist_c4_{digits}digits" + (f"_seed{seed}" if seed else "")
        pd.DataFrame(dict(group="C4xC4", method=["CNN", "ours"], max_epochs=epochs)).to_csv(
            tmp_path / f"{name}.csv", index=False)
        pd.DataFrame(dict(group="C4xC4", method=["CNN", "ours"], seed=seed,
                          train_digits=digits, upright=upright)).to_csv(
            tmp_path / f"{name}_runs.csv", index=False)
        return _row(reproduce.render(), "DDMNIST C4xC4")

    row = pool([0.70, 0.75])
    assert ("with the training pairs drawn from fewer images of each digit than all 400 "
            "(30 epochs), seed 0 gave CNN+aug 0.700 and ours 0.750 from 100, against 0.800 and "
            "0.830 from all 400 (4x fewer digits cost the CNN 0.100 and ours 0.080; ours' lead "
            "over the CNN, from 100 digits to all 400: +0.050 and +0.030): both costs "
            "exceed the seed std 0.010, so digit variety limits both models") in row[11]
    assert "ours 0.840 ± 0.010" in row[4] and row[7] == "3"  # the control does not join
    assert ("; ours' lead seed by seed (0, 1 and 2): +0.030, +0.030 and +0.030, every one over "
            "the paper's +0.008;") in row[11]
    assert "with every larger pool" not in row[11]  # one pool: no curve
    assert "unlikely to explain" in pool([0.795, 0.82])[11]
    assert "fewer images of each digit" not in pool([0.70, 0.75], epochs=60)[11]  # other budget
    # a second pool size joins the same seed's curve, smallest first; another seed its own
    monkeypatch.setattr(reproduce, "DDMNIST_POOLS", ("ddmnist_c4_200digits.csv",
                                                     "ddmnist_c4_100digits.csv",
                                                     "ddmnist_c4_100digits_seed1.csv"))
    pool([0.70, 0.75])
    row = pool([0.76, 0.78], digits=200)
    assert ("seed 0 gave CNN+aug 0.700 and ours 0.750 from 100, 0.760 and 0.780 from 200, "
            "against 0.800 and 0.830 from all 400 (4x fewer digits cost the CNN 0.100 and ours "
            "0.080; both models score higher with every larger pool; ours' lead over the CNN, "
            "from 100 digits to all 400: +0.050, +0.020 and +0.030): both costs exceed the seed "
            "std 0.010, so") in row[11]
    assert "; only the CNN scores higher" in pool([0.76, 0.74], digits=200)[11]
    assert "; neither scores higher" in pool([0.69, 0.74], digits=200)[11]
    row = pool([0.71, 0.72], seed=1)
    assert ("+0.030); seed 1 gave CNN+aug 0.710 and ours 0.720 from 100, against 0.810 and "
            "0.840 from all 400 (4x fewer digits cost the CNN 0.100 and ours 0.120; ours' lead "
            "over the CNN, from 100 digits to all 400: +0.010 and +0.030); over the 2 "
            "seeds 4x fewer digits cost the CNN 0.100 and ours 0.100 on average; both costs "
            "exceed the seed std 0.010 in both seeds, so digit variety limits") in row[11]
    assert ("cannot be had offline); more digits widened ours' lead in 1 of 2 seeds (-0.020 and "
            "+0.020), so these runs do not show that a larger pool opens it") in row[11]
    assert ("in 1 of 2 seeds, so whether digit variety explains the gap to the paper's numbers "
            "is not settled (the paper's 15x larger pool, MNIST's 6,000 per digit, not run: "
            "MNIST cannot be had offline)") in pool([0.805, 0.72], seed=1)[11]
    assert ("; more digits narrowed ours' lead in every seed (-0.020 and -0.020), so a larger "
            "pool is unlikely to open the paper's lead") in pool([0.70, 0.75], seed=1)[11]
    pool([0.72, 0.70], seed=1)  # seed 1's lead: -0.020 from 100 digits, +0.030 from all
    assert ("; more digits widened ours' lead in every seed (+0.080 and +0.050), so the paper's "
            "larger pool may widen it further") in pool([0.75, 0.70])[11]


def test_a_ddmnist_pool_control_is_compared_with_the_seeds_at_its_own_budget(reproduce,
                                                                             tmp_path,
                                                                             monkeypatch):
    # the row at 60 epochs (3 seeds); its 30-epoch seeds stay a shorter budget
    _ddmnist_row(tmp_path, "ddmnist_c4", "C4xC4", [0.80, 0.81, 0.82, 0.83, 0.84, 0.85])
    _ddmnist_row(tmp_path, "ddmnist_c4_60ep", "C4xC4", [0.85, 0.86, 0.87, 0.90, 0.91, 0.92],
                 epochs=60)
    pd.DataFrame(dict(group="C4xC4", method=["CNN", "ours"], max_epochs=30)).to_csv(
        tmp_path / "ddmnist_c4_100digits.csv", index=False)
    pd.DataFrame(dict(group="C4xC4", method=["CNN", "ours"], seed=0, train_digits=100,
                      upright=[0.70, 0.75])).to_csv(tmp_path / "ddmnist_c4_100digits_runs.csv",
                                                    index=False)
    reads, read = [], reproduce._read
    monkeypatch.setattr(reproduce, "_read", lambda path: reads.append(path) or read(path))
    row = _row(reproduce.render(), "DDMNIST C4xC4")
    assert reads.count("ddmnist_c4_100digits_runs.csv") == 1  # once for both budgets
    assert row[6] == "≤60 (early stopping)" and "ours 0.910 ± 0.010" in row[4]
    assert ("with the training pairs drawn from fewer images of each digit than all 400 "
            "(30 epochs), seed 0 gave CNN+aug 0.700 and ours 0.750 from 100, against 0.800 and "
            "0.830 from all 400 (4x fewer digits cost the CNN 0.100 and ours 0.080; ours' lead "
            "over the CNN, from 100 digits to all 400: +0.050 and +0.030): both costs "
            "exceed the seed std 0.010") in row[11]
    assert "(60 epochs), seed 0" not in row[11]  # no control ran the row's budget


def test_a_ddmnist_row_reports_the_authors_test_set_and_batch(reproduce, tmp_path,
                                                              monkeypatch):
    _ddmnist_row(tmp_path, "ddmnist_dihedral", "D4xD4", [0.70, 0.71, 0.72, 0.72, 0.73, 0.74])

    def recipe(name, seeds, batch, upright, round_trip):
        pd.DataFrame(dict(group="D4xD4", method=["CNN", "ours"], max_epochs=30)).to_csv(
            tmp_path / f"{name}.csv", index=False)
        pd.DataFrame(dict(group="D4xD4", method=["CNN"] * len(seeds) + ["ours"] * len(seeds),
                          seed=seeds * 2, batch_size=batch, upright=upright,
                          upright_round_trip=round_trip, best_epoch=28.0, epochs=30.0)).to_csv(
            tmp_path / f"{name}_runs.csv", index=False)
        return _row(reproduce.render(), "DDMNIST D4xD4")

    row = recipe("ddmnist_d4_round_trip", [0, 1, 2], 128, [0.70, 0.71, 0.72, 0.72, 0.73, 0.74],
                 [0.75, 0.76, 0.77, 0.80, 0.81, 0.82])
    assert ("the authors' code tests D4 on upright pairs carrying a round trip's resampling "
            "artefacts") in row[11]
    assert ("; 3 seeds (0, 1 and 2) at 30 epochs, batch 128, score CNN+aug 0.710 and ours "
            "0.730 on the row's clean upright pairs and 0.760 and 0.810 on the authors' test "
            "pairs (the artefacts move the CNN by +0.050, ours by +0.080, ours' lead from +0.020 "
            "to +0.050): the authors' test pairs raise ours by more than the seed std 0.010, a "
            "likely part of the gap") in row[11]
    assert "ours 0.730 ± 0.010" in row[4] and row[7] == "3"  # the recipe runs do not join
    assert ("seed by seed (0, 1 and 2): +0.020, +0.020 and +0.020, every one under the paper's "
            "+0.068") in row[11]
    # harder test pairs for both: not the reason for the gap
    row = recipe("ddmnist_d4_round_trip", [0, 1, 2], 128, [0.70, 0.71, 0.72, 0.72, 0.73, 0.74],
                 [0.65, 0.66, 0.67, 0.70, 0.71, 0.72])
    assert ("(the artefacts move the CNN by -0.050, ours by -0.020, ours' lead from +0.020 to "
            "+0.050): the authors' test pairs are harder for both models, so testing on clean "
            "pairs does not explain why the row is under the paper's numbers") in row[11]
    monkeypatch.setattr(reproduce, "DDMNIST_RECIPE", reproduce.DDMNIST_RECIPE
                        + ("ddmnist_d4_150ep_batch256.csv",))
    row = recipe("ddmnist_d4_150ep_batch256", [0], 256, [0.68, 0.75], [0.72, 0.79])
    assert ("; with the authors' batch 256, 1 seed (0) at 30 epochs scores CNN+aug 0.680 and "
            "ours 0.750 on the row's clean upright pairs and 0.720 and 0.790 on the authors' "
            "test pairs (the artefacts move the CNN by +0.040, ours by +0.040, ours' lead from "
            "+0.070 to +0.070): the authors' test pairs raise ours by more than the seed std "
            "0.010, a likely part of the gap to the paper's number; the same seed at batch 128: "
            "0.700 and 0.720, so batch 256 moves ours' lead by +0.050 (beyond the seed std 0.010) "
            "and ours by +0.030") in row[11]
    # several seeds at batch 256 are judged against the seed std too (only fresh-validation
    # seeds go by their paired standard error)
    row = recipe("ddmnist_d4_150ep_batch256", [0, 1], 256, [0.68, 0.69, 0.75, 0.76],
                 [0.72, 0.73, 0.79, 0.80])
    assert ("; the same seeds at batch 128: 0.705 and 0.725, so batch 256 moves ours' lead by "
            "+0.050 (beyond the seed std 0.010) and ours by +0.030") in row[11]


def _d4_row_with_curves(tmp_path) -> None:
    """A D4 row at 30 epochs, seeds 0-2 (CNN 0.70, 0.71, 0.72; ours 0.72, 0.73, 0.74), every
    fit with the validation curve 0.500 0.600 0.650."""
    _ddmnist_row(tmp_path, "ddmnist_dihedral", "D4xD4", [0.70, 0.71, 0.72, 0.72, 0.73, 0.74])
    runs = pd.read_csv(tmp_path / "ddmnist_dihedral_runs.csv")
    runs.assign(valid_curve="0.500 0.600 0.650").to_csv(
        tmp_path / "ddmnist_dihedral_runs.csv", index=False)


def _fresh_validation_run(tmp_path, name: str, seeds: list[int], upright: list[float],
                          methods: tuple[str, ...] = ("CNN", "ours"), **columns) -> None:
    """A D4 fresh-validation run at 30 epochs: its table ``name`` and seed-by-seed file,
    ``upright`` (and any list in ``columns``) by method, then seed."""
    pd.DataFrame(dict(group="D4xD4", method=list(methods), max_epochs=30)).to_csv(
        tmp_path / f"{name}.csv", index=False)
    pd.DataFrame(dict(group="D4xD4", method=[m for m in methods for _ in seeds],
                      seed=list(seeds) * len(methods), batch_size=128, validation="fresh",
                      upright=upright, **columns)).to_csv(tmp_path / f"{name}_runs.csv",
                                                          index=False)


def test_a_ddmnist_row_compares_fresh_validation_with_the_same_seeds_fits(reproduce, tmp_path,
                                                                         monkeypatch):
    _d4_row_with_curves(tmp_path)
    name = "ddmnist_d4_150ep_seed3_fresh_validation"
    monkeypatch.setattr(reproduce, "DDMNIST_RECIPE", (f"{name}.csv",))

    def fresh(once_ours):
        _fresh_validation_run(tmp_path, name, [1], [0.70, 0.76], upright_round_trip=[0.68, 0.74],
                              best_epoch=[3.0, 2.0],
                              valid_curve_once=["0.500 0.600 0.650 0.640", once_ours])
        return _row(reproduce.render(), "DDMNIST D4xD4")[11]

    why = fresh("0.500 0.600 0.650")
    assert "and moves its validation pairs afresh each epoch (the row's: once)" in why
    assert ("; with the validation pairs moved afresh each epoch (as the authors' loader moves "
            "them; the rows move them once), 1 seed (1) at 30 epochs, batch 128, scores CNN+aug "
            "0.700 and ours 0.760 on the row's clean upright pairs") in why
    assert ("; the same seed with its validation pairs moved once: 0.710 and 0.730, so moving "
            "them afresh moves ours' lead by +0.040 (beyond the seed std 0.010) and ours by "
            "+0.030 (epochs kept: CNN 3 and ours 2, against 28 and 28); it trained as the row's "
            "fits did (the same accuracy on the pairs moved once in every epoch both ran: 3 "
            "for the CNN, 3 for ours), so only the epoch kept differs") in why
    why = fresh("0.500 0.610 0.650")
    assert ("; but it did not train as the row's fits did (ours from epoch 2 scores "
            "differently on the pairs moved once), so the comparison is not paired") in why


def test_a_ddmnist_row_joins_its_fresh_validation_runs_seed_by_seed(reproduce, tmp_path,
                                                                    monkeypatch):
    # row: CNN 0.70, 0.71, 0.72 and ours 0.72, 0.73, 0.74 at seeds 0-2, each lead +0.020
    _d4_row_with_curves(tmp_path)
    names = ("ddmnist_d4_150ep_seed1_fresh_validation", "ddmnist_d4_150ep_seeds02_fresh_validation")
    lone = "ddmnist_d4_150ep_seed5_cnn_fresh_validation"
    monkeypatch.setattr(reproduce, "DDMNIST_RECIPE", tuple(f"{name}.csv" for name in
                                                           (*names, lone)))
    _fresh_validation_run(tmp_path, lone, [5], [0.5], methods=("CNN",), upright_round_trip=0.5,
                          best_epoch=3.0, valid_curve_once="0.500")
    for name, seeds, upright in zip(names, ([1], [0, 2]), ([0.70, 0.76], [0.69, 0.70, 0.75, 0.78])):
        _fresh_validation_run(tmp_path, name, seeds, upright, upright_round_trip=0.6,
                              best_epoch=[3.0] * len(seeds) + [2.0] * len(seeds),
                              valid_curve_once="0.500 0.600 0.650")
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    # one note for the three seeds, not one a run; a seed with one model alone is left out
    assert why.count("with the validation pairs moved afresh each epoch (as") == 1
    assert "seed 5" not in why and "(0, 1 and 2)" in why
    assert ("3 seeds (0, 1 and 2) at 30 epochs, batch 128, score CNN+aug 0.697 and ours 0.763 "
            "on the row's clean upright pairs") in why
    assert ("; the same seeds with their validation pairs moved once: 0.710 and 0.730, so "
            "moving them afresh moves ours' lead by +0.047 and ours by +0.033; seed by seed, "
            "ours' lead with the pairs moved afresh (moved once) and the epochs kept by the CNN "
            "and ours: seed 0 +0.060 (+0.020), 3 and 2 (28 and 28), seed 1 +0.060 (+0.020), 3 "
            "and 2 (28 and 28) and seed 2 +0.080 (+0.020), 3 and 2 (28 and 28); the lead moved "
            "by +0.047 on average (standard error 0.007, 7.0 from no move; it rose at 3 of 3 "
            "seeds), to a mean of +0.067 (the paper: +0.068; standard error 0.007, 0.2 from the "
            "paper): the authors' selection rule is a likely cause of the gap to the paper's "
            "lead; every seed trained as the row's fits did (the same accuracy on the pairs moved "
            "once in every epoch both ran: seed 0: 3 for the CNN, 3 for ours; seed 1: 3 for the "
            "CNN, 3 for ours; seed 2: 3 for the CNN, 3 for ours), so only the epoch kept "
            "differs") in why

    def verdict(ours_at_seeds_0_2):
        runs = pd.read_csv(tmp_path / f"{names[1]}_runs.csv")
        runs.loc[runs.method == "ours", "upright"] = ours_at_seeds_0_2
        runs.to_csv(tmp_path / f"{names[1]}_runs.csv", index=False)
        return _row(reproduce.render(), "DDMNIST D4xD4")[11]

    # leads +0.060, -0.010, +0.020 (moved +0.040, -0.030, +0.000): no move, 2.2 SE from the paper
    assert ("by +0.003 on average (standard error 0.020, 0.2 from no move; it rose at 1 of 3 "
            "seeds), to a mean of +0.023 (the paper: +0.068; standard error 0.020, 2.2 from the "
            "paper): so the authors' selection rule does not explain the gap to the paper's "
            "lead;") in verdict([0.68, 0.72])
    # leads +0.060, -0.010, +0.080: no move beyond the seeds' spread, but within 2 SE of the paper
    assert ("0.9 from no move; it rose at 2 of 3 seeds), to a mean of +0.043 (the paper: +0.068; "
            "standard error 0.027, 0.9 from the paper): so whether the authors' selection rule "
            "explains the gap to the paper's lead is not settled;") in verdict([0.68, 0.78])
    runs = pd.read_csv(tmp_path / f"{names[1]}_runs.csv")
    runs.loc[(runs.seed == 2) & (runs.method == "CNN"), "valid_curve_once"] = "0.500 0.600 0.7"
    runs.to_csv(tmp_path / f"{names[1]}_runs.csv", index=False)
    why = _row(reproduce.render(), "DDMNIST D4xD4")[11]
    assert ("; but not every seed trained as the row's fits did (the CNN at seed 2 from epoch 3 "
            "scores differently on the pairs moved once), so the comparison is not paired") in why


def test_a_ddmnist_seed_split_over_two_runs_counts_once_both_models_ran(reproduce, tmp_path,
                                                                        monkeypatch):
    # bench_ddmnist --methods runs a seed's two fits as two tables, one model each
    split = ("ddmnist_c4_150ep_seed2_ours.csv", "ddmnist_c4_150ep_seed2_cnn.csv")
    monkeypatch.setattr(reproduce, "DDMNIST_CONTROLS", ("ddmnist_c4_150ep.csv",) + split)
    _ddmnist_row(tmp_path, "ddmnist_c4", "C4xC4", [0.80, 0.81, 0.82, 0.83, 0.84, 0.85])

    def run(name, methods, seeds, upright, wall):
        pd.DataFrame(dict(group="C4xC4", method=methods, max_epochs=150, seeds=len(seeds),
                          device="CPU", wall_min=wall)).to_csv(tmp_path / name, index=False)
        pd.DataFrame(dict(group="C4xC4", method=[m for m in methods for _ in seeds],
                          seed=list(seeds) * len(methods), upright=upright, moved=0.7,
                          best_epoch=80.0, epochs=100.0, latent_error=1.0)).to_csv(
            tmp_path / name.replace(".csv", "_runs.csv"), index=False)

    run("ddmnist_c4_150ep.csv", ["CNN", "ours"], [0, 1], [0.85, 0.86, 0.87, 0.88], 95.0)
    run(split[0], ["ours"], [2], [0.90], 97.0)
    row = _row(reproduce.render(), "DDMNIST C4xC4")
    # seed 2 lacks its CNN: the row stays at 30 epochs with 3 seeds, seeds 0-1 its controls
    assert row[6] == "≤30 (early stopping)" and row[7] == "3"
    assert "at 150 (seed 0" in row[11] and "(seed 2" not in row[11]
    run(split[1], ["CNN"], [2], [0.84], 61.0)
    row = _row(reproduce.render(), "DDMNIST C4xC4")
    # CNN 0.85, 0.86, 0.84; ours 0.87, 0.88, 0.90: three seeds at 150, the row moves there
    assert row[6] == "≤150 (early stopping)" and row[7] == "3"
    assert row[4].startswith("CNN+aug 0.850 ± 0.010 / ours 0.883 ± 0.015 (upright)")
    assert row[9] == "95 min + 97 min + 61 min"
    assert ("seed by seed (0, 1 and 2): +0.020, +0.020 and +0.060, every one over the paper's "
            "+0.008; their mean +0.033 (standard error 0.013, 1.9 from the paper)") in row[11]
    assert "early stopping did not end" not in row[11]  # every fit stopped after 100 epochs
    # a fit that ran the whole budget is named; a lead as large as the paper's, but level
    runs = pd.read_csv(tmp_path / "ddmnist_c4_150ep_seed2_ours_runs.csv")
    runs.assign(upright=0.84, epochs=150.0, best_epoch=141.0).to_csv(
        tmp_path / "ddmnist_c4_150ep_seed2_ours_runs.csv", index=False)
    row = _row(reproduce.render(), "DDMNIST C4xC4")  # ours 0.87, 0.88, 0.84; CNN 0.850 ± 0.010
    assert row[10] == "not reproduced" and row[11].startswith(
        "ours ahead of the augmented CNN by 0.013, as far as the paper's 0.008 (itself inside "
        "our seed std), 0.052 under the paper's number (mean of 3 seeds; seed std up to 0.021, "
        "so the two are level within seed noise)")
    assert ("; early stopping did not end ours at seed 2 (best validation epoch 141 of 150): "
            "that fit may still have been rising at the budget's end;") in row[11]
