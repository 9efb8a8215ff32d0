"""Request and response models of /api/v1, and the checks that run before any work.

Every float must be finite (NaN, Infinity and overflowing literals are rejected with
422), types are strict (`true` is not a number, `"1"` not an integer), unknown fields are
rejected, and shape and size problems are reported as 422 errors whose `loc` names the
field, in FastAPI's usual error format. Each request's `cost()` sits beside its checks: the
same estimate is refused past the limits and decides where the work runs (jobs.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from ..config import Settings, get_settings
from ..engine import compiled
from ..engine import cost as engine
from ..engine.formulas import ARITY, INDICES, VARIABLES
from ..engine.functions import ACTIVATIONS, LOSSES
from ..engine.params import count_params
from ..engine.train import steps_per_epoch
from .cost import (
    BYTES_PER_VALUE,
    MEMORY_PER_VALUE,
    NS_PER_GRID,
    NS_PER_GRID_CODE,
    NS_PER_INPUT,
    NS_PER_LIST_VALUE,
    NS_PER_VALUE,
    Cost,
    Fix,
)

# the names of the engine's table (app/engine/functions.py), in its order
ActivationName = Literal[tuple(ACTIVATIONS)]
LossName = Literal[tuple(LOSSES)]
InitName = Literal["xavier", "he", "uniform", "zeros"]
Vector = list[float]
Matrix = list[list[float]]
# trace values that may have overflowed in a diverged step: non-finite values become null
MaybeVector = list[float | None]
MaybeMatrix = list[list[float | None]]
Loc = tuple[str | int, ...]


class FieldErrors(Exception):
    """Semantic validation problems: [(loc, message)], rendered as a 422 like pydantic's."""

    def __init__(self, errors: list[tuple[Loc, str]]):
        super().__init__(errors)
        self.errors = errors


class InvalidBody(Exception):
    """A body pydantic refused: its errors as dicts {loc (from "body"), msg, type}."""

    def __init__(self, problems: list[dict]):
        super().__init__(problems)
        self.problems = problems

    def errors(self) -> list[dict]:
        return self.problems


def parse(model, body: bytes):
    """The request model from the JSON bytes, checked; InvalidBody or FieldErrors if not."""
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        raise InvalidBody(
            [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        ) from None


class Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True)


class Checked(Strict):
    """A request whose problems() and then cost() are checked right after parsing, before
    any work: the limits on shapes and sizes, then on time, answer size and memory."""

    _estimate: Cost | None = PrivateAttr(None)

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        return iter(())

    def cost(self) -> Cost:
        raise NotImplementedError

    def estimate(self) -> Cost:
        """cost(), worked out once: when the request is checked against the limits."""
        if self._estimate is None:
            self._estimate = self.cost()
        return self._estimate

    @model_validator(mode="after")
    def _check(self):
        settings = get_settings()
        errors = list(self.problems(settings)) or list(self.estimate().problems(settings))
        if errors:
            raise FieldErrors([(("body", *loc), msg) for loc, msg in errors])
        return self


class NetworkSpec(Strict):
    """A fully connected network. Without weights it is initialized from init and seed."""

    layer_sizes: list[int] = Field(
        min_length=2, description="neurons per layer, input layer first", examples=[[2, 2, 2]]
    )
    activations: list[ActivationName] = Field(description="one per non-input layer")
    loss: LossName = "squared_error"
    weights: list[Matrix] | None = Field(
        None, description="weights[l][j][k]: from neuron k of layer l to neuron j of layer l+1"
    )
    biases: list[Vector] | None = Field(None, description="biases[l][j]; zeros when omitted")
    train_biases: bool = True
    init: InitName = Field("xavier", description="used only when weights are omitted")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="seed of the initialization")

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        sizes = self.layer_sizes
        if len(sizes) > s.max_layers:
            yield (
                ("layer_sizes",),
                f"at most {s.max_layers} layers (input included), got {len(sizes)}",
            )
            return
        bad = [i for i, n in enumerate(sizes) if not 1 <= n <= s.max_neurons]
        for i in bad:
            yield ("layer_sizes", i), f"a layer has 1 to {s.max_neurons} neurons, got {sizes[i]}"
        if bad:
            return
        if count_params(sizes) > s.max_params:
            yield (
                ("layer_sizes",),
                (f"at most {s.max_params} parameters, this network has {count_params(sizes)}"),
            )
            return
        n_layers = len(sizes) - 1
        if len(self.activations) != n_layers:
            yield (
                ("activations",),
                (
                    f"expected {n_layers} activations (one per non-input layer), got {len(self.activations)}"
                ),
            )
        for i, name in enumerate(self.activations[:-1]):
            if ACTIVATIONS[name].output_only:
                yield ("activations", i), f"{name} is allowed on the output layer only"
        if self.weights is None:
            if self.biases is not None:
                yield ("biases",), "biases were given without weights"
            return
        yield from _shape_problems(
            "weights", self.weights, [(o, i) for i, o in zip(sizes, sizes[1:])]
        )
        if self.biases is not None:
            yield from _shape_problems("biases", self.biases, [(o,) for o in sizes[1:]])


