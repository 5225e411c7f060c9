import os
import traceback

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# One torch thread per test process keeps timings stable on the 2-core CI
# machine and leaves the second core to GridSearchCV(n_jobs=2) workers.
torch.set_num_threads(int(os.environ.get("SKNETS_TEST_THREADS", "1")))


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture
def small_images():
    """60 grayscale 8x8 images of 3 classes that differ by where they are bright."""
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], 20)
    X = rng.normal(scale=0.3, size=(60, 8, 8))
    X[y == 0, :4, :] += 1.5
    X[y == 1, 4:, :] += 1.5
    X[y == 2, :, :4] += 1.5
    return X, y


def assert_clear_error(excinfo):
    """The error is raised from sknets or scikit-learn, not deep inside torch."""
    frames = traceback.extract_tb(excinfo.tb)
    last = frames[-1].filename.replace(os.sep, "/")
    assert "/torch/" not in last and "/skorch/" not in last, last
