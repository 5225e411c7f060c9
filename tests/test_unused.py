"""Parameters a fit does not use say so in their text and warn at fit."""

import re
import warnings

import numpy as np
import pytest

from sknets import (
    CNNClassifier,
    GRUClassifier,
    MiniRocketClassifier,
    MiniRocketRegressor,
)

rng = np.random.RandomState(0)
X, y = rng.normal(size=(30, 40)), np.arange(30) % 2
ROCKET = dict(num_features=168, random_state=0)


def _fit_quietly(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return estimator.fit(X, y, **kwargs)


def test_minirocket_names_the_training_settings_its_closed_form_head_ignores(
    tmp_path,
):
    message = (
        f"MiniRocketClassifier: lr=0.01, optimizer='sgd', checkpoint_dir={str(tmp_path)!r} are "
        "not used, as the fit trains no epoch: with max_epochs='auto', on up to "
        "4,096 training series without early stopping or augmentation (and for "
        "regression with the squared error), where the ridge head is solved in "
        "closed form. Set max_epochs to an integer to train the head by gradient "
        "steps."
    )
    clf = MiniRocketClassifier(lr=0.01, optimizer="sgd", checkpoint_dir=str(tmp_path))
    with pytest.warns(UserWarning, match=re.escape(message)) as record:
        clf.set_params(**ROCKET).fit(X, y)
    assert len(record) == 1 and record[0].filename == __file__
    assert clf.n_iter_ == 0 and not list(tmp_path.iterdir())  # nothing written
    # trained by epochs, the same settings are used: no warning
    trained = MiniRocketClassifier(lr=0.01, optimizer="sgd", max_epochs=2, **ROCKET)
    assert _fit_quietly(trained, X, y).n_iter_ == 2


def test_the_defaults_and_the_used_settings_warn_nothing():
    _fit_quietly(MiniRocketClassifier(**ROCKET), X, y)
    _fit_quietly(MiniRocketRegressor(**ROCKET), X, X[:, 0])
    gru = GRUClassifier(hidden_size=4, max_epochs=2, lr=0.01, optimizer="adamw")
    _fit_quietly(gru, X[:, :10], y)
    stopped = GRUClassifier(
        hidden_size=4,
        max_epochs=2,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=1,
        scoring="accuracy",
    )
    _fit_quietly(stopped, X[:, :10], y)
    # validation data given to fit turns early stopping on
    on_val = GRUClassifier(hidden_size=4, max_epochs=2, n_iter_no_change=1)
    _fit_quietly(on_val, X[:20, :10], y[:20], X_val=X[20:, :10], y_val=y[20:])


@pytest.mark.parametrize(
    "early_stopping, why",
    [
        (
            "auto",
            "early stopping is off (early_stopping='auto' turns it on from "
            "10,000 samples, or with X_val and y_val).",
        ),
        (False, "early stopping is off (early_stopping=False)."),
    ],
)
def test_early_stopping_settings_warn_when_it_is_off(early_stopping, why):
    gru = GRUClassifier(
        hidden_size=4,
        max_epochs=1,
        early_stopping=early_stopping,
        validation_fraction=0.2,
        scoring="f1",
    )
    message = (
        f"GRUClassifier: validation_fraction=0.2, scoring='f1' are not used, as {why}"
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        gru.fit(X[:, :10], y)


def test_freeze_features_without_init_from_warns():
    images = rng.rand(20, 8, 8)
    message = (
        "CNNClassifier: freeze_features=True is not used, as init_from is None: "
        "there are no copied features to freeze."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        CNNClassifier(freeze_features=True, max_epochs=1).fit(images, y[:20])


def test_the_parameter_texts_say_when_they_are_not_used():
    doc = MiniRocketClassifier.__doc__
    lr = doc[doc.index("    lr : ") : doc.index("    optimizer : ")]
    assert (
        "Not used where the fit trains no epoch: with ``max_epochs='auto'``, on "
        "up to 4,096 training series" in " ".join(lr.split())
    )
    epochs = " ".join(doc[doc.index("max_epochs : ") :].split())
    assert (
        "With 'auto', the fit trains no epoch on up to 4,096 training series" in epochs
    )
    assert "an integer trains the head by gradient steps from that solution" in epochs
    # a family that always trains says nothing of the kind
    assert "trains no epoch" not in GRUClassifier.__doc__
    assert "Unused without early stopping" in " ".join(GRUClassifier.__doc__.split())
