"""Time several training (or prediction) runs in lockstep.

On a shared machine the speed of a core drifts by 10-30 % over seconds, as
other work comes and goes. Timing whole runs one after the other lets that
drift fall on one contender more than on another: two identical fits timed
back to back can differ by more than the few per cent a benchmark of a
wrapper is after (docs/performance.md gives figures of this project's
machines).

:class:`Lockstep` runs the contenders side by side instead, each in a thread
of its own, and lets them take turns: a contender holds the turn from one
forward pass of its network to the next (one training step, with everything
around it: batching, loss, backward pass, optimizer, callbacks), then hands it
on and waits. Only the holder runs, so the contenders never compete for the
cores, and each one's time is the sum of the spells it held the turn: all of
its work, from the start of its run to the end, minus the time it waited.
A drift slower than a step falls on all of them alike.

The turn is passed by a forward hook on each contender's network
(``Lockstep.hook``), so the contenders need no other change: a hand-written
loop, skorch and sknets call their module once per batch.
"""

import gc
import itertools
import threading
import time

__all__ = ["Lockstep", "cycles", "measure"]


class Lockstep:
    """Run contenders in threads, one forward pass each in turn.

    Parameters
    ----------
    order : list of str
        The contenders' names, in the order the turn goes round.
    """

    def __init__(self, order):
        self.order = list(order)
        self._go = {name: threading.Event() for name in self.order}
        self._finished = set()
        self._local = threading.local()
        self.held = dict.fromkeys(self.order, 0.0)

    def hook(self, module, args, output):
        """A forward hook (``module.register_forward_hook(lockstep.hook)``):
        hand the turn on after each forward pass. Outside a lockstep run (no
        contender on this thread) it does nothing."""
        name = getattr(self._local, "name", None)
        if name is not None:
            self._hand_on(name)

    def _hand_on(self, name):
        self.held[name] += time.perf_counter() - self._local.start
        following = self._following(name)
        if following != name:
            self._go[name].clear()
            self._go[following].set()
            self._go[name].wait()
        self._local.start = time.perf_counter()

    def _following(self, name):
        i = self.order.index(name)
        for step in range(1, len(self.order) + 1):
            candidate = self.order[(i + step) % len(self.order)]
            if candidate not in self._finished:
                return candidate
        return None

    def run(self, contenders):
        """Run ``contenders`` to the end: name -> function called with
        :meth:`hook`, which it registers on the network it runs. Returns the
        time each held the turn, in seconds."""
        errors = []

        def body(name):
            self._go[name].wait()
            self._local.name = name
            self._local.start = time.perf_counter()
            try:
                contenders[name](self.hook)
            except BaseException as exc:  # reported by run(), after the others
                errors.append(exc)
            self.held[name] += time.perf_counter() - self._local.start
            self._local.name = None
            self._finished.add(name)
            following = self._following(name)
            if following is not None:
                self._go[following].set()

        threads = [threading.Thread(target=body, args=(n,)) for n in self.order]
        for thread in threads:
            thread.start()
        self._go[self.order[0]].set()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return dict(self.held)


def cycles(names):
    """Every distinct order of the turn: the permutations of ``names`` that
    start with the first name ((n - 1)! of them). Over all of them each
    contender follows every other one equally often."""
    first, rest = names[0], names[1:]
    return [[first, *perm] for perm in itertools.permutations(rest)]


def measure(contenders, runs):
    """Times of lockstep runs of ``contenders`` (see :meth:`Lockstep.run`):
    one untimed run first (one-off costs of a fresh process, such as torch
    importing its compiler for the first optimizer), then ``runs`` rounded up
    to a whole number of passes through :func:`cycles`. Returns name -> list
    of held times, one per run."""
    orders = cycles(list(contenders))
    runs = -(-runs // len(orders)) * len(orders)
    times = {name: [] for name in contenders}
    for i in range(runs + 1):
        gc.collect()
        held = Lockstep(orders[(i - 1) % len(orders)]).run(contenders)
        if i:
            for name, value in held.items():
                times[name].append(value)
    return times
