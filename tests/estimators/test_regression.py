"""What every regressor shares: predictions in fit's shape, R^2 over all outputs, no
probabilities."""

import numpy as np
import pytest
from sklearn.metrics import r2_score

from skequi import EMLPRegressor, GMCNNRegressor, LatentEquivariantRegressor
from skequi.datasets import make_o5_synthetic

TINY = dict(max_epochs=2, batch_size=16, random_state=0)


def _fields(n=24):
    X = np.random.default_rng(0).normal(size=(n, 1, 8, 8)).astype(np.float32)
    return X, np.rot90(X, axes=(2, 3)) ** 2


def _vectors(n=48):
    X, y = make_o5_synthetic(n, random_state=0)
    return X, np.stack([y, 2 * y], axis=1)


CASES = {
    "gmcnn-fields": (lambda: GMCNNRegressor("C4", channels=(2,), **TINY), _fields),
    "latent-fields": (lambda: LatentEquivariantRegressor("C4", channels=(2,), latent_dim=8, **TINY),
                      _fields),
    "latent-vector": (lambda: LatentEquivariantRegressor("C4", channels=(2,), latent_dim=8, **TINY),
                      lambda: (_fields()[0], _fields()[1].mean(axis=(1, 2))[:, :3])),
    "emlp-vector": (lambda: EMLPRegressor("O(5)", "2V", None, hidden=16, **TINY), _vectors),
}


@pytest.mark.parametrize("case", CASES)
def test_predict_has_fit_shape_and_score_is_r2(case):
    """R^2 pooled over all values for fields, the mean of the columns' R^2 for vectors."""
    make, data = CASES[case]
    X, y = data()
    reg = make().fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == y.shape
    pooled = "variance_weighted" if case.endswith("fields") else "uniform_average"
    flat_y, flat_pred = y.reshape(len(y), -1), pred.reshape(len(y), -1)
    assert reg.score(X, y) == pytest.approx(r2_score(flat_y, flat_pred, multioutput=pooled),
                                            rel=1e-6)
    weights = np.linspace(0.5, 1.5, len(y))
    assert reg.score(X, y, sample_weight=weights) == pytest.approx(
        r2_score(flat_y, flat_pred, sample_weight=weights, multioutput=pooled), rel=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_regressors_have_no_probabilities_and_take_multi_output_targets(case):
    reg = CASES[case][0]()
    assert not hasattr(reg, "predict_proba")
    assert reg.__sklearn_tags__().target_tags.multi_output


def test_score_rejects_targets_of_another_length():
    X, y = _fields()
    reg = GMCNNRegressor("C4", channels=(2,), **TINY).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.score(X, y[:-1])


FIELD_REGRESSORS = {
    "gmcnn": lambda **kw: GMCNNRegressor("C4", channels=(2, 2), **TINY, **kw),
    "latent": lambda **kw: LatentEquivariantRegressor("C4", channels=(2,), latent_dim=8, **TINY,
                                                      **kw),
}


@pytest.mark.parametrize("family", FIELD_REGRESSORS)
def test_flattened_field_targets_train_the_same_model(family):
    X, y = _fields()
    make = FIELD_REGRESSORS[family]
    four_d = make().fit(X, y)
    flat = make(target_type="field").fit(X, y.reshape(len(y), -1))
    assert flat.n_params_ == four_d.n_params_
    assert flat.predict(X).shape == (len(X), 64)
    assert np.allclose(flat.predict(X).reshape(y.shape), four_d.predict(X), atol=1e-6)
    # the equivariance of the field model survives the flat form
    assert flat.equivariance_error(X[:6]) == pytest.approx(four_d.equivariance_error(X[:6]),
                                                           abs=1e-6)
    if family == "gmcnn":
        assert four_d.equivariance_error(X[:6]) < 1e-5


def test_flat_targets_without_target_type_warn_that_they_are_numbers():
    X, y = _fields()
    with pytest.warns(UserWarning, match="target_type='field'"):
        GMCNNRegressor("C4", channels=(2,), **TINY).fit(X, y.reshape(len(y), -1))


def test_grid_search_scores_flat_field_targets_with_any_sklearn_scorer():
    from sklearn.model_selection import GridSearchCV

    X, y = _fields(32)
    flat = y.reshape(len(y), -1)
    search = GridSearchCV(GMCNNRegressor(target_type="field", channels=(2, 2), **TINY),
                          {"group": ["C1", "C4"], "relaxation_rank": [0, 1]},
                          scoring={"r2": "r2", "mse": "neg_mean_squared_error"}, refit="r2",
                          cv=2, error_score="raise").fit(X, flat)
    for key in ("mean_test_r2", "mean_test_mse"):
        assert np.isfinite(search.cv_results_[key]).all()
    assert search.best_estimator_.predict(X).shape == flat.shape


def test_field_score_is_not_ruled_by_constant_boundary_pixels():
    """Pooled R^2 stays in [-1, 1] for a model whose relative L2 error is below 0.5."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 1, 8, 8)).astype(np.float32)
    y = X.copy()
    y[:, :, 0, :] = 1.0  # a fixed boundary row, as a Dirichlet condition
    y[:, :, 0, 0] += rng.normal(scale=1e-4, size=64)[:, None]  # ... up to rounding
    reg = GMCNNRegressor("C1", channels=(4,), max_epochs=30, lr=0.02, batch_size=16,
                         random_state=0).fit(X, y)
    pred = reg.predict(X)
    relative_l2 = np.linalg.norm(pred - y) / np.linalg.norm(y)
    assert relative_l2 < 0.5
    assert -1.0 <= reg.score(X, y) <= 1.0
    # the per-pixel average the default used to be is ruled by the near-constant pixel
    assert r2_score(y.reshape(64, -1), pred.reshape(64, -1)) < reg.score(X, y)
