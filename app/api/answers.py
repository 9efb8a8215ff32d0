"""The answers of the POST endpoints: a validated request in, a JSON-ready dict out.

Plain module-level functions, so a request can be answered in this process or in a
worker process (jobs.py) alike; each request's cost() (schemas.py) estimates its work.
"""

from __future__ import annotations

from ..engine import compiled, mistakes, network
from ..engine.gradcheck import gradcheck as run_gradcheck
from ..engine.predict import grid
from ..engine.train import train as run_train
from . import convert
from . import schemas as s
from .check_schemas import CheckRequest
from .convert import out


def init(req: s.NetworkRequest) -> dict:
    """The network with its weights and biases (initialized from init and seed when absent)."""
    return {"network": convert.network_out(convert.network(req.network), req.network)}


def forward(req: s.ForwardRequest) -> dict:
    """z and a of every layer for a batch of inputs; the loss when targets are given."""
    net = convert.network(req.network)
    result = network.evaluate(
        net, convert.array(req.inputs), _maybe_array(req.targets), trace=req.trace
    )
    traced = zip(result.z, result.a) if req.trace else None
    return {
        "layers": None if traced is None else [{"z": out(z), "a": out(a)} for z, a in traced],
        "outputs": out(result.a[-1]),
        "loss": out(result.loss),
        "sample_losses": out(result.sample_losses),
        "output_losses": out(result.output_losses),
    }


def step(req: s.StepRequest) -> dict:
    """One training step with its whole trace: forward, loss, backward, update."""
    net = convert.network(req.network)
    x, y = convert.array(req.inputs), convert.array(req.targets)
    small = compiled.eligible(net, len(req.inputs))
    take_step = compiled.traced_step if small else network.step
    trace = take_step(net, x, y, _optimizer(req), convert.velocity(req.velocity))
    layers = [{**vars(layer), "z_terms": None, "grad_a_terms": None} for layer in trace.layers]
    if req.terms:
        for layer, (z_terms, grad_a_terms) in zip(layers, network.sum_terms(trace)):
            layer.update(z_terms=z_terms, grad_a_terms=grad_a_terms)
    return {
        "loss": out(trace.loss),
        "penalty": out(trace.penalty),
        "sample_losses": trace.sample_losses,
        "output_losses": trace.output_losses,
        "inputs": req.inputs,
        "targets": req.targets,
        "outputs": trace.outputs,
        "layers": layers,
        "network": convert.network_out(trace.network, req.network),
        "velocity": convert.velocity_out(
            [(layer.velocity_weights, layer.velocity_biases) for layer in trace.layers]
        ),
        "diverged": trace.diverged,
    }


def check(req: CheckRequest) -> dict:
    """Whether an answer is one number of a step, to 4 significant digits; if not, which
    known mistake gives it. The number itself only when the answer is right or revealed."""
    question = mistakes.Question(req.quantity, req.asked_layer, _index(req.index), req.sample)
    try:
        result = mistakes.check(
            convert.network(req.network), convert.array(req.inputs), convert.array(req.targets),
            _optimizer(req), convert.velocity(req.velocity), question, req.answer,
        )  # fmt: skip
    except mistakes.NoValue as e:
        raise s.FieldErrors([(("body", "quantity"), f"{e}: there is no number to check")]) from None
    mistake = result.mistake
    shown = result.correct or req.reveal  # never the number to a wrong answer, unless asked
    return {
        "correct": result.correct,
        **({"expected": result.expected} if shown else {}),
        "tolerance": result.tolerance,
        "misconception": mistake and {"id": mistake.id, "message": mistake.message},
    }


def _index(index):
    return tuple(index) if isinstance(index, list) else index


