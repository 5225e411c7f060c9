"""Image classification: the default CNNClassifier on scikit-learn's digits.

The 75/25 split of the foundation issue (``stratify=y``, ``random_state=0``),
next to scikit-learn baselines measured in the same run; then augmentation on
10 % of the training split. Writes docs/results/images.md.
"""

import time

import numpy as np
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
        more=[augmentation(X_train, X_test, y_train, y_test, seeds)],
    )


AUGMENT = ["shift", "rotation", "zoom"]


def augmentation(X_train, X_test, y_train, y_test, seeds):
    """CNNClassifier with and without augmentation on 10 % of the training
    split (134 images, a stratified draw per seed; the same draw and seed for
    both), at the default budget and at 300 epochs."""
    rows = []
    for epochs in ("auto", 300):
        for augment in (None, AUGMENT):
            scores, times = [], []
            for seed in seeds:
                X_small, _, y_small, _ = train_test_split(
                    X_train,
                    y_train,
                    train_size=0.1,
                    stratify=y_train,
                    random_state=seed,
                )
                model = CNNClassifier(
                    augment=augment, max_epochs=epochs, random_state=seed
                )
                print(f"digits, 10 %: augment={augment}, {epochs} ...", flush=True)
                start = time.perf_counter()
                model.fit(X_small, y_small)
                times.append(time.perf_counter() - start)
                scores.append(model.score(X_test, y_test))
                trained = model.max_epochs_
            rows.append(
                {
                    "augment": repr(augment),
                    "max_epochs": repr(epochs),
                    "epochs trained": str(trained),
                    "test accuracy, mean of 3 seeds": f"{np.mean(scores):.4f}",
                    "per seed": ", ".join(f"{a:.4f}" for a in scores),
                    "mean fit time (s)": f"{np.mean(times):.1f}",
                }
            )
    gain = {
        r["max_epochs"]: float(r["test accuracy, mean of 3 seeds"]) for r in rows[1::2]
    }
    base = {
        r["max_epochs"]: float(r["test accuracy, mean of 3 seeds"]) for r in rows[::2]
    }
    lines = ", ".join(
        f"{100 * (gain[k] - base[k]):+.1f} points at max_epochs={k}" for k in gain
    )
    text = (
        f"`CNNClassifier(augment={AUGMENT!r})` against the same estimator without "
        "augmentation, trained on 10 % of the training split above (134 images, "
        "a stratified draw per seed, the same draw and `random_state` for both) "
        f"and scored on the whole test split. Augmentation: {lines}. Augmented "
        "training needs more epochs to pay off: with `max_epochs='auto'` the "
        "budget grows with augmentation (at most 30 epochs without, 300 with; "
        "the steps stay as they are, so a large set keeps its few passes)."
    )
    return ("Augmentation on 10 % of the training images", text, rows)


if __name__ == "__main__":
    main()
