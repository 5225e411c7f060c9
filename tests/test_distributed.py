"""Data-parallel training: two processes of a torch.distributed process group
(gloo, on the CPU) started by torchrun fit as one process does."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch.distributed as dist

from sknets import LSTMRegressor

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available",
)

JOB = textwrap.dedent(
    """
    import sys
    import numpy as np
    import torch.distributed as dist
    from sknets import CNNClassifier, LSTMRegressor

    out = sys.argv[1]
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(103, 12, 2)).astype(np.float32)
    y = X[:, :4, 0].sum(axis=1)
    reg = LSTMRegressor(
        hidden_size=8, max_epochs=3, batch_size=15, clip_grad_norm=0.5,
        random_state=0,
    ).fit(X, y)
    np.save(f"{out}/lstm{rank}.npy", reg.predict(X))
    np.save(f"{out}/loss{rank}.npy", np.asarray(reg.loss_curve_))
    # batch norm, a seed drawn per process, early stopping on a held-out part
    images = rng.normal(size=(120, 8, 8)).astype(np.float32)
    labels = (images[:, :4].mean(axis=(1, 2)) > 0).astype(int)
    cnn = CNNClassifier(
        channels=(4,), max_epochs=4, early_stopping=True, random_state=None
    ).fit(images, labels)
    np.save(f"{out}/cnn{rank}.npy", cnn.predict_proba(images))
    try:
        LSTMRegressor(batch_size=1, max_epochs=1).fit(X, y)
    except ValueError as error:
        open(f"{out}/error{rank}.txt", "w").write(str(error))
    dist.destroy_process_group()
    """
)


def test_two_processes_train_as_one(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(JOB)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node=2", str(script), str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rng = np.random.RandomState(0)
    X = rng.normal(size=(103, 12, 2)).astype(np.float32)
    y = X[:, :4, 0].sum(axis=1)
    single = LSTMRegressor(
        hidden_size=8, max_epochs=3, batch_size=15, clip_grad_norm=0.5, random_state=0
    ).fit(X, y)
    first, second = (np.load(tmp_path / f"lstm{r}.npy") for r in (0, 1))
    np.testing.assert_array_equal(first, second)  # the processes stay identical
    # each batch of 15 is split 7 + 8; the step is the whole batch's
    np.testing.assert_allclose(first, single.predict(X), rtol=0, atol=1e-5)
    np.testing.assert_allclose(
        np.load(tmp_path / "loss0.npy"), single.loss_curve_, rtol=1e-5
    )
    cnn = [np.load(tmp_path / f"cnn{r}.npy") for r in (0, 1)]
    np.testing.assert_array_equal(cnn[0], cnn[1])
    message = (tmp_path / "error0.txt").read_text()
    assert message.startswith("batch_size=1 is smaller than the 2 processes")
