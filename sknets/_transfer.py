"""Transfer learning: copy a fitted network's feature layers, freeze them,
and fit the new head to them before fine-tuning."""

from __future__ import annotations

import torch
from sklearn.utils.validation import check_is_fitted

from ._batching import n_samples, take
from .modules._ridge import fit_temperature, ridge_loo

__all__ = ["frozen_normalization", "head_prefix", "probe_head", "transfer_features"]

# the most samples the linear probe reads (its ridge regression solves an
# n x n eigenproblem): evenly spaced among the training samples
PROBE_SAMPLES = 4096


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


@torch.no_grad()
def probe_head(module, data, target, chunk=256):
    """Fit the new output layer of a network whose feature layers were
    copied and frozen (``init_from``, ``freeze_features``) to the features
    they give the training ``data``: the ridge regression of the targets on
    them, its penalty chosen by leave-one-out error, and for classes scaled
    so that the softmax of the leave-one-out scores has the lowest log loss
    (as MiniRocket's head); training then goes on from it. A linear probe
    (Kumar et al., "Fine-Tuning can Distort Pretrained Features and
    Underperform Out-of-Distribution", ICLR 2022): a head trained from a
    random start for the default budget on a few dozen samples (a few dozen
    optimizer steps) stays far from it. Before full fine-tuning it paid on
    one few-shot digits task and cost on two others (+1.2, -0.9 and -0.7
    points), so it is left out there. The layer is left as it is when it is
    not one linear layer over the features, or when the loss has more
    outputs than targets."""
    getter = getattr(module, "get_head", None)
    head = getter() if callable(getter) else getattr(module, "head", None)
    linear = [m for m in head.modules() if isinstance(m, torch.nn.Linear)]
    forward_features = getattr(module, "forward_features", None)
    if len(linear) != 1 or not callable(forward_features):
        return
    linear = linear[0]
    n = n_samples(data.X)
    rows = torch.linspace(0, n - 1, min(n, PROBE_SAMPLES)).round().long()
    targets, classes = target.ridge_targets(data.y[rows])
    if targets.shape[1] != linear.out_features:
        return
    was_training = module.training
    module.eval()
    try:
        parts = []
        for start in range(0, len(rows), chunk):
            batch = take(data.X, rows[start : start + chunk])
            extra = {k: v for k, v in batch.items() if k != "x"}
            parts.append(forward_features(batch["x"], **extra).float().cpu())
    finally:
        module.train(was_training)
    features = torch.cat(parts)
    if features.shape[1] != linear.in_features:
        return
    weight = None if data.sample_weight is None else data.sample_weight[rows].cpu()
    weights, intercept, loo = ridge_loo(features, targets, weight)
    scale = 1.0 if classes is None else fit_temperature(loo.float(), classes)
    linear.weight.copy_((scale * weights.T).to(linear.weight))
    linear.bias.copy_((scale * intercept).to(linear.bias))
