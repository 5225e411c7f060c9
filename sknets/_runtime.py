"""Where and how a fit runs: device, seeds, precision, optimizers, warnings."""

from __future__ import annotations

import os
import sys
import warnings
from contextlib import contextmanager, nullcontext

import sklearn
import skorch
import torch

__all__ = [
    "AUTOCAST_DTYPES",
    "autocast",
    "check_mixed_precision",
    "optimizer_class",
    "resolve_device",
    "torch_seed",
    "warn_caller",
]

_OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
}

AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def optimizer_class(optimizer):
    """``(torch optimizer class, extra keyword arguments)`` for the
    ``optimizer`` parameter: a name or a class."""
    if isinstance(optimizer, str):
        return _OPTIMIZERS[optimizer]
    return optimizer, {}


def resolve_device(device):
    """The torch device for the ``device`` parameter ('auto': CUDA when
    available), or a ValueError that says what to use instead."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch finds no CUDA device "
            "here. Use device='auto' or device='cpu'."
        )
    return resolved


@contextmanager
def torch_seed(seed, device):
    """Seed torch's generator for ``device`` inside, restore the caller's after."""
    cuda = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.random.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        yield


def autocast(device, dtype):
    """``torch.autocast`` to ``dtype`` on ``device``; a no-op for None."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


# files whose frames a warning skips to reach the code that called sknets
_INTERNAL_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, skorch.__file__)
)


def warn_caller(message, category):
    """``warnings.warn`` attributed to the first frame outside sknets,
    scikit-learn and skorch: the user's ``fit`` or ``partial_fit`` call (or a
    pipeline's, a search's), however deep the path to the warning."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL_DIRS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


def check_mixed_precision(mixed_precision, device):
    """Warn about fp16 on a CPU; refuse bf16 on a GPU that lacks it."""
    if mixed_precision == "fp16" and device.type == "cpu":
        warn_caller(
            "mixed_precision='fp16' on the CPU is many times slower than "
            "float32: torch has no fast float16 kernels there. It is meant for "
            "GPUs; on the CPU use mixed_precision='bf16' or None.",
            UserWarning,
        )
    if (
        mixed_precision == "bf16"
        and device.type == "cuda"
        and not torch.cuda.is_bf16_supported()
    ):
        raise ValueError(
            f"mixed_precision='bf16' needs a GPU with bfloat16 support, which "
            f"{torch.cuda.get_device_name(device)} lacks; use 'fp16' or None."
        )