def _shape_problems(name: str, arrays, shapes) -> Iterator[tuple[Loc, str]]:
    if len(arrays) != len(shapes):
        yield (name,), f"expected {len(shapes)} layers of {name}, got {len(arrays)}"
        return
    for l, (array, shape) in enumerate(zip(arrays, shapes)):
        if len(array) != shape[0]:
            yield (
                (name, l),
                f"expected {shape[0]} rows (neurons of layer {l + 1}), got {len(array)}",
            )
        elif len(shape) == 2:
            for j, row in enumerate(array):
                if len(row) != shape[1]:
                    yield (
                        (name, l, j),
                        (f"expected {shape[1]} values (neurons of layer {l}), got {len(row)}"),
                    )


def _rows_problems(name: str, rows: Matrix, width: int, what: str) -> Iterator[tuple[Loc, str]]:
    for i, row in enumerate(rows):
        if len(row) != width:
            yield (name, i), f"expected {width} values ({what}), got {len(row)}"
            return  # one is enough: the rest are likely the same


class NetworkRequest(Checked):
    network: NetworkSpec

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        for loc, msg in self.network.problems(s):
            yield ("network", *loc), msg

    @property
    def params(self) -> int:
        return count_params(self.network.layer_sizes)

    def network_ns(self) -> float:
        """The network in (drawn from its seed, or converted) and out again, as JSON."""
        given = self.network.weights is not None
        return self.params * (NS_PER_VALUE + NS_PER_INPUT * given)

    def cost(self) -> Cost:
        smaller = Fix(("network", "layer_sizes"), "use a smaller network")
        return Cost.of(self.network_ns(), self.params, 0, time=smaller, answer=smaller,
                       memory_fix=smaller)  # fmt: skip


class DataRequest(NetworkRequest):
    """A network with a batch of inputs (and usually targets)."""

    inputs: Matrix = Field(min_length=1, description="inputs[sample][neuron of layer 0]")
    targets: Matrix | None = Field(None, description="targets[sample][output neuron]")

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        errors = list(super().problems(s))
        yield from errors
        if errors:
            return
        yield from self._data_problems(s, "inputs", "targets", self.inputs, self.targets)

    def _data_problems(self, s, x_name, y_name, x, y):
        sizes = self.network.layer_sizes
        if len(x) > s.max_samples:
            yield (x_name,), f"at most {s.max_samples} samples per request, got {len(x)}"
            return
        yield from _rows_problems(x_name, x, sizes[0], "one per input neuron")
        if y is None:
            return
        if len(y) != len(x):
            yield (y_name,), f"expected {len(x)} rows (one per sample of {x_name}), got {len(y)}"
        yield from _rows_problems(y_name, y, sizes[-1], "one per output neuron")

    def data_ns(self) -> float:
        """The inputs and targets into numpy arrays."""
        sizes = self.network.layer_sizes
        return len(self.inputs) * (sizes[0] + sizes[-1]) * NS_PER_INPUT


class Velocity(Strict):
    """Momentum state from the previous step, per layer."""

    weights: list[Matrix]
    biases: list[Vector]


class OptimizerFields(Strict):
    learning_rate: float = Field(ge=0, description="eta in w <- w - eta * dL/dw")
    momentum: float = Field(0.0, ge=0, lt=1)
    l1: float = Field(0.0, ge=0, description="L1 penalty rate: adds l1 * sign(w) to dL/dw")
    l2: float = Field(0.0, ge=0, description="L2 penalty rate: adds l2 * w to dL/dw")
    velocity: Velocity | None = Field(None, description="momentum state from the previous step")

    def velocity_problems(self) -> Iterator[tuple[Loc, str]]:
        if self.velocity is None:
            return
        sizes = self.network.layer_sizes
        for loc, msg in _shape_problems(
            "weights", self.velocity.weights, [(o, i) for i, o in zip(sizes, sizes[1:])]
        ):
            yield ("velocity", *loc), msg
        for loc, msg in _shape_problems("biases", self.velocity.biases, [(o,) for o in sizes[1:]]):
            yield ("velocity", *loc), msg


