"""Quickstart: sknets estimators inside scikit-learn pipelines and grid searches.
==============================================================================

Each task below is the whole scikit-learn workflow: a ``Pipeline`` holding an
sknets estimator, a small ``GridSearchCV`` over its hyperparameters, and a score
on held-out data. The table at the end gives the best parameters, the test
score and the time of the whole search.

Run it with ``make demo`` (about two minutes on 2 CPU cores).
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknets import (
    CNNClassifier,
    CRNNClassifier,
    GRUClassifier,
    MiniRocketClassifier,
    TCNClassifier,
    TransformerClassifier,
)
from sknets.datasets import make_moving_squares


def digits_cnn():
    """8x8 handwritten digits, flat rows of 64 pixels -> CNN on 8x8 images."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    pipe = make_pipeline(
        MinMaxScaler(),  # flat features in a Pipeline: image_shape restores 8x8
        CNNClassifier(image_shape=(8, 8), random_state=0),
    )
    grid = GridSearchCV(pipe, {"cnnclassifier__channels": [(16, 32), (32, 64)]}, cv=3)
    data = X_train, y_train, X_test, y_test
    return _search_row("digits (8x8 images)", "CNNClassifier", grid, data)


def sensor_series(n, rng):
    """Noisy oscillations of 20 to 60 steps with 2 channels; the class is
    whether the second channel lags or leads the first."""
    X, y = [], rng.randint(0, 2, size=n)
    for label in y:
        t = np.arange(rng.randint(20, 61))
        phase = rng.uniform(0, 2 * np.pi)
        shift = 0.8 if label else -0.8
        x = np.c_[np.sin(0.3 * t + phase), np.sin(0.3 * t + phase + shift)]
        X.append(x + rng.normal(scale=0.3, size=x.shape))
    return X, y


def sensor_rnn():
    """Variable-length multivariate series -> grid search over the RNN cell."""
    rng = np.random.RandomState(0)
    X_train, y_train = sensor_series(300, rng)
    X_test, y_test = sensor_series(200, rng)
    grid = GridSearchCV(
        GRUClassifier(hidden_size=32, max_epochs=20, random_state=0),
        {"cell": ["rnn", "lstm", "gru"]},
        cv=3,
    )
    data = X_train, y_train, X_test, y_test
    return _search_row("sensor series (length 20-60)", "GRUClassifier", grid, data)


def sensor_model_choice():
    """The same series; the model family itself is the grid-search dimension:
    random convolutions (MiniRocket, the first to try on series), recurrent,
    temporal convolution, CNN+RNN hybrid, self-attention. The class here is
    which channel leads the other: each MiniRocket kernel adds up the channels
    it reads, and a lead and a lag give the same sum, so MiniRocket stays at
    chance where the trained networks are right. The search finds it out."""
    rng = np.random.RandomState(0)
    X_train, y_train = sensor_series(300, rng)
    X_test, y_test = sensor_series(200, rng)
    candidates = [
        MiniRocketClassifier(random_state=0),
        GRUClassifier(hidden_size=32, max_epochs=20, random_state=0),
        TCNClassifier(num_channels=32, max_epochs=20, random_state=0),
        CRNNClassifier(channels=(32,), hidden_size=32, max_epochs=20, random_state=0),
        TransformerClassifier(d_model=32, max_epochs=20, lr=3e-3, random_state=0),
    ]
    grid = GridSearchCV(
        Pipeline([("model", candidates[0])]), {"model": candidates}, cv=3
    )
    data = X_train, y_train, X_test, y_test
    row = _search_row("sensor series: which model?", "Pipeline(model=...)", grid, data)
    cv = grid.cv_results_
    scores = ", ".join(
        f"{type(model).__name__.removesuffix('Classifier')} {score:.3f}"
        for model, score in zip(cv["param_model"], cv["mean_test_score"])
    )
    best = type(grid.best_params_["model"]).__name__
    row["best parameters"] = f"model={best} (cv: {scores})"
    return row


def video_crnn():
    """Short videos of a square moving left or right (n, T, H, W): a CNN
    reads each frame, a GRU the order of the frames."""
    X_train, y_train = make_moving_squares(300, random_state=0)
    X_test, y_test = make_moving_squares(200, random_state=1)
    grid = GridSearchCV(
        CRNNClassifier(max_epochs=10, random_state=0),
        {"channels": [(8, 16), (16, 32)]},
        cv=3,
    )
    data = X_train, y_train, X_test, y_test
    return _search_row("videos (8 frames of 16x16)", "CRNNClassifier", grid, data)


def _search_row(task, estimator, grid, data):
    """Fit a grid search on ``data`` (X_train, y_train, X_test, y_test) and
    make its row of the table: best parameters, test score, search time."""
    X_train, y_train, X_test, y_test = data
    start = time.perf_counter()
    grid.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    return {
        "task": task,
        "estimator": estimator,
        "best parameters": _short(grid.best_params_),
        "test score": f"accuracy {grid.score(X_test, y_test):.3f}",
        "search time": f"{elapsed:.0f} s",
    }


def _short(params):
    return ", ".join(f"{k.split('__')[-1]}={v}" for k, v in params.items())


def print_table(rows):
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    line = " | ".join(c.ljust(w) for c, w in zip(columns, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)))


if __name__ == "__main__":
    tasks = [digits_cnn, sensor_rnn, sensor_model_choice, video_crnn]
    rows = []
    for task in tasks:
        print(f"running {task.__name__} ...", flush=True)
        rows.append(task())
    print()
    print_table(rows)
