"""Every estimator x every kind of bad input: a clear error, raised before torch runs,
and a fitted estimator that predicts bit for bit as before.

Each case is applied to a copy of a fitted estimator. The test asserts the
error type, that the message names the input or parameter, that the raising
frame is not inside torch, and that after the parameters are set back the copy
predicts exactly what the fitted estimator predicts.
"""

import copy
import traceback

import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.exceptions import NotFittedError

from skequi import (
    EMLPClassifier,
    EMLPRegressor,
    GMCNNClassifier,
    GMCNNRegressor,
    LatentEquivariantClassifier,
    LatentEquivariantRegressor,
)
from skequi.datasets import load_digit_images, make_o5_synthetic

IMAGES = ("GMCNNClassifier", "GMCNNRegressor", "LatentEquivariantClassifier",
          "LatentEquivariantRegressor")
EMLP = ("EMLPClassifier", "EMLPRegressor")
CLASSIFIERS = ("GMCNNClassifier", "EMLPClassifier", "LatentEquivariantClassifier")
REGRESSORS = ("GMCNNRegressor", "EMLPRegressor", "LatentEquivariantRegressor")
ALL = IMAGES + EMLP


def _digits():
    X, y = load_digit_images()
    return X[:60], y[:60]


def _o5():
    return make_o5_synthetic(60, random_state=0)


FAMILIES = {
    "GMCNNClassifier": (lambda: GMCNNClassifier("C4", channels=(2,), max_epochs=1,
                                                random_state=0), _digits),
    "GMCNNRegressor": (lambda: GMCNNRegressor("C4", channels=(2,), max_epochs=1,
                                              random_state=0),
                       lambda: (_digits()[0], _digits()[0] ** 2)),
    "EMLPClassifier": (lambda: EMLPClassifier("O(5)", "2V", hidden=16, n_layers=1, max_epochs=1,
                                              random_state=0),
                       lambda: (_o5()[0], (_o5()[1] > np.median(_o5()[1])).astype(int))),
    "EMLPRegressor": (lambda: EMLPRegressor("O(5)", "2V", "S", hidden=16, n_layers=1,
                                            max_epochs=1, random_state=0), _o5),
    "LatentEquivariantClassifier": (lambda: LatentEquivariantClassifier(
        "C4", channels=(2,), latent_dim=8, max_epochs=1, random_state=0), _digits),
    "LatentEquivariantRegressor": (lambda: LatentEquivariantRegressor(
        "C4", channels=(2,), latent_dim=8, max_epochs=1, random_state=0),
        lambda: (_digits()[0], _digits()[0].mean(axis=(1, 2, 3)))),
}


def _replace(a, index, value):
    a = np.array(a, dtype=float, copy=True)
    a.flat[index] = value
    return a


def _fewer_features(X):
    X = np.asarray(X)
    return X[..., :5, :5] if X.ndim > 2 else X[:, :5]


def fit(**params):
    """A fit with bad parameters."""
    return lambda est, X, y: est.set_params(**params).fit(X, y)


def fit_data(change_X=None, change_y=None, **fit_kwargs):
    """A fit with bad data."""
    def call(est, X, y):
        return est.fit(change_X(X) if change_X else X, change_y(y) if change_y else y,
                       **fit_kwargs)
    return call


def weights(make):
    return lambda est, X, y: est.fit(X, y, sample_weight=make(len(X)))