class ForwardRequest(DataRequest):
    trace: bool = Field(
        True, description="false: leave out z and a of every layer (layers is null), e.g. "
        "for the loss over a whole data set",
    )  # fmt: skip

    def cost(self) -> Cost:
        sizes, n = self.network.layer_sizes, len(self.inputs)
        _, _, neurons = engine.shape(sizes)
        n_out, targets = sizes[-1], self.targets is not None
        values = n * n_out * (2 if targets else 1) + n * targets  # outputs, losses
        if self.trace:
            values += 2 * n * neurons  # z and a of every layer
            work = engine.buffers_bytes(sizes, n)
        else:  # chunk by chunk, keeping the outputs
            work = engine.buffers_bytes(sizes, min(n, engine.chunk_size(sizes)))
        fewer = Fix(("inputs",), "send fewer samples" + ("" if not self.trace else
                    ", or trace: false for the outputs and losses alone"))  # fmt: skip
        ns = self.network_ns() + self.data_ns() + engine.forward_ns(sizes, n)
        return Cost.of(ns + values * NS_PER_VALUE, values, work, time=fewer, answer=fewer,
                       memory_fix=fewer)  # fmt: skip


class StepFields(OptimizerFields, DataRequest):
    """What a step takes: /step's body, and the start of /check's."""

    targets: Matrix = Field(min_length=1)

    def problems(self, s):
        errors = list(super().problems(s))
        yield from errors or self.velocity_problems()

    def trace_values(self) -> int:
        """The numbers of the whole trace: z, a, f', dl/da, delta per sample and neuron, the
        data and losses per sample, 10 per parameter (weights to changes, the network)."""
        sizes, n = self.network.layer_sizes, len(self.inputs)
        _, params, neurons = engine.shape(sizes)
        return 5 * n * neurons + n * (sizes[0] + 3 * sizes[-1] + 1) + 10 * params

    def fix(self) -> Fix:
        """What to change when the step is past a limit."""
        return Fix(("inputs",), "send fewer samples (a step traces each one); /train takes "
                   "big batches without a trace")  # fmt: skip

    def cost(self) -> Cost:
        """The step and its whole trace, written out."""
        sizes, n = self.network.layer_sizes, len(self.inputs)
        values = self.trace_values()
        if compiled.eligible(self.network, n):  # straight-line code, whose values are lists
            ns = engine.compile_ns(sizes, n, traced=True) + 3 * engine.compiled_step_ns(sizes, n)
            ns += values * NS_PER_LIST_VALUE
        else:
            ns = engine.numpy_step_ns(sizes, n) + values * NS_PER_VALUE
        fewer = self.fix()
        ns += self.network_ns() + self.data_ns()
        return Cost.of(ns, values, engine.buffers_bytes(sizes, n), time=fewer, answer=fewer,
                       memory_fix=fewer)  # fmt: skip


class StepRequest(StepFields):
    terms: bool = Field(
        False, description="true: each layer also gets the terms of its sums, z_terms "
        "(w a_prev) and grad_a_terms (w_next delta_next), samples x weights numbers each",
    )  # fmt: skip

    def terms_values(self) -> int:
        """With terms, two numbers a sample and weight (w a_prev, w_next delta_next)."""
        _, params, neurons = engine.shape(self.network.layer_sizes)
        return 2 * len(self.inputs) * (params - neurons) * self.terms  # weights: params less biases

    def cost(self) -> Cost:
        """The step and its trace; the terms are numpy products, each written out as a float."""
        step, values = super().cost(), self.terms_values()
        return replace(step, ns=step.ns + values * NS_PER_VALUE, values=step.values + values,
                       memory=step.memory + values * MEMORY_PER_VALUE)  # fmt: skip

    def fix(self) -> Fix:
        if not self.terms:
            return super().fix()
        return Fix(("terms",), "ask without terms (they are two numbers a sample and weight), "
                   "or send fewer samples")  # fmt: skip


