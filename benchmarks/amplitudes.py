"""Series whose amplitudes differ by orders of magnitude: `standardize`.

PLAID (sktime's wheel ships it): 1,074 recordings of the electric current of
11 kinds of household appliance, 100 to 1,344 steps long and, unlike most
UCR sets, not z-normalised: the series' standard deviations span five orders
of magnitude. The default ``standardize=True`` scales every series by the
same statistics; ``standardize='sample'`` scales each by its own, as the UCR
archive does. sktime's MiniRocket (``MiniRocketMultivariateVariable``, short
series padded with zeros to its minimum of 9 steps, then
``RidgeClassifierCV``) in the same run. Seeds 0, 1, 2; accuracy mean and
range; fit time mean. Writes docs/results/amplitudes.md.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import write_page  # noqa: E402

# the thread settings, sktime's MiniRocket, its warm-up, the timed fit and the
# cells of the time-series benchmark
from timeseries import SEEDS, _cell, _stats, _timed_fit, _warm_up, minirocket  # noqa: E402

from sknets import FCNClassifier, MiniRocketClassifier  # noqa: E402

MODELS = {
    "MiniRocket (sktime)": None,
    "MiniRocketClassifier()": lambda seed: MiniRocketClassifier(random_state=seed),
    "FCNClassifier()": lambda seed: FCNClassifier(random_state=seed),
    "FCNClassifier(standardize='sample')": lambda seed: FCNClassifier(
        standardize="sample", random_state=seed
    ),
}


def load(split):
    """PLAID as a list of 1D float arrays and as sktime's nested frame."""
    from sktime.datasets import load_UCR_UEA_dataset

    X, y = load_UCR_UEA_dataset("PLAID", split=split, return_type="nested_univ")
    series = [X.iloc[i, 0].to_numpy(dtype=np.float64) for i in range(len(X))]
    return series, X, np.asarray(y)


def _spread(series):
    stds = np.array([s.std() for s in series])
    low, high = np.percentile(stds[stds > 0], [10, 90])
    return high / low


def main():
    train, train_frame, y_train = load("train")
    test, test_frame, y_test = load("test")
    _warm_up()
    rows = []
    for name, make in MODELS.items():
        runs = []
        for seed in SEEDS:
            if make is None:
                model, fit_X, test_X = minirocket(train, seed), train_frame, test_frame
            else:
                model, fit_X, test_X = make(seed), train, test
            seconds = _timed_fit(model, fit_X, y_train)
            runs.append((model.score(test_X, y_test), seconds))
            print(f"{name} seed {seed}: {runs[-1][0]:.3f} in {seconds:.1f} s")
        stats = _stats(runs)
        rows.append(
            {
                "model": name,
                "test accuracy": _cell(stats),
                "fit time (s)": f"{stats['seconds']:.1f}",
            }
        )
    lengths = [len(s) for s in train]
    write_page(
        "amplitudes",
        "Series of very different amplitudes: PLAID",
        f"PLAID's default split: {len(train)} training and {len(test)} test "
        f"series of {min(lengths)} to {max(lengths)} steps, 11 classes (the "
        f"largest holds {pd.Series(y_test).value_counts().max() / len(y_test):.3f} "
        "of the test set), not z-normalised: the 90th percentile of the "
        f"training series' standard deviations is {_spread(train):,.0f} times "
        "the 10th. sknets models with default hyperparameters but for "
        "`standardize`, fitted on the list of series; sktime's MiniRocket "
        "(`MiniRocketMultivariateVariable`, short series padded with zeros to "
        "its minimum of 9 steps, then `RidgeClassifierCV(alphas=np.logspace(-3, "
        "3, 10))`) in the same process after a fit that compiles its numba "
        "code. Seeds 0, 1 and 2: mean test accuracy (range) and mean fit time. "
        "Threads: torch and numba use every visible core (set explicitly), "
        "`OMP_WAIT_POLICY=PASSIVE`.",
        rows,
        "python benchmarks/amplitudes.py",
    )


if __name__ == "__main__":
    main()
