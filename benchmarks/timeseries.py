"""Time series: every sknets estimator with its defaults beside sktime's
MiniRocket, in one run, on the UCR/UEA data that the sktime wheel ships.

Classification: GunPoint, ItalyPowerDemand, BasicMotions (6 channels),
JapaneseVowels (12 channels, lengths 7 to 29), ArrowHead, OSULeaf and
UnitTest, default train/test splits, seeds 0, 1 and 2 (``random_state``):
test accuracy (mean and range over the seeds) and fit time, next to sktime's
MiniRocket + RidgeClassifierCV fitted on the same data with the same seeds
and to published figures. Regression: Covid3Month against a ridge
regression of the raw series and MiniRocket + RidgeCV. The adding problem
(4,000 sequences of 40 steps) for the recurrent regressors' defaults. Writes
docs/results/timeseries.md; skips cleanly without sktime (and numba, which
sktime's MiniRocket needs).

A whole run takes about 2.5 hours on 2 cores. ``--models A,B`` re-measures
those sknets models only, always beside sktime's MiniRocket (and, for the
regression, the ridge baseline) in the same process: the figures of every
run are kept in benchmarks/results/timeseries.json, and the page is written
from it, naming the run (commit and machine) that measured each row.

Thread settings: torch and numba use every visible core (2 here);
``OMP_WAIT_POLICY=PASSIVE`` is set before torch starts (on a loaded machine
OpenMP's spinning threads slowed one measurement 30-fold).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
THREADS = os.cpu_count() or 1
os.environ.setdefault("NUMBA_NUM_THREADS", str(THREADS))

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import machine, write_page  # noqa: E402
from sklearn.linear_model import RidgeClassifierCV, RidgeCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sknets  # noqa: E402
from sknets.datasets import make_adding_problem  # noqa: E402

torch.set_num_threads(THREADS)

SEEDS = (0, 1, 2)
SETS = (
    "GunPoint",
    "ItalyPowerDemand",
    "BasicMotions",
    "JapaneseVowels",
    "ArrowHead",
    "OSULeaf",
    "UnitTest",
)
# Published test accuracies (../shared/data/README.md): FCN, ResNet,
# InceptionTime, MiniRocket.
PUBLISHED = {
    "GunPoint": ("1.000", "0.991", "1.000", "0.993"),
    "ItalyPowerDemand": ("0.963", "0.962", "0.965", "0.969"),
    "BasicMotions": ("-", "-", "-", "-"),
    "JapaneseVowels": ("0.993", "0.992", "-", "-"),
    "ArrowHead": ("0.843", "0.838", "0.846", "0.863"),
    "OSULeaf": ("0.979", "0.980", "0.942", "0.959"),
    "UnitTest": ("-", "-", "-", "-"),
}
CLASSIFIERS = (
    "MiniRocketClassifier",
    "FCNClassifier",
    "ResNetClassifier",
    "InceptionTimeClassifier",
    "TCNClassifier",
    "LSTMClassifier",
    "GRUClassifier",
    "RNNClassifier",
    "TransformerClassifier",
    "CRNNClassifier",
)
REGRESSORS = (
    "MiniRocketRegressor",
    "FCNRegressor",
    "ResNetRegressor",
    "InceptionTimeRegressor",
    "TCNRegressor",
    "LSTMRegressor",
    "GRURegressor",
)
ADDING = ("LSTMRegressor", "GRURegressor")
RECOMMENDED = "MiniRocketClassifier"  # what docs/timeseries_guide.md says to try first
REFERENCE = "MiniRocket (sktime)"
RIDGE = "ridge on the standardised series"
RESULTS = Path(__file__).resolve().parent / "results" / "timeseries.json"


def load(name, split):
    """``(X for sknets, X for sktime, y, data_format)``: equal-length sets as
    sktime's numpy3D (channels first) for both; JapaneseVowels as a list of
    (T_i, 12) arrays for sknets and sktime's nested DataFrame for sktime."""
    from sktime import datasets

    if name == "JapaneseVowels":
        X, y = datasets.load_japanese_vowels(split=split)
        series = [
            np.stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])], axis=1)
            for i in range(len(X))
        ]
        return series, X, np.asarray(y), "channels_last"
    loader = getattr(datasets, "load_" + _snake(name))
    X, y = loader(split=split, return_type="numpy3D")
    return X, X, np.asarray(y), "channels_first"


def _snake(name):
    return {
        "GunPoint": "gunpoint",
        "ItalyPowerDemand": "italy_power_demand",
        "BasicMotions": "basic_motions",
        "ArrowHead": "arrow_head",
        "OSULeaf": "osuleaf",
        "UnitTest": "unit_test",
    }[name]


