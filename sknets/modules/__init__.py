"""Plain torch modules behind the sknets estimators.

Every module returns logits (classification) or raw values (regression) and
splits ``forward`` into ``forward_features`` and ``forward_head``, so that the
feature part can be frozen or reused and the head replaced.
"""

from ._layers import TokenEmbedding
from .cnn import ConvNet
from .rnn import RecurrentNet
from .tcn import TCN
from .textcnn import TextCNN
from .transformer import TransformerNet

__all__ = [
    "TCN",
    "ConvNet",
    "RecurrentNet",
    "TextCNN",
    "TokenEmbedding",
    "TransformerNet",
]