# (id, call, families, error types, regex the message must match)
CASES = [
    # -- X ---------------------------------------------------------------------------------
    ("X NaN", fit_data(lambda X: _replace(X, 3, np.nan)), ALL, ValueError, "NaN"),
    ("X inf", fit_data(lambda X: _replace(X, 3, np.inf)), ALL, ValueError, "infinity"),
    ("X empty", fit_data(lambda X: X[:0], lambda y: y[:0]), ALL, ValueError,
     "0 sample|minimum of 1"),
    ("X 1-D", fit_data(lambda X: np.ravel(X)), ALL, ValueError, "1D array|X"),
    ("X 6-D", fit_data(lambda X: np.reshape(X, (len(X), 1, 1, 1, -1, 1))), IMAGES, ValueError,
     r"X must be|expects images|X has shape|acts on images"),
    ("X 3-D tabular", fit_data(lambda X: np.reshape(X, (len(X), 2, -1))), EMLP, ValueError,
     "3D|dim"),
    ("X sparse", fit_data(lambda X: scipy.sparse.csr_matrix(np.reshape(X, (len(X), -1)))), ALL,
     TypeError, "[Ss]parse"),
    ("X complex", fit_data(lambda X: np.asarray(X) + 1j), ALL, ValueError, "[Cc]omplex"),
    ("X strings", fit_data(lambda X: np.full(np.shape(X), "a")), ALL, ValueError,
     "X|string"),
    ("X object ragged", fit_data(lambda X: [np.zeros(3)] * (len(X) - 1) + [np.zeros(5)]), ALL,
     ValueError, "X"),
    ("X list of strings", fit_data(lambda X: [["a", "b"]] * len(X)), ALL, ValueError, "X"),
    ("X and y lengths", fit_data(lambda X: X[:-5]), ALL, ValueError,
     "inconsistent numbers of samples"),
    ("X non-square for a rotation", fit_data(lambda X: X[..., :6]), IMAGES, ValueError,
     "square|equal sides"),
    ("X channels-last", fit_data(lambda X: np.moveaxis(X, 1, -1)), IMAGES, ValueError,
     r"\(n, C, H, W\)|channels-last"),
    ("X channels-last RGB", fit_data(lambda X: np.repeat(np.moveaxis(X, 1, -1), 3, axis=-1)),
     IMAGES, ValueError, r"channels-last.*transpose\(0, 3, 1, 2\)"),
    ("X flat non-square", fit_data(lambda X: np.reshape(X, (len(X), -1))[:, :60]), IMAGES,
     ValueError, "image_shape"),
    ("X columns vs rep_in", fit_data(lambda X: X[:, :7]), EMLP, ValueError, "rep_in"),
    ("X beyond float32", fit_data(lambda X: _replace(X, 5, 1e39)), ALL, ValueError,
     r"X has 1 value beyond float32's range .*precision='float64'"),
    # -- y ---------------------------------------------------------------------------------
    ("y None", fit_data(change_y=lambda y: None), ALL, ValueError, "y"),
    ("y NaN", fit_data(change_y=lambda y: _replace(y, 0, np.nan)), ALL, ValueError,
     "NaN|y"),
    ("y inf", fit_data(change_y=lambda y: _replace(y, 0, np.inf)), ALL, ValueError,
     "infinity|y|Unknown label"),
    ("y strings for a regressor", fit_data(change_y=lambda y: np.full(np.shape(y), "a")),
     REGRESSORS, ValueError, "y"),
    ("y one class", fit_data(change_y=lambda y: np.zeros(len(y), dtype=int)), CLASSIFIERS,
     ValueError, "at least 2 classes"),
    ("y continuous for a classifier", fit_data(change_y=lambda y: np.linspace(0, 1, len(y))),
     CLASSIFIERS, ValueError, "label type|continuous"),
    ("y 3-D for a tabular target", fit_data(change_y=lambda y: np.zeros((len(y), 2, 2, 2))),
     ("EMLPRegressor",), ValueError, "rep_out|y"),
    ("y columns vs rep_out", fit_data(change_y=lambda y: np.zeros((len(y), 3))),
     ("EMLPRegressor",), ValueError, "rep_out"),
    ("y beyond float32", fit_data(change_y=lambda y: _replace(y, 0, -1e40)), REGRESSORS,
     ValueError, r"y has 1 value beyond float32's range"),
    ("y fields on another grid", fit_data(change_y=lambda y: np.zeros((len(y), 1, 4, 4))),
     ("GMCNNRegressor",), ValueError, "grid"),
    # -- sample_weight ------------------------------------------------------------------------
    ("sample_weight negative", weights(lambda n: -np.ones(n)), ALL, ValueError,
     "sample_weight|[Nn]egative"),
    ("sample_weight length", weights(lambda n: np.ones(n + 1)), ALL, ValueError,
     "sample_weight"),
    ("sample_weight all zero", weights(lambda n: np.zeros(n)), ALL, ValueError,
     "sample_weight"),
    ("sample_weight NaN", weights(lambda n: np.full(n, np.nan)), ALL, ValueError,
     "NaN|sample_weight"),
    ("sample_weight 2-D", weights(lambda n: np.ones((n, 2))), ALL, ValueError,
     "sample_weight|1D|dimension"),
    ("sample_weight spanning more than float32", weights(lambda n: np.r_[1e-300, np.ones(n - 1)]),
     ALL, ValueError, "spans more than float32 can hold"),
    # -- groups and representations ------------------------------------------------------------
    ("group unknown", fit(group="Q7"), ALL, ValueError, "invalid group spec 'Q7'"),
    ("group malformed", fit(group="SO(3"), ALL, ValueError, "SO\\(3"),
    ("group C5 on the grid", fit(group="C5"), ("GMCNNClassifier", "GMCNNRegressor"),
     ValueError, "cannot act on a square pixel grid"),
    ("group matrix group for the latent method", fit(group="SO(3)"),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "needs a finite group"),
    ("group product without input_action", fit(group="C4xC4"),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "input_action"),
    ("group of another dimension", fit(group="O(3)"), EMLP, ValueError, "rep_in"),
    ("rep_in malformed", fit(rep_in="3Q"), EMLP, ValueError, "3Q"),
    ("rep_out malformed", fit(rep_out="V**"), ("EMLPRegressor",), ValueError, "V\\*\\*"),
    # -- numeric parameters out of range ---------------------------------------------------------
    ("relaxation_rank negative", fit(relaxation_rank=-1), ALL, ValueError, "relaxation_rank"),
    ("relaxation_rank float", fit(relaxation_rank=1.5), ALL, ValueError, "relaxation_rank"),
    ("relaxation_rank bool", fit(relaxation_rank=True), ALL, ValueError,
     r"'relaxation_rank' parameter .* must be an int \(not a bool\)"),
    ("max_epochs bool", fit(max_epochs=True), ALL, ValueError, "'max_epochs' .* \\(not a bool"),
    ("relaxation_rank huge", fit(relaxation_rank=10**6), ALL, ValueError,
     "relaxation_rank.*at most"),
    ("lr negative", fit(lr=-1), ALL, ValueError, "'lr'"),
    ("lr zero", fit(lr=0), ALL, ValueError, "'lr'"),
    ("lr string", fit(lr="fast"), ALL, ValueError, "'lr'"),
    ("max_epochs zero", fit(max_epochs=0), ALL, ValueError, "max_epochs"),
    ("batch_size zero", fit(batch_size=0), ALL, ValueError, "batch_size"),
    ("batch_size all", fit(batch_size="all"), ALL, ValueError, "batch_size"),
    ("weight_decay negative", fit(weight_decay=-1), ALL, ValueError, "weight_decay"),
    ("early_stopping negative", fit(early_stopping=-3), ALL, ValueError, "early_stopping"),
    ("precision unknown", fit(precision="float16"), ALL, ValueError, "precision"),
    ("n_threads zero", fit(n_threads=0), ALL, ValueError, "n_threads"),
    ("data_on_device string", fit(data_on_device="yes"), ALL, ValueError, "data_on_device"),
    ("device cuda without CUDA", fit(device="cuda"), ALL, ValueError,
     "device='cuda'.*device='auto'|only .* CUDA"),
    ("device unknown", fit(device="gpu0"), ALL, ValueError, "'device'"),
    ("optimizer string", fit(optimizer="sgdd"), ALL, ValueError, "'optimizer'"),
    ("random_state string", fit(random_state="seed"), ALL, ValueError, "random_state"),
    ("verbose string", fit(verbose="loud"), ALL, ValueError, "verbose"),
    ("channels float", fit(channels=(2.5,)), IMAGES, ValueError, "'channels'"),
    ("channels empty", fit(channels=()), IMAGES, ValueError, "'channels'"),
    ("channels zero", fit(channels=(0,)), IMAGES, ValueError, "'channels'"),
    ("channels memory bomb", fit(channels=(10**5, 10**5)), IMAGES, ValueError,
     "over skequi's limit"),
    ("hidden zero", fit(hidden=0), EMLP, ValueError, "hidden"),
    ("hidden memory bomb", fit(hidden=10**7), EMLP, ValueError, "hidden=10000000"),
    ("n_layers zero", fit(n_layers=0), EMLP, ValueError, "n_layers"),
    ("relaxation_penalty negative", fit(relaxation_penalty=-1), EMLP, ValueError,
     "relaxation_penalty"),
    ("architecture unknown", fit(architecture="cnn"), EMLP, ValueError, "architecture"),
    ("kernel_radius zero", fit(kernel_radius=0), ("GMCNNClassifier", "GMCNNRegressor"),
     ValueError, "kernel_radius"),
    ("kernel_radius bool", fit(kernel_radius=True), ("GMCNNClassifier", "GMCNNRegressor"),
     ValueError, "'kernel_radius' .* \\(not a bool"),
    ("criterion string", fit(criterion="mse"), ALL, ValueError,
     "'criterion' parameter .* torch loss class"),
    ("callbacks string", fit(callbacks="print"), ALL, ValueError,
     "'callbacks' parameter .* list of skorch callbacks"),
    ("train_split float", fit(train_split=0.2), ALL, ValueError,
     r"'train_split' parameter .*ValidSplit\(0.2\)"),
    ("warm_start string", fit(warm_start="yes"), ALL, ValueError, "'warm_start' .* True or False"),
    ("iterator_train__shuffle string", fit(iterator_train__shuffle="yes"), ALL, ValueError,
     "'iterator_train__shuffle' .* True or False"),
    ("optimizer__betas invalid", fit(optimizer__betas=(2.0, 0.9)), ALL, ValueError,
     "refused its arguments .*optimizer__betas"),
    ("optimizer__ unknown", fit(optimizer__nonsense=1), ALL, ValueError,
     "refused its arguments .*nonsense"),
    ("weight_decay for an optimizer without it",
     fit(optimizer=torch.optim.LBFGS, weight_decay=0.1), ALL, ValueError,
     "LBFGS takes no weight_decay; set weight_decay=0"),
    ("lr_schedule unknown", fit(lr_schedule="linear"), ALL, ValueError, "lr_schedule"),
    ("head that returns the latent", fit(head=torch.nn.Identity),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     r"head=Identity returns outputs of shape \(2, 8\)"),
    ("image_shape against 4-d X", fit(image_shape=(4, 16)),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "image_shape=.* but X holds images of shape"),
    ("rep_in memory bomb", fit(rep_in="1000000V"), EMLP, ValueError,
     "'rep_in' parameter .* over skequi's limit"),
    ("partial_fit after an invalid lr", lambda est, X, y: est.set_params(lr=-1.0).partial_fit(
        X, y), ALL, ValueError, "'lr' parameter"),
    ("field unknown", fit(field="tensor"), IMAGES, ValueError, "field"),
    ("image_shape wrong", fit(image_shape=(5, 5)), ("GMCNNClassifier", "GMCNNRegressor"),
     ValueError, "image_shape"),
    ("image_shape malformed", fit(image_shape=(8,)), IMAGES, ValueError, "image_shape"),
    ("latent_dim below the group", fit(latent_dim=2),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError, "latent_dim"),
    ("equivariance_strength negative", fit(equivariance_strength=-1),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "equivariance_strength"),
    ("encoder instance", fit(encoder=torch.nn.Linear(2, 2)),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), TypeError,
     "'encoder'.*class"),
    ("normalization unknown", fit(normalization="layer"), IMAGES, ValueError,
     "'normalization' parameter"),
    ("normalization None with a custom encoder",
     fit(encoder=torch.nn.Identity, normalization=None),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "normalization=None applies to skequi's default encoders; encoder=Identity"),
    ("encoder__ option the estimator sets", fit(encoder__normalization=None),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "encoder__normalization cannot be set for the default encoder, which takes "
     "normalization from normalization="),
    ("encoder__ option the default encoder lacks", fit(encoder__dropout=0.1),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "encoder__dropout cannot be set for the default encoder, which takes its options from "
     "channels= and normalization="),
    ("head__ option the estimator sets", fit(head__latent_dim=8),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "head__latent_dim cannot be set for the default head, which takes latent_dim from "
     "latent_dim="),
    ("head__ option the default head lacks", fit(head__depth=3),
     ("LatentEquivariantClassifier", "LatentEquivariantRegressor"), ValueError,
     "head__depth cannot be set for the default head, which takes head__hidden only"),
    ("target_type unknown", fit(target_type="tensor"), ("GMCNNRegressor",), ValueError,
     "target_type"),
    ("module kwargs", fit(module__width=3), ALL, ValueError, "module__width"),
    # -- after fit ---------------------------------------------------------------------------
    ("predict other shape", lambda est, X, y: est.predict(_fewer_features(X)), ALL,
     ValueError, "features|shape"),
    ("predict NaN", lambda est, X, y: est.predict(_replace(X, 0, np.nan)), ALL, ValueError,
     "NaN"),
    ("predict empty", lambda est, X, y: est.predict(np.asarray(X)[:0]), ALL, ValueError,
     "0 sample|minimum of 1"),
    ("partial_fit other shape", lambda est, X, y: est.partial_fit(_fewer_features(X), y), ALL,
     ValueError, "features|shape"),
    ("partial_fit unseen labels", lambda est, X, y: est.partial_fit(X, np.asarray(y) + 100),
     CLASSIFIERS, ValueError, "not seen"),
    ("score lengths", lambda est, X, y: est.score(X, np.asarray(y)[:-3]), ALL, ValueError,
     "inconsistent numbers of samples"),
    ("equivariance_error other shape",
     lambda est, X, y: est.equivariance_error(_fewer_features(X)), ALL, ValueError,
     "features|shape"),
    ("equivariance_error group that cannot act",
     lambda est, X, y: est.equivariance_error(X, group="S3"), IMAGES, ValueError,
     "got 'S3'"),
    ("equivariance_error group of another dimension",
     lambda est, X, y: est.equivariance_error(X, group="SO(4)"), EMLP, ValueError,
     r"R\^5; group 'SO\(4\)' acts on R\^4"),
    ("equivariance_error unknown group",
     lambda est, X, y: est.equivariance_error(X, group="Q7"), ALL, ValueError,
     "invalid group spec 'Q7'"),
]

