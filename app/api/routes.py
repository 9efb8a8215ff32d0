"""/api/v1 handlers: the models validate, answers.py computes, jobs.py decides where."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic_core import to_json

from ..config import get_settings
from ..engine import data
from . import answers
from . import schemas as s

router = APIRouter(prefix="/api/v1")


async def _answer(request: Request, fn, req) -> Response:
    """Run fn(req) where jobs.py says, and write it as JSON (non-finite values as null).

    The dict is serialized directly: the declared response models document it (and
    the fuzz tests check every answer against them) without a second validation pass.
    """
    result = await request.app.state.jobs.run(fn, req, answers.cost(req))
    return Response(to_json(result, inf_nan_mode="null"), media_type="application/json")


@router.post("/init", response_model=s.NetworkResponse)
async def init(req: s.NetworkRequest, request: Request):
    """The network with its weights and biases (initialized from init and seed when absent)."""
    return await _answer(request, answers.init, req)


@router.post("/forward", response_model=s.ForwardResponse)
async def forward(req: s.ForwardRequest, request: Request):
    """z and a of every layer for a batch of inputs; the loss when targets are given."""
    return await _answer(request, answers.forward, req)


@router.post("/step", response_model=s.StepResponse)
async def step(req: s.StepRequest, request: Request):
    """One training step with its whole trace: forward, loss, backward, update."""
    return await _answer(request, answers.step, req)


@router.post("/train", response_model=s.TrainResponse)
async def train(req: s.TrainRequest, request: Request):
    """Many SGD steps in one request, without per-step traces."""
    return await _answer(request, answers.train, req)


@router.post("/gradcheck", response_model=s.GradcheckResponse)
async def gradcheck(req: s.GradcheckRequest, request: Request):
    """Backprop gradients beside finite-difference gradients, with the relative errors."""
    return await _answer(request, answers.gradcheck, req)


@router.post("/predict", response_model=s.PredictResponse)
async def predict(req: s.PredictRequest, request: Request):
    """Activations over a grid of the input plane (or line), for decision-boundary pictures."""
    return await _answer(request, answers.predict, req)


@router.get("/presets", response_model=list[s.PresetSummary])
async def presets():
    """The ready-made networks with their data."""
    return [
        {"name": name, "title": p["title"], "description": p["description"]}
        for name, p in data.PRESETS.items()
    ]


@router.get("/presets/{name}", response_model=s.Preset)
async def preset(name: str):
    """One preset: its network (initialized), data and training settings."""
    if name not in data.PRESETS:
        raise HTTPException(404, f"no preset named {name!r}; see /api/v1/presets")
    return data.preset(name)


@router.get("/datasets")
async def datasets() -> dict[str, str]:
    """The dataset generators and what they draw."""
    return data.DATASETS


@router.get("/datasets/{name}", response_model=s.Dataset)
async def dataset(
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
