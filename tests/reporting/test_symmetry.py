"""The symmetry report's pieces: the sentence, the per-element table, the recommendation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from skequi import GMCNNClassifier, GMCNNRegressor
from skequi.datasets import load_digit_images, make_mirror_fields
from skequi.reporting import (
    element_table,
    recommended_subgroup,
    symmetry_answer,
    symmetry_scoring,
)


def _cv(rows):
    """cv_results_ of (group, rank, per-fold scores) rows."""
    return {"params": [{"group": g, "relaxation_rank": r} for g, r, _ in rows],
            "mean_test_score": [float(np.mean(s)) for _, _, s in rows],
            **{f"split{k}_test_score": [s[k] for _, _, s in rows] for k in range(3)}}


def test_relaxed_best_against_exact_and_plain():
    cv = _cv([("C1", 0, [0.70, 0.71, 0.72]), ("C4", 0, [0.80, 0.78, 0.79]),
              ("C4", 1, [0.83, 0.82, 0.84])])
    sentence, numbers = symmetry_answer(cv)
    assert sentence.startswith("C4 with relaxation rank 1 beats exact C4 by 4.0 ± 1.0 points")
    assert "and the plain CNN by 12.0 ± 1.0" in sentence
    assert sentence.endswith("the data look approximately C4-symmetric.")
    assert numbers["best_rank"] == 1 and numbers["vs_plain"] == pytest.approx((12.0, 1.0))


def test_exact_best_and_a_gap_within_the_spread():
    cv = _cv([("C1", 0, [0.70, 0.76, 0.73]), ("D1d", 0, [0.75, 0.72, 0.74])])
    sentence, _ = symmetry_answer(cv)
    assert sentence.startswith("Exact D1d beats the plain CNN by 0.7")
    assert "within its spread over the folds" in sentence


def test_plain_best_names_the_runner_up():
    cv = _cv([("C1", 0, [0.90, 0.91, 0.92]), ("C4", 0, [0.60, 0.61, 0.62]),
              ("D4", 1, [0.70, 0.70, 0.70])])
    sentence, numbers = symmetry_answer(cv)
    assert sentence.startswith("The plain CNN scores best, 21.0 ± 1.0 points above the best "
                               "equivariant model (D4, relaxation rank 1)")
    assert sentence.endswith("do not look symmetric under C4, D4.")


def test_scorers_skip_groups_that_move_nothing():
    assert sorted(symmetry_scoring(["C1", "Trivial(3)", "SO(3)"])) == [
        "error_vs_SO(3)", "score", "score_on_SO(3)"]


def test_element_table_of_a_transpose_symmetric_operator():
    X, y = make_mirror_fields(240, size=8, random_state=0)
    model = GMCNNRegressor("C1", channels=(6, 6), max_epochs=30, random_state=0)
    model.fit(X[:180], y[:180])

    def pooled(a, b):
        return r2_score(a.reshape(len(a), -1), b.reshape(len(b), -1),
                        multioutput="variance_weighted")
    table = element_table(model, X[180:], y[180:], "D4", metric=pooled)
    assert table.index.tolist() == ["e", "r^1", "r^2", "r^3", "f", "f r^1", "f r^2", "f r^3"]
    assert table.holds["f r^3"] and not table.holds.drop(["e", "f r^3"]).any()
    assert table.loc["e", "drop"] == 0 and (table.se.drop("e") > 0).all()
    assert recommended_subgroup(table) == "D1d"


def test_element_table_of_labels_moves_inputs_only():
    X, y = load_digit_images()
    model = GMCNNClassifier("C1", channels=(8, 8), max_epochs=10, random_state=0)
    model.fit(X[:600], y[:600])
    table = element_table(model, X[600:900], y[600:900], "C2",
                          metric=lambda a, b: float(np.mean(a == b)))
    assert table.index.tolist() == ["e", "r^2"]
    assert table.loc["r^2", "drop"] > 5  # upright digits turned upside down lose accuracy


@pytest.mark.parametrize("held,group,expected", [
    (["e"], "D4", "C1"), (["e", "r^2"], "D4", "C2"), (["e", "r^2", "f r^1", "f r^3"], "D4", "D2d"),
    (list(["e", "r^1", "r^2", "r^3", "f", "f r^1", "f r^2", "f r^3"]), "D4", "D4"),
    (["e", "r^2", "f"], "D4", "C2"),  # f alone: D1 ties C2 in order; scores decide below
    (["e", "f"], "D2", "D1"),
])
def test_recommendation_is_the_largest_subgroup_that_holds(held, group, expected):
    from skequi.groups import get_group

    elements = get_group(group).elements
    table = pd.DataFrame({"holds": [e in held for e in elements],
                          "score": [90.0 if e != "f" else 80.0 for e in elements]},
                         index=list(elements))
    assert recommended_subgroup(table, group) == expected
    assert recommended_subgroup(table, "SO(3)") is None
