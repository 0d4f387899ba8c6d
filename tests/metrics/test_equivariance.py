"""equivariance_error against any group, per element, through Pipelines, as a scorer."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skequi import (
    EMLPClassifier,
    EMLPRegressor,
    GMCNNClassifier,
    GMCNNRegressor,
    LatentEquivariantClassifier,
    LatentEquivariantRegressor,
)
from skequi.datasets import load_digit_images, make_inertia
from skequi.metrics import equivariance_error, make_equivariance_scorer

FAST = dict(channels=(4, 4), max_epochs=4, lr=0.02, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digit_images()
    return X[:400], y[:400]


@pytest.fixture(scope="module")
def plain(digits):
    return GMCNNClassifier("C1", **FAST).fit(*digits)


@pytest.fixture(scope="module")
def exact_c4(digits):
    return GMCNNClassifier("C4", **FAST).fit(*digits)


def test_a_plain_cnn_is_measured_against_quarter_turns(plain, digits):
    X = digits[0][:50]
    assert plain.equivariance_error(X) == 0.0  # the trivial group has no other element
    assert plain.equivariance_error(X, group="C4") > 0.05
    per_element = plain.equivariance_error(X, group="D4", per_element=True)
    assert per_element.index.tolist() == ["r^1", "r^2", "r^3", "f", "f r^1", "f r^2", "f r^3"]
    assert (per_element > 0.01).all()
    assert per_element.attrs["group"] == "D4"


def test_an_exact_model_is_exact_in_its_group_only(exact_c4, digits):
    X = digits[0][:50]
    assert exact_c4.equivariance_error(X) < 1e-5
    assert exact_c4.equivariance_error(X, group="C2") < 1e-5  # a subgroup of C4
    d4 = exact_c4.equivariance_error(X, group="D4", per_element=True)
    assert (d4[["r^1", "r^2", "r^3"]] < 1e-5).all()
    assert (d4[["f", "f r^1", "f r^2", "f r^3"]] > 1e-3).all()  # mirrors are not in C4


def test_the_identity_is_not_averaged_in(plain, digits):
    """C2's error is the error of its one non-identity element (not half of it)."""
    X = digits[0][:50]
    c2 = plain.equivariance_error(X, group="C2", per_element=True)
    assert c2.index.tolist() == ["r^2"]
    assert plain.equivariance_error(X, group="C2") == pytest.approx(c2["r^2"])
    assert c2["r^2"] == pytest.approx(
        plain.equivariance_error(X, group="D4", per_element=True)["r^2"], rel=1e-9)


def test_a_pipeline_with_a_pointwise_step_is_measured_on_its_raw_inputs(digits):
    X, y = digits
    scale = FunctionTransformer(lambda values: values / 2.0)
    pipeline = make_pipeline(scale, GMCNNClassifier("C1", **FAST)).fit(X, y)
    bare = GMCNNClassifier("C1", **FAST).fit(X / 2.0, y)
    for group in ("C4", "D1d"):
        assert equivariance_error(pipeline, X[:40], group=group) == pytest.approx(
            bare.equivariance_error(X[:40] / 2.0, group=group), rel=1e-6)
    search = GridSearchCV(pipeline, {"gmcnnclassifier__group": ["C1", "C4"]}, cv=2,
                          scoring={"accuracy": "accuracy",
                                   "c4_error": make_equivariance_scorer("C4")},
                          refit="accuracy", error_score="raise").fit(X[:200], y[:200])
    errors = search.cv_results_["mean_test_c4_error"]
    assert np.isfinite(errors).all() and errors[0] > 0.01 and errors[1] < 1e-5


def test_field_regressors_move_their_outputs(digits):
    X = digits[0][:64]
    fields = np.rot90(X, axes=(2, 3)).copy() ** 2
    reg = GMCNNRegressor("D4", channels=(2, 2), max_epochs=2, random_state=0).fit(X, fields)
    assert reg.equivariance_error(X[:8]) < 1e-5
    assert reg.equivariance_error(X[:8], group="D2d") < 1e-5
    plain = GMCNNRegressor("C1", channels=(2, 2), max_epochs=2, random_state=0).fit(X, fields)
    assert plain.equivariance_error(X[:8], group="D4") > 1e-2


def test_emlp_against_another_matrix_group():
    X, y = make_inertia(300, random_state=0)
    common = dict(hidden=32, n_layers=1, max_epochs=3, random_state=0)
    emlp = EMLPRegressor("O(3)", "5S+5V", "V**2", **common).fit(X, y)
    mlp = EMLPRegressor("O(3)", "5S+5V", "V**2", architecture="mlp", **common).fit(X, y)
    assert emlp.equivariance_error(X[:50], group="SO(3)") < 1e-5
    assert mlp.equivariance_error(X[:50], group="SO(3)") > 1e-2
    # S(3) permutes the coordinates: a finite matrix group, every element listed
    assert len(emlp.equivariance_error(X[:50], group="S(3)", per_element=True)) == 5
    with pytest.raises(ValueError, match=r"acts on R\^3; group 'SO\(2\)' acts on R\^2"):
        emlp.equivariance_error(X[:50], group="SO(2)")
    labels = (np.linalg.norm(X[:, 5:8], axis=1) > 1).astype(int)
    clf = EMLPClassifier("O(3)", "5S+5V", **common).fit(X, labels)
    assert clf.equivariance_error(X[:50], group="SO(3)") < 1e-5


def test_latent_models_are_measured_on_their_predictions(digits):
    X, y = digits
    clf = LatentEquivariantClassifier("C4", channels=(4,), latent_dim=8, max_epochs=2,
                                      random_state=0).fit(X, y)
    errors = clf.equivariance_error(X[:30], group="D4", per_element=True)
    assert len(errors) == 7 and np.isfinite(errors).all()
    assert np.isfinite(clf.latent_equivariance_error(X[:30]))
    reg = LatentEquivariantRegressor("C4", channels=(4,), latent_dim=8, max_epochs=2,
                                     random_state=0, target_type="field")
    reg.fit(X[:64], (X[:64] ** 2).reshape(64, -1))
    assert np.isfinite(reg.equivariance_error(X[:8], group="C2"))


@pytest.mark.parametrize("group,match", [("S3", "subgroup of D4"), ("C28xC28", "own group"),
                                         ("O", "subgroup of D4")])
def test_groups_that_cannot_act_are_named(plain, digits, group, match):
    with pytest.raises(ValueError, match=match):
        plain.equivariance_error(digits[0][:4], group=group)


def test_axis_swapping_groups_need_square_images():
    X = np.random.default_rng(0).normal(size=(32, 1, 4, 8))
    y = np.arange(32) % 2
    clf = GMCNNClassifier("D1h", channels=(2,), max_epochs=1, random_state=0).fit(X, y)
    assert clf.equivariance_error(X[:4]) < 1e-5
    with pytest.raises(ValueError, match="swaps the image axes"):
        clf.equivariance_error(X[:4], group="D1d")


def test_the_scorer_needs_a_skequi_estimator(digits):
    from sklearn.dummy import DummyClassifier

    X, y = digits
    model = DummyClassifier().fit(X.reshape(len(X), -1), y)
    with pytest.raises(TypeError, match="skequi estimators or Pipelines ending in one"):
        equivariance_error(model, X)
    with pytest.raises(ValueError, match="invalid group spec 'Q8'"):
        make_equivariance_scorer("Q8")