PARAMS = [(family, case) for case in CASES for family in case[2]]


@pytest.fixture(scope="module")
def fitted():
    out = {}
    for name, (make, data) in FAMILIES.items():
        X, y = data()
        out[name] = (make().fit(X, y), X, y)
    return out


def _raised_outside_torch(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return not any("/torch/" in frame.filename for frame in frames[-1:])


@pytest.mark.parametrize("family,case", PARAMS,
                         ids=[f"{family}-{case[0]}" for family, case in PARAMS])
def test_bad_input_gets_a_clear_error_and_changes_nothing(fitted, family, case):
    _, call, _, error_type, match = case
    original, X, y = fitted[family]
    est = copy.deepcopy(original)
    params = est.get_params(deep=False)
    expected = est.predict(X)
    attributes = set(vars(est))
    with pytest.raises(error_type, match=match) as info:
        call(est, X, y)
    assert _raised_outside_torch(info.value), "".join(traceback.format_tb(info.value.__traceback__))
    current = est.get_params(deep=False)
    changed = {k: v for k, v in params.items() if current.get(k, object()) is not v}
    est.set_params(**changed)  # only what the case changed: skorch re-initialises on others
    assert set(vars(est)) - {k for k in vars(est) if "__" in k} == attributes
    assert np.array_equal(est.predict(X), expected)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("method", ["predict", "score", "equivariance_error"])
def test_calls_before_fit_say_not_fitted(family, method):
    make, data = FAMILIES[family]
    X, y = data()
    call = getattr(make(), method)
    with pytest.raises(NotFittedError):
        call(X, y) if method == "score" else call(X)


def test_every_estimator_meets_at_least_40_kinds_of_bad_input():
    kinds = {family: sum(family in case[2] for case in CASES) for family in FAMILIES}
    assert min(kinds.values()) >= 40, kinds
    assert len(PARAMS) == sum(kinds.values())


def test_set_params_lists_only_public_parameters():
    with pytest.raises(ValueError) as info:
        GMCNNClassifier().set_params(relaxation=1)
    message = str(info.value)
    assert "relaxation_rank" in message and "_params_to_validate" not in message


@pytest.mark.parametrize("family", REGRESSORS)
def test_a_diverging_loss_stops_with_the_epoch_and_leaves_the_fit_alone(fitted, family):
    original, X, y = fitted[family]
    est = copy.deepcopy(original)
    expected = est.predict(X)
    huge = np.asarray(y, dtype=np.float64) * 1e30
    with pytest.raises(ValueError, match=r"became (nan|inf) in epoch 1.*smaller lr"):
        est.set_params(standardize=False).fit(X, huge) if family == "EMLPRegressor" \
            else est.fit(X, huge)
    assert np.array_equal(est.predict(X), expected)


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_a_huge_learning_rate_stops_instead_of_predicting_nan(fitted, family):
    original, X, y = fitted[family]
    est = copy.deepcopy(original)
    expected = est.predict_proba(X)
    with pytest.raises(ValueError, match="smaller lr"):
        est.set_params(lr=1e30, max_epochs=3).fit(X, y)
    assert np.array_equal(est.predict_proba(X), expected)
