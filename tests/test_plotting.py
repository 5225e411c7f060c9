"""TrainingHistoryDisplay follows scikit-learn's Display conventions."""

import sys

import numpy as np
import pytest

from sknets import CNNClassifier, GRURegressor, TrainingHistoryDisplay

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_from_estimator_draws_every_curve_and_marks_the_kept_epoch():
    rng = np.random.RandomState(0)
    X, y = rng.rand(80, 8, 8), np.arange(80) % 2
    clf = CNNClassifier(
        max_epochs=6, early_stopping=True, n_iter_no_change=2, random_state=0
    ).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert set(display.lines_) == {
        "loss",
        "validation_loss",
        "validation_score",
        "best_epoch",
    }
    np.testing.assert_allclose(display.lines_["loss"].get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(
        display.lines_["validation_score"].get_ydata(), clf.validation_scores_
    )
    assert all(0 <= s <= 1 for s in clf.validation_scores_)
    assert display.lines_["best_epoch"].get_xdata()[0] == clf.best_epoch_
    assert display.ax_.get_title() == "CNNClassifier"
    assert display.figure_ is display.ax_.figure


def test_plot_on_given_axes_without_validation():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 6, 2)
    reg = GRURegressor(hidden_size=8, max_epochs=3, random_state=0).fit(X, X[:, 0, 0])
    assert reg.validation_scores_ is None
    fig, (left, right) = plt.subplots(1, 2)
    display = TrainingHistoryDisplay.from_estimator(reg, ax=right, name="GRU")
    assert display.ax_ is right and display.score_ax_ is None
    assert set(display.lines_) == {"loss", "best_epoch"}
    assert right.get_title() == "GRU"
    assert not left.lines


def test_unfitted_estimator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(CNNClassifier())


def test_without_matplotlib_the_error_names_the_caller_and_the_extra(monkeypatch):
    display = TrainingHistoryDisplay(loss=[1.0, 0.5])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    with pytest.raises(
        ImportError, match=r"TrainingHistoryDisplay\.plot requires matplotlib\."
    ):
        display.plot()
