"""Prediction: sknets against plain ``torch.inference_mode()`` loops.

Throughput: ``predict_proba`` of a fitted digits CNN on 100,000 8x8 images
and of a fitted LSTM on 50,000 series (30 steps, 3 features), against plain
loops over the same module with batches of 256, 1,024 and 4,096 (softmax, one
concatenation; the LSTM's loop reads the input already standardised, which
sknets does inside its time). Latency: ``predict_proba`` of one image and of
one series against calling the module on it, the two interleaved call by
call. The throughput contenders run in lockstep (``_lockstep.py``: one
forward pass each in turn). Memory: the peak resident memory of each
prediction in a process of its own (``speed.py``'s memory job). Writes
docs/results/prediction.md.
"""

import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import write_page  # noqa: E402
from _lockstep import measure  # noqa: E402
from speed import PINNED_MMAP, _job, _predict_setup, summary  # noqa: E402

from sknets import LSTMClassifier  # noqa: E402
from sknets._batching import call, take  # noqa: E402
from sknets._inputs import check_input  # noqa: E402

RUNS = 6
PLAIN = (256, 1024, 4096)
ONE_SAMPLE_CALLS = 500


def _plain(module, batch, size):
    """Batches of ``size`` of a ready input under inference_mode, softmax,
    one concatenation."""
    n = len(batch["x"])
    with torch.inference_mode():
        out = [
            torch.softmax(call(module, take(batch, slice(i, i + size))), dim=1)
            for i in range(0, n, size)
        ]
    return torch.cat(out).numpy()


def _contenders(est, X):
    """The estimator's predict_proba and plain loops over a copy of its
    module, each with the lockstep hook on its module."""
    import copy

    batch, _ = check_input(est, X, reset=False)  # the plain loops' ready input
    contenders = {}
    for size in PLAIN:
        module = copy.deepcopy(est.net_.module_).eval()

        def plain(hook, module=module, size=size):
            handle = module.register_forward_hook(hook)
            _plain(module, batch, size)
            handle.remove()

        contenders[f"plain {size}"] = plain

    def sknets(hook):
        handle = est.net_.module_.register_forward_hook(hook)
        est.predict_proba(X)
        handle.remove()

    contenders["sknets"] = sknets
    return contenders


def _lstm_setup(n):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 30, 3)).astype(np.float32)
    y = (X[:, :3, 0].sum(axis=1) > 0).astype(int)
    est = LSTMClassifier(max_epochs=1, random_state=0).fit(X, y)
    return est, rng.normal(size=(n, 30, 3)).astype(np.float32)


def _one_sample(est, one, x):
    """Per-call times of ``est.predict_proba(one)`` and of calling its module
    on ``x`` (``one`` as the module reads it), interleaved call by call in one
    thread (the order alternating), in RUNS blocks of ONE_SAMPLE_CALLS calls
    each: a lockstep run would hand the turn between threads after every
    call, which costs more than a one-sample call."""
    module = est.net_.module_

    def direct():
        with torch.inference_mode():
            torch.softmax(module(x), dim=1).numpy()

    def sknets():
        est.predict_proba(one)

    calls = {"module": direct, "sknets": sknets}
    for _ in range(200):  # warm-up
        direct(), sknets()
    times = {name: [] for name in calls}
    for block in range(RUNS):
        spent = {name: [] for name in calls}
        for i in range(ONE_SAMPLE_CALLS):
            order = list(calls) if (i + block) % 2 == 0 else list(calls)[::-1]
            for name in order:
                start = time.perf_counter()
                calls[name]()
                spent[name].append(time.perf_counter() - start)
        for name in calls:
            times[name].append(float(np.median(spent[name])))
    return times


def _latency_row(task, times):
    per_call = {k: np.median(v) * 1e6 for k, v in times.items()}
    return {
        "task": task,
        "runs": len(times["sknets"]),
        "calling the module (µs)": f"{per_call['module']:.0f}",
        "sknets (µs)": f"{per_call['sknets']:.0f}",
        "sknets / module": summary(np.divide(times["sknets"], times["module"])),
    }


def throughput_row(task, times):
    best = np.min([times[f"plain {size}"] for size in PLAIN], axis=0)  # per run
    row = {"task": task, "runs": len(times["sknets"])}
    for size in PLAIN:
        row[f"plain, batches of {size} (s)"] = (
            f"{np.median(times[f'plain {size}']):.2f}"
        )
    row["sknets (s)"] = f"{np.median(times['sknets']):.2f}"
    row["sknets / best plain"] = summary(np.divide(times["sknets"], best))
    return row


def main():
    rows = []
    print("prediction: digits CNN ...", flush=True)
    est, X = _predict_setup(100_000)
    times = measure(_contenders(est, X), RUNS)
    rows.append(throughput_row("predict_proba, 100k 8x8 images, digits CNN", times))
    print("prediction: LSTM ...", flush=True)
    lstm, series = _lstm_setup(50_000)
    times = measure(_contenders(lstm, series), RUNS)
    rows.append(throughput_row("predict_proba, 50k series of 30 steps, LSTM", times))
    print("prediction: one sample ...", flush=True)
    cnn, images = _predict_setup(1000)
    one_series = series[:1]
    standardised = (one_series - lstm.channel_mean_) / lstm.channel_scale_
    latency = [
        _latency_row(
            "predict_proba of one 8x8 image, digits CNN",
            _one_sample(cnn, images[:1], torch.from_numpy(images[:1])[:, None]),
        ),
        _latency_row(
            "predict_proba of one series of 30 steps, LSTM",
            _one_sample(
                lstm, one_series, torch.from_numpy(standardised.astype(np.float32))
            ),
        ),
    ]
    print("prediction: memory ...", flush=True)
    memory = {
        (name, n): _job("memory", name, n, env=PINNED_MMAP)
        for n in (100_000, 1_000_000)
        for name in ("hand", "sknets")
    }
    memory_rows = [
        {
            "samples": f"{n:,}",
            "input (MB)": f"{n * 64 * 4 / 2**20:.0f}",
            "probabilities, float64 (MB)": f"{n * 10 * 8 / 2**20:.0f}",
            "peak extra memory, plain loop of 256 (MB)": f"{memory['hand', n]:.0f}",
            "peak extra memory, sknets (MB)": f"{memory['sknets', n]:.0f}",
        }
        for n in (100_000, 1_000_000)
    ]
    write_page(
        "prediction",
        "Prediction: sknets against plain inference loops",
        " ".join(__doc__.split("\n\n")[1].split()),
        rows,
        "python benchmarks/prediction.py",
        more=[
            (
                "One sample",
                f"{RUNS} runs of {ONE_SAMPLE_CALLS} calls each, the two "
                "interleaved call by call in one thread (the order alternating); "
                "per-call medians, and the ratio of the two medians in each run.",
                latency,
            ),
            (
                "Memory of a prediction",
                "Peak resident memory above the level before the call, sampled "
                "every millisecond, each prediction in a process of its own after "
                "a warm-up call on 1000 images, with glibc's mmap threshold fixed "
                "at its default (128 KiB). The input is float32 images; sknets "
                "returns float64 probabilities, written batch by batch into one "
                "preallocated array.",
                memory_rows,
            ),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
