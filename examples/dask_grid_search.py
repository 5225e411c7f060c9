"""Grid search on a Dask cluster.
==============================

scikit-learn's ``GridSearchCV`` sends its fits through joblib; joblib's
``dask`` backend sends them to the workers of a ``dask.distributed`` cluster.
Nothing in sknets is specific to it: estimators pickle, and each worker trains
with one torch thread (dask's nanny starts workers with ``OMP_NUM_THREADS=1``).

Here the cluster is a ``LocalCluster`` of 2 worker processes on this machine.
On a real cluster, replace it with the scheduler's address,
``Client("tcp://scheduler:8786")``; for one GPU per worker, start each worker
with ``CUDA_VISIBLE_DEVICES`` set to its GPU and ``--nthreads 1`` and keep
``device='auto'``: every fit then runs on its worker's GPU.

Requires the optional dask extra (``pip install sknets[dask]``).
"""

import time

import numpy as np
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sknets import GRUClassifier


def main():
    from distributed import Client, LocalCluster

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 20, 2))
    y = (X[:, :10, 0].mean(axis=1) > X[:, 10:, 1].mean(axis=1)).astype(int)
    grid = {"cell": ["gru", "lstm"], "hidden_size": [16, 32]}
    search = GridSearchCV(
        GRUClassifier(max_epochs=10, random_state=0), grid, cv=3, n_jobs=-1
    )
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        with parallel_backend("dask"):
            search.fit(X, y)
        print(
            f"{len(search.cv_results_['params']) * 3} fits on the cluster in "
            f"{time.perf_counter() - start:.1f} s"
        )
    print("best:", search.best_params_, f"cv accuracy {search.best_score_:.3f}")
    return search


if __name__ == "__main__":
    main()
