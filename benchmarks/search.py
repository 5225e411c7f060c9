"""Searches that stop bad candidates early, against a full GridSearchCV.

One space (the CNN's learning rate and dense layer on 1,000 digits, 3-fold
cross-validation, 16 epochs at most), searched in one run: a full
``GridSearchCV`` at 16 epochs, ``HalvingGridSearchCV`` with the epochs as its
resource (2 to 16, halving), dask-ml's ``HyperbandSearchCV`` through
``partial_fit`` on a local cluster (where dask-ml runs: it needs dask < 2025.3,
dask/dask-ml issue 1016), and Optuna's ``OptunaSearchCV`` with a median pruner
through ``partial_fit`` (the same candidates, 16 epochs at most). For each: the
time, the best validation score and its candidate, and the test accuracy of
the best model. Writes docs/results/search.md.
"""

import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from _common import write_page  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingGridSearchCV,
    train_test_split,
)

from sknets import CNNClassifier  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from early_stopping_search import hyperband, hyperband_unavailable  # noqa: E402

GRID = {"lr": [1e-5, 1e-4, 1e-3, 3e-3], "dense_units": [32, 128]}
EPOCHS = 16


def _data():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X.reshape(-1, 8, 8) / 16, y, train_size=1000, stratify=y, random_state=0
    )
    return X_train, X_test, y_train, y_test


class _Hyperband:
    """dask-ml's ``HyperbandSearchCV`` as the example runs it
    (``examples/early_stopping_search.py``): a local cluster of two one-thread
    workers, the images flattened in one chunk, so that each ``partial_fit``
    call is one epoch over the training part."""

    def fit(self, X, y):
        self.search, _ = hyperband(X, y, CNNClassifier(random_state=0), GRID, EPOCHS)
        self.best_params_ = self.search.best_params_
        self.best_score_ = self.search.best_score_
        return self

    def score(self, X, y):
        return self.search.score(X.reshape(len(X), -1), y)


def searches():
    base = CNNClassifier(random_state=0)
    yield (
        "GridSearchCV (full)",
        GridSearchCV(base.set_params(max_epochs=EPOCHS), GRID, cv=3),
    )
    yield (
        "HalvingGridSearchCV(resource='max_epochs')",
        HalvingGridSearchCV(
            CNNClassifier(random_state=0),
            GRID,
            resource="max_epochs",
            min_resources=2,
            max_resources=EPOCHS,
            factor=2,
            cv=3,
        ),
    )
    if hyperband_unavailable() is None:
        yield "dask-ml HyperbandSearchCV (LocalCluster)", _Hyperband()
    try:
        import optuna
        from optuna.distributions import CategoricalDistribution
        from optuna_integration import OptunaSearchCV
    except ImportError:
        return
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.GridSampler(GRID, seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    )
    space = {name: CategoricalDistribution(values) for name, values in GRID.items()}
    yield (
        "OptunaSearchCV(enable_pruning=True)",
        OptunaSearchCV(
            CNNClassifier(max_epochs=EPOCHS, random_state=0),
            space,
            enable_pruning=True,
            max_iter=EPOCHS,
            n_trials=len(GRID["lr"]) * len(GRID["dense_units"]),
            cv=3,
            study=study,
            random_state=0,
        ),
    )


def main():
    X_train, X_test, y_train, y_test = _data()
    rows = []
    warnings.filterwarnings("ignore")  # Optuna's experimental-feature notes
    for name, search in searches():
        print(f"search: {name} ...", flush=True)
        start = time.perf_counter()
        search.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        best = {k: v for k, v in search.best_params_.items() if k in GRID}
        rows.append(
            {
                "search": name,
                "time (s)": elapsed,
                "best validation score": f"{search.best_score_:.4f}",
                "best candidate": ", ".join(
                    f"{k}={v}" for k, v in sorted(best.items())
                ),
                "test accuracy": f"{search.score(X_test, y_test):.4f}",
            }
        )
    full = rows[0]["time (s)"]
    for row in rows:
        row["time / full grid"] = f"{row['time (s)'] / full:.2f}"
        row["time (s)"] = f"{row['time (s)']:.1f}"
    write_page(
        "search",
        "Searches that stop bad candidates early",
        f"The `CNNClassifier`'s learning rate ({GRID['lr']}) and dense layer "
        f"({GRID['dense_units']}) on 1,000 of scikit-learn's digits (the other 797 "
        "for the test column), 3-fold cross-validation. The full grid trains all "
        f"8 candidates for {EPOCHS} epochs; successive halving trains them 2 "
        f"epochs, keeps the better half and doubles the epochs up to {EPOCHS}; "
        "Optuna walks the same 8 candidates (`GridSampler`) one epoch at a time "
        f"through `partial_fit`, up to {EPOCHS}, and its median pruner stops a "
        "trial whose score at an epoch is below the median of the earlier "
        "trials'. Each search refits its best candidate on the 1,000 images "
        "(included in its time). "
        + HYPERBAND_NOTE.format(epochs=EPOCHS, status=_dask_status()),
        rows,
        "python benchmarks/search.py",
    )


HYPERBAND_NOTE = (
    "dask-ml's `HyperbandSearchCV`, where it can run, drives `partial_fit` on a "
    "local cluster of two one-thread workers: brackets of many candidates "
    "trained a few epochs and of few trained long, up to {epochs}, the worse "
    "dropped at each round; its validation score is on one held-out third of "
    "the 1,000 images (not 3-fold cross-validation), and its best model is not "
    "refitted. Here: {status}."
)


def _dask_status():
    reason = hyperband_unavailable()
    if reason is not None:
        return f"not in the table: {reason}"
    import dask
    import dask_ml

    return f"dask {dask.__version__}, dask-ml {dask_ml.__version__}"


if __name__ == "__main__":
    main()
