"""Speed: sknets against a hand-written PyTorch loop and plain skorch.

For each row the contenders train the same module from the same initial
weights on the same data, with Adam, the same learning rate, number of epochs
and batch size, shuffling every epoch:

- a hand-written loop (``torch.randperm`` + slicing + forward/backward/step);
- sknets (the estimator's ``fit``; a callback loads the shared initial weights);
- plain skorch (``NeuralNetClassifier``, its default dataset and DataLoader).

Each contender's time covers all of its run: building the model and the
optimizer, checking the data, training. The contenders of a row run in
lockstep (``_lockstep.py``): side by side, one training step each in turn,
each timed while it holds the turn, so that the drift of a shared machine's
speed falls on all of them alike. Each row runs in a process of its own, with
one untimed lockstep run first and then one run per order of the turn.

Prediction is measured by ``prediction.py`` (its memory job lives here).
Writes docs/results/speed.md.
"""

import copy
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
from _lockstep import measure
from sklearn.datasets import load_digits
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

from sknets import CNNClassifier, GRUClassifier, LSTMClassifier
from sknets.modules import ConvNet, RecurrentNet

# lockstep runs per row: at least this many, rounded up to a whole number of
# passes through every order of the turn (2 for three contenders)
RUNS = 6
LR = 1e-3


class Start(Callback):
    """Start sknets' training from given initial weights, with the lockstep
    hook on its network. sknets trains on a copy of its callbacks: the copy
    shares the weights (only read) and the hook."""

    def __init__(self, state, hook):
        self.state = state
        self.hook = hook

    def __deepcopy__(self, memo):
        return Start(self.state, self.hook)

    def on_train_begin(self, net, **kwargs):
        net.module_.load_state_dict(self.state)
        net.module_.register_forward_hook(self.hook)


def hand_loop(module, X, y, epochs, batch_size, hook, seed=0):
    """The reference: what one writes by hand for in-memory tensors."""
    module = copy.deepcopy(module).train()
    module.register_forward_hook(hook)
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    x_all = X["x"] if isinstance(X, dict) else X
    lengths = X.get("lengths") if isinstance(X, dict) else None
    n = len(y)
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


def skorch_fit(module, X, y, epochs, batch_size, hook):
    module = copy.deepcopy(module)
    module.register_forward_hook(hook)
    NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=LR,
        max_epochs=epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    ).fit(X, y)


def sknets_fit(estimator, module, X, y, hook):
    estimator.set_params(callbacks=[Start(module.state_dict(), hook)])
    estimator.fit(X, y)


def fit_contenders(module, hand_X, hand_y, estimator, sknets_X, skorch_X, y, epochs):
    """The three training contenders of a row."""
    batch_size = estimator.batch_size
    return {
        "hand": lambda hook: hand_loop(
            module, hand_X, hand_y, epochs, batch_size, hook
        ),
        "sknets": lambda hook: sknets_fit(estimator, module, sknets_X, y, hook),
        "skorch": lambda hook: skorch_fit(
            module, skorch_X, y, epochs, batch_size, hook
        ),
    }


def _digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    torch.manual_seed(0)
    return X, y, ConvNet(1, 10, (8, 8))


def _digits_contenders(epochs, batch_size, module=None, **params):
    """The contenders on the digits: the CNN, or ``module`` (a class, built
    after the CNN as the seed left it), and a CNNClassifier with ``params``."""
    X, y, network = _digits()
    if module is not None:
        params["module"], network = module, module()
    est = CNNClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=LR,
        lr_schedule="constant",
        random_state=0,
        **params,
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return fit_contenders(network, Xt, yt, est, X, X, y, epochs)


def digits_row(batch_size, epochs=20):
    return measure(_digits_contenders(epochs, batch_size), RUNS)


class OneLayer(torch.nn.Module):
    """One linear layer on the pixels: so little work per step that a fit's
    time is mostly the training loop's own."""

    def __init__(self, in_channels=1, n_outputs=10):
        super().__init__()
        self.head = torch.nn.Linear(64 * in_channels, n_outputs)

    def forward(self, x):
        return self.head(x.flatten(1))


def loop_cost_row(batch_size=64, epochs=20):
    return measure(_digits_contenders(epochs, batch_size, module=OneLayer), RUNS)


def mixed_precision_row(mixed_precision, epochs=1, batch_size=64):
    """sknets under autocast against the float32 hand-written loop (one
    epoch: float16 convolutions are slow on a CPU)."""
    contenders = _digits_contenders(epochs, batch_size, mixed_precision=mixed_precision)
    return measure({k: contenders[k] for k in ("hand", "sknets")}, 2)