def minirocket(X, seed, regression=False):
    """sktime's MiniRocket for X's kind of series, then a ridge model."""
    from sktime.transformations.panel.rocket import (
        MiniRocket,
        MiniRocketMultivariate,
        MiniRocketMultivariateVariable,
    )

    if not isinstance(X, np.ndarray):
        transform = MiniRocketMultivariateVariable(
            random_state=seed, pad_value_short_series=0
        )
    elif X.shape[1] > 1:
        transform = MiniRocketMultivariate(random_state=seed)
    else:
        transform = MiniRocket(random_state=seed)
    alphas = np.logspace(-3, 3, 10)
    head = RidgeCV(alphas=alphas) if regression else RidgeClassifierCV(alphas=alphas)
    return _TransformThenFit(transform, head)


class _TransformThenFit:
    """sktime transform, then a scikit-learn model (scikit-learn 1.9's
    Pipeline trips over sktime transformers' attributes)."""

    def __init__(self, transform, model):
        self.transform, self.model = transform, model

    def fit(self, X, y):
        self.model.fit(self.transform.fit(X).transform(X), y)
        return self

    def predict(self, X):
        return self.model.predict(self.transform.transform(X))

    def score(self, X, y):
        return self.model.score(self.transform.transform(X), y)


def _timed_fit(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return time.perf_counter() - start


def _warm_up():
    """Compile sktime's numba code before any timing (its first fit compiles
    for about 15 s; the cache on disk makes later runs faster)."""
    rng = np.random.RandomState(0)
    y = np.arange(12) % 2
    for X in (rng.rand(12, 1, 30), rng.rand(12, 2, 30)):
        minirocket(X, 0).fit(X, y)
    from sktime.datasets import load_japanese_vowels

    X, y = load_japanese_vowels(split="train")
    minirocket(X, 0).fit(X.iloc[:20], np.asarray(y)[:20])


def classification(models):
    """{(set, model): [(accuracy, fit seconds) per seed]} for sktime's
    MiniRocket and the sknets ``models``."""
    results = {}
    for name in SETS:
        X, X_sk, y, data_format = load(name, "train")
        X_test, X_sk_test, y_test, _ = load(name, "test")
        for seed in SEEDS:
            model = minirocket(X_sk, seed)
            seconds = _timed_fit(model, X_sk, y)
            accuracy = model.score(X_sk_test, y_test)
            results.setdefault((name, REFERENCE), []).append((accuracy, seconds))
            for model_name in models:
                model = getattr(sknets, model_name)(random_state=seed)
                model.set_params(data_format=data_format)
                seconds = _timed_fit(model, X, y)
                accuracy = model.score(X_test, y_test)
                results.setdefault((name, model_name), []).append((accuracy, seconds))
                print(
                    f"{name} seed {seed} {model_name}: {accuracy:.3f} "
                    f"in {seconds:.1f} s",
                    flush=True,
                )
    return results


def regression(models):
    """Covid3Month: {model: [(rmse, fit seconds) per seed]} for the ridge
    baseline, sktime's MiniRocket and the sknets ``models``."""
    from sktime.datasets import load_covid_3month

    X_df, y = load_covid_3month(split="train")
    X_df_test, y_test = load_covid_3month(split="test")

    def array(frame):
        return np.stack([frame.iloc[i, 0].to_numpy() for i in range(len(frame))])

    X, X_test = array(X_df), array(X_df_test)  # (n, 84)
    results = {}

    def record(name, model, fit_X, test_X):
        seconds = _timed_fit(model, fit_X, y)
        rmse = float(np.sqrt(np.mean((model.predict(test_X) - y_test) ** 2)))
        results.setdefault(name, []).append((rmse, seconds))
        print(f"Covid3Month {name}: RMSE {rmse:.4f} in {seconds:.1f} s", flush=True)

    for seed in SEEDS:
        record(
            RIDGE,
            make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10))),
            X,
            X_test,
        )
        record(
            REFERENCE, minirocket(X[:, None], seed, True), X[:, None], X_test[:, None]
        )
        for model_name in models:
            record(
                model_name, getattr(sknets, model_name)(random_state=seed), X, X_test
            )
    mean_only = np.sqrt(np.mean((y.mean() - y_test) ** 2))
    return results, mean_only


def adding(models):
    """The adding problem, 4,000 training sequences of 40 steps: test MSE and
    fit time of the default recurrent regressors ``models`` (seed 0)."""
    rng = np.random.RandomState(0)
    X, y = make_adding_problem(4000, 40, random_state=rng)
    X_test, y_test = make_adding_problem(1000, 40, random_state=rng)
    rows = {}
    for model_name in models:
        model = getattr(sknets, model_name)(random_state=0)
        seconds = _timed_fit(model, X, y)
        mse = float(np.mean((model.predict(X_test) - y_test) ** 2))
        print(f"adding problem {model_name}: MSE {mse:.4f} in {seconds:.1f} s")
        rows[model_name] = {
            "mse": mse,
            "seconds": seconds,
            "epochs": int(model.n_iter_),
            "batch_size": int(model.batch_size_),
        }
    return rows


