"""/api/v1 handlers: the models validate, the engine computes, convert shapes the answer."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from ..config import get_settings
from ..engine import data, network
from ..engine.gradcheck import gradcheck as run_gradcheck
from ..engine.predict import grid
from ..engine.train import train as run_train
from . import convert
from . import schemas as s
from .convert import out

router = APIRouter(prefix="/api/v1")


@router.post("/init", response_model=s.NetworkResponse)
def init(req: s.NetworkRequest):
    """The network with its weights and biases (initialized from init and seed when absent)."""
    return {"network": convert.network_out(convert.network(req.network), req.network)}


@router.post("/forward", response_model=s.ForwardResponse)
def forward(req: s.ForwardRequest):
    """z and a of every layer for a batch of inputs; the loss when targets are given."""
    net = convert.network(req.network)
    result = network.evaluate(net, convert.array(req.inputs), _maybe_array(req.targets))
    return {
        "layers": [{"z": out(z), "a": out(a)} for z, a in zip(result.z, result.a)],
        "outputs": out(result.a[-1]),
        "loss": out(result.loss),
        "sample_losses": out(result.sample_losses),
        "output_losses": out(result.output_losses),
    }


@router.post("/step", response_model=s.StepResponse)
def step(req: s.StepRequest):
    """One training step with its whole trace: forward, loss, backward, update."""
    net = convert.network(req.network)
    trace = network.step(
        net,
        convert.array(req.inputs),
        convert.array(req.targets),
        _optimizer(req),
        convert.velocity(req.velocity),
    )
    return {
        "loss": out(trace.loss),
        "penalty": out(trace.penalty),
        "sample_losses": out(trace.sample_losses),
        "output_losses": out(trace.output_losses),
        "inputs": req.inputs,
        "targets": req.targets,
        "outputs": out(trace.outputs),
        "layers": [
            {name: out(getattr(layer, name)) for name in _STEP_FIELDS} for layer in trace.layers
        ],
        "network": convert.network_out(trace.network, req.network),
        "velocity": convert.velocity_out(
            [(layer.velocity_weights, layer.velocity_biases) for layer in trace.layers]
        ),
        "diverged": trace.diverged,
    }


_STEP_FIELDS = tuple(s.StepLayer.model_fields)


@router.post("/train", response_model=s.TrainResponse)
def train(req: s.TrainRequest):
    """Many SGD steps in one request, without per-step traces."""
    result = run_train(
        convert.network(req.network),
        convert.array(req.inputs),
        convert.array(req.targets),
        _optimizer(req),
        req.epochs,
        batch_size=req.batch_size,
        shuffle_seed=req.shuffle_seed,
        record_every=req.record_every,
        velocity=convert.velocity(req.velocity),
        test_x=_maybe_array(req.test_inputs),
        test_y=_maybe_array(req.test_targets),
    )
    return {
        "network": convert.network_out(result.network, req.network),
        "initial_loss": out(result.initial_loss),
        "history": [
            {"epoch": epoch, "loss": loss, "test_loss": test_loss}
            for epoch, loss, test_loss in result.history
        ],
        "diverged": result.diverged,
        "diverged_at_epoch": result.diverged_at_epoch,
        "steps": result.steps,
        "velocity": convert.velocity_out(result.velocity),
    }


@router.post("/gradcheck", response_model=s.GradcheckResponse)
def gradcheck(req: s.GradcheckRequest):
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


@router.post("/predict", response_model=s.PredictResponse)
def predict(req: s.PredictRequest):
    """Activations over a grid of the input plane (or line), for decision-boundary pictures."""
    result = grid(
        convert.network(req.network), req.x_range, req.y_range, req.resolution, hidden=req.hidden
    )
    return {
        "x": result.x.tolist(),
        "y": None if result.y is None else result.y.tolist(),
        "layers": [out(layer) for layer in result.layers],
    }


@router.get("/presets", response_model=list[s.PresetSummary])
def presets():
    """The ready-made networks with their data."""
    return [
        {"name": name, "title": p["title"], "description": p["description"]}
        for name, p in data.PRESETS.items()
    ]


@router.get("/presets/{name}", response_model=s.Preset)
def preset(name: str):
    """One preset: its network (initialized), data and training settings."""
    if name not in data.PRESETS:
        raise HTTPException(404, f"no preset named {name!r}; see /api/v1/presets")
    return data.preset(name)


@router.get("/datasets")
def datasets() -> dict[str, str]:
    """The dataset generators and what they draw."""
    return data.DATASETS


@router.get("/datasets/{name}", response_model=s.Dataset)
def dataset(
    name: str,
    n: int = Query(200, ge=1, description="training samples"),
    noise: float = Query(0.0, ge=0, le=1, allow_inf_nan=False),
    seed: int = Query(0, ge=0, le=2**63 - 1),
    labels: Literal["binary", "signed"] = "binary",
    test: int = Query(0, ge=0, description="extra held-out samples from the same draw"),
):
    """Generated data, the same for the same parameters."""
    if name not in data.DATASETS:
        raise HTTPException(404, f"no dataset named {name!r}; see /api/v1/datasets")
    limit = get_settings().max_samples
    if n + test > limit:
        raise s.FieldErrors([(("query", "n"), f"n + test is at most {limit}, got {n + test}")])
    x, y, tx, ty = data.split(name, n, test, noise, seed, labels)
    return {
        "name": name,
        "n": n,
        "noise": noise,
        "seed": seed,
        "labels": labels,
        "inputs": x.tolist(),
        "targets": y.tolist(),
        "test_inputs": tx.tolist(),
        "test_targets": ty.tolist(),
    }


def _optimizer(req) -> network.Optimizer:
    return network.Optimizer(req.learning_rate, req.momentum, req.l1, req.l2)


def _maybe_array(rows):
    return None if rows is None else convert.array(rows)
