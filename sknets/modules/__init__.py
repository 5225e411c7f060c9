"""Plain torch modules behind the sknets estimators.

Every module returns logits (classification) or raw values (regression) and
splits ``forward`` into ``forward_features`` and ``forward_head``, so that the
feature part can be frozen or reused and the head replaced.
"""

from ._layers import AttentionPool, TokenEmbedding
from .cnn import ConvNet
from .crnn import CRNN, ConvFront1d, FrameEncoder
from .rnn import RecurrentNet, StackedRecurrence
from .tcn import TCN
from .textcnn import TextCNN
from .transformer import TransformerNet

__all__ = [
    "CRNN",
    "TCN",
    "AttentionPool",
    "ConvFront1d",
    "ConvNet",
    "FrameEncoder",
    "RecurrentNet",
    "StackedRecurrence",
    "TextCNN",
    "TokenEmbedding",
    "TransformerNet",
]
