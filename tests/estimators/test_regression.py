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
def test_predict_has_fit_shape_and_score_is_r2_over_all_outputs(case):
    make, data = CASES[case]
    X, y = data()
    reg = make().fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == y.shape
    expected = r2_score(y.reshape(len(y), -1), pred.reshape(len(y), -1))
    assert reg.score(X, y) == pytest.approx(expected, rel=1e-6)
    weights = np.linspace(0.5, 1.5, len(y))
    assert reg.score(X, y, sample_weight=weights) == pytest.approx(
        r2_score(y.reshape(len(y), -1), pred.reshape(len(y), -1), sample_weight=weights), rel=1e-6)


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
