"""Grid search on a dask.distributed cluster gives the local results."""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sknets import GRUClassifier

distributed = pytest.importorskip("distributed")


def _torch_threads():
    import torch

    return torch.get_num_threads()


@pytest.mark.timeout(300)
def test_grid_search_on_a_local_cluster_equals_the_local_run():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 10, 2))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    grid = dict(hidden_size=[8, 16], cell=["gru", "lstm"])
    model = GRUClassifier(max_epochs=3, random_state=0, device="cpu")
    local = GridSearchCV(model, grid, cv=2).fit(X, y)

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # the nanny starts workers with OMP_NUM_THREADS=1: one torch thread
        # each, no oversubscription of the machine's cores
        assert set(client.run(_torch_threads).values()) == {1}
        with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
            remote = GridSearchCV(model, grid, cv=2, n_jobs=-1).fit(X, y)
        workers = {task["worker"] for task in stream.data}

    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.predict_proba(X), local.predict_proba(X), rtol=0, atol=1e-6
    )
    assert len(stream.data) >= 8 and workers  # the 8 fits ran on the cluster
