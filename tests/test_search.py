"""Searches that stop bad candidates early: successive halving with the number
of epochs as its resource, and Optuna pruning through ``partial_fit``."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV

from sknets import CNNClassifier


def _digits(n=600):
    X, y = load_digits(return_X_y=True)
    return X[:n].reshape(-1, 8, 8) / 16, y[:n]


def test_halving_search_spends_epochs_as_its_resource():
    X, y = _digits()
    grid = {"lr": [1e-5, 1e-3, 3e-3], "dense_units": [16, 64]}
    search = HalvingGridSearchCV(
        CNNClassifier(channels=(8,), random_state=0),
        grid,
        resource="max_epochs",
        min_resources=2,
        max_resources=8,
        factor=2,
        cv=3,
    ).fit(X, y)
    assert search.n_resources_ == [2, 4, 8]
    assert search.n_candidates_ == [6, 3, 2]  # the worse half dropped each round
    # the last round trained its candidates for 8 epochs, the first for 2
    epochs = np.asarray(search.cv_results_["param_max_epochs"])
    assert set(epochs[:6]) == {2} and set(epochs[-2:]) == {8}
    assert search.best_params_["max_epochs"] == 8
    assert search.best_params_["lr"] != 1e-5  # too slow to learn: dropped
    assert search.best_estimator_.n_iter_ == 8
    assert search.best_score_ > 0.6


def test_optuna_prunes_trials_through_partial_fit():
    optuna = pytest.importorskip("optuna")
    integration = pytest.importorskip("optuna_integration")
    from optuna.distributions import FloatDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = _digits()
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OptunaSearchCV is experimental
        search = integration.OptunaSearchCV(
            CNNClassifier(channels=(8,), random_state=0),
            {"lr": FloatDistribution(1e-6, 1e-2, log=True)},
            enable_pruning=True,
            max_iter=6,  # epochs of partial_fit per trial, at most
            n_trials=8,
            cv=3,
            study=study,
            random_state=0,
        ).fit(X, y)
    states = [trial.state.name for trial in search.trials_]
    pruned = [t for t in search.trials_ if t.state.name == "PRUNED"]
    assert len(pruned) >= 2, states
    # a pruned trial stopped before its last epoch; a complete one ran them all
    assert all(len(t.intermediate_values) < 6 for t in pruned)
    complete = [t for t in search.trials_ if t.state.name == "COMPLETE"]
    assert all(len(t.intermediate_values) == 6 for t in complete)
    assert search.best_params_["lr"] > 1e-3
    assert search.best_score_ > 0.8
