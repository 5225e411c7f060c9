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
  same epoch;
- dask-ml's ``HyperbandSearchCV`` drives ``partial_fit`` on a Dask cluster:
  brackets of many candidates trained a few epochs and few trained long,
  the worse ones dropped at each round (scored on a held-out part of the
  training data rather than by cross-validation).

All three search the learning rate and the dense layer of a small CNN on
scikit-learn's digits; the example counts the epochs each search trained
(per fold) against the epochs of a full grid over the same candidates.
``benchmarks/search.py`` times them against a full grid.

The Optuna part needs ``pip install optuna optuna-integration``; the dask-ml
part ``pip install dask-ml "dask[distributed]<2025.3"``: with a newer dask,
dask-ml's incremental searches fail before their first fit (dask/dask-ml
issue 1016, open), and the example skips that part. dask-ml splits only 2D
arrays correctly, so the images go in flattened, with ``image_shape``.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, ParameterGrid

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


def hyperband_unavailable():
    """Why dask-ml's HyperbandSearchCV cannot run here, or None."""
    try:
        import dask
        import dask_ml  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        return f"dask-ml is not installed ({error})"
    from sklearn.utils.fixes import parse_version

    if parse_version(dask.__version__) >= parse_version("2025.3"):
        return (
            f"dask {dask.__version__}: dask-ml's incremental searches need dask "
            "< 2025.3 (dask/dask-ml issue 1016)"
        )
    return None


def hyperband(X, y, model=None, grid=GRID, max_iter=EPOCHS):
    """dask-ml's HyperbandSearchCV of ``model`` (by default the small CNN)
    over ``grid`` on a local cluster of two one-thread workers; returns the
    search and the epochs it trained."""
    import dask.array as da
    from dask_ml.model_selection import HyperbandSearchCV
    from distributed import Client, LocalCluster

    if model is None:
        model = CNNClassifier(channels=(8,), random_state=0)
    # dask-ml splits only 2D arrays: the images go in flattened, and the CNN
    # reads them back with image_shape
    model = clone(model).set_params(image_shape=X.shape[1:])
    X = X.reshape(len(X), -1).astype(np.float32)
    search = HyperbandSearchCV(
        model,
        grid,
        max_iter=max_iter,  # partial_fit calls (epochs) of the longest-trained
        test_size=1 / FOLDS,
        random_state=0,
    )
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        Client(c),
    ):
        # one chunk: each partial_fit call is one epoch over the training part
        search.fit(da.from_array(X), da.from_array(y), classes=np.unique(y))
    epochs = int(search.metadata_["partial_fit_calls"])
    return search, epochs


def main(parts=("halving", "optuna", "hyperband")):
    X, y = digits()
    results = {}
    if "halving" in parts:
        search, epochs = halving(X, y)
        results["halving"] = (search, epochs, search.n_candidates_[0] * EPOCHS)
    if "optuna" in parts:
        try:
            search, epochs = optuna_pruning(X, y)
            results["optuna"] = (search, epochs, len(search.trials_) * EPOCHS)
        except ImportError:
            print("optuna is not installed: its part is skipped")
    if "hyperband" in parts:
        reason = hyperband_unavailable()
        if reason is None:
            search, epochs = hyperband(X, y)
            results["hyperband"] = (search, epochs, len(ParameterGrid(GRID)) * EPOCHS)
        else:
            print(f"dask-ml's Hyperband is skipped: {reason}")
    for name, (search, epochs, full) in results.items():
        best = {k: v for k, v in search.best_params_.items() if k != "max_epochs"}
        print(
            f"{name:9s} best {best}, score {search.best_score_:.3f}; "
            f"{epochs} epochs per fold where a full grid trains {full}"
        )
    return results


if __name__ == "__main__":
    main()
