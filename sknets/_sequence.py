"""What the sequence families share: their input kinds and gradient clipping."""

from __future__ import annotations

from sklearn.base import is_classifier
from skorch.callbacks import GradientNormClipping

from ._augment import Augmenter, check_augment, check_batch
from ._base import BaseNeuralNet
from ._inputs import SERIES, TOKENS
from ._params import AUGMENT, CLIP_GRAD_NORM

__all__ = ["AugmentedMixin", "SequenceEstimator"]


class AugmentedMixin:
    """The ``augment`` parameter: transformations of the training batches."""

    def _augmenter(self):
        strengths = check_augment(self.augment, type(self).__name__)
        if not strengths:
            return None
        return Augmenter(strengths, self._n_outputs if is_classifier(self) else None)

    def _make_net(self, module):
        net = super()._make_net(module)
        net.augmenter = self._augmenter()
        return net

    def _training_input(self, batch, **kwargs):
        strengths = check_augment(self.augment, type(self).__name__)
        check_batch(strengths, batch, self.input_kind_, type(self).__name__)
        return super()._training_input(batch, **kwargs)


class SequenceEstimator(AugmentedMixin, BaseNeuralNet):
    """Base of the estimators for sequences: numeric series of fixed or
    variable length, token ids and raw text (a family that also reads image
    sequences adds :data:`~sknets._inputs.FRAMES` to ``_input_kinds``), with
    gradient-norm clipping and augmentation."""

    _input_kinds = (TOKENS, SERIES)
    _extra_params = (CLIP_GRAD_NORM, AUGMENT)

    def _extra_callbacks(self):
        if self.clip_grad_norm is None:
            return []
        clip = GradientNormClipping(gradient_clip_value=self.clip_grad_norm)
        return [("clip_grad_norm", clip)]