def _recurrent(Estimator, epochs, batch_size):
    """A bidirectional 128-unit module of Estimator's cell on 8 features, and
    the estimator set up like the hand loop (no scaling, clipping, schedule or
    convolution blocks; the final state as summary)."""
    est = Estimator(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=LR,
        lr_schedule="constant",
        standardize=False,
        clip_grad_norm=None,
        summary="last",
        conv_blocks=0,
        random_state=0,
    )
    torch.manual_seed(0)
    module = RecurrentNet(8, 2, cell=est.cell, hidden_size=128, bidirectional=True)
    return module, est


def lstm_row(batch_size, epochs=1):
    """An LSTM on 5000 series of 50 steps; one epoch is 79 or 20 steps, so a
    run's ratio is noisier than the digits rows': twice the runs."""
    X, y = _lstm_data()
    module, est = _recurrent(LSTMClassifier, epochs, batch_size)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return measure(fit_contenders(module, Xt, yt, est, X, X, y, epochs), 2 * RUNS)


def _lstm_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 50, 8)).astype(np.float32)
    return X, (X[:, :, 0].mean(axis=1) > 0).astype(np.int64)


def _no_hook(module, args, output):
    return None


def _allocator_job(contender, batch_size=256):
    """Seconds and minor page faults of one 1-epoch fit of the LSTM row, alone
    in this process (after a warm-up fit on 512 series), with the allocator
    settings the process started with."""
    X, y = _lstm_data()
    module, est = _recurrent(LSTMClassifier, 1, batch_size)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    fits = {
        "hand": lambda n: hand_loop(module, Xt[:n], yt[:n], 1, batch_size, _no_hook),
        "sknets": lambda n: sknets_fit(est, module, X[:n], y[:n], _no_hook),
    }
    fits[contender](512)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    fits[contender](len(y))
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults


def gru_row(batch_size, epochs=1, equal=False):
    """GRU on 4000 series of lengths 10-90 (mean 50), or all of length 50.
    The hand-written loop and skorch pad each batch to its longest series;
    sknets buckets the series by length."""
    rng = np.random.RandomState(0)
    lengths = np.full(4000, 50) if equal else rng.randint(10, 91, size=4000)
    seqs = [rng.normal(size=(t, 8)).astype(np.float32) for t in lengths]
    y = np.array([int(s[:, 0].mean() > 0) for s in seqs])
    padded = np.zeros((len(seqs), lengths.max(), 8), np.float32)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    hand_X = {"x": torch.from_numpy(padded), "lengths": torch.from_numpy(lengths)}
    skorch_X = {"x": padded, "lengths": lengths}
    module, est = _recurrent(GRUClassifier, epochs, batch_size)
    contenders = fit_contenders(
        module, hand_X, torch.from_numpy(y), est, seqs, skorch_X, y, epochs
    )
    return measure(contenders, RUNS)


def text_lstm_row(batch_size, epochs=1):
    """LSTM over token ids: 4000 documents of 10-90 tokens from 5000 ids,
    through a 64-d embedding, as a TextTokenizer in a pipeline gives them."""
    rng = np.random.RandomState(0)
    lengths = rng.randint(10, 91, size=4000)
    ids = np.zeros((4000, lengths.max()), np.int64)
    for i, t in enumerate(lengths):
        ids[i, :t] = rng.randint(2, 5000, size=t)
    ids[0, 0] = 4999  # sknets sizes the embedding from the largest id
    y = (ids[:, 0] % 2).astype(np.int64)
    est = LSTMClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=LR,
        lr_schedule="constant",
        clip_grad_norm=None,
        summary="last",
        conv_blocks=0,
        embeddings=None,
        random_state=0,
    )
    torch.manual_seed(0)
    module = RecurrentNet(
        1, 2, cell="lstm", hidden_size=128, bidirectional=True, vocab_size=5000
    )
    hand_X = {"x": torch.from_numpy(ids), "lengths": torch.from_numpy(lengths)}
    skorch_X = {"x": ids, "lengths": lengths}
    contenders = fit_contenders(
        module, hand_X, torch.from_numpy(y), est, ids, skorch_X, y, epochs
    )
    return measure(contenders, RUNS)


