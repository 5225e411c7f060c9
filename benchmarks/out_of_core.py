"""Data larger than memory: fit and predict from an ``np.memmap`` of images
and from a Dask array of series, never read whole.

Images: a uint8 ``np.memmap`` of 1,500,000 images of 32x32x3 (4.6 GB),
written by the benchmark chunk by chunk (noise, and a bright square whose
place is the class, 10 classes); a ``CNNClassifier`` (one block of 4
filters, a dense layer of 16, batches of 256) trains one epoch on the first
1,400,000 images (4.3 GB) and predicts all of them. Series: a Dask array of
1,100,000 float32 series of 1,000 steps (4.4 GB), made chunk by chunk by a
seeded generator when read and never stored (noise, and a bump at a random
place in class 1); an ``FCNClassifier`` (blocks of 4 filters, batches of
256) trains one epoch on the first 1,000,000 (4.0 GB) and predicts all of
them. Each runs in a process of its own; its peak resident memory is the
process's high-water mark (``getrusage``), from the start of Python (torch's
libraries included). Time per epoch: the same models on a part that fits in
memory (50,000 images; 20,000 series), given as an in-memory numpy array
and as the memmap (a Dask array over the in-memory array for the series, so
that the generator's time is not counted), one epoch each in turn, 3 runs;
the ratio of the medians.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

# OUT_OF_CORE_SCALE=100 divides the sizes, for a quick check of the script
SCALE = int(os.environ.get("OUT_OF_CORE_SCALE", "1"))
IMAGES, IMAGES_TRAIN, IMAGE_SHAPE = 1_500_000, 1_400_000, (32, 32, 3)
SERIES, SERIES_TRAIN, STEPS = 1_100_000, 1_000_000, 1000
IMAGES_PART, SERIES_PART = 50_000, 20_000
IMAGES, IMAGES_TRAIN, SERIES, SERIES_TRAIN, IMAGES_PART, SERIES_PART = (
    n // SCALE
    for n in (IMAGES, IMAGES_TRAIN, SERIES, SERIES_TRAIN, IMAGES_PART, SERIES_PART)
)
WRITE_ROWS, SERIES_CHUNK = 50_000, 10_000 // SCALE
RUNS = 3
CNN = dict(channels=(4,), kernel_size=3, dense_units=16, batch_size=256)
FCN = dict(channels=(4, 4, 4), batch_size=256)
ONE_EPOCH = dict(max_epochs=1, early_stopping=False, random_state=0)


def image_labels(rows):
    return np.arange(rows) % 10


def write_images(path):
    """The memmap's file, written chunk by chunk (never mapped here)."""
    rng = np.random.default_rng(0)
    with open(path, "wb") as f:
        for start in range(0, IMAGES, WRITE_ROWS):
            n = min(WRITE_ROWS, IMAGES - start)
            images = rng.integers(0, 128, size=(n, *IMAGE_SHAPE), dtype=np.uint8)
            labels = np.arange(start, start + n) % 10
            for k in range(10):  # class k: a 6x6 square at its own place
                r, c = 4 + 12 * (k // 4), 2 + 8 * (k % 4)
                images[labels == k, r : r + 6, c : c + 6] = 255
            f.write(images.tobytes())


def open_images(path):
    return np.memmap(path, dtype=np.uint8, mode="r", shape=(IMAGES, *IMAGE_SHAPE))


def series_block(block_info=None):
    """One chunk of the series, made from its own seed: noise, and in class 1
    (odd rows) a bump of height 2 over 50 steps at a random place."""
    start, stop = block_info[None]["array-location"][0]
    rng = np.random.default_rng(start)
    x = rng.standard_normal((stop - start, STEPS, 1), dtype=np.float32)
    rows = np.arange(start, stop)
    at = rng.integers(0, STEPS - 50, size=stop - start)
    for i in np.flatnonzero(rows % 2 == 1):
        x[i, at[i] : at[i] + 50, 0] += 2.0
    return x


def open_series():
    import dask.array as da

    chunks = ((SERIES_CHUNK,) * (SERIES // SERIES_CHUNK), (STEPS,), (1,))
    return da.map_blocks(series_block, chunks=chunks, dtype=np.float32)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_full(kind, path):
    """Fit one epoch on the large array and predict all of it."""
    import torch

    from sknets import CNNClassifier, FCNClassifier

    torch.set_num_threads(2)
    if kind == "images":
        X, n_train, y = open_images(path), IMAGES_TRAIN, image_labels(IMAGES)
        model = CNNClassifier(**CNN, **ONE_EPOCH)
    else:
        X, n_train, y = open_series(), SERIES_TRAIN, np.arange(SERIES) % 2
        model = FCNClassifier(**FCN, **ONE_EPOCH)
    start_mb = peak_mb()
    t = time.perf_counter()
    model.fit(X[:n_train], y[:n_train])
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    predicted = model.predict(X)
    predict_s = time.perf_counter() - t
    return {
        "input GB": X[:n_train].nbytes / 1e9,
        "fit (s)": fit_s,
        "predict (s)": predict_s,
        "held-out accuracy": float(np.mean(predicted[n_train:] == y[n_train:])),
        "peak before fit (MB)": start_mb,
        "peak (MB)": peak_mb(),
    }


def job_epoch(kind, path):
    """One epoch in memory and streamed, in turn, on a part that fits."""
    import torch

    from sknets import CNNClassifier, FCNClassifier

    torch.set_num_threads(2)
    if kind == "images":
        streamed = open_images(path)[:IMAGES_PART]
        in_memory = np.array(streamed)
        y, model = image_labels(IMAGES_PART), CNNClassifier(**CNN, **ONE_EPOCH)
    else:
        import dask.array as da

        in_memory = open_series()[:SERIES_PART].compute()
        streamed = da.from_array(in_memory, chunks=(SERIES_CHUNK, STEPS, 1))
        y, model = np.arange(SERIES_PART) % 2, FCNClassifier(**FCN, **ONE_EPOCH)
    times = {"in memory": [], "streamed": []}
    for run in range(RUNS):
        order = ["in memory", "streamed"][:: 1 if run % 2 == 0 else -1]
        for name in order:
            X = in_memory if name == "in memory" else streamed
            t = time.perf_counter()
            model.fit(X, y)
            times[name].append(time.perf_counter() - t)
    return times


def run_job(name, kind, path):
    out = subprocess.run(
        [sys.executable, __file__, "--job", name, "--kind", kind, "--path", path],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    from _common import write_page

    rows, epochs = [], []
    with tempfile.TemporaryDirectory(dir=os.environ.get("SKNETS_BENCH_DIR")) as tmp:
        path = str(Path(tmp) / "images.uint8")
        print("out of core: writing the images ...", flush=True)
        write_images(path)
        for kind, what in (
            ("images", "CNNClassifier, np.memmap of uint8 images"),
            ("series", "FCNClassifier, Dask array of float32 series"),
        ):
            print(f"out of core: {kind} ...", flush=True)
            full = run_job("full", kind, path)
            epoch = run_job("epoch", kind, path)
            ratio = np.median(epoch["streamed"]) / np.median(epoch["in memory"])
            rows.append(
                {
                    "task": what,
                    "training input (GB)": f"{full['input GB']:.1f}",
                    "fit, 1 epoch (s)": f"{full['fit (s)']:.0f}",
                    "predict (s)": f"{full['predict (s)']:.0f}",
                    "held-out accuracy": f"{full['held-out accuracy']:.3f}",
                    "peak resident memory (GB)": f"{full['peak (MB)'] / 1024:.2f}",
                    "of which at the start (GB)": (
                        f"{full['peak before fit (MB)'] / 1024:.2f}"
                    ),
                }
            )
            part = IMAGES_PART if kind == "images" else SERIES_PART
            epochs.append(
                {
                    "task": what,
                    "samples": f"{part:,}",
                    "in memory, per epoch (s)": f"{np.median(epoch['in memory']):.1f}",
                    "streamed, per epoch (s)": f"{np.median(epoch['streamed']):.1f}",
                    "streamed / in memory": f"{ratio:.2f}",
                }
            )
    write_page(
        "out_of_core",
        "Data larger than memory",
        " ".join(__doc__.split("\n\n")[1].split()),
        rows,
        "python benchmarks/out_of_core.py",
        more=[
            (
                "Time per epoch, streamed and in memory",
                f"Median of {RUNS} fits of one epoch each, the two in turn.",
                epochs,
            )
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job")
    parser.add_argument("--kind")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.job is None:
        sys.path.insert(0, str(Path(__file__).parent))
        sys.exit(main())
    job = job_full if args.job == "full" else job_epoch
    print(json.dumps(job(args.kind, args.path)))
