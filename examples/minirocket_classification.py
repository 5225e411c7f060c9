"""Time-series classification with MiniRocket, on sktime's arrays as they come
===========================================================================

``MiniRocketClassifier`` is the model to try first on a time-series
classification task: fixed random convolutions (Dempster, Schmidt and Webb,
2021) whose features a ridge regression reads, fitted in seconds on a CPU with
nothing to tune. This example fits it on BasicMotions, a data set sktime
bundles: accelerometer and gyroscope recordings (6 channels of 100 steps) of
people walking, resting, running and playing badminton.

Requires the optional sktime package (``pip install sktime``).
"""

# %%
# The data, in sktime's layout
# ----------------------------
#
# sktime and aeon give a panel of series as a 3D array of shape
# (n_series, n_channels, n_steps), their ``numpy3D``. torch and Keras lay the
# same data out as (n_series, n_steps, n_channels). sknets' series estimators
# tell the two apart by the counts of the axes (``data_format='auto'``, the
# default): here 100 steps of 6 channels.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from sknets import MiniRocketClassifier


def load(split):
    from sktime.datasets import load_basic_motions

    return load_basic_motions(split=split, return_type="numpy3D")


X_train, y_train = load("train")
X_test, y_test = load("test")
print(f"train {X_train.shape}, test {X_test.shape}, classes {np.unique(y_train)}")

# %%
# One recording of each activity: the six channels over time.

classes = np.unique(y_train)
fig, axes = plt.subplots(1, len(classes), figsize=(12, 2.8), sharey=True)
for ax, label in zip(axes, classes):
    series = X_train[np.flatnonzero(y_train == label)[0]]
    ax.plot(series.T, linewidth=0.8)
    ax.set_title(label)
    ax.set_xlabel("step")
axes[0].set_ylabel("value (6 channels)")
fig.tight_layout()

# %%
# Fit and score
# -------------
#
# With its defaults the classifier computes 9,996 features per series (84
# kernels at several dilations) and solves its ridge head in closed form:
# no epochs, no learning rate. ``data_format_`` records how the array was
# read; prediction reads new arrays the same way.


def main(random_state=0):
    clf = MiniRocketClassifier(random_state=random_state).fit(X_train, y_train)
    score = clf.score(X_test, y_test)
    print(
        f"read as {clf.data_format_}: {clf.n_channels_} channels of "
        f"{clf.max_length_} steps"
    )
    print(f"test accuracy {score:.3f}")
    return clf, score


clf, score = main()

# %%
# Where the errors are
# --------------------
#
# The confusion matrix of the test set. ``predict_proba`` gives calibrated
# probabilities too: the head's scale is fitted so that the leave-one-out
# probabilities have the lowest log loss.

ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, colorbar=False)
plt.tight_layout()

# %%
# Other layouts
# -------------
#
# The same estimator reads sktime's DataFrame panels by their structure
# (``nested_univ``, a series in every cell, and ``pd-multiindex``, a (sample,
# time) MultiIndex on the rows) and lists of series of different lengths. A
# shape that reads both ways, such as (n, 10, 12), is a ``ValueError`` that
# shows both readings and asks for ``data_format``. For the other series
# models, and when a trained network is worth its minutes, see the guide
# "Which model for my series?".