def calibration_row(epochs=5, batch_size=64, extra_ms=0.5):
    """The method against known answers: the hand-written loop against an
    identical copy of itself (ratio 1), and against itself with ``extra_ms``
    of busy waiting in every step, after its forward pass (a known extra
    cost)."""
    X, y, module = _digits()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    waited = []

    def slowed(hook):
        def wait(module, args, output):
            start = time.perf_counter()
            while time.perf_counter() - start < extra_ms / 1000:
                pass
            waited.append(time.perf_counter() - start)
            hook(module, args, output)

        hand_loop(module, Xt, yt, epochs, batch_size, wait)

    def plain(hook):
        hand_loop(module, Xt, yt, epochs, batch_size, hook)

    times = measure({"hand": plain, "hand, copy": plain, "hand, slowed": slowed}, RUNS)
    # every run, the untimed one included, makes the same steps
    return times, sum(waited) / (len(times["hand"]) + 1)


def _predict_setup(n):
    X, y = load_digits(return_X_y=True)
    est = CNNClassifier(max_epochs=1, random_state=0).fit(X, y)
    X_big = np.random.RandomState(0).rand(n, 8, 8).astype(np.float32) * 16
    return est, X_big


def _plain_predict(module, X_big):
    """What one writes by hand: batches of 256 under inference_mode,
    softmax, one concatenation."""
    X_t = torch.from_numpy(X_big)[:, None]  # the input sknets builds
    out = []
    with torch.inference_mode():
        for i in range(0, len(X_t), 256):
            out.append(torch.softmax(module(X_t[i : i + 256]), dim=1))
    return torch.cat(out).numpy()


