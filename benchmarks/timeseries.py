"""Time-series classification on the UCR/UEA data that sktime ships.

GunPoint, ItalyPowerDemand, BasicMotions and JapaneseVowels (variable length),
default train/test splits, default hyperparameters (``random_state=0``), next
to the published test accuracies of ../shared/data/README.md. Writes
docs/results/timeseries.md. Skips cleanly without sktime.
"""

import time

import numpy as np
from _common import write_page

from sknets import (
    CRNNClassifier,
    GRUClassifier,
    LSTMClassifier,
    RNNClassifier,
    TCNClassifier,
    TransformerClassifier,
)

# Published test accuracies (../shared/data/README.md): FCN, ResNet, ROCKET.
PUBLISHED = {
    "GunPoint": ("1.000", "0.991", "1.000"),
    "ItalyPowerDemand": ("0.963", "0.962", "0.970"),
    "BasicMotions": ("-", "-", "1.000"),
    "JapaneseVowels": ("0.993", "0.992", "-"),
}

MODELS = {
    "RNNClassifier": lambda: RNNClassifier(random_state=0),
    "LSTMClassifier": lambda: LSTMClassifier(random_state=0),
    "GRUClassifier": lambda: GRUClassifier(random_state=0),
    "TCNClassifier": lambda: TCNClassifier(random_state=0),
    "TransformerClassifier": lambda: TransformerClassifier(random_state=0),
    "CRNNClassifier": lambda: CRNNClassifier(random_state=0),
}


def _japanese_vowels(split):
    from sktime.datasets import load_japanese_vowels

    X, y = load_japanese_vowels(split=split)
    series = [
        np.stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])], axis=1)
        for i in range(len(X))
    ]
    return series, np.asarray(y)


def load(name, split):
    """X and y of one data set; equal-length sets come channels-first."""
    from sktime import datasets

    if name == "JapaneseVowels":
        return _japanese_vowels(split), "channels_last"
    loader = {
        "GunPoint": datasets.load_gunpoint,
        "ItalyPowerDemand": datasets.load_italy_power_demand,
        "BasicMotions": datasets.load_basic_motions,
    }[name]
    X, y = loader(split=split, return_type="numpy3D")
    return (X, np.asarray(y)), "channels_first"


def main():
    try:
        import sktime  # noqa: F401
    except ImportError:
        print("timeseries: sktime is not installed; skipped (pip install sktime)")
        return
    rows = []
    for name, published in PUBLISHED.items():
        (X_train, y_train), data_format = load(name, "train")
        (X_test, y_test), _ = load(name, "test")
        for model_name, make in MODELS.items():
            print(f"{name}: {model_name} ...", flush=True)
            model = make().set_params(data_format=data_format)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            elapsed = time.perf_counter() - start
            rows.append(
                {
                    "data set": name,
                    "model": model_name,
                    "test accuracy": f"{model.score(X_test, y_test):.3f}",
                    "fit time (s)": f"{elapsed:.1f}",
                    "published FCN / ResNet / ROCKET": " / ".join(published),
                }
            )
    write_page(
        "timeseries",
        "Time series: UCR/UEA classification",
        "Default train/test splits of the data sets bundled with sktime; "
        "sknets estimators with default hyperparameters and `random_state=0` "
        "(equal-length sets passed as sktime's `numpy3D`, with "
        "`data_format='channels_first'`; JapaneseVowels as a list of "
        "(T_i, 12) arrays of lengths 7 to 29). Published numbers: the results "
        "files of Fawaz et al. (2019) and ROCKET (2020); those models train "
        "for 1,500-2,000 epochs on a GPU.",
        rows,
        "make bench",
    )


if __name__ == "__main__":
    main()
