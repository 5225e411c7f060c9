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

Thread settings: torch and numba use every visible core (2 here);
``OMP_WAIT_POLICY=PASSIVE`` is set before torch starts (on a loaded machine
OpenMP's spinning threads slowed one measurement 30-fold).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
THREADS = os.cpu_count() or 1
os.environ.setdefault("NUMBA_NUM_THREADS", str(THREADS))

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import write_page  # noqa: E402
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
RECOMMENDED = "MiniRocketClassifier"  # what docs/timeseries_guide.md says to try first
REFERENCE = "MiniRocket (sktime)"


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


def classification():
    """{(set, model): [(accuracy, fit seconds) per seed]}."""
    results = {}
    for name in SETS:
        X, X_sk, y, data_format = load(name, "train")
        X_test, X_sk_test, y_test, _ = load(name, "test")
        for seed in SEEDS:
            model = minirocket(X_sk, seed)
            seconds = _timed_fit(model, X_sk, y)
            accuracy = model.score(X_sk_test, y_test)
            results.setdefault((name, REFERENCE), []).append((accuracy, seconds))
            for model_name in CLASSIFIERS:
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


def regression():
    """Covid3Month: {model: [(rmse, fit seconds) per seed]}."""
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
            "ridge on the standardised series",
            make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10))),
            X,
            X_test,
        )
        record(
            REFERENCE, minirocket(X[:, None], seed, True), X[:, None], X_test[:, None]
        )
        for model_name in REGRESSORS:
            record(
                model_name, getattr(sknets, model_name)(random_state=seed), X, X_test
            )
    mean_only = np.sqrt(np.mean((y.mean() - y_test) ** 2))
    return results, mean_only


def adding():
    """The adding problem, 4,000 training sequences of 40 steps: test MSE and
    fit time of the default recurrent regressors (seed 0)."""
    rng = np.random.RandomState(0)
    X, y = make_adding_problem(4000, 40, random_state=rng)
    X_test, y_test = make_adding_problem(1000, 40, random_state=rng)
    rows = []
    for model_name in ("LSTMRegressor", "GRURegressor"):
        model = getattr(sknets, model_name)(random_state=0)
        seconds = _timed_fit(model, X, y)
        mse = float(np.mean((model.predict(X_test) - y_test) ** 2))
        print(f"adding problem {model_name}: MSE {mse:.4f} in {seconds:.1f} s")
        rows.append(
            {
                "model": model_name,
                "test MSE": f"{mse:.4f}",
                "fit time (s)": f"{seconds:.1f}",
                "epochs": model.n_iter_,
                "batch size": model.batch_size_,
            }
        )
    return rows


def _cell(values, digits=3):
    values = np.asarray(values)
    if len(values) == 1 or np.ptp(values) == 0:
        return f"{values.mean():.{digits}f}"
    low, high = values.min(), values.max()
    return f"{values.mean():.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def _tables(results):
    models = (REFERENCE, *CLASSIFIERS)
    accuracy = [
        {
            "data set": name,
            **{m: _cell([a for a, _ in results[(name, m)]]) for m in models},
            "published FCN / ResNet / InceptionTime / MiniRocket": " / ".join(
                PUBLISHED[name]
            ),
        }
        for name in SETS
    ]
    times = [
        {
            "data set": name,
            **{m: f"{np.mean([s for _, s in results[(name, m)]]):.1f}" for m in models},
        }
        for name in SETS
    ]
    reference = {n: np.mean([a for a, _ in results[(n, REFERENCE)]]) for n in SETS}
    summary = []
    for m in models:
        means = {n: np.mean([a for a, _ in results[(n, m)]]) for n in SETS}
        summary.append(
            {
                "model": m,
                "mean accuracy over the 7 sets": f"{np.mean(list(means.values())):.3f}",
                "largest gap to MiniRocket (points)": (
                    f"{max(100 * (reference[n] - means[n]) for n in SETS):.1f}"
                ),
                "longest fit (s)": f"{max(s for n in SETS for _, s in results[(n, m)]):.1f}",  # noqa: E501
            }
        )
    return summary, accuracy, times


def main():
    try:
        import numba  # noqa: F401
        import sktime  # noqa: F401
    except ImportError:
        print(
            "timeseries: sktime and numba are needed; skipped "
            "(pip install sktime numba)"
        )
        return
    _warm_up()
    results = classification()
    summary, accuracy, times = _tables(results)
    regression_results, mean_only = regression()
    regression_rows = [
        {
            "model": name,
            "test RMSE": _cell([r for r, _ in values], 4),
            "fit time (s)": f"{np.mean([s for _, s in values]):.1f}",
        }
        for name, values in regression_results.items()
    ]
    adding_rows = adding()
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
        "`OMP_WAIT_POLICY=PASSIVE`.",
        summary,
        "python benchmarks/timeseries.py (part of make bench)",
        more=(
            ("Test accuracy per data set", "", accuracy),
            ("Fit time per data set (seconds, mean over the seeds)", "", times),
            (
                "Regression: Covid3Month",
                "140 training and 61 test series of 84 days; RMSE of the "
                "predicted case-fatality ratio (mean and range over the seeds). "
                f"Predicting the training mean: {mean_only:.4f}.",
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