def _memory_job(contender, n):
    """Peak extra resident memory (MB) of one prediction, in this process."""
    est, X_big = _predict_setup(n)
    est.predict_proba(X_big[:1000])  # first calls build torch's kernels
    _plain_predict(est.net_.module_.eval(), X_big[:1000])
    predict = {
        "hand": lambda: _plain_predict(est.net_.module_.eval(), X_big),
        "sknets": lambda: est.predict_proba(X_big),
    }[contender]
    with PeakRSS() as mem:
        predict()
    return mem.extra_mb


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled
    every millisecond, and at the end)."""

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


# glibc's malloc serves an allocation above its mmap threshold with fresh
# pages, but raises that threshold (up to 32 MiB) whenever such a block is
# freed, and from then on serves blocks below it from memory kept since earlier
# work (here, the model's fit): resident memory would then not show what a
# prediction allocates. Its default threshold, set explicitly, stays fixed.
PINNED_MMAP = {"MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}

# Also glibc's: blocks above the mmap threshold (at most 32 MiB) come from
# fresh pages and go back to the system when freed, the top of a heap is given
# back above a trim threshold, and each thread allocates from an arena of its
# own. An LSTM at batch 256 then takes 600k-940k page faults per epoch (its
# fits take 0.59-0.73 of the time when the allocator keeps its memory), and
# how many depends on the state of the arena the contender's thread happens to
# use, not on its code. The timing jobs run with one arena that keeps the
# memory it frees (the allocator section measures what this changes for a
# single fit).
ALLOCATOR_ROUNDS = 3
KEPT_MEMORY = {
    "MALLOC_ARENA_MAX": "1",
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_TRIM_THRESHOLD_": str(2**40),
}

FIT_ROWS = [
    ("digits CNN, 20 epochs", 64, digits_row, (64,)),
    ("digits CNN, 20 epochs", 256, digits_row, (256,)),
    ("LSTM, n=5000, T=50, F=8, 1 epoch", 64, lstm_row, (64,)),
    ("LSTM, n=5000, T=50, F=8, 1 epoch", 256, lstm_row, (256,)),
    ("GRU, 4000 series of length 10-90, 1 epoch", 64, gru_row, (64,)),
    ("GRU, 4000 series of length 50, 1 epoch", 64, gru_row, (64, 1, True)),
    ("text LSTM, 4000 docs of 10-90 tokens, 1 epoch", 64, text_lstm_row, (64,)),
]
MIXED_PRECISION_ROWS = [
    ("digits CNN, 1 epoch, mixed_precision='bf16'", 64, mixed_precision_row, ("bf16",)),
    ("digits CNN, 1 epoch, mixed_precision='fp16'", 64, mixed_precision_row, ("fp16",)),
]
JOBS = {
    **{f"fit{i}": row[2:] for i, row in enumerate(FIT_ROWS)},
    **{f"mixed{i}": row[2:] for i, row in enumerate(MIXED_PRECISION_ROWS)},
    "loop": (loop_cost_row, ()),
    "calibration": (calibration_row, ()),
}


def _job(name, *args, env=None):
    """Run one job in a fresh process (what an earlier row leaves behind,
    such as allocator state or thread pools, cannot slow a later one)."""
    done = subprocess.run(
        [sys.executable, __file__, name, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env=None if env is None else {**os.environ, **env},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"   {name}: {result}", flush=True)
    return result


def _times(name):
    times = _job(name, env=KEPT_MEMORY)
    for contender, values in times.items():
        print(f"   {contender}:", " ".join(f"{t:.2f}" for t in values), flush=True)
    return times


def ratios(times, a, b):
    """``a``'s time over ``b``'s in each run."""
    return np.divide(times[a], times[b])


def summary(values):
    """Median, with the range over the runs."""
    return f"{np.median(values):.3f} ({np.min(values):.3f}-{np.max(values):.3f})"


def _seconds(times, name):
    return f"{np.median(times[name]):.2f}" if name in times else "-"


def _fit_table_row(task, batch_size, times):
    return {
        "task": task,
        "batch size": batch_size,
        "runs": len(times["sknets"]),
        "hand-written loop (s)": _seconds(times, "hand"),
        "sknets (s)": _seconds(times, "sknets"),
        "plain skorch (s)": _seconds(times, "skorch"),
        "sknets / hand": summary(ratios(times, "sknets", "hand")),
        "sknets / skorch": summary(ratios(times, "sknets", "skorch")),
    }


def main():
    print("speed: calibration ...", flush=True)
    calib, waited = _job("calibration", env=KEPT_MEMORY)
    print("speed: training rows ...", flush=True)
    fit_times = [_times(f"fit{i}") for i in range(len(FIT_ROWS))]
    rows = [
        _fit_table_row(task, batch, times)
        for (task, batch, *_), times in zip(FIT_ROWS, fit_times)
    ]
    ragged, equal = fit_times[4], fit_times[5]
    length_rows = [
        {
            "contender": name,
            "variable length (s)": _seconds(ragged, key),
            "equal length (s)": _seconds(equal, key),
            "variable / equal": f"{np.median(ragged[key]) / np.median(equal[key]):.3f}",
        }
        for name, key in [
            ("sknets", "sknets"),
            ("hand-written loop", "hand"),
            ("plain skorch", "skorch"),
        ]
    ]
    print("speed: the loop's own cost ...", flush=True)
    loop = _times("loop")
    steps = 20 * -(-1797 // 64)  # epochs x batches of 64 digits
    loop_rows = [
        {
            "contender": name,
            "fit (s)": _seconds(loop, key),
            "per step (µs)": f"{np.median(loop[key]) / steps * 1e6:.0f}",
            "per step over the hand-written loop (µs)": "-"
            if key == "hand"
            else f"{np.median(np.subtract(loop[key], loop['hand'])) / steps * 1e6:.0f}",
        }
        for name, key in [
            ("hand-written loop", "hand"),
            ("sknets", "sknets"),
            ("plain skorch", "skorch"),
        ]
    ]
    print("speed: mixed precision ...", flush=True)
    mixed_rows = []
    for i, (task, batch, *_) in enumerate(MIXED_PRECISION_ROWS):
        times = _times(f"mixed{i}")
        mixed_rows.append(
            {
                "task": task,
                "batch size": batch,
                "runs": len(times["sknets"]),
                "hand-written loop, float32 (s)": _seconds(times, "hand"),
                "sknets (s)": _seconds(times, "sknets"),
                "sknets / hand": summary(ratios(times, "sknets", "hand")),
            }
        )
    print("speed: the allocator ...", flush=True)
    alloc = {}
    for _ in range(ALLOCATOR_ROUNDS):
        for name in ("hand", "sknets"):
            for kept in (False, True):
                env = KEPT_MEMORY if kept else None
                alloc.setdefault((name, kept), []).append(
                    _job("allocator", name, env=env)
                )
    allocator_rows = []
    for label, name in [("hand-written loop", "hand"), ("sknets", "sknets")]:
        default = np.median([t for t, _ in alloc[name, False]])
        for kept in (False, True):
            seconds, faults = np.median(alloc[name, kept], axis=0)
            allocator_rows.append(
                {
                    "contender": label,
                    "allocator": "one arena, memory kept" if kept else "glibc default",
                    "runs": len(alloc[name, kept]),
                    "fit (s)": f"{seconds:.2f}",
                    "minor page faults": f"{faults:,.0f}",
                    "time / default": f"{seconds / default:.3f}",
                }
            )
    runs = len(calib["hand"])
    expected = 1 + waited / np.median(calib["hand"])
    calibration_rows = [
        {
            "comparison": "the loop against an identical copy of itself",
            "runs": runs,
            "expected": "1.000",
            "measured": summary(ratios(calib, "hand, copy", "hand")),
        },
        {
            "comparison": "the loop with 0.5 ms of busy waiting per step, "
            "against the loop",
            "runs": runs,
            "expected": f"{expected:.3f}",
            "measured": summary(ratios(calib, "hand, slowed", "hand")),
        },
    ]
    write_page(
        "speed",
        "Speed: sknets, a hand-written loop and plain skorch",
        INTRO,
        rows,
        "make bench",
        more=[
            ("Variable against equal lengths", LENGTHS_TEXT, length_rows),
            ("The training loop's own cost", LOOP_TEXT, loop_rows),
            ("Mixed precision on the CPU", MIXED_TEXT, mixed_rows),
            ("The memory allocator", ALLOCATOR_TEXT, allocator_rows),
            ("Resolution of the method", CALIBRATION_TEXT, calibration_rows),
        ],
    )


INTRO = (
    "Fit time of the same module from the same initial weights, data, "
    "optimizer (Adam, lr 1e-3), epochs and batch size, shuffled every epoch. "
    "The hand-written loop slices its batches from whole tensors with "
    "`torch.randperm`; plain skorch is `NeuralNetClassifier` with its own "
    "dataset and DataLoader. A contender's time "
    "covers its whole run: building the model and optimizer, checking the "
    "data, training.\n\n"
    "The contenders of a row run in lockstep (`benchmarks/_lockstep.py`): "
    "side by side in one process, one training step each in turn, each timed "
    "while it holds the turn, so that the drift of a shared machine's speed "
    "falls on all of them alike (the last section measures how well this "
    "works). Each row runs in a fresh process: one untimed run, then one run "
    "for each order of the turn. Times are medians over the runs; ratios are "
    "the median of the ratio within each run, with its range over the runs. "
    "The variable-length rows pad each batch of the hand-written loop and of "
    "skorch to its longest sequence, as one writes it by hand; sknets buckets "
    "sequences of similar length together. CPU, torch's default thread count."
)
LENGTHS_TEXT = (
    "The two GRU rows above hold the same total number of time steps (4000 "
    "series, mean length 50): a variable-length fit against an equal-length "
    "one, median times."
)
LOOP_TEXT = (
    "A single linear layer on the digits (20 epochs, batch 64, 580 steps), so "
    "that torch's work per step is small and a fit's time is mostly the "
    "training loop's own: batching, the calls around forward, backward and "
    "optimizer step, callbacks and history. Median over the runs; the last "
    "column is the median difference to the hand-written loop within a run."
)
MIXED_TEXT = (
    "sknets with `mixed_precision` (autocast) against the float32 "
    "hand-written loop: what bf16 and fp16 cost or save on this CPU (they are "
    "meant for GPUs)."
)
ALLOCATOR_TEXT = (
    "The timing rows above run with glibc's allocator set to one arena that "
    "keeps the memory it frees (`"
    + " ".join(f"{k}={v}" for k, v in KEPT_MEMORY.items())
    + "`). By default it serves blocks above its mmap threshold (128 KiB, "
    "raised up to 32 MiB as such blocks are freed) with fresh pages that go "
    "back to the system when freed, and gives back the top of a heap above "
    "its trim threshold; every fresh page is a page fault. Here one 1-epoch "
    "fit of the LSTM row at batch 256, "
    "alone in a process of its own after a warm-up fit, with either "
    "allocator; the processes alternate, "
    f"{ALLOCATOR_ROUNDS} of each, medians. Whole fits, not in lockstep: the "
    "machine's drift is in these times. The same variables speed up your own "
    "CPU training on Linux (docs/performance.md)."
)
CALIBRATION_TEXT = (
    "The hand-written loop (digits CNN, 5 epochs, batch 64) run in lockstep "
    "against an identical copy of itself, and against itself with 0.5 ms of "
    "busy waiting in every step, after its forward pass; the expected ratio "
    "of the second is one plus the time spent waiting over the loop's median "
    "time."
)


if __name__ == "__main__":
    if len(sys.argv) == 1:
        main()
    elif sys.argv[1] == "allocator":
        print(json.dumps(_allocator_job(sys.argv[2])))
    elif sys.argv[1] == "memory":
        print(json.dumps(_memory_job(sys.argv[2], int(sys.argv[3]))))
    else:
        function, args = JOBS[sys.argv[1]]
        print(json.dumps(function(*args)))
