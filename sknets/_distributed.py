"""Data-parallel training across the processes of a ``torch.distributed``
process group.

When ``fit`` runs in a process of an initialised process group of several
processes (started by ``torchrun``, or by ``torch.distributed`` by hand), every
process holds the same data, draws the same seed (rank 0's) and starts from
rank 0's weights, so every process sees the same batches in the same order.
Each process computes the loss and its gradients on its own contiguous share
of every batch; the gradients are then summed across processes, each weighted
by its share of the batch, so that every process takes the step a single
process would take on the whole batch (``DistributedDataParallel`` does the
same with buffered all-reduces). Floating buffers (batch-norm statistics) are
averaged after every step, so the processes stay identical.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

__all__ = [
    "average_buffers",
    "broadcast_seed",
    "broadcast_state",
    "process_group",
    "reduce_gradients",
    "shard",
]


def process_group():
    """``(rank, world_size)`` when this process is one of several of an
    initialised ``torch.distributed`` process group, else None."""
    if not (dist.is_available() and dist.is_initialized()):
        return None
    world = dist.get_world_size()
    return (dist.get_rank(), world) if world > 1 else None


def shard(n, rank, world):
    """The rows ``[start, stop)`` of a batch of n that ``rank`` trains on
    (contiguous, sizes differing by at most one)."""
    return n * rank // world, n * (rank + 1) // world


def broadcast_seed(seed):
    """Rank 0's seed, on every process."""
    value = torch.tensor([seed], dtype=torch.int64)
    dist.broadcast(value, src=0)
    return int(value.item())


def broadcast_state(module):
    """Rank 0's parameters and buffers, copied into every process's module."""
    for tensor in module.state_dict().values():
        dist.broadcast(tensor, src=0)


def reduce_gradients(parameters, share):
    """Each parameter's gradient replaced by the sum over processes of
    ``share * gradient`` (``share``: this process's fraction of the batch),
    in one all-reduce of the flattened gradients."""
    grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in parameters]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads]) * share
    dist.all_reduce(flat)
    offset = 0
    for p, g in zip(parameters, grads):
        part = flat[offset : offset + g.numel()].view_as(g)
        offset += g.numel()
        if p.grad is None:
            p.grad = part.clone()
        else:
            p.grad.copy_(part)


def reduce_loss(loss, share):
    """The loss of the whole batch from each process's loss on its share."""
    total = (loss.detach().float() * share).reshape(1)
    dist.all_reduce(total)
    return total[0]


def average_buffers(module):
    """Floating buffers (batch-norm running statistics) averaged across
    processes."""
    world = dist.get_world_size()
    for buffer in module.buffers():
        if buffer.is_floating_point():
            dist.all_reduce(buffer)
            buffer.div_(world)
