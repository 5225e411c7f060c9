"""The training budget: how many epochs and how large batches a fit with
``max_epochs='auto'`` and ``batch_size='auto'`` takes, and from how many
samples ``early_stopping='auto'`` is on."""

from __future__ import annotations

import dataclasses
import math

__all__ = ["AUTO_EARLY_STOPPING", "Budget"]


@dataclasses.dataclass(frozen=True)
class Budget:
    """A family's training budget for ``max_epochs='auto'`` and
    ``batch_size='auto'``: batches of ``batch_size`` up to 100 batches per
    epoch, then larger; at most ``epochs`` epochs, at least 3, and in between
    about ``steps`` optimizer steps or, with ``work``, no more epochs than
    read ``work`` time steps of series (samples x length x epochs), which
    bounds the time of a family whose cost grows with the series' length.
    A fit that augments its batches may take ``augmented`` times the epochs
    and the work: each pass shows new variants of the samples, and augmented
    training needs more passes to pay off. The steps stay as they are, so a
    large data set keeps its few passes."""

    epochs: int = 100
    batch_size: int = 32
    steps: int = 3000
    work: int | None = None
    augmented: int = 1

    def resolve_batch_size(self, n):
        if n <= 100 * self.batch_size:
            return self.batch_size
        return int(min(2 ** round(math.log2(n / 100)), 512))

    def resolve_epochs(self, n, batch_size, length=1, augmented=False):
        factor = self.augmented if augmented else 1
        epochs = math.ceil(self.steps / max(math.ceil(n / batch_size), 1))
        if self.work is not None:
            epochs = min(epochs, factor * self.work // max(n * length, 1))
        return int(min(max(epochs, 3), factor * self.epochs))

    def describe_cap(self):
        """The cap on epochs in words, for the docstrings."""
        return self._with_augmentation(self.epochs)

    def _with_augmentation(self, value):
        if self.augmented == 1:
            return f"{value:,}"
        return f"{value:,} ({self.augmented * value:,} with augmentation)"

    def describe(self):
        """The 'auto' rule in words, for the docstrings."""
        rule = f"enough epochs for about {self.steps:,} optimizer steps"
        if self.work is None:
            return rule
        return (
            f"{rule} or to read {self._with_augmentation(self.work)} time steps "
            "of series (samples x "
            "length x epochs, which bounds the time of a fit on long series), "
            "whichever is fewer"
        )


AUTO_EARLY_STOPPING = 10_000  # samples from which early_stopping='auto' is on
