"""Transfer learning: copy a fitted network's feature layers, freeze them."""

from __future__ import annotations

import torch
from sklearn.utils.validation import check_is_fitted

__all__ = ["frozen_normalization", "head_prefix", "transfer_features"]


def head_prefix(module):
    """The state-dict prefix of ``module``'s output layer: the layer its
    ``get_head()`` returns (every sknets module has one, as timm's models have
    ``get_classifier``), else its ``head`` attribute (a module of your own);
    None when it has neither."""
    getter = getattr(module, "get_head", None)
    head = getter() if callable(getter) else getattr(module, "head", None)
    for name, layer in module.named_modules():
        if head is not None and layer is head and name:
            return name + "."
    return None


def transfer_features(module, source, freeze):
    """Copy every parameter and buffer outside the output layer
    (:func:`head_prefix`) from ``source`` (a fitted sknets estimator or a
    torch module) into ``module``; optionally freeze them."""
    if isinstance(source, torch.nn.Module):
        source_module = source
    else:
        check_is_fitted(source, "net_")
        source_module = source.net_.module_
    available = source_module.state_dict()
    head = head_prefix(module)

    def in_head(name):
        return head is not None and name.startswith(head)

    wanted = {k: v for k, v in module.state_dict().items() if not in_head(k)}
    for key, value in wanted.items():
        if key not in available:
            raise ValueError(
                f"init_from is not compatible: its network has no {key!r}, which "
                f"this estimator's network needs (it holds {sorted(available)[:6]}...)."
            )
        if available[key].shape != value.shape:
            raise ValueError(
                f"init_from is not compatible: {key!r} has shape "
                f"{tuple(available[key].shape)} there, but this estimator's network "
                f"needs {tuple(value.shape)} (different input channels, vocabulary "
                "or layer sizes?)."
            )
    module.load_state_dict({k: available[k] for k in wanted}, strict=False)
    if freeze:
        for name, parameter in module.named_parameters():
            if not in_head(name):
                parameter.requires_grad_(False)


def frozen_normalization(module):
    """The batch-norm layers of ``module`` whose parameters are all frozen.

    ``requires_grad=False`` stops the gradient, but a batch-norm layer in
    training mode still normalises with the statistics of the current batch
    and overwrites its running statistics with them: frozen features would
    then change with every (small) batch of the new task. The training loop
    keeps these layers in evaluation mode, so they use and keep the
    statistics they came with.
    """
    frozen = []
    for layer in module.modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
            params = list(layer.parameters(recurse=False))
            if params and not any(p.requires_grad for p in params):
                frozen.append(layer)
    return frozen
