"""Image classification: the default CNNClassifier on scikit-learn's digits.

The 75/25 split of the foundation issue (``stratify=y``, ``random_state=0``),
next to scikit-learn baselines measured in the same run. Writes
docs/results/images.md.
"""

import time

from _common import write_page
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from sknets import CNNClassifier


def main(seeds=(0, 1, 2)):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    models = [
        (f"CNNClassifier(random_state={s})", CNNClassifier(random_state=s))
        for s in seeds
    ]
    models += [
        ("SVC(gamma=0.001)", SVC(gamma=0.001)),
        ("MLPClassifier(random_state=0)", MLPClassifier(random_state=0, max_iter=500)),
    ]
    rows = []
    for name, model in models:
        print(f"digits: {name} ...", flush=True)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        rows.append(
            {
                "model": name,
                "test accuracy": f"{model.score(X_test, y_test):.4f}",
                "fit time (s)": f"{elapsed:.1f}",
            }
        )
    write_page(
        "images",
        "Images: digits",
        "scikit-learn's bundled 8x8 digits (1,797 images), 75/25 split with "
        "`stratify=y, random_state=0`; default hyperparameters for sknets.",
        rows,
        "make bench",
    )


if __name__ == "__main__":
    main()
