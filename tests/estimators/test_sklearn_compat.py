"""scikit-learn's estimator checks, with each skipped check and its reason."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skequi import EMLPClassifier, EMLPRegressor, GMCNNClassifier, GMCNNRegressor

# Checks that fail because of skorch's design or because a CNN is not a tabular model.
SKORCH_INIT = (
    "skorch's NeuralNet.__init__ sets history_, initialized_ and virtual_params_ itself"
)
SKORCH_SET_PARAMS = (
    "skorch's set_params re-initialises callbacks/optimizer eagerly and treats its private "
    "_params_to_validate as a parameter"
)
EXPECTED_FAILED = {
    "check_no_attributes_set_in_init": SKORCH_INIT,
    "check_do_not_raise_errors_in_init_or_set_params": SKORCH_SET_PARAMS,
    "check_set_params": SKORCH_SET_PARAMS,
}
GMCNN_REGRESSOR_EXPECTED_FAILED = {
    **EXPECTED_FAILED,
    "check_regressors_train": (
        "the check's tabular features become a 1-pixel-high image; a translation-invariant "
        "CNN cannot weigh feature positions, so R^2 stays below the check's 0.5"
    ),
}


# this check passes for EMLPRegressor (none of its parameters trips skorch's eager set_params)
EMLP_REGRESSOR_EXPECTED_FAILED = {
    k: v for k, v in EXPECTED_FAILED.items()
    if k != "check_do_not_raise_errors_in_init_or_set_params"
}


def _expected_failed(estimator):
    if isinstance(estimator, GMCNNRegressor):
        return GMCNN_REGRESSOR_EXPECTED_FAILED
    if isinstance(estimator, EMLPRegressor):
        return EMLP_REGRESSOR_EXPECTED_FAILED
    return EXPECTED_FAILED


@parametrize_with_checks(
    [
        GMCNNClassifier("C1", channels=(4,), max_epochs=5, lr=0.05, random_state=0),
        GMCNNRegressor("C1", channels=(4,), max_epochs=5, lr=0.05, random_state=0),
        # the checks' tables have any number of columns: read them all as scalars
        EMLPClassifier("O(2)", rep_in=None, hidden=16, n_layers=1, max_epochs=20, batch_size=50,
                       lr=0.01, random_state=0),
        EMLPRegressor("O(2)", rep_in=None, rep_out=None, hidden=16, n_layers=1, max_epochs=20,
                      batch_size=50, lr=0.01, random_state=0),
    ],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
