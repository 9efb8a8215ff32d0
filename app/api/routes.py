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

ERRORS = {
    422: {"model": s.ValidationErrors, "description": "the request is invalid (see loc and msg)"},
    413: {"model": s.Message, "description": "the body is larger than max_body_bytes"},
    503: {"model": s.Message, "description": "heavy work is queued full; see Retry-After"},
}

# path: (what it answers, request model, response model). The bodies are parsed and
# validated by pydantic straight from the JSON bytes (model_validate_json): half the cost
# of json.loads plus validation, and no per-request content-type parsing or dependency
# solving. Their OpenAPI schemas are declared by hand and registered by request_schemas().
POST_ENDPOINTS = {
    "/init": (answers.init, s.NetworkRequest, s.NetworkResponse),
    "/forward": (answers.forward, s.ForwardRequest, s.ForwardResponse),
    "/step": (answers.step, s.StepRequest, s.StepResponse),
    "/train": (answers.train, s.TrainRequest, s.TrainResponse),
    "/gradcheck": (answers.gradcheck, s.GradcheckRequest, s.GradcheckResponse),
    "/predict": (answers.predict, s.PredictRequest, s.PredictResponse),
}


def _post(path: str, fn, model, response_model) -> None:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        result = await request.app.state.jobs.answer(
            fn, body, lambda: _parse(model, body), answers.cost
        )
        # serialized already (non-finite values as null): the response model documents it,
        # and the fuzz tests check every answer against it
        return Response(result, media_type="application/json")

    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    router.add_api_route(
        path, endpoint, methods=["POST"], name=fn.__name__, description=fn.__doc__,
        response_model=response_model, responses=ERRORS,
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}
        },
    )  # fmt: skip


def _parse(model, body: bytes):
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        raise RequestValidationError(errors) from None


for _path, _spec in POST_ENDPOINTS.items():
    _post(_path, *_spec)


def request_schemas() -> dict:
    """The JSON schemas of the request bodies, for the OpenAPI components."""
    _, top = models_json_schema(
        [(model, "validation") for _, model, _ in POST_ENDPOINTS.values()],
        ref_template="#/components/schemas/{model}",
    )
    return top["$defs"]


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
