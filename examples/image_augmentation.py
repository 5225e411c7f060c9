"""Images with augmentation: a CNN on 134 digits
===============================================

``CNNClassifier`` fits image arrays; ``augment=`` shows it shifted, rotated and
zoomed copies of its training images, drawn anew for every batch. This
example trains it on a tenth of scikit-learn's digits training split (134
images), with and without augmentation, at the default training budget (which
grows with augmentation) and at 300 epochs, and scores each on the whole test
split.
"""

# %%
# The data
# --------
#
# scikit-learn's 8x8 digits come as flat rows of 64 pixels; ``CNNClassifier``
# reads a square number of features as square grayscale images (pass
# ``image_shape`` for any other shape).

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sknets import CNNClassifier

AUGMENT = ["shift", "rotation", "zoom"]

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
X_small, _, y_small, _ = train_test_split(
    X_train, y_train, train_size=0.1, stratify=y_train, random_state=0
)
print(f"{len(X_small)} training images, {len(X_test)} test images")

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for digit, ax in enumerate(axes):
    ax.imshow(X_small[y_small == digit][0].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")

# %%
# Four fits
# ---------
#
# The default budget (``max_epochs='auto'``) gives 134 images 30 epochs, and
# 300 when they are augmented: augmented training sees a new variant of each
# image at every pass, and needs more passes to pay off. With
# ``max_epochs=300`` the plain model trains as long as the augmented one.


def main(random_state=0):
    scores = {}
    for epochs in ("auto", 300):
        for augment in (None, AUGMENT):
            model = CNNClassifier(
                augment=augment, max_epochs=epochs, random_state=random_state
            ).fit(X_small, y_small)
            scores[epochs, "augmented" if augment else "plain"] = model.score(
                X_test, y_test
            )
            print(
                f"max_epochs={epochs!r:6} augment={augment!s:27} "
                f"epochs run {model.n_iter_:3d}, test accuracy "
                f"{scores[epochs, 'augmented' if augment else 'plain']:.3f}"
            )
    return scores


scores = main()

# %%
# What augmentation brings
# ------------------------
#
# With few images, augmentation is a way to get more out of them, but not for
# free: the augmented model trains ten times the epochs of the plain one. It
# generalises better than the plain model, which has learned its 134 images by
# heart and gains little from more epochs. The image benchmark measures the
# same comparison over three draws of the 134 images.

fig, ax = plt.subplots(figsize=(6, 3.2))
for i, kind in enumerate(("plain", "augmented")):
    values = [scores[epochs, kind] for epochs in ("auto", 300)]
    ax.bar(np.arange(2) + (i - 0.5) * 0.35, values, 0.35, label=kind)
ax.set_xticks([0, 1], ["max_epochs='auto'", "max_epochs=300"])
ax.set_ylabel("test accuracy")
ax.set_ylim(0.85, 1.0)
ax.legend(loc="lower right")
fig.tight_layout()