def _stats(values):
    """Mean, range and fit time of [(score, fit seconds) per seed]."""
    scores = [float(v) for v, _ in values]
    seconds = [float(t) for _, t in values]
    return {
        "mean": float(np.mean(scores)),
        "min": min(scores),
        "max": max(scores),
        "per_seed": scores,
        "seconds": float(np.mean(seconds)),
        "longest": max(seconds),
    }


def _cell(stats, digits=3):
    mean, low, high = stats["mean"], stats["min"], stats["max"]
    if f"{low:.{digits}f}" == f"{high:.{digits}f}":
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def _run_id():
    """This run's name in the results file: the date and the commit it
    measures, or the commit a changed working tree is based on (the change
    and the figures it produced are then committed together)."""

    def git(*args):
        root = RESULTS.parents[2]  # the repository
        out = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True
        )
        return out.stdout.strip()

    commit = "commit " + (git("rev-parse", "--short", "HEAD") or "unknown")
    if git("status", "--porcelain", "--", "sknets", "benchmarks/timeseries.py"):
        commit = f"changes on {commit[7:]}, committed with these figures"
    return f"{datetime.date.today().isoformat()}, {commit}"


def _merge(stored, run, machine_line, classified, regressed, mean_only, added):
    """The results file's content with this run's figures in place of the
    stored figures of the same models."""
    stored.setdefault("runs", {})[run] = {"machine": machine_line}
    table = stored.setdefault("classification", {})
    for model in {m for _, m in classified}:
        sets = {n: _stats(classified[(n, model)]) for n in SETS}
        longest = max(v["longest"] for v in sets.values())
        table[model] = {"run": run, "longest": longest, "sets": sets}
    regression = stored.setdefault("regression", {"models": {}})
    if regressed:
        regression["mean_only"] = float(mean_only)
    for model, values in regressed.items():
        regression["models"][model] = {"run": run, **_stats(values)}
    for model, row in added.items():
        stored.setdefault("adding", {})[model] = {"run": run, **row}
    cited = {run for _, run in _rows_by_run(stored)}
    stored["runs"] = {k: v for k, v in stored["runs"].items() if k in cited}
    return stored


def _rows_by_run(stored):
    """(row, run) for every stored row."""
    parts = (
        ("", stored.get("classification", {})),
        (" (Covid3Month)", stored.get("regression", {}).get("models", {})),
        (" (adding problem)", stored.get("adding", {})),
    )
    return [
        (model + suffix, entry["run"])
        for suffix, entries in parts
        for model, entry in entries.items()
    ]


def _tables(stored):
    table = stored["classification"]
    models = [m for m in (REFERENCE, *CLASSIFIERS) if m in table]
    reference = {n: table[REFERENCE]["sets"][n]["mean"] for n in SETS}
    accuracy = [
        {
            "data set": name,
            **{m: _cell(table[m]["sets"][name]) for m in models},
            "published FCN / ResNet / InceptionTime / MiniRocket": " / ".join(
                PUBLISHED[name]
            ),
        }
        for name in SETS
    ]
    times = [
        {
            "data set": name,
            **{m: f"{table[m]['sets'][name]['seconds']:.1f}" for m in models},
        }
        for name in SETS
    ]
    summary = []
    for m in models:
        means = {n: table[m]["sets"][n]["mean"] for n in SETS}
        summary.append(
            {
                "model": m,
                "mean accuracy over the 7 sets": f"{np.mean(list(means.values())):.3f}",
                "largest gap to MiniRocket (points)": (
                    f"{max(100 * (reference[n] - means[n]) for n in SETS):.1f}"
                ),
                "longest fit (s)": f"{table[m]['longest']:.1f}",
                "run": table[m]["run"],
            }
        )
    return summary, accuracy, times


