"""What the sequence families share: their input kinds and gradient clipping."""

from __future__ import annotations

from skorch.callbacks import GradientNormClipping

from ._augment import AUGMENT, AugmentedMixin
from ._base import BaseNeuralNet
from ._inputs import SERIES, TOKENS
from ._params import CLIP_GRAD_NORM

__all__ = ["SequenceEstimator"]


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
