"""Video classification with a CNN+RNN (CRNN): which way does the square move?
===========================================================================

``sknets.datasets.make_moving_squares`` makes short grayscale videos,
(n, T, H, W) = (n, 8, 16, 16), of a square moving right (class 0) or left
(class 1). Every position of the square is equally likely in both classes, so
a single frame, or the average frame, says nothing about the class: only the
order of the frames does.

``CRNNClassifier`` runs a small CNN on every frame and a GRU over the frames'
features. Two per-frame baselines show why that matters: a ``CNNClassifier``
on single frames (its probabilities averaged over a video's frames) and one on
the average frame of each video.
"""

import time

import numpy as np

from sknets import CNNClassifier, CRNNClassifier
from sknets.datasets import make_moving_squares


def main(random_state=0):
    X, y = make_moving_squares(400, random_state=random_state)
    X_test, y_test = make_moving_squares(200, random_state=random_state + 1)
    n_frames, size = X.shape[1], X.shape[2]
    scores = {}

    start = time.perf_counter()
    crnn = CRNNClassifier(channels=(16, 32), max_epochs=15, random_state=random_state)
    crnn.fit(X, y)
    scores["CRNNClassifier (frames -> CNN -> GRU)"] = crnn.score(X_test, y_test)
    print(f"CRNN fitted in {time.perf_counter() - start:.1f} s")

    per_frame = CNNClassifier(channels=(16,), max_epochs=5, random_state=random_state)
    per_frame.fit(X.reshape(-1, size, size), np.repeat(y, n_frames))
    proba = per_frame.predict_proba(X_test.reshape(-1, size, size))
    votes = proba.reshape(len(X_test), n_frames, 2).mean(axis=1).argmax(axis=1)
    scores["CNNClassifier on single frames"] = float(np.mean(votes == y_test))

    average = CNNClassifier(channels=(16,), max_epochs=10, random_state=random_state)
    average.fit(X.mean(axis=1), y)
    scores["CNNClassifier on the average frame"] = average.score(
        X_test.mean(axis=1), y_test
    )
    for name, score in scores.items():
        print(f"{name:40s} test accuracy {score:.3f}")
    return scores


if __name__ == "__main__":
    main()

    # The frames of one video of each class.
    import matplotlib.pyplot as plt

    X, y = make_moving_squares(20, random_state=0)
    fig, axes = plt.subplots(2, X.shape[1], figsize=(X.shape[1] * 1.2, 3))
    for row, label in enumerate((0, 1)):
        video = X[np.flatnonzero(y == label)[0]]
        for t, ax in enumerate(axes[row]):
            ax.imshow(video[t], cmap="gray")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row, 0].set_ylabel("right" if label == 0 else "left")
    fig.suptitle("make_moving_squares: frames 1 to 8 of two videos")