def _models(argument):
    """The sknets models a run measures: all, or the ``--models`` list."""
    known = (*CLASSIFIERS, *REGRESSORS)
    if argument is None:
        return known
    chosen = tuple(m.strip() for m in argument.split(",") if m.strip())
    unknown = sorted(set(chosen) - set(known))
    if unknown or not chosen:
        raise SystemExit(f"--models: unknown models {unknown}; choose among {known}")
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        help="comma-separated sknets models to re-measure (default: all); the "
        "other rows keep the figures stored in " + str(RESULTS.name),
    )
    models = _models(parser.parse_args(argv).models)
    try:
        import numba  # noqa: F401
        import sktime  # noqa: F401
    except ImportError:
        print(
            "timeseries: sktime and numba are needed; skipped "
            "(pip install sktime numba)"
        )
        return
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous = stored.get("classification", {}).get(REFERENCE)
    _warm_up()
    classified = classification([m for m in CLASSIFIERS if m in models])
    regressed, mean_only = regression([m for m in REGRESSORS if m in models])
    added = adding([m for m in ADDING if m in models])
    run = _run_id()
    stored = _merge(stored, run, machine(), classified, regressed, mean_only, added)
    if previous is not None:  # sktime's MiniRocket is deterministic per seed
        for name in SETS:
            before, now = previous["sets"][name], stored["classification"][REFERENCE]
            if abs(before["mean"] - now["sets"][name]["mean"]) > 5e-4:
                print(f"note: MiniRocket (sktime) on {name} moved since the last run")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(stored, indent=1) + "\n")
    _write(stored)


def _write(stored):
    """docs/results/timeseries.md from the stored results."""
    summary, accuracy, times = _tables(stored)
    regression_rows = [
        {
            "model": name,
            "test RMSE": _cell(values, 4),
            "fit time (s)": f"{values['seconds']:.1f}",
            "run": values["run"],
        }
        for name, values in stored["regression"]["models"].items()
    ]
    adding_rows = [
        {
            "model": name,
            "test MSE": f"{row['mse']:.4f}",
            "fit time (s)": f"{row['seconds']:.1f}",
            "epochs": row["epochs"],
            "batch size": row["batch_size"],
            "run": row["run"],
        }
        for name, row in stored["adding"].items()
    ]
    rows = _rows_by_run(stored)
    runs = "\n".join(
        f"- {name}, on {info['machine']}: "
        + ", ".join(row for row, run in rows if run == name)
        + (f" ({info['note']})" if "note" in info else "")
        + "."
        for name, info in stored["runs"].items()
    )
    write_page(
        "timeseries",
        "Time series: sknets and MiniRocket side by side",
        "Default train/test splits of the UCR/UEA data sets bundled with "
        "sktime. Every estimator runs with its default hyperparameters and "
        f"`random_state` {', '.join(map(str, SEEDS))}; a cell is the mean test "
        "accuracy over the seeds and, in brackets, its range. MiniRocket "
        "(sktime) is sktime's `MiniRocket` transform (`MiniRocketMultivariate` "
        "for several channels, `MiniRocketMultivariateVariable` for "
        "JapaneseVowels' unequal lengths, short series padded with zeros to "
        "its minimum of 9 steps) and `RidgeClassifierCV(alphas=np.logspace(-3, "
        "3, 10))`, fitted in the same process with the same seeds, after one "
        "untimed fit that compiles its numba code. Equal-length sets are "
        "passed to sknets as sktime's `numpy3D` with "
        "`data_format='channels_first'`, JapaneseVowels as a list of (T_i, 12) "
        "arrays. Published figures: Ismail Fawaz et al. (2019, 2020) and the "
        "MiniRocket paper (2021); those deep models train 1,500-2,000 epochs "
        f"on a GPU. Threads: torch and numba use {THREADS}; "
        "`OMP_WAIT_POLICY=PASSIVE`.\n\n"
        "A whole run takes about 2.5 hours on 2 cores, so a change to one "
        "model re-measures that model (`--models`), always beside sktime's "
        "MiniRocket in the same process; the `run` column says which run "
        "measured a row. Runs:\n\n" + runs,
        summary,
        "python benchmarks/timeseries.py (part of make bench)",
        measured="Measured by `python benchmarks/timeseries.py` (part of `make "
        "bench`; `--models` for some rows), in the runs above; this page is "
        "written from benchmarks/results/timeseries.json.",
        more=(
            ("Test accuracy per data set", "", accuracy),
            ("Fit time per data set (seconds, mean over the seeds)", "", times),
            (
                "Regression: Covid3Month",
                "140 training and 61 test series of 84 days; RMSE of the "
                "predicted case-fatality ratio (mean and range over the seeds). "
                "Predicting the training mean: "
                f"{stored['regression']['mean_only']:.4f}.",
                regression_rows,
            ),
            (
                "The adding problem",
                "4,000 training and 1,000 test sequences of 40 steps (two "
                "channels: random values, and a marker on one step in each half); "
                "the target is the sum of the two marked values (predicting 1.0: "
                "MSE 0.167). Default `LSTMRegressor` and `GRURegressor`, seed 0.",
                adding_rows,
            ),
        ),
    )


if __name__ == "__main__":
    main()
