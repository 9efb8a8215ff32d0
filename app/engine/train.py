"""Many SGD steps without traces: epochs, minibatches, history, divergence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import compiled
from .network import Network, Optimizer, Workspace, velocity_params


def steps_per_epoch(samples: int, batch_size: int | None) -> int:
    """Minibatches in one pass over `samples` (batch_size None: the whole set, one step)."""
    return -(-samples // min(batch_size or samples, samples))


class Record(NamedTuple):
    """One history entry: the loss over the whole set after an epoch's updates."""

    epoch: int
    step: int  # SGD steps taken by then
    loss: float
    test_loss: float | None


class Snapshot(NamedTuple):
    """The state after `step` of a run's steps (counted from its first), between its start
    and its end: what a page redraws from."""

    step: int
    network: Network
    velocity: list[tuple[np.ndarray, np.ndarray]]
    loss: float  # over the whole set
    test_loss: float | None


@dataclass
class TrainResult:
    network: Network  # the trained network, or the last good one if training diverged
    initial_loss: float
    history: list[Record]
    diverged: bool
    diverged_at_epoch: int | None
    steps: int
    velocity: list[tuple[np.ndarray, np.ndarray]]  # per layer (weights, biases)
    snapshots: list[Snapshot]  # none when training diverged


def epoch_order(n: int, shuffle_seed: int | None, epoch: int) -> np.ndarray | None:
    """The order of the samples in epoch `epoch` (from 0) of a run: None (as they are), or
    the permutation drawn from a generator seeded with (shuffle_seed, epoch). Each epoch's
    order depends on its number alone, so a run can be continued from any step."""
    if shuffle_seed is None:
        return None
    return np.random.default_rng([shuffle_seed, epoch]).permutation(n)


def train(
    net: Network, x, y, optimizer: Optimizer, epochs: int, *, batch_size: int | None = None,
    shuffle_seed: int | None = None, record_every: int = 1, velocity=None,
    test_x=None, test_y=None, max_steps: int | None = None, start_step: int = 0,
    snapshot_every: int | None = None,
) -> TrainResult:  # fmt: skip
    """Run `epochs` passes of SGD over (x, y).

    History entry e is the loss over the whole set after epoch e's updates, for the
    epochs that record_every selects and always the last. With minibatches,
    shuffle_seed None keeps the samples in order and an int reshuffles every epoch
    (epoch_order). A non-finite loss or parameter stops training: the result then holds
    the parameters from before the update that diverged. max_steps stops after that many
    updates, whatever epoch they fall in (that epoch is then the last).
    start_step continues a run that has taken that many steps: the minibatches are those
    of its steps start_step + 1, ..., so that training in pieces takes the same steps as
    training at once; its first epoch is what is left of the epoch under way.
    snapshot_every also keeps the state after every that many steps, short of the last
    (Snapshot); training takes the same steps with or without them.
    """
    n = x.shape[0]
    batch_size = min(batch_size or n, n)
    full_batch = batch_size == n  # then each step's forward pass gives the loss so far
    per_epoch = steps_per_epoch(n, batch_size)
    first_epoch, skip = divmod(start_step, per_epoch)  # of the run; batches already taken
    total_steps = max_steps or epochs * per_epoch - skip
    kernel_class = (
        CompiledKernel if compiled.eligible(net, batch_size, total_steps) else NumpyKernel
    )
    kernel = kernel_class(net, optimizer, velocity)
    data_x, data_y = kernel.data(x), kernel.data(y)
    history: list[Record] = []
    snapshots: list[Snapshot] = []
    pending = None  # full batch: (epoch, steps, test_loss) of a recorded epoch whose loss the
    # next forward pass gives
    diverged_at = None
    steps = 0

    def test_loss():
        return None if test_x is None else kernel.loss(test_x, test_y)

    def snapshot():
        """The state now, unless it is not finite (training then diverges: see the end)."""
        loss = kernel.loss(x, y) if kernel.finite() else math.nan
        if math.isfinite(loss):
            snapshots.append(Snapshot(steps, *kernel.result(), loss, test_loss()))

    with np.errstate(all="ignore"):  # divergence is reported, not warned about
        initial_loss = kernel.loss(x, y)
        good = kernel.state()  # before the last update that was applied
        checkpoint = good  # the last state seen all finite
        if not math.isfinite(initial_loss):
            diverged_at = 0
        epoch = 0
        while diverged_at is None and epoch < epochs:
            epoch += 1
            order = epoch_order(n, shuffle_seed, first_epoch + epoch - 1)
            for xb, yb in _batches(data_x, data_y, batch_size, order, skip if epoch == 1 else 0):
                before = kernel.state()
                batch_loss = kernel.step(xb, yb)  # applies the update only if finite
                if not math.isfinite(batch_loss):
                    diverged_at = epoch
                    break
                good = before
                steps += 1
                if pending is not None:
                    epoch_done, steps_done, test_done = pending
                    history.append(Record(epoch_done, steps_done, batch_loss, test_done))
                    pending = None
                if steps == max_steps:
                    epochs = epoch  # this epoch is the last
                    break
                if snapshot_every and steps % snapshot_every == 0 and steps < total_steps:
                    snapshot()
            if diverged_at is not None or not (epoch % record_every == 0 or epoch == epochs):
                continue
            if not kernel.finite():
                diverged_at = epoch
                continue
            checkpoint = kernel.state()
            if full_batch and epoch < epochs:
                pending = (epoch, steps, test_loss())
            else:
                loss = kernel.loss(x, y)
                if math.isfinite(loss):
                    history.append(Record(epoch, steps, loss, test_loss()))
                else:
                    diverged_at = epoch
    if diverged_at is not None:
        snapshots.clear()  # the network answered may be older than some of them
    if diverged_at is not None and diverged_at > 0:
        kernel.set_state(good)
        if not kernel.finite():  # a parameter overflowed before the loss did
            kernel.set_state(checkpoint)
    network, final_velocity = kernel.result()
    return TrainResult(
        network=network, initial_loss=initial_loss, history=history,
        diverged=diverged_at is not None, diverged_at_epoch=diverged_at, steps=steps,
        velocity=final_velocity, snapshots=snapshots,
    )  # fmt: skip


