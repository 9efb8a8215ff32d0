"""What the engine's work costs: nanoseconds of one core, and bytes of memory.

Each time is a sum of terms with a plain meaning, their constants fitted to times measured
on this project's machine with one BLAS thread (as the worker processes run):
- per call and per layer: Python's and numpy's overhead, which is most of a small step;
- per multiply-add (samples x parameters) and per activation (samples x neurons): the work;
- per parameter: the update and the copies training keeps to undo a diverging step.
benchmarks/step_cost.py prints the estimates of whole requests beside measured times.
The API adds parsing and JSON (app/api/schemas.py, each request's `cost`), and
compiled.eligible uses these to choose the faster path for a training run.
"""

from __future__ import annotations

from .network import chunk_size
from .params import count_params

__all__ = ["chunk_size"]

FLOAT = 8  # bytes of a float64


def shape(sizes) -> tuple[int, int, int]:
    """(layers with weights, parameters, neurons outside the input layer)."""
    return len(sizes) - 1, count_params(sizes), sum(sizes[1:])


def forward_ns(sizes, samples: int) -> float:
    """A forward pass and its loss (Workspace.loss, predict.grid) over `samples` samples."""
    layers, params, neurons = shape(sizes)
    return (
        6_500 + 2_500 * layers + 0.04 * samples * params + 3.5 * samples * neurons
        + 20 * samples + 0.1 * params
    )  # fmt: skip


def numpy_step_ns(sizes, batch: int) -> float:
    """One SGD step of training with numpy: forward, backward, update, and the loop's copies."""
    layers, params, neurons = shape(sizes)
    return (
        25_000 + 7_000 * layers + 0.2 * batch * params + 6 * batch * neurons + 3 * params
        + 30 * batch
    )  # fmt: skip


def compiled_step_ns(sizes, batch: int) -> float:
    """One SGD step of training as generated straight-line code (compiled.step_function)."""
    _, params, _ = shape(sizes)
    return 700 + 120 * params + 90 * batch * params + 900 * batch


def shuffle_ns(samples: int) -> float:
    """Drawing an epoch's order of the samples (train.epoch_order)."""
    return 20_000 + 15 * samples


def recorded_epoch_ns(sizes) -> float:
    """Training's bookkeeping for an epoch it records: the finite check, the checkpoint."""
    _, params, _ = shape(sizes)
    return 1_500 + 5 * params


def compile_ns(sizes, batch: int, *, traced: bool = False) -> float:
    """Generating and compiling the straight-line code of one step (once per shape)."""
    _, params, neurons = shape(sizes)
    if traced:  # the trace builds every value of the step into lists as well
        return 55_000 + 32_000 * params + 4_000 * batch * params + 51_000 * batch * neurons
    return 3_000 + 21_000 * params + 4_200 * batch * params + 32_000 * batch * neurons


def buffers_bytes(sizes, batch: int) -> int:
    """The scratch arrays of one batch size (z, a, dl/da, delta per layer: Workspace.buffers)."""
    _, _, neurons = shape(sizes)
    return 4 * FLOAT * batch * neurons
