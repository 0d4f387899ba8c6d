"""GMCNNClassifier / GMCNNRegressor end to end on digits and synthetic fields."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError

import skequi
from skequi import GMCNNClassifier, GMCNNRegressor
from skequi.groups import get_group
from skequi.metrics import TransformedScorer, equivariance_error, n_params
from skequi.reporting import results_frame
from skequi.transforms import apply_group

FAST = dict(channels=(4, 4), max_epochs=6, batch_size=32, lr=0.02, random_state=0)


def test_fit_predict_proba_score(digits):
    X, y = digits
    clf = GMCNNClassifier("C4", **FAST).fit(X, y)
    proba = clf.predict_proba(X[:10])
    assert proba.shape == (10, 10) and np.allclose(proba.sum(1), 1)
    assert set(clf.predict(X)) <= set(y)
    assert 0.3 < clf.score(X, y) <= 1.0  # well above chance after 3 epochs
    assert clf.n_params_ == sum(p.numel() for p in clf.module_.parameters())
    assert clf.n_features_in_ == 64  # values per sample, whatever the input form
    assert len(pd.DataFrame(clf.history_)) == 6


def test_fits_saves_and_loads_on_device(device, digits, tmp_path):
    X, y = digits
    clf = GMCNNClassifier("C4", relaxation_rank=1, device=device, **FAST).fit(X, y)
    assert next(clf.module_.parameters()).device.type == device
    proba = clf.predict_proba(X[:10])
    assert np.isfinite(proba).all() and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert np.isfinite(clf.equivariance_error(X[:20]))
    clf.save(tmp_path / "gmcnn.pt")
    loaded = skequi.load(tmp_path / "gmcnn.pt", device=device)
    assert np.allclose(loaded.predict_proba(X[:10]), proba, atol=1e-5)


@pytest.mark.parametrize("group", ["C4", "D4"])
def test_exact_models_give_identical_probabilities_on_transformed_inputs(group, digits):
    X, y = digits
    clf = GMCNNClassifier(group, **FAST).fit(X, y)
    reference = clf.predict_proba(X[:20])
    for g in range(get_group(group).order):
        moved = apply_group(X[:20], g, group)
        assert np.abs(clf.predict_proba(moved) - reference).max() < 1e-4
    assert clf.equivariance_error(X[:20]) < 1e-4
    assert equivariance_error(clf, X[:20]) == clf.equivariance_error(X[:20])


def test_relaxed_model_is_exact_at_init_and_not_after_training(digits):
    X, y = digits
    clf = GMCNNClassifier("C4", relaxation_rank=2, **{**FAST, "max_epochs": 1})
    clf.fit(X, y)
    assert clf.equivariance_error(X[:20]) > 1e-4
    untrained = GMCNNClassifier("C4", relaxation_rank=2, **{**FAST, "max_epochs": 1, "lr": 1e-12})
    untrained.fit(X, y)
    assert untrained.equivariance_error(X[:20]) < 1e-4


def test_string_and_non_contiguous_labels(digits):
    X, y = digits
    names = np.array(["zero", "one", "two", "three", "four",
                      "five", "six", "seven", "eight", "nine"])
    clf = GMCNNClassifier("C2", **FAST).fit(X, names[y])
    assert clf.predict(X[:5]).dtype.kind == "U"
    sparse = GMCNNClassifier("C2", **FAST).fit(X, y * 10 + 3)
    assert set(sparse.classes_) == set(y * 10 + 3)


def test_input_forms_flat_3d_pandas_torch_float64(digits):
    X, y = digits
    clf = GMCNNClassifier("D4", **FAST).fit(X.reshape(len(X), 64).astype(np.float64), y)
    expected = clf.predict_proba(X)
    assert np.allclose(clf.predict_proba(X[:, 0]), expected, atol=1e-6)
    assert np.allclose(clf.predict_proba(pd.DataFrame(X.reshape(len(X), -1))), expected, atol=1e-6)
    assert np.allclose(clf.predict_proba(torch.from_numpy(X)), expected, atol=1e-6)
    rect = GMCNNClassifier("D2", image_shape=(4, 16), **FAST).fit(X.reshape(len(X), 64), y)
    assert rect.fit_meta_["input_shape"] == [1, 4, 16]


def test_random_state_reproducible_and_global_rng_untouched(digits):
    X, y = digits
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = GMCNNClassifier("C4", **FAST).fit(X, y).predict_proba(X)
    after = torch.rand(1)
    b = GMCNNClassifier("C4", **FAST).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
    assert torch.equal(before, after)


def test_clone_pickle_save_params_and_save_load_round_trips(digits, tmp_path):
    X, y = digits
    clf = GMCNNClassifier("D4", relaxation_rank=1, **FAST).fit(X, y)
    expected = clf.predict_proba(X)
    assert clone(clf).get_params()["group"] == "D4"
    assert clone(clf).get_params()["device"] == "auto"
    assert np.array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)

    params_file = tmp_path / "params.pt"
    clf.save_params(f_params=params_file)
    fresh = GMCNNClassifier("D4", relaxation_rank=1, **FAST)
    fresh._prepare_Xy(X, y, reset=True)  # shapes from data, then skorch's loader
    fresh.initialize()
    fresh.load_params(f_params=params_file)
    assert np.array_equal(fresh.predict_proba(X), expected)

    path = tmp_path / "model.skequi"
    clf.save(path)
    loaded = skequi.load(path, device="cpu")
    assert np.array_equal(loaded.predict_proba(X), expected)
    assert list(loaded.classes_) == list(clf.classes_)


def test_save_refuses_unserialisable_params(digits, tmp_path):
    from skorch.callbacks import EpochTimer

    X, y = digits
    clf = GMCNNClassifier("C1", callbacks=[EpochTimer()], **FAST).fit(X, y)
    with pytest.raises(ValueError, match="use pickle or joblib"):
        clf.save(tmp_path / "x.skequi")


def test_grid_search_over_group_and_relaxation_rank(digits):
    X, y = digits
    search = GridSearchCV(
        GMCNNClassifier(**FAST),
        {"group": ["C1", "C4"], "relaxation_rank": [0, 1]},
        cv=2,
        scoring={"rotated": TransformedScorer("C4"), "accuracy": "accuracy", "n_params": n_params},
        refit="rotated",
    ).fit(X, y)
    frame = results_frame(search)
    assert len(frame) == 4
    assert {"group", "relaxation_rank", "mean_test_score", "std_test_score", "rank_test_score",
            "mean_fit_time", "n_params", "mean_test_accuracy"} <= set(frame.columns)
    assert frame.rank_test_score.tolist() == sorted(frame.rank_test_score)
    # without the n_params scorer, counts come from building each candidate's module
    plain = GridSearchCV(GMCNNClassifier(**FAST), {"group": ["C1", "C4"]}, cv=2).fit(X, y)
    counts = results_frame(plain).set_index("group").n_params
    assert counts["C4"] != counts["C1"]


def test_pipeline_with_preprocessing(digits):
    X, y = digits
    pipe = make_pipeline(FunctionTransformer(lambda a: a * 16.0 - 8.0),
                         GMCNNClassifier("C4", **FAST))
    pipe.fit(X.reshape(len(X), -1), y)
    assert pipe.score(X.reshape(len(X), -1), y) > 0.2


def test_early_stopping_holds_out_and_stops(digits):
    X, y = digits
    clf = GMCNNClassifier("C1", early_stopping=2, **{**FAST, "max_epochs": 30, "lr": 1e-6})
    clf.fit(X, y)
    history = pd.DataFrame(clf.history_)
    assert "valid_loss" in history and len(history) < 30


def test_warm_start_partial_fit_continues(digits):
    X, y = digits
    clf = GMCNNClassifier("C4", **FAST).fit(X, y)
    clf.partial_fit(X, y)
    assert len(clf.history_) == 12


@pytest.mark.parametrize(
    "X_change,y_change,kwargs,error,match",
    [
        (lambda X: np.where(X > 0.5, np.nan, X), None, {}, ValueError, "NaN"),
        (lambda X: np.where(X > 0.5, np.inf, X), None, {}, ValueError, "infinity"),
        (lambda X: X.reshape(-1), None, {}, ValueError, "1D array"),
        (lambda X: X[:, :, :, :6], None, {}, ValueError, "square images"),
        (lambda X: X[:0], lambda y: y[:0], {}, ValueError, "0 sample"),
        (None, lambda y: y[:-1], {}, ValueError, "inconsistent numbers of samples"),
        (None, None, {"group": "Q7"}, ValueError, "invalid group spec 'Q7'"),
        (None, None, {"group": "C5"}, ValueError, "cannot act on a square pixel grid"),
        (None, None, {"relaxation_rank": -1}, InvalidParameterError, "relaxation_rank"),
        (None, None, {"group": "C8xC8", "field": "vector"}, ValueError, "no rotation"),
        (None, None, {"field": "vector"}, ValueError, r"\(u, v\) pairs"),
        (lambda X: X[:, :, :6, :6], None, {"group": "C8xC8"}, ValueError, "must match"),
        (None, None, {"normalization": "layer"}, InvalidParameterError, "normalization"),
        (None, None, {"group": "C8xC8", "normalization": None}, ValueError,
         "takes its normalisation from paper_block"),
    ],
)
def test_bad_input_raises_before_torch(digits, X_change, y_change, kwargs, error, match):
    X, y = digits
    X = X_change(X) if X_change else X
    y = y_change(y) if y_change else y
    clf = GMCNNClassifier(**{**FAST, **kwargs})
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")  # nothing was built


def test_predict_before_fit_and_on_wrong_shape(digits):
    X, y = digits
    with pytest.raises(NotFittedError):
        GMCNNClassifier().predict(X)
    clf = GMCNNClassifier("C4", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 36 features, but GMCNNClassifier is expecting 64"):
        clf.predict(np.zeros((2, 1, 6, 6)))


@pytest.mark.parametrize("block", ["reference", "compact"])
def test_paper_faithful_product_group(digits, block):
    X, y = digits
    clf = GMCNNClassifier("C8xC8", channels=(6, 6), max_epochs=2, paper_block=block,
                          random_state=0).fit(X, y)
    assert clf.equivariance_error(X[:10]) < 1e-4  # invariant to cyclic shifts of the grid
    assert clf.n_params_ < 600


@pytest.mark.parametrize("group,expected", [("C28xC28", 13_451), ("D14xD14", 48_731)])
def test_the_reference_configs_have_the_references_parameter_counts(group, expected):
    """gmcnn_base.py of the paper's repository: 1 input channel, 10 classes, two blocks of
    120 channels, radius 3 (the rot-mnist config)."""
    X = np.random.default_rng(0).random((20, 1, 28, 28)).astype(np.float32)
    clf = GMCNNClassifier(group, channels=(120, 120), kernel_radius=3, max_epochs=1,
                          random_state=0).fit(X, np.arange(20) % 10)
    assert clf.n_params_ == expected
    assert clf.equivariance_error(X[:4]) < 1e-5


def _fields(n=24, size=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2, size, size)).astype(np.float32)


@pytest.mark.parametrize("field", ["scalar", "vector"])
def test_field_regressor_is_equivariant(field):
    X = _fields()
    y = np.roll(X, 1, axis=-1) * 0.5  # any target; equivariance is architectural
    reg = GMCNNRegressor("D4", field=field, **FAST).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.equivariance_error(X[:6]) < 1e-4
    assert np.isfinite(reg.score(X, y))


def test_regressor_vector_and_1d_targets():
    X = _fields()
    y = X.mean(axis=(1, 2, 3))
    reg = GMCNNRegressor("C4", **FAST).fit(X, y)
    assert reg.predict(X).shape == (24,)
    reg2 = GMCNNRegressor("C4", **FAST).fit(X, np.stack([y, -y], 1))
    assert reg2.predict(X).shape == (24, 2)
    assert reg2.equivariance_error(X[:4]) < 1e-4


def test_regressor_relaxed_breaks_equivariance_after_training():
    X = _fields()
    ramp = np.linspace(0, 1, 8, dtype=np.float32)
    y = X[:, :1] * ramp  # position-dependent target no rotation preserves
    reg = GMCNNRegressor("C4", relaxation_rank=1, **{**FAST, "max_epochs": 5}).fit(X, y)
    assert reg.equivariance_error(X[:6]) > 1e-4


def test_vector_targets_turn_with_the_group():
    # the mean flow of a vector field is a vector: rotating the field rotates it
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(128, 2, 8, 8)) + rng.normal(size=(128, 2, 1, 1))).astype(np.float32)
    y = X.mean(axis=(2, 3))
    common = dict(field="vector", channels=(4,), max_epochs=40, lr=0.02, random_state=0)
    vector = GMCNNRegressor("C4", target_type="vector", **common).fit(X, y)
    invariant = GMCNNRegressor("C4", **common).fit(X, y)
    assert vector.score(X, y) > 0.95 and invariant.score(X, y) < 0.3
    assert vector.equivariance_error(X[:16]) < 1e-5
    turned = apply_group(X[:8], 1, "C4", "vector")
    quarter_turn = np.array([[0, -1], [1, 0]])
    assert np.allclose(vector.predict(turned), vector.predict(X[:8]) @ quarter_turn.T, atol=1e-4)
    with pytest.raises(ValueError, match=r"\(n, 2k\)"):
        GMCNNRegressor("C4", target_type="vector", **common).fit(X, y[:, :1])


def test_repr_is_scikit_learns_fitted_or_not(digits):
    clf = GMCNNClassifier("D4", relaxation_rank=1)
    assert repr(clf) == "GMCNNClassifier(group='D4', relaxation_rank=1)"
    X, y = digits
    clf.set_params(channels=(2,), max_epochs=1).fit(X, y)
    assert repr(clf) == ("GMCNNClassifier(channels=(2,), group='D4', max_epochs=1, "
                         "relaxation_rank=1)")
    assert repr(GMCNNRegressor()) == "GMCNNRegressor()"


@pytest.mark.parametrize("reference", [(8, 8, 8), (16, 16)])
def test_matched_widths_keep_every_group_within_ten_percent(digits, reference):
    from tests.conftest import LATTICE_GROUPS

    X, y = digits
    counts = {}
    for group in LATTICE_GROUPS:
        clf = GMCNNClassifier(group, channels="matched", reference_channels=reference,
                              max_epochs=1, random_state=0).fit(X[:64], y[:64])
        counts[group] = clf.n_params_
        assert len(clf.channels_) == len(reference)
        assert clf.fit_meta_["matched"]["reference_n_params"] == counts.get("C1", clf.n_params_)
    plain = counts["C1"]
    assert all(abs(n - plain) <= 0.1 * plain for n in counts.values()), counts


def test_matched_relaxed_models_keep_the_exact_widths_and_add_the_relaxation(digits):
    X, y = digits
    exact = GMCNNClassifier("C4", channels="matched", max_epochs=1, random_state=0).fit(X, y)
    relaxed = GMCNNClassifier("C4", 2, channels="matched", max_epochs=1, random_state=0).fit(X, y)
    assert relaxed.channels_ == exact.channels_ and relaxed.n_params_ > exact.n_params_


def test_a_match_out_of_reach_warns():
    X = np.random.default_rng(0).normal(size=(16, 1, 8, 8))
    with pytest.warns(UserWarning, match="found no widths .* within 10%"):
        GMCNNClassifier("D4", channels="matched", reference_channels=(2, 1), max_epochs=1,
                        random_state=0).fit(X, np.arange(16) % 2)
