"""Plots of fitted estimators, following scikit-learn's ``Display`` objects."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["TrainingHistoryDisplay"]


def check_matplotlib_support(caller_name):
    """An ImportError that names the caller when matplotlib is missing (what
    scikit-learn's private helper of the same name says)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install matplotlib with "
            "`pip install matplotlib` (or sknets[plot])."
        ) from exc


class TrainingHistoryDisplay:
    """Training history plot: loss per epoch, validation loss and score, and
    the epoch whose weights the estimator kept.

    Build it with :meth:`from_estimator`; the constructor takes the curves
    themselves, for histories kept elsewhere. Needs matplotlib
    (``pip install sknets[plot]``).

    Parameters
    ----------
    loss : list of float
        Training loss per epoch.
    validation_loss : list of float or None, default=None
        Validation loss per epoch.
    validation_score : list of float or None, default=None
        Validation score per epoch (accuracy or R^2), drawn on a second
        y axis.
    best_epoch : int or None, default=None
        Epoch (1-based) to mark with a vertical line.
    estimator_name : str or None, default=None
        Name used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the loss curves.
    score_ax_ : matplotlib Axes or None
        Twin axes with the validation score, when there is one.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to matplotlib Line2D
        The drawn lines: 'loss', and 'validation_loss', 'validation_score',
        'best_epoch' when drawn.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The scikit-learn display this one
        follows.

    Examples
    --------
    >>> import numpy as np
    >>> from sknets import CNNClassifier, TrainingHistoryDisplay
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.rand(60, 8, 8), np.arange(60) % 2
    >>> clf = CNNClassifier(max_epochs=3, early_stopping=True, random_state=0)
    >>> display = TrainingHistoryDisplay.from_estimator(clf.fit(X, y))  # doctest: +SKIP
    >>> sorted(display.lines_)  # doctest: +SKIP
    ['best_epoch', 'loss', 'validation_loss', 'validation_score']
    """

    def __init__(
        self,
        *,
        loss,
        validation_loss=None,
        validation_score=None,
        best_epoch=None,
        estimator_name=None,
    ):
        self.loss = loss
        self.validation_loss = validation_loss
        self.validation_score = validation_score
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, score=True):
        """Plot the training history of a fitted sknets estimator.

        Parameters
        ----------
        estimator : fitted sknets estimator
            Its ``loss_curve_``, ``validation_loss_curve_``,
            ``validation_scores_`` and ``best_epoch_`` are drawn (the
            validation curves exist when it was fitted with
            ``early_stopping=True``).
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.
        name : str or None, default=None
            Title; None uses the estimator's class name.
        score : bool, default=True
            Whether to draw the validation score on a second y axis.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, "loss_curve_")
        display = cls(
            loss=estimator.loss_curve_,
            validation_loss=estimator.validation_loss_curve_,
            validation_score=getattr(estimator, "validation_scores_", None),
            best_epoch=estimator.best_epoch_,
            estimator_name=name or type(estimator).__name__,
        )
        return display.plot(ax=ax, score=score)

    def plot(self, ax=None, *, name=None, score=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.
        name : str or None, default=None
            Title; None uses ``estimator_name``.
        score : bool, default=True
            Whether to draw the validation score on a second y axis.

        Returns
        -------
        display : TrainingHistoryDisplay
            The object itself, with ``ax_``, ``score_ax_``, ``figure_`` and
            ``lines_`` set.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        epochs = np.arange(1, len(self.loss) + 1)
        lines = {}
        (lines["loss"],) = ax.plot(epochs, self.loss, label="training loss")
        if self.validation_loss is not None:
            (lines["validation_loss"],) = ax.plot(
                epochs, self.validation_loss, label="validation loss"
            )
        if self.best_epoch is not None:
            lines["best_epoch"] = ax.axvline(
                self.best_epoch,
                color="gray",
                linestyle="--",
                label=f"kept epoch ({self.best_epoch})",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = None
        if score and self.validation_score is not None:
            self.score_ax_ = ax.twinx()
            (lines["validation_score"],) = self.score_ax_.plot(
                epochs,
                self.validation_score,
                color="tab:green",
                label="validation score",
            )
            self.score_ax_.set_ylabel("validation score")
        handles = [line for line in lines.values()]
        ax.legend(handles=handles, labels=[h.get_label() for h in handles])
        title = name or self.estimator_name
        if title:
            ax.set_title(title)
        self.ax_, self.figure_, self.lines_ = ax, ax.figure, lines
        return self