class NumpyKernel:
    """SGD steps with numpy arrays, for any network."""

    def __init__(self, net: Network, optimizer: Optimizer, velocity):
        self.ws = Workspace(net)
        self.optimizer = optimizer
        self.velocity = velocity_params(self.ws.params, velocity)

    def data(self, rows):
        return rows

    def step(self, x, y) -> float:
        ws = self.ws
        terms = ws.backward(x, y, ws.forward(x))
        loss = float(terms.sum()) / x.shape[0]
        if math.isfinite(loss):
            self.optimizer.update(ws.params, ws.grads, self.velocity, ws.net.train_biases)
        return loss

    def loss(self, x, y) -> float:
        return self.ws.loss(x, y)

    def state(self):
        return self.ws.params.flat.copy(), self.velocity.flat.copy()

    def set_state(self, state) -> None:
        self.ws.params.flat[...], self.velocity.flat[...] = state

    def finite(self) -> bool:
        return bool(
            np.isfinite(self.ws.params.flat).all() and np.isfinite(self.velocity.flat).all()
        )

    def result(self):
        return self.ws.network(), [
            (w.copy(), b.copy()) for w, b in zip(self.velocity.weights, self.velocity.biases)
        ]


class CompiledKernel(NumpyKernel):
    """The same steps as straight-line float code (compiled.py), for small networks.

    Parameters live in plain lists between steps; the numpy workspace is synced
    only for whole-set losses and the result.
    """

    def __init__(self, net: Network, optimizer: Optimizer, velocity):
        super().__init__(net, optimizer, velocity)
        self.p = self.ws.params.flat.tolist()
        self.v = self.velocity.flat.tolist()
        self.key = (
            tuple(net.layer_sizes), tuple(net.activations), net.loss, net.train_biases,
            bool(optimizer.momentum), bool(optimizer.l1 or optimizer.l2),
        )  # fmt: skip
        self.functions = {}  # batch size -> compiled step

    def _function(self, batch: int):
        sizes, acts, loss, biases, momentum, regularized = self.key
        fn = compiled.step_function(sizes, acts, loss, batch, biases, momentum, regularized)
        self.functions[batch] = fn
        return fn

    def data(self, rows):
        return rows.tolist()

    def step(self, x, y) -> float:
        fn = self.functions.get(len(x)) or self._function(len(x))
        opt = self.optimizer
        try:
            return fn(self.p, self.v, x, y, opt.learning_rate, opt.momentum, opt.l1, opt.l2)
        except (ArithmeticError, ValueError):  # e.g. an overflow in a ** or math call
            return math.nan

    def _sync(self) -> None:
        self.ws.params.flat[...] = self.p
        self.velocity.flat[...] = self.v

    def loss(self, x, y) -> float:
        self._sync()
        return super().loss(x, y)

    def state(self):
        return self.p.copy(), self.v.copy()

    def set_state(self, state) -> None:
        self.p[:], self.v[:] = state

    def finite(self) -> bool:
        return all(map(math.isfinite, self.p)) and all(map(math.isfinite, self.v))

    def result(self):
        self._sync()
        return super().result()


def _batches(x, y, size, order, skip=0):
    """(x, y) minibatches of an epoch, the first `skip` left out: in order, or in `order`;
    arrays or lists."""
    n = len(x)
    if size >= n:
        yield x, y
        return
    for start in range(skip * size, n, size):
        if order is None:
            yield x[start : start + size], y[start : start + size]
        elif isinstance(x, np.ndarray):
            idx = order[start : start + size]
            yield x[idx], y[idx]
        else:
            idx = order[start : start + size].tolist()
            yield [x[i] for i in idx], [y[i] for i in idx]
