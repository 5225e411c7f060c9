"""Speed: sknets against a hand-written PyTorch loop and plain skorch.

For each row the three contenders train the same module from the same initial
weights on the same data, with Adam, the same learning rate, number of epochs
and batch size, shuffling every epoch:

- a hand-written loop (``torch.randperm`` + slicing + forward/backward/step);
- sknets (the estimator's ``fit``; a callback loads the shared initial weights);
- plain skorch (``NeuralNetClassifier``, its default dataset and DataLoader).

Prediction: ``predict_proba`` on 100k samples against a plain
``torch.inference_mode()`` loop, time and peak resident memory. The fit rows
run with glibc's malloc thresholds fixed (``ALLOCATOR``), and once more under
its defaults. Writes docs/results/speed.md.
"""

import copy
import gc
import itertools
import json
import os
import resource
import subprocess
import sys
import threading
import time

import numpy as np
import torch
from _common import write_page
from sklearn.datasets import load_digits
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

from sknets import CNNClassifier, GRUClassifier, LSTMClassifier
from sknets.modules import ConvNet, RecurrentNet

# Rounds per row: as many as fit in BUDGET seconds per contender (judged by the
# fastest warm-up run), at least MIN_ROUNDS and at most MAX_ROUNDS, as timeit's
# autorange does: short rows get more rounds, so their best run is as likely to
# fall in a quiet spell of the machine as that of a long row. The count is
# rounded up to a whole number of cycles through the contenders' orders.
BUDGET = 20.0
MIN_ROUNDS = 6
MAX_ROUNDS = 24

# glibc's malloc serves large allocations (above a threshold that follows the
# sizes of past ones, at most 32 MiB by default) with a fresh mmap each time,
# and hands the top of its heap back to the OS once more than a threshold of it
# is free. A training step that allocates and frees megabytes of activations
# then faults them in again, zeroed page by page, in every step: hundreds of
# thousands of page faults per fit. At batch 256 the LSTM's largest buffers
# exceed 32 MiB and every contender pays that alike; at batch 64 whether it
# happens depends on where earlier allocations happen to lie, so it hits any
# contender, at random. The table's rows run with both thresholds fixed at
# 1 GiB, which ends the re-faulting for every contender; a second table runs
# the rows under glibc's defaults.
ALLOCATOR = {
    "MALLOC_MMAP_THRESHOLD_": str(2**30),
    "MALLOC_TRIM_THRESHOLD_": str(2**30),
}


class LoadWeights(Callback):
    """Start sknets' training from given initial weights."""

    def __init__(self, state):
        self.state = state

    def on_train_begin(self, net, **kwargs):
        net.module_.load_state_dict(self.state)


