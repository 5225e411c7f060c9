"""Plain torch modules behind the sknets estimators.

Every module returns logits (classification) or raw values (regression) and
splits ``forward`` into ``forward_features`` and ``forward_head``, so that the
feature part can be frozen or reused and the head replaced. Your own
sequence module can extend :class:`SequenceModule` and reuse
:func:`summarize`, :func:`valid_mask` and :func:`token_input`.
"""

from ._conv1d import ConvFront1d
from ._layers import (
    AttentionPool,
    SequenceModule,
    TokenEmbedding,
    summarize,
    token_input,
    valid_mask,
)
from .cnn import ConvNet
from .crnn import CRNN, FrameEncoder
from .fcn import FCN
from .inception import InceptionTime
from .resnet import ResNet
from .rnn import RecurrentNet, StackedRecurrence
from .rocket import MiniRocket
from .tcn import TCN
from .textcnn import TextCNN
from .transformer import TransformerNet

__all__ = [
    "CRNN",
    "FCN",
    "TCN",
    "AttentionPool",
    "ConvFront1d",
    "ConvNet",
    "FrameEncoder",
    "InceptionTime",
    "MiniRocket",
    "RecurrentNet",
    "ResNet",
    "SequenceModule",
    "StackedRecurrence",
    "TextCNN",
    "TokenEmbedding",
    "TransformerNet",
    "summarize",
    "token_input",
    "valid_mask",
]
