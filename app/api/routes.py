"""The GET routes of /api/v1: functions, presets, datasets and limits. The POST endpoints are in
endpoints.py."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from ..config import get_settings
from ..engine import data
from ..engine.functions import catalog
from ..jobs import Busy, Job
from ..state import MAX_STATE_BYTES, MAX_STATE_CHARS
from . import errors
from . import schemas as s
from .cost import NS_PER_REQUEST, NS_PER_VALUE

NS_PER_SAMPLE = 500  # generating a sample of a dataset, beside writing its 3 numbers

router = APIRouter(prefix="/api/v1")


@router.get("/functions", response_model=s.Functions, response_model_exclude_unset=True)
async def functions():
    """The activations and losses, with their formulas as the page shows them."""
    return catalog()


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


@router.get(
    "/datasets/{name}",
    response_model=s.Dataset,
    responses={404: {"model": s.Message}, 503: {"model": s.Message}},
)
async def dataset(
    request: Request,
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
    query = (name, n, noise, seed, labels, test)
    try:  # big sets are made in a worker, and identical queries share one answer
        body = await request.app.state.jobs.answer(
            ("dataset", repr(query).encode()),
            lambda: Job(dataset_answer, query, dataset_cost(n + test)),
        )
    except Busy as e:
        content, headers = errors.busy(e)
        headers = {name.decode(): value.decode() for name, value in headers}
        return Response(content, 503, headers, media_type="application/json")
    return Response(body, media_type="application/json")


def dataset_cost(samples: int) -> float:
    """Nanoseconds to generate a dataset and write it out (its limit: max_samples)."""
    return NS_PER_REQUEST + samples * (NS_PER_SAMPLE + 3 * NS_PER_VALUE)


def dataset_answer(query: tuple) -> dict:
    """A dataset's answer, JSON-ready."""
    name, n, noise, seed, labels, test = query
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


@router.get("/limits", response_model=s.Limits)
async def limits():
    """The limits every request is checked against before any work starts (the page checks
    a saved state against them before it draws it)."""
    settings = get_settings()
    return {
        **{
            name: getattr(settings, name)
            for name in s.Limits.model_fields
            if hasattr(settings, name)
        },
        "max_state_chars": MAX_STATE_CHARS,
        "max_state_bytes": MAX_STATE_BYTES,
        "activations": _names("activations"),
        "losses": _names("loss"),
    }


def _names(field: str) -> list[str]:
    """The names a network's field takes, as its JSON schema lists them."""
    schema = s.NetworkSpec.model_json_schema()["properties"][field]
    return schema.get("items", schema)["enum"]
