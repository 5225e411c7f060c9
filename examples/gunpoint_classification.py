"""Time-series classification: GunPoint with a TCN, a CRNN and a GRU.
==================================================================

GunPoint (bundled with sktime, no download) holds 150-step hand-position
series of an actor drawing a gun or only pointing; 50 training and 150 test
series. Three sknets estimators with their default settings read the same
sktime ``numpy3D`` array, (n, channels, steps), which they read as it comes
(``data_format='auto'`` finds the time axis): a temporal
convolutional network, a CNN+RNN hybrid and a bidirectional GRU. The figure
shows the TCN's training history with ``TrainingHistoryDisplay``.

Requires the optional sktime package (``pip install sktime``).
"""

import time

from sknets import CRNNClassifier, GRUClassifier, TCNClassifier


def load(split):
    from sktime.datasets import load_gunpoint

    X, y = load_gunpoint(split=split, return_type="numpy3D")
    return X, y


def main(random_state=0, names=("TCNClassifier", "CRNNClassifier", "GRUClassifier")):
    X_train, y_train = load("train")
    X_test, y_test = load("test")
    models = {
        "TCNClassifier": TCNClassifier(random_state=random_state),
        "CRNNClassifier": CRNNClassifier(random_state=random_state),
        "GRUClassifier": GRUClassifier(random_state=random_state),
    }
    models = {name: models[name] for name in names}
    scores = {}
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        scores[name] = model.score(X_test, y_test)
        print(f"{name:15s} test accuracy {scores[name]:.3f}  fit {elapsed:.1f} s")
    return scores, models


if __name__ == "__main__":
    scores, models = main()

    from sknets import TrainingHistoryDisplay

    TrainingHistoryDisplay.from_estimator(
        models["TCNClassifier"], name="TCN on GunPoint"
    )