def train(req: s.TrainRequest) -> dict:
    """Many SGD steps in one request, without per-step traces."""
    result = run_train(
        convert.network(req.network),
        convert.array(req.inputs),
        convert.array(req.targets),
        _optimizer(req),
        req.epoch_count,
        max_steps=req.steps,
        batch_size=req.batch_size,
        shuffle_seed=req.shuffle_seed,
        record_every=req.record_every,
        velocity=convert.velocity(req.velocity),
        test_x=_maybe_array(req.test_inputs),
        test_y=_maybe_array(req.test_targets),
        start_step=req.start_step,
        snapshot_every=req.snapshot_every,
    )
    answer = {
        "network": convert.network_out(result.network, req.network),
        "initial_loss": out(result.initial_loss),
        "history": [entry._asdict() for entry in result.history],
        "diverged": result.diverged,
        "diverged_at_epoch": result.diverged_at_epoch,
        "steps": result.steps,
        "velocity": convert.velocity_out(result.velocity),
    }
    if req.grids is not None:
        answer["grids"] = _grids(result.network, req.grids)
    if req.snapshot_every is not None:
        answer["snapshots"] = [
            {
                "step": shot.step,
                "network": convert.network_out(shot.network, req.network),
                "velocity": convert.velocity_out(shot.velocity),
                "loss": shot.loss,
                "test_loss": shot.test_loss,
                "grids": None if req.grids is None else _grids(shot.network, req.grids),
            }
            for shot in result.snapshots
        ]
    return answer


def _grids(net: network.Network, asked: s.Grids) -> dict:
    """The output over a grid and, if asked, every neuron's map, quantized (as /predict's).
    Maps whose points are every k-th of the output grid's (resolution - 1 = k (maps - 1))
    are taken from the output's own forward pass."""
    ranges, resolution, maps = (asked.x_range, asked.y_range), asked.resolution, asked.maps
    every = (resolution - 1) // (maps - 1) if asked.maps_in_output else 0
    output = grid(net, *ranges, resolution, hidden=bool(every))
    if every:
        rows = slice(None, None, every) if output.y is not None else slice(None)
        layers = [layer[:, rows, ::every] for layer in output.layers]
    elif maps:
        layers = grid(net, *ranges, maps, hidden=True).layers
    return {
        "x": output.x.tolist(),
        "y": None if output.y is None else output.y.tolist(),
        "output": convert.quantized(output.layers[-1:])[0],
        "maps": convert.quantized(layers) if maps else None,
    }


def gradcheck(req: s.GradcheckRequest) -> dict:
    """Backprop gradients beside finite-difference gradients, with the relative errors."""
    check = run_gradcheck(
        convert.network(req.network),
        convert.array(req.inputs),
        convert.array(req.targets),
        method=req.method,
        epsilon=req.epsilon,
    )
    return {
        "loss": out(check.loss),
        "max_rel_error": out(check.max_rel_error),
        "method": check.method,
        "epsilon": check.epsilon,
        "layers": [
            {
                "grad_weights": out(gw),
                "grad_biases": out(gb),
                "fd_grad_weights": out(fw),
                "fd_grad_biases": out(fb),
                "rel_error_weights": out(rw),
                "rel_error_biases": out(rb),
            }
            for gw, gb, fw, fb, rw, rb in zip(
                check.backprop.weights,
                check.backprop.biases,
                check.numeric.weights,
                check.numeric.biases,
                check.rel_error.weights,
                check.rel_error.biases,
            )
        ],
    }


def predict(req: s.PredictRequest) -> dict:
    """Activations over a grid of the input plane (or line), for decision-boundary pictures."""
    result = grid(
        convert.network(req.network), req.x_range, req.y_range, req.resolution, hidden=req.hidden
    )
    return {
        "x": result.x.tolist(),
        "y": None if result.y is None else result.y.tolist(),
        "layers": [out(layer) for layer in result.layers],
    }


def parsed(job: tuple) -> dict:
    """The answer of fn to a body that is parsed and checked here: (fn, model, body) in (a
    worker parses the bodies that would hold the event loop too long)."""
    fn, model, body = job
    return fn(s.parse(model, body))


def _optimizer(req) -> network.Optimizer:
    return network.Optimizer(req.learning_rate, req.momentum, req.l1, req.l2)


def _maybe_array(rows):
    return None if rows is None else convert.array(rows)
