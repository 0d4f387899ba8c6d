"""scikit-learn's estimator checks over all six estimators, each expected failure with its
reason."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skequi import (
    EMLPClassifier,
    EMLPRegressor,
    GMCNNClassifier,
    GMCNNRegressor,
    LatentEquivariantClassifier,
    LatentEquivariantRegressor,
)

SKORCH_INIT = (
    "skorch's NeuralNet.__init__ sets history_, initialized_ and virtual_params_ itself"
)
MINIBATCH_WEIGHTS = (
    "training is stochastic gradient descent over shuffled mini-batches: a sample repeated "
    "twice lands in other batches than one sample of weight 2, so the two fits differ "
    "(weights of one and zero do give identical fits; those checks pass)"
)
FLOAT32_BATCHES = (
    "float32 convolution and matrix kernels choose their summation order by batch size, so a "
    "row predicted alone and in a batch agree to a few units in the last place (up to 2.4e-7 "
    "seen), above the check's 1e-7; tests/estimators/test_training.py checks the same "
    "property at float32 tolerance. Whether a run crosses 1e-7 depends on the estimator and "
    "the kernels the CPU picks (on our 2-core CI machine only EMLPRegressor does, and not in "
    "every run), so the expectation is not strict"
)
EXPECTED_FAILED = {
    "check_no_attributes_set_in_init": SKORCH_INIT,
    "check_sample_weight_equivalence_on_dense_data": MINIBATCH_WEIGHTS,
    "check_methods_subset_invariance": FLOAT32_BATCHES,
}
TABULAR_CNN = (
    "the check's tabular features become a 1-pixel-high image; a translation-invariant "
    "CNN cannot weigh feature positions, so R^2 stays below the check's 0.5"
)
EXTRA = {GMCNNRegressor: {"check_regressors_train": TABULAR_CNN}}


def _expected_failed(estimator):
    kind = type(estimator)
    return {**EXPECTED_FAILED, **EXTRA.get(kind, {})}


@parametrize_with_checks(
    [
        GMCNNClassifier("C1", channels=(4,), max_epochs=5, lr=0.05, random_state=0),
        GMCNNRegressor("C1", channels=(4,), max_epochs=5, lr=0.05, random_state=0),
        # the checks' tables have any number of columns: read them all as scalars
        EMLPClassifier("O(2)", rep_in=None, hidden=16, n_layers=1, max_epochs=20, batch_size=50,
                       lr=0.01, random_state=0),
        EMLPRegressor("O(2)", rep_in=None, rep_out=None, hidden=16, n_layers=1, max_epochs=20,
                      batch_size=50, lr=0.01, random_state=0),
        # C1 acts trivially, so the checks' tables are 1-pixel-high images
        LatentEquivariantClassifier("C1", channels=(4,), latent_dim=8, max_epochs=5, lr=0.01,
                                    random_state=0),
        LatentEquivariantRegressor("C1", channels=(4,), latent_dim=8, max_epochs=5, lr=0.01,
                                   random_state=0),
    ],
    expected_failed_checks=_expected_failed,
)
@pytest.mark.filterwarnings("ignore:.*occurred during set_params:UserWarning")
@pytest.mark.filterwarnings("ignore:Estimator.s parameters changed after set_params:UserWarning")
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", [GMCNNClassifier, GMCNNRegressor, EMLPClassifier, EMLPRegressor,
                                 LatentEquivariantClassifier, LatentEquivariantRegressor])
def test_the_signature_shows_every_parameter(cls):
    """help() and inspect.signature list the parameters, not just **kwargs."""
    import inspect

    names = set(inspect.signature(cls).parameters)
    assert {"group", "relaxation_rank", "lr", "max_epochs", "random_state", "precision"} <= names
    own = set()  # every parameter a skequi class's constructor names
    for klass in cls.__mro__:
        if klass.__module__.startswith("skequi.") and "__init__" in vars(klass):
            own |= set(inspect.signature(klass.__init__).parameters) - {"self", "kwargs"}
    assert own <= names
