"""Hyperparameter searches that stop bad candidates early.
=========================================================

A full ``GridSearchCV`` trains every candidate to the last epoch, the hopeless
ones too. Two searches spend less on them:

- scikit-learn's ``HalvingGridSearchCV`` with ``resource='max_epochs'`` trains
  every candidate a few epochs, keeps the better half, and trains the
  survivors twice as long, until the last round;
- Optuna's ``OptunaSearchCV`` with ``enable_pruning=True`` trains each trial
  one epoch at a time through ``partial_fit`` and stops a trial whose
  cross-validation score falls below the median of the earlier trials at the
  same epoch.

Both search the learning rate and the dense layer of a small CNN on
scikit-learn's digits; the example counts the epochs each search trained
(per fold) against the epochs of a full grid over the same candidates.
``benchmarks/search.py`` times both against a full grid.

The Optuna part needs ``pip install optuna optuna-integration``.
"""

import warnings

from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV

from sknets import CNNClassifier

GRID = {"lr": [1e-5, 1e-3, 3e-3], "dense_units": [16, 64]}
EPOCHS, FOLDS = 8, 3


def digits(n=600):
    X, y = load_digits(return_X_y=True)
    return X[:n].reshape(-1, 8, 8) / 16, y[:n]


def halving(X, y):
    search = HalvingGridSearchCV(
        CNNClassifier(channels=(8,), random_state=0),
        GRID,
        resource="max_epochs",
        min_resources=2,
        max_resources=EPOCHS,
        factor=2,
        cv=FOLDS,
    )
    search.fit(X, y)
    epochs = sum(c * r for c, r in zip(search.n_candidates_, search.n_resources_))
    return search, epochs


def optuna_pruning(X, y):
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OptunaSearchCV is experimental
        search = OptunaSearchCV(
            CNNClassifier(channels=(8,), random_state=0),
            {"lr": FloatDistribution(1e-6, 1e-2, log=True)},
            enable_pruning=True,
            max_iter=EPOCHS,  # epochs of partial_fit per trial, at most
            n_trials=8,
            cv=FOLDS,
            study=study,
            random_state=0,
        ).fit(X, y)
    epochs = sum(len(trial.intermediate_values) for trial in search.trials_)
    return search, epochs


def main():
    X, y = digits()
    results = {}
    search, epochs = halving(X, y)
    results["halving"] = (search, epochs, search.n_candidates_[0] * EPOCHS)
    try:
        search, epochs = optuna_pruning(X, y)
        results["optuna"] = (search, epochs, len(search.trials_) * EPOCHS)
    except ImportError:
        print("optuna is not installed: its part is skipped")
    for name, (search, epochs, full) in results.items():
        best = {k: v for k, v in search.best_params_.items() if k != "max_epochs"}
        print(
            f"{name:8s} best {best}, CV score {search.best_score_:.3f}; "
            f"{epochs} epochs per fold where a full grid trains {full}"
        )
    return results


if __name__ == "__main__":
    main()