class Grids(Strict):
    """What a page draws beside the network after training: the output over a grid of the
    input plane (or line) and every neuron's map, as /predict computes them, quantized to
    one byte a value."""

    x_range: tuple[float, float] = (-1.0, 1.0)
    y_range: tuple[float, float] = (-1.0, 1.0)
    resolution: int = Field(40, ge=2, le=400, description="grid points per axis of the output")
    maps: int | None = Field(
        None, ge=2, le=400,
        description="grid points per axis of every neuron's map (all layers); null: no maps",
    )  # fmt: skip

    def problems(self, inputs: int) -> Iterator[tuple[Loc, str]]:
        if inputs not in (1, 2):
            yield ("grids",), f"grids need a network with 1 or 2 inputs, this one has {inputs}"
        for name, (lo, hi) in (("x_range", self.x_range), ("y_range", self.y_range)):
            if not lo < hi:
                yield ("grids", name), "expected [min, max] with min < max"

    @property
    def maps_in_output(self) -> bool:
        """Whether the maps' points are every k-th of the output grid's (answers._grids)."""
        return self.maps is not None and (self.resolution - 1) % (self.maps - 1) == 0

    def cost(self, sizes) -> tuple[float, int, int, int]:
        """(ns, numbers, bytes of base64, memory) of the grids of a network of these sizes:
        a forward pass over each grid, chunk by chunk, and its values quantized."""
        _, _, neurons = engine.shape(sizes)
        dims = min(sizes[0], 2)
        grids = [(self.resolution**dims, sizes[-1])]
        if self.maps is not None:
            grids.append((self.maps**dims, neurons))
        ns = numbers = text = memory = 0
        for i, (points, kept) in enumerate(grids):
            codes = points * kept
            if i == 0 or not self.maps_in_output:  # else the output's pass gives the maps
                ns += engine.forward_ns(sizes, points)
            ns += NS_PER_GRID + codes * NS_PER_GRID_CODE
            numbers += 2 * kept  # lo and hi
            text += 4 * -(-codes // 3)
            memory += engine.buffers_bytes(sizes, min(points, engine.chunk_size(sizes)))
            memory += codes * (engine.FLOAT + 1)
        numbers += self.resolution * dims  # x and y
        return ns + numbers * NS_PER_VALUE, numbers, text, memory


class TrainRequest(OptimizerFields, DataRequest):
    targets: Matrix = Field(min_length=1)
    epochs: int | None = Field(None, ge=1, description="passes over the whole set")
    steps: int | None = Field(
        None, ge=1,
        description="instead of epochs: exactly this many SGD steps (minibatches); "
        "the last epoch may be cut short",
    )  # fmt: skip
    batch_size: int | None = Field(None, ge=1, description="default: the whole set")
    shuffle_seed: int | None = Field(
        None, ge=0, le=2**63 - 1,
        description="reshuffle the minibatches every epoch: epoch e (from 0) takes the "
        "permutation of numpy's default_rng([shuffle_seed, e])",
    )  # fmt: skip
    start_step: int = Field(
        0, ge=0, le=2**63 - 1,
        description="with steps: continue a run that has taken this many steps, with the "
        "minibatches of its next steps (training in pieces takes the steps of training at once)",
    )  # fmt: skip
    record_every: int = Field(1, ge=1, description="keep every n-th epoch in history")
    test_inputs: Matrix | None = None
    test_targets: Matrix | None = None
    grids: Grids | None = Field(
        None, description="also answer the trained network's output grid and neuron maps, "
        "quantized (what a page redraws while it trains)",
    )  # fmt: skip
    snapshot_every: int | None = Field(
        None, ge=1,
        description="also answer the state after every this many steps, short of the last: "
        "its network, velocity, losses and (if asked) grids, so that one answer redraws a page "
        "several times",
    )  # fmt: skip

    def snapshot_count(self, steps: int) -> int:
        """The snapshots an answer of `steps` steps holds (at most: none if it diverges)."""
        return (steps - 1) // self.snapshot_every if self.snapshot_every else 0

    @property
    def epoch_count(self) -> int:
        """epochs, or the epochs that `steps` reaches into from start_step (the first and the
        last perhaps partly)."""
        if self.epochs is not None:
            return self.epochs
        per_epoch = steps_per_epoch(len(self.inputs), self.batch_size)
        return -(-(self.start_step % per_epoch + (self.steps or 1)) // per_epoch)

    def problems(self, s):
        errors = list(super().problems(s))
        if (self.epochs is None) == (self.steps is None):
            errors.append((("epochs",), "give either epochs or steps"))
        elif self.start_step and self.steps is None:
            errors.append((("start_step",), "start_step goes with steps, not epochs"))
        if self.grids is not None:
            errors += self.grids.problems(self.network.layer_sizes[0])
        if not errors:
            errors = list(self.velocity_problems())
            if (self.test_inputs is None) != (self.test_targets is None):
                errors.append((("test_targets",), "test_inputs and test_targets come together"))
            elif self.test_inputs is not None:
                errors += self._data_problems(
                    s, "test_inputs", "test_targets", self.test_inputs, self.test_targets
                )
        yield from errors

    def cost(self) -> Cost:
        """Every step, the loss over the data after each recorded epoch, the history, and the
        grids when asked for."""
        sizes, n, tests = self.network.layer_sizes, len(self.inputs), len(self.test_inputs or [])
        params = self.params
        batch = min(self.batch_size or n, n)
        epochs = self.epoch_count
        steps = self.steps or epochs * steps_per_epoch(n, self.batch_size)
        recorded = -(-epochs // self.record_every)
        snapshots = self.snapshot_count(steps)
        if compiled.eligible(self.network, batch, steps):
            ns = engine.compile_ns(sizes, batch) + steps * engine.compiled_step_ns(sizes, batch)
        else:
            ns = steps * engine.numpy_step_ns(sizes, batch)
        if self.shuffle_seed is not None and batch < n:
            ns += epochs * engine.shuffle_ns(n)
        # the loss over the data after each recorded epoch; with the whole set as the batch
        # the next step's forward pass gives it, and only the first and last are extra
        evaluations = 2 if batch == n else recorded + 1
        ns += evaluations * engine.forward_ns(sizes, n) + recorded * engine.recorded_epoch_ns(sizes)
        if tests:
            ns += recorded * engine.forward_ns(sizes, tests)
        values = 4 * recorded + 3 * params  # epoch, step, loss, test_loss; network, velocity
        ns += self.network_ns() + self.data_ns() + tests * (sizes[0] + sizes[-1]) * NS_PER_INPUT
        ns += values * NS_PER_VALUE
        chunk = min(max(n, tests), engine.chunk_size(sizes))
        work = 2 * engine.buffers_bytes(sizes, batch) + 2 * engine.buffers_bytes(sizes, chunk)
        work += (n + tests) * (sizes[0] + sizes[-1]) * engine.FLOAT * 2
        count = "steps" if self.steps is not None else "epochs"
        time = Fix((count,), f"ask for fewer {count}, and send the rest in later requests "
                   "(each answer has the network and velocity to continue from)")  # fmt: skip
        answer = Fix(("record_every",), "keep fewer epochs in the history (a larger "
                     "record_every)")  # fmt: skip
        memory = Fix(("batch_size",), "use a smaller batch_size")
        grids_ns, numbers, text, grids_work = self.grids.cost(sizes) if self.grids else (0,) * 4
        coarser = Fix(("grids", "resolution"), "ask for coarser grids (resolution and maps)")
        # a snapshot: the losses, a copy of the state, its values and its grids
        snap_values = 3 + 2 * params + numbers  # step, loss, test_loss; network, velocity
        snap_ns = engine.forward_ns(sizes, n) + engine.recorded_epoch_ns(sizes) + grids_ns
        snap_ns += (tests and engine.forward_ns(sizes, tests)) + snap_values * NS_PER_VALUE
        fewer = Fix(("snapshot_every",), "ask for fewer snapshots (a larger snapshot_every)")
        parts = [  # (ns, bytes of the answer, advice on each) of the training, grids, snapshots
            (ns, values * BYTES_PER_VALUE, time, answer),
            (grids_ns, numbers * BYTES_PER_VALUE + text, coarser, coarser),
            (snapshots * snap_ns, snapshots * (snap_values * BYTES_PER_VALUE + text), fewer, fewer),
        ]
        # the advice names what costs most
        return Cost.of(
            sum(part[0] for part in parts),
            values + numbers + snapshots * snap_values,
            work + grids_work,
            text=text * (1 + snapshots),
            time=max(parts, key=lambda part: part[0])[2],
            answer=max(parts, key=lambda part: part[1])[3],
            memory_fix=coarser if grids_work > work else memory,
        )


class GradcheckRequest(DataRequest):
    targets: Matrix = Field(min_length=1)
    method: Literal["central", "five_point"] = "central"
    epsilon: float | None = Field(None, gt=0, le=0.1, description="step h; default 1e-6 / 1e-3")

    def cost(self) -> Cost:
        """Two or four forward passes per parameter, beside one backward pass."""
        sizes, n = self.network.layer_sizes, len(self.inputs)
        params, passes = self.params, 2 if self.method == "central" else 4
        ns = passes * params * engine.forward_ns(sizes, n) + engine.numpy_step_ns(sizes, n)
        values = 6 * params
        ns += self.network_ns() + self.data_ns() + values * NS_PER_VALUE
        fewer = Fix(("inputs",), "use fewer samples, or a smaller network")
        return Cost.of(ns, values, engine.buffers_bytes(sizes, n), time=fewer, answer=fewer,
                       memory_fix=fewer)  # fmt: skip


class PredictRequest(NetworkRequest):
    x_range: tuple[float, float] = (-1.0, 1.0)
    y_range: tuple[float, float] = (-1.0, 1.0)
    resolution: int = Field(50, ge=2, le=400, description="grid points per axis")
    hidden: bool = Field(True, description="also return every hidden neuron's activation")

    def problems(self, s):
        errors = list(super().problems(s))
        if not errors:
            sizes = self.network.layer_sizes
            if sizes[0] not in (1, 2):
                errors.append((("network", "layer_sizes", 0), "predict needs 1 or 2 inputs"))
        for name, (lo, hi) in (("x_range", self.x_range), ("y_range", self.y_range)):
            if not lo < hi:
                errors.append(((name,), "expected [min, max] with min < max"))
        yield from errors

    def cost(self) -> Cost:
        """A forward pass over the grid, chunk by chunk, keeping the layers asked for."""
        sizes = self.network.layer_sizes
        _, _, neurons = engine.shape(sizes)
        points = self.resolution ** min(sizes[0], 2)
        values = points * (neurons if self.hidden else sizes[-1]) + 2 * self.resolution
        ns = self.network_ns() + engine.forward_ns(sizes, points) + values * NS_PER_VALUE
        work = engine.buffers_bytes(sizes, min(points, engine.chunk_size(sizes)))
        coarser = Fix(("resolution",), "use a lower resolution" + ("" if not self.hidden else
                      ", or hidden: false for the output layer alone"))  # fmt: skip
        return Cost.of(ns, values, work, time=coarser, answer=coarser, memory_fix=coarser)


class SavedState(Strict):
    """A page's saved state (share links, embeds, exports), as far as the server checks it:
    the network and its data. Its other fields belong to the page, which checks them."""

    model_config = ConfigDict(extra="allow")
    version: Literal[1]
    network: NetworkSpec
    initial: NetworkSpec | None = None
    inputs: Matrix
    targets: Matrix
    test_inputs: Matrix | None = None
    test_targets: Matrix | None = None

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        for name in ("network", "initial"):
            spec = getattr(self, name)
            for loc, msg in spec.problems(s) if spec is not None else ():
                yield (name, *loc), msg
        data = DataRequest.model_construct(network=self.network)
        yield from data._data_problems(s, "inputs", "targets", self.inputs, self.targets)
        if self.test_inputs is not None:
            yield from data._data_problems(
                s, "test_inputs", "test_targets", self.test_inputs, self.test_targets or []
            )


# --- responses ----------------------------------------------------------------------------


class Out(BaseModel):
    """A response: non-finite floats (a diverged trace) are written as null, never NaN."""

    model_config = ConfigDict(ser_json_inf_nan="null")


class NetworkOut(Out):
    layer_sizes: list[int]
    activations: list[ActivationName]
    loss: LossName
    weights: list[Matrix]
    biases: list[Vector]
    train_biases: bool
    init: InitName
    seed: int


class NetworkResponse(Out):
    network: NetworkOut


class ForwardLayer(Out):
    z: MaybeMatrix = Field(description="z[sample][neuron]")
    a: MaybeMatrix = Field(description="a[sample][neuron]")


class ForwardResponse(Out):
    layers: list[ForwardLayer] | None = Field(
        description="one per non-input layer, in forward order; null when trace is false"
    )
    outputs: MaybeMatrix
    loss: float | None = Field(None, description="mean over samples; present with targets")
    sample_losses: MaybeVector | None = None
    output_losses: MaybeMatrix | None = None


class StepLayer(Out):
    weights: Matrix
    biases: Vector
    z: MaybeMatrix
    a: MaybeMatrix
    f_prime: MaybeMatrix | None = Field(description="f'(z); null for softmax")
    grad_a: MaybeMatrix = Field(description="dl/da per sample: from the loss, or W^T delta")
    delta: MaybeMatrix = Field(description="dl/dz per sample")
    grad_weights: MaybeMatrix = Field(description="mean over samples of outer(delta, a_prev)")
    grad_biases: MaybeVector
    reg_weights: MaybeMatrix = Field(description="penalty gradient l2 w + l1 sign(w)")
    velocity_weights: MaybeMatrix = Field(description="what the learning rate multiplies")
    velocity_biases: MaybeVector
    new_weights: MaybeMatrix
    new_biases: MaybeVector
    change_weights: MaybeMatrix = Field(
        description="new_weights - weights: the update's change, -learning_rate * velocity_weights"
    )
    change_biases: MaybeVector = Field(description="new_biases - biases (0 when not trained)")
    z_terms: list[MaybeMatrix] | None = Field(
        None, description="with terms: z_terms[sample][j][k] = weights[j][k] * a_prev[k]; "
        "z[sample][j] is their sum plus biases[j]",
    )  # fmt: skip
    grad_a_terms: list[MaybeMatrix] | None = Field(
        None, description="with terms: grad_a_terms[sample][k][j] = w_next[j][k] * "
        "delta_next[sample][j] (the next layer's weights and delta); grad_a[sample][k] is "
        "their sum. Null at the output layer, whose grad_a comes from the loss",
    )  # fmt: skip


class VelocityOut(Out):
    weights: list[MaybeMatrix]
    biases: list[MaybeVector]


class StepResponse(Out):
    loss: float | None = Field(description="mean over samples, before the update")
    penalty: float | None
    sample_losses: MaybeVector
    output_losses: MaybeMatrix = Field(description="per-output terms; a sample's loss is their sum")
    inputs: Matrix
    targets: Matrix
    outputs: MaybeMatrix
    layers: list[StepLayer]
    network: NetworkOut = Field(description="the updated network (unchanged if diverged)")
    velocity: VelocityOut
    diverged: bool


class HistoryEntry(Out):
    epoch: int
    step: int = Field(description="SGD steps (minibatches) taken when this entry was recorded")
    loss: float
    test_loss: float | None = None


class QuantizedGrid(Out):
    """Activations over a grid in one byte each: a neuron's value is lo + code * (hi - lo) /
    254 for codes 0 to 254, where code = round(254 * (value - lo) / (hi - lo)) (0 when hi =
    lo) and lo, hi are its smallest and largest finite values; code 255: not finite."""

    shape: list[int] = Field(description="[neurons, rows, cols]; rows is 1 for a 1-input network")
    lo: Vector = Field(description="per neuron")
    hi: Vector = Field(description="per neuron")
    data: str = Field(
        description="base64 of neurons x rows x cols bytes: neuron by neuron, row by row "
        "(row i at y[i]), column j at x[j]"
    )


class TrainGrids(Out):
    x: Vector = Field(description="the output grid's columns")
    y: Vector | None = Field(description="its rows; null for a 1-input network")
    output: QuantizedGrid = Field(description="the output layer at resolution")
    maps: list[QuantizedGrid] | None = Field(
        description="every non-input layer (output included) at maps points per axis, over the "
        "same ranges; null unless asked for"
    )


class TrainSnapshot(Out):
    step: int = Field(description="the steps of this answer taken by then (from 1)")
    network: NetworkOut
    velocity: VelocityOut
    loss: float = Field(description="over the whole training set")
    test_loss: float | None = None
    grids: TrainGrids | None = Field(None, description="present when the request asks for grids")


class TrainResponse(Out):
    network: NetworkOut
    initial_loss: float | None
    history: list[HistoryEntry]
    diverged: bool
    diverged_at_epoch: int | None
    steps: int
    velocity: VelocityOut
    grids: TrainGrids | None = Field(None, description="present when the request asks for grids")
    snapshots: list[TrainSnapshot] | None = Field(
        None, description="with snapshot_every: the states after every snapshot_every steps, "
        "short of the last (which is the answer's network); none when training diverged",
    )  # fmt: skip


class GradcheckLayer(Out):
    grad_weights: MaybeMatrix
    grad_biases: MaybeVector
    fd_grad_weights: MaybeMatrix
    fd_grad_biases: MaybeVector
    rel_error_weights: MaybeMatrix
    rel_error_biases: MaybeVector


class GradcheckResponse(Out):
    loss: float | None
    layers: list[GradcheckLayer]
    max_rel_error: float | None
    method: str
    epsilon: float


class PredictResponse(Out):
    x: Vector
    y: Vector | None = Field(description="null for a 1-input network")
    layers: list[list[MaybeMatrix]] = Field(
        description="layers[l][neuron][row][col]: a over the grid; only the output layer "
        "unless hidden"
    )


class Num(Out):
    num: float


class Var(Out):
    var: Literal[VARIABLES] = Field(
        description="z, a (of the neuron), y (its target), g (dl/da), n (neurons in the layer)"
    )
    index: Literal[INDICES] | None = Field(
        None, description="j: this neuron; k: the neuron a sum runs over"
    )


class Op(Out):
    op: Literal[tuple(ARITY)]
    args: list[Expr]
    index: Literal[INDICES] | None = Field(None, description="what a sum runs over")


Expr = Num | Var | Op
Op.model_rebuild()


class ActivationInfo(Out):
    name: ActivationName
    title: str = Field(description="for people, e.g. a select list")
    symbol: str = Field(description="f in a = f(z)")
    output_only: bool
    f: Expr = Field(description="a = f(z) (softmax: a_j in terms of z_j and z_k)")
    f_prime: Expr | None = Field(description="f'(z) in terms of z and a; null for softmax")
    delta: Expr | None = Field(description="softmax only: delta_j = (J^T g)_j, with g = dl/da")


class LossInfo(Out):
    name: LossName
    title: str
    term: Expr = Field(description="the term of one output; a sample's loss is their sum")
    grad_a: Expr = Field(description="dl/da of one output")


class FusedInfo(Out):
    activation: ActivationName
    loss: LossName
    delta: Expr = Field(description="delta = dl/dz of one output, simplified")


class Functions(Out):
    """The activations and losses with their formulas, as expression trees: a number
    {"num": 0.5}, a variable {"var": "z"} (with "index" "j" or "k" in softmax's), or an
    operator {"op": "+", "args": [...]}. Operators, by arity: + * (two or more); - / pow
    max > <= (two); neg exp log tanh sigma abs sign sum (one; sum adds its argument over
    "index"); cases (value, condition, value, condition, ..., value otherwise)."""

    activations: list[ActivationInfo]
    losses: list[LossInfo]
    fused: list[FusedInfo] = Field(
        description="output activation and loss pairs whose delta simplifies; their delta "
        "replaces dl/da * f'(z)"
    )


class PresetSummary(Out):
    name: str
    title: str
    description: str


class DatasetInfo(Out):
    name: str
    n: int
    noise: float
    seed: int
    labels: Literal["binary", "signed"]
    test: int


class Preset(Out):
    name: str
    title: str
    description: str
    network: NetworkOut
    inputs: Matrix
    targets: Matrix
    test_inputs: Matrix | None
    test_targets: Matrix | None
    dataset: DatasetInfo | None
    # every training setting the preset uses, under the names /api/v1/train takes
    learning_rate: float
    batch_size: int | None = Field(description="null: the whole training set")
    momentum: float
    l1: float
    l2: float
    shuffle_seed: int | None = Field(description="null: minibatches in order")
    train_steps: int = Field(
        ge=1, le=10_000, description="the SGD steps one Train takes to learn the problem"
    )


class Dataset(Out):
    name: str
    n: int
    noise: float
    seed: int
    labels: Literal["binary", "signed"]
    inputs: Matrix
    targets: Matrix
    test_inputs: Matrix
    test_targets: Matrix


class Limits(Out):
    """What every request is checked against before any work starts (see the README, "Limits")."""

    max_layers: int = Field(description="entries of layer_sizes, input layer included")
    max_neurons: int = Field(description="neurons per layer")
    max_params: int = Field(description="weights and biases together")
    max_samples: int = Field(description="samples per request (inputs; test_inputs)")
    max_cost: int = Field(description="estimated nanoseconds of one core per request")
    max_answer_bytes: int = Field(description="estimated JSON of an answer")
    max_memory_bytes: int = Field(description="estimated working memory of a request")
    max_body_bytes: int = Field(description="request body")
    job_time_budget: float = Field(description="seconds a heavy job may run before it is stopped")
    inline_cost: int = Field(
        description="estimated nanoseconds up to which a request is answered at once, on the "
        "server's event loop, instead of in its worker pool (Run keeps its requests within it)"
    )
    max_state_chars: int = Field(description="characters of an embed's state parameter")
    max_state_bytes: int = Field(description="JSON an embed's state may inflate to")
    activations: list[str] = Field(description="the activation names a network may use")
    losses: list[str] = Field(description="the loss names a network may use")


class ErrorItem(Out):
    loc: list[str | int] = Field(description='where, e.g. ["body", "network", "weights", 0]')
    msg: str
    type: str


class ValidationErrors(Out):
    """422: what is wrong with the request, field by field."""

    detail: list[ErrorItem]


class Message(Out):
    """413, 404, 503: what happened."""

    detail: str
