"""/api/v1 handlers: the models validate, answers.py computes, jobs.py decides where."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic.json_schema import models_json_schema

from ..config import get_settings
from ..engine import data
from . import answers
from . import schemas as s

router = APIRouter(prefix="/api/v1")

# The POST bodies are parsed and validated by pydantic straight from the JSON bytes
# (model_validate_json): about half the cost of json.loads plus validation, and it skips
# FastAPI's per-request content-type parsing and dependency solving. Their OpenAPI
# schemas are declared here and registered by request_schemas().
REQUEST_MODELS = {
    "init": s.NetworkRequest, "forward": s.ForwardRequest, "step": s.StepRequest,
    "train": s.TrainRequest, "gradcheck": s.GradcheckRequest, "predict": s.PredictRequest,
}  # fmt: skip


ERRORS = {
    422: {"model": s.ValidationErrors, "description": "the request is invalid (see loc and msg)"},
    413: {"model": s.Message, "description": "the body is larger than max_body_bytes"},
    503: {"model": s.Message, "description": "heavy work is queued full; see Retry-After"},
}


def _body(model) -> dict:
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def request_schemas() -> dict:
    """The JSON schemas of the request bodies, for the OpenAPI components."""
    _, top = models_json_schema(
        [(m, "validation") for m in REQUEST_MODELS.values()],
        ref_template="#/components/schemas/{model}",
    )
    return top["$defs"]


async def _answer(request: Request, fn, model) -> Response:
    """fn's answer to the body, computed (or found) by jobs.py, as JSON.

    The answer is serialized directly (non-finite values as null): the declared
    response models document it, and the fuzz tests check every answer against them.
    """
    body = await request.body()
    jobs = request.app.state.jobs
    result = await jobs.answer(fn, body, lambda: _parse(model, body), answers.cost)
    return Response(result, media_type="application/json")


def _parse(model, body: bytes):
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        raise RequestValidationError(errors) from None


@router.post(
    "/init",
    response_model=s.NetworkResponse,
    responses=ERRORS,
    openapi_extra=_body(s.NetworkRequest),
)
async def init(request: Request):
    """The network with its weights and biases (initialized from init and seed when absent)."""
    return await _answer(request, answers.init, s.NetworkRequest)


@router.post(
    "/forward",
    response_model=s.ForwardResponse,
    responses=ERRORS,
    openapi_extra=_body(s.ForwardRequest),
)
async def forward(request: Request):
    """z and a of every layer for a batch of inputs; the loss when targets are given."""
    return await _answer(request, answers.forward, s.ForwardRequest)


@router.post(
    "/step", response_model=s.StepResponse, responses=ERRORS, openapi_extra=_body(s.StepRequest)
)
async def step(request: Request):
    """One training step with its whole trace: forward, loss, backward, update."""
    return await _answer(request, answers.step, s.StepRequest)


@router.post(
    "/train", response_model=s.TrainResponse, responses=ERRORS, openapi_extra=_body(s.TrainRequest)
)
async def train(request: Request):
    """Many SGD steps in one request, without per-step traces."""
    return await _answer(request, answers.train, s.TrainRequest)


@router.post(
    "/gradcheck",
    response_model=s.GradcheckResponse,
    responses=ERRORS,
    openapi_extra=_body(s.GradcheckRequest),
)
async def gradcheck(request: Request):
    """Backprop gradients beside finite-difference gradients, with the relative errors."""
    return await _answer(request, answers.gradcheck, s.GradcheckRequest)


@router.post(
    "/predict",
    response_model=s.PredictResponse,
    responses=ERRORS,
    openapi_extra=_body(s.PredictRequest),
)
async def predict(request: Request):
    """Activations over a grid of the input plane (or line), for decision-boundary pictures."""
    return await _answer(request, answers.predict, s.PredictRequest)


@router.get("/presets", response_model=list[s.PresetSummary])
async def presets():
    """The ready-made networks with their data."""
    return [
        {"name": name, "title": p["title"], "description": p["description"]}
        for name, p in data.PRESETS.items()
    ]


@router.get("/presets/{name}", response_model=s.Preset, responses={404: {"model": s.Message}})
async def preset(name: str):
    """One preset: its network (initialized), data and training settings."""
    if name not in data.PRESETS:
        raise HTTPException(404, f"no preset named {name!r}; see /api/v1/presets")
    return data.preset(name)


@router.get("/datasets")
async def datasets() -> dict[str, str]:
    """The dataset generators and what they draw."""
    return data.DATASETS


@router.get("/datasets/{name}", response_model=s.Dataset, responses={404: {"model": s.Message}})
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