def hand_loop(module, X, y, epochs, batch_size, lr, seed=0):
    """The reference: what one writes by hand for in-memory tensors."""
    module = copy.deepcopy(module).train()
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    x_all = X["x"] if isinstance(X, dict) else X
    lengths = X.get("lengths") if isinstance(X, dict) else None
    n = len(y)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            if lengths is None:
                out = module(x_all[idx])
            else:
                lb = lengths[idx]
                out = module(x_all[idx, : int(lb.max())], lb)
            loss = loss_fn(out, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def skorch_fit(module, X, y, epochs, batch_size, lr):
    net = NeuralNetClassifier(
        copy.deepcopy(module),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=lr,
        max_epochs=epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    start = time.perf_counter()
    net.fit(X, y)
    return time.perf_counter() - start


def sknets_fit(estimator, module, X, y):
    estimator.set_params(callbacks=[LoadWeights(copy.deepcopy(module.state_dict()))])
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def interleaved(repeats=None, **contenders):
    """Times of each contender over several rounds, the contenders taking
    turns within each round, so that a slow spell of a shared machine hits all
    of them alike. The rounds cycle through every order of the contenders:
    each runs first, in the middle and last equally often (what ran just
    before a run, and whether it was the same code, can change its time).
    ``repeats=None`` starts with one untimed run of each (one-off costs of a
    fresh process, such as torch importing its compiler for the first
    optimizer) and sets the number of rounds from the fastest (``BUDGET``).
    Returns the list of times of each contender, one per round, and the
    number of minor page faults of each of those runs."""
    orders = list(itertools.permutations(contenders))
    faults = {name: [] for name in contenders}

    def run(name):
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        elapsed = contenders[name]()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        faults[name].append(after - before)
        return elapsed

    if repeats is None:
        fastest = min(run(name) for name in contenders)
        for values in faults.values():  # the untimed runs are not reported
            values.clear()
        repeats = int(np.clip(np.ceil(BUDGET / fastest), MIN_ROUNDS, MAX_ROUNDS))
        repeats = -(-repeats // len(orders)) * len(orders)
    times = {name: [] for name in contenders}
    for round_ in range(repeats):
        for name in orders[round_ % len(orders)]:
            times[name].append(run(name))
    return times, faults


def ratio(times, a, b):
    """``a``'s best time over ``b``'s. On a shared machine other work only
    ever slows a run down, so the best of several runs is the one least
    disturbed (the convention of Python's ``timeit``)."""
    return min(times[a]) / min(times[b])


def spread(times, a, b):
    """Median and range of ``a``'s time over ``b``'s within each round: how
    much this machine's noise moves a single comparison."""
    within = np.divide(times[a], times[b])
    return f"{np.median(within):.2f} ({within.min():.2f}-{within.max():.2f})"


def digits_rows(batch_size, epochs=20, lr=1e-3, mixed_precision=None):
    """The digits CNN; with ``mixed_precision``, sknets under autocast against
    the float32 hand loop (no skorch row)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    torch.manual_seed(0)
    module = ConvNet(1, 10, (8, 8))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    est = CNNClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lr_schedule="constant",
        mixed_precision=mixed_precision,
        random_state=0,
    )
    contenders = dict(
        hand=lambda: hand_loop(module, Xt, yt, epochs, batch_size, lr),
        sknets=lambda: sknets_fit(est, module, X, y),
    )
    if mixed_precision is None:
        contenders["skorch"] = lambda: skorch_fit(module, X, y, epochs, batch_size, lr)
        return interleaved(**contenders)
    return interleaved(repeats=2, **contenders)  # float16 on a CPU is slow


def _recurrent(Estimator, epochs, batch_size, lr):
    """A bidirectional 128-unit module of Estimator's cell on 8 features, and
    the estimator set up like the hand loop (no scaling, clipping or schedule)."""
    est = Estimator(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lr_schedule="constant",
        standardize=False,
        clip_grad_norm=None,
        random_state=0,
    )
    torch.manual_seed(0)
    module = RecurrentNet(8, 2, cell=est.cell, hidden_size=128, bidirectional=True)
    return module, est


def lstm_rows(batch_size, epochs=1, lr=1e-3):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 50, 8)).astype(np.float32)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(np.int64)
    module, est = _recurrent(LSTMClassifier, epochs, batch_size, lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return interleaved(
        hand=lambda: hand_loop(module, Xt, yt, epochs, batch_size, lr),
        sknets=lambda: sknets_fit(est, module, X, y),
        skorch=lambda: skorch_fit(module, X, y, epochs, batch_size, lr),
    )


def ragged_gru_rows(batch_size, epochs=1, lr=1e-3, equal=False):
    """GRU on 4000 series of lengths 10-90 (mean 50), or all of length 50."""
    rng = np.random.RandomState(0)
    lengths = np.full(4000, 50) if equal else rng.randint(10, 91, size=4000)
    seqs = [rng.normal(size=(t, 8)).astype(np.float32) for t in lengths]
    y = np.array([int(s[:, 0].mean() > 0) for s in seqs])
    padded = np.zeros((len(seqs), lengths.max(), 8), np.float32)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    X_dict = {"x": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths)}
    module, est = _recurrent(GRUClassifier, epochs, batch_size, lr)
    yt = torch.from_numpy(y)
    skorch_X = {"x": padded, "lengths": lengths}
    return interleaved(
        hand=lambda: hand_loop(module, X_dict, yt, epochs, batch_size, lr),
        sknets=lambda: sknets_fit(est, module, seqs, y),
        skorch=lambda: skorch_fit(module, skorch_X, y, epochs, batch_size, lr),
    )


def text_lstm_rows(batch_size, epochs=1, lr=1e-3):
    """LSTM over token ids: 4000 documents of 10-90 tokens from 5000 ids,
    through a 64-d embedding, as a TextTokenizer in a pipeline gives them."""
    rng = np.random.RandomState(0)
    lengths = rng.randint(10, 91, size=4000)
    ids = np.zeros((4000, lengths.max()), np.int64)
    for i, t in enumerate(lengths):
        ids[i, :t] = rng.randint(2, 5000, size=t)
    y = (ids[:, 0] % 2).astype(np.int64)
    est = LSTMClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lr_schedule="constant",
        clip_grad_norm=None,
        random_state=0,
    )
    torch.manual_seed(0)
    module = RecurrentNet(
        1, 2, cell="lstm", hidden_size=128, bidirectional=True, vocab_size=5000
    )
    X_dict = {"x": torch.from_numpy(ids), "lengths": torch.from_numpy(lengths)}
    yt = torch.from_numpy(y)
    # sknets learns the number of ids from the data (max id + 1): pin it by
    # the id 4999 in one padding-free spot of a copy, so the module matches
    ids_sk = ids.copy()
    ids_sk[0, 0] = 4999
    X_dict["x"][0, 0] = 4999
    skorch_X = {"x": ids_sk, "lengths": lengths}
    return interleaved(
        hand=lambda: hand_loop(module, X_dict, yt, epochs, batch_size, lr),
        sknets=lambda: sknets_fit(est, module, ids_sk, y),
        skorch=lambda: skorch_fit(module, skorch_X, y, epochs, batch_size, lr),
    )


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled)."""

    def __enter__(self):
        self.base = self.peak = _rss()
        self._stop = False
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop:
            self.peak = max(self.peak, _rss())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join()
        self.peak = max(self.peak, _rss())
        self.extra_mb = (self.peak - self.base) / 2**20


def _rss():
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def predict_rows(n=100_000):
    X, y = load_digits(return_X_y=True)
    est = CNNClassifier(max_epochs=1, random_state=0).fit(X, y)
    rng = np.random.RandomState(0)
    X_big = rng.rand(n, 8, 8).astype(np.float32) * 16
    module = est.net_.module_.eval()
    X_t = torch.from_numpy(X_big)[:, None]  # the same input sknets builds

    def plain():
        out = []
        with torch.inference_mode():
            for i in range(0, n, 256):
                out.append(torch.softmax(module(X_t[i : i + 256]), dim=1))
        return torch.cat(out).numpy()

    def timed(fn):
        gc.collect()
        with PeakRSS() as mem:
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        return elapsed, mem.extra_mb

    est.predict_proba(X_big[:1000])  # warm up both paths
    plain()
    memory = {"hand": [], "sknets": []}

    def run(name, fn):
        elapsed, extra_mb = timed(fn)
        memory[name].append(extra_mb)
        return elapsed

    times, faults = interleaved(
        hand=lambda: run("hand", plain),
        sknets=lambda: run("sknets", lambda: est.predict_proba(X_big)),
    )
    return times, faults, max(memory["hand"]), max(memory["sknets"])


def _row(task, batch_size, times, faults):
    def best(name):
        return f"{min(times[name]):.2f}" if name in times else "-"

    def compare(name):
        if name not in times:
            return "-", "-"
        return f"{ratio(times, 'sknets', name):.3f}", spread(times, "sknets", name)

    def median_faults(name):
        return f"{np.median(faults[name]) / 1000:.0f}" if name in faults else "-"

    vs_hand, hand_rounds = compare("hand")
    vs_skorch, skorch_rounds = compare("skorch")
    return {
        "task": task,
        "batch size": batch_size,
        "rounds": len(times["sknets"]),
        "hand-written loop (s)": best("hand"),
        "sknets (s)": best("sknets"),
        "plain skorch (s)": best("skorch"),
        "sknets / hand": vs_hand,
        "sknets / skorch": vs_skorch,
        "per round: / hand": hand_rounds,
        "per round: / skorch": skorch_rounds,
        "page faults per run, thousands: hand / sknets / skorch": " / ".join(
            median_faults(name) for name in ("hand", "sknets", "skorch")
        ),
    }


def _predict_job():
    times, faults, hand_mb, sk_mb = predict_rows()
    name = (
        "predict_proba, 100k 8x8 images (peak extra memory MB: "
        f"plain {hand_mb:.0f}, sknets {sk_mb:.0f})"
    )
    return name, times, faults


def _fit_job(name, rows_fn, *args, **kwargs):
    return lambda: (name, *rows_fn(*args, **kwargs))


MIXED_PRECISION_JOBS = [
    (
        64,
        _fit_job(
            "digits CNN, 20 epochs, sknets with mixed_precision='bf16' (CPU)",
            digits_rows,
            64,
            mixed_precision="bf16",
        ),
    ),
    (
        64,
        _fit_job(
            "digits CNN, 20 epochs, sknets with mixed_precision='fp16' (CPU)",
            digits_rows,
            64,
            mixed_precision="fp16",
        ),
    ),
]

# (batch size, job); a job returns the row's task, and the times and page faults
# of each contender's runs
FIT_JOBS = [
    (64, _fit_job("digits CNN, 20 epochs", digits_rows, 64)),
    (256, _fit_job("digits CNN, 20 epochs", digits_rows, 256)),
    (64, _fit_job("LSTM, n=5000, T=50, F=8, 1 epoch", lstm_rows, 64)),
    (256, _fit_job("LSTM, n=5000, T=50, F=8, 1 epoch", lstm_rows, 256)),
    (64, _fit_job("GRU, variable length 10-90, 1 epoch", ragged_gru_rows, 64)),
    (
        64,
        _fit_job("GRU, equal length 50, 1 epoch", ragged_gru_rows, 64, equal=True),
    ),
    (
        64,
        _fit_job("text LSTM, 4000 docs of 10-90 tokens, 1 epoch", text_lstm_rows, 64),
    ),
]
# the predict row runs under glibc's defaults only: with memory kept by the
# allocator, its peak memory would not show what a prediction needs
PREDICT_JOB = (256, _predict_job)
JOBS = [*FIT_JOBS, *MIXED_PRECISION_JOBS, PREDICT_JOB]


def _run_row(i, env):
    done = subprocess.run(
        [sys.executable, __file__, "--row", str(i)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    name, times, faults = json.loads(done.stdout.strip().splitlines()[-1])
    row = _row(name, JOBS[i][0], times, faults)
    print("  ", row, flush=True)
    for contender, values in times.items():
        print(f"   {contender}:", " ".join(f"{t:.2f}" for t in values), flush=True)
    return row


def main():
    """Each row runs in a process of its own, so that what an earlier row left
    behind (allocator state, caches, thread pools) cannot slow a later one."""
    plain_env = {k: v for k, v in os.environ.items() if k not in ALLOCATOR}
    rows, default_rows = [], []
    for i, job in enumerate(JOBS):
        print(f"speed: row {i + 1} of {len(JOBS)} ...", flush=True)
        env = plain_env if job is PREDICT_JOB else {**plain_env, **ALLOCATOR}
        rows.append(_run_row(i, env))
    for i in range(len(FIT_JOBS)):
        print(f"speed: row {i + 1}, glibc's default allocator settings ...", flush=True)
        default_rows.append(_run_row(i, plain_env))
    settings = " ".join(f"{k}={v}" for k, v in ALLOCATOR.items())
    write_page(
        "speed",
        "Speed: sknets, a hand-written loop and plain skorch",
        "Fit time of the same module from the same initial weights, data, "
        "optimizer (Adam), epochs and batch size, in interleaved rounds that "
        "cycle through every order of the contenders (each runs first, in the "
        "middle and last equally often), after one untimed run of each; as "
        "many rounds as fit in "
        f"{BUDGET:.0f} s per contender, {MIN_ROUNDS} to {MAX_ROUNDS}, a whole "
        "number of cycles: column 'rounds'. The times are the best "
        "of each contender and the ratios the ratio of the best times: other "
        "work on a shared machine only slows a run down, so the best run is "
        "the least disturbed one (Python's timeit convention). The next two "
        "columns give the median and range of the ratio within each round, to "
        "show how far this machine's noise moves a single comparison, and the "
        "last one the median number of minor page faults of a run. "
        "CPU, torch's default thread count. "
        "The variable-length GRU row and the equal-length row hold the same "
        "total number of time steps (4000 series, mean length 50). The "
        "mixed-precision rows (2 rounds) compare sknets under autocast with the "
        "float32 hand-written loop: what bf16/fp16 cost on this CPU (they are "
        "meant for GPUs).\n\n"
        f"The fit rows run with glibc's malloc thresholds fixed ({settings}); "
        "the predict row under glibc's defaults, so that its peak memory is "
        "what a prediction needs (with the thresholds fixed, memory freed "
        "earlier is kept and reused, and both contenders showed 0 MB). "
        "Under glibc's defaults, allocations above a threshold that follows "
        "past ones (at most 32 MiB) get a fresh mmap each time and the heap's "
        "top goes back to the OS as soon as enough of it is free: a recurrent "
        "training step then faults its activations in again, zeroed page by "
        "page, in every step. At batch 256 the LSTM's largest buffers exceed "
        "32 MiB and every contender pays alike; at batch 64 it depends on where "
        "earlier allocations happen to lie, so it hits any contender, at "
        "random. The second table repeats the fit rows under glibc's defaults.",
        rows,
        "make bench",
        more=[
            (
                "Under glibc's default allocator settings",
                "The fit rows (without mixed precision), each process started "
                "without the two variables.",
                default_rows,
            )
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--row"]:
        print(json.dumps(JOBS[int(sys.argv[2])][1]()))
    else:
        main()
