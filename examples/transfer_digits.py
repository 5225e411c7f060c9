"""Transfer learning: from digits 0-4 to a few examples of digits 5-9.
===================================================================

A ``CNNClassifier`` is trained on the digits 0 to 4 of scikit-learn's bundled
``load_digits``. A new task has only three labelled images of each of the
digits 5 to 9. ``init_from=source`` starts a model of the same architecture
from the source's convolution features with a new output layer for the new
classes, then fine-tunes everything (``freeze_features=True`` would train the
output layer alone). The same model trained from scratch on the same fifteen
images is the comparison, over four draws of the fifteen images.

The architecture has no hidden dense layer (``dense_units=0``): the pooled
convolution features carry over to new digits, while a dense layer fitted to
the source's five classes carries over less.
"""

import time

import numpy as np
from sklearn.datasets import load_digits

from sknets import CNNClassifier

ARCH = dict(dense_units=0)


def main(n_per_class=3, seeds=range(4)):
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) / 16.0
    start = time.perf_counter()
    source = CNNClassifier(random_state=0, **ARCH).fit(X[y < 5], y[y < 5])
    print(
        f"source model (digits 0-4, {np.sum(y < 5)} images): "
        f"{time.perf_counter() - start:.1f} s"
    )
    X_new, y_new = X[y >= 5], y[y >= 5]
    results = {"from scratch": [], "fine-tuned": [], "frozen features": []}
    options = {
        "from scratch": {},
        "fine-tuned": {"init_from": source},
        "frozen features": {
            "init_from": source,
            "freeze_features": True,
            "lr": 1e-2,
            "max_epochs": 100,
        },
    }
    for seed in seeds:
        rng = np.random.RandomState(seed)
        few = np.concatenate(
            [
                rng.choice(np.flatnonzero(y_new == c), n_per_class, replace=False)
                for c in range(5, 10)
            ]
        )
        rest = np.setdiff1d(np.arange(len(y_new)), few)
        for name, params in options.items():
            model = CNNClassifier(random_state=seed, **{**ARCH, **params})
            model.fit(X_new[few], y_new[few])
            results[name].append(model.score(X_new[rest], y_new[rest]))
    print(
        f"\n{n_per_class} images per digit 5-9; accuracy on the other "
        f"{len(y_new) - 5 * n_per_class} images of 5-9, per draw and mean:"
    )
    for name, scores in results.items():
        per_draw = " ".join(f"{s:.3f}" for s in scores)
        print(f"  {name:16s} {per_draw}  mean {np.mean(scores):.3f}")
    return {name: float(np.mean(scores)) for name, scores in results.items()}


if __name__ == "__main__":
    means = main()

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.barh(list(means), list(means.values()))
    ax.set_xlim(0.5, 1.0)
    ax.set_xlabel("mean test accuracy on digits 5-9 (3 training images each)")
    fig.tight_layout()
