"""The POST endpoints of /api/v1, answered by one pure-ASGI app ahead of FastAPI's router.

Each is a pure function of its JSON body: pydantic parses and checks the bytes
(model_validate_json), answers.py computes, jobs.py decides where, and the answer comes
back serialized already. None of FastAPI's per-request work (matching the route among
all the others, solving dependencies, an exit stack, a Request object) has anything to do
here, yet through the router it cost more than a Mazur step itself: see the README,
"Where a step's time goes". The OpenAPI schema documents these endpoints from the same
models, like FastAPI's own routes (openapi()).
"""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic.json_schema import models_json_schema

from ..asgi import read_body, send_json
from ..jobs import Busy, Jobs
from . import answers, errors
from . import check_schemas as c
from . import schemas as s

# path: (what it answers, request model, response model)
ENDPOINTS = {
    "/api/v1/init": (answers.init, s.NetworkRequest, s.NetworkResponse),
    "/api/v1/forward": (answers.forward, s.ForwardRequest, s.ForwardResponse),
    "/api/v1/step": (answers.step, s.StepRequest, s.StepResponse),
    "/api/v1/train": (answers.train, s.TrainRequest, s.TrainResponse),
    "/api/v1/gradcheck": (answers.gradcheck, s.GradcheckRequest, s.GradcheckResponse),
    "/api/v1/predict": (answers.predict, s.PredictRequest, s.PredictResponse),
    "/api/v1/check": (answers.check, c.CheckRequest, c.CheckResponse),
}

ERRORS = {
    422: (s.ValidationErrors, "the request is invalid (see loc and msg)"),
    413: (s.Message, "the body is larger than max_body_bytes"),
    503: (s.Message, "heavy work is queued full; see Retry-After"),
}


class PostEndpoints:
    """Answers POST to the ENDPOINTS paths; passes every other request on to `app`."""

    def __init__(self, app, *, jobs: Jobs):
        self.app = app
        self.jobs = jobs

    async def __call__(self, scope, receive, send):
        endpoint = ENDPOINTS.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is None:
            return await self.app(scope, receive, send)
        if scope["method"] != "POST":
            body = b'{"detail":"Method Not Allowed"}'
            return await send_json(send, 405, body, [(b"allow", b"POST")])
        body = await read_body(receive)
        if body is None:
            return  # the client went away
        fn, model, _ = endpoint
        try:
            answer = await self.jobs.answer(fn, body, lambda: parse(model, body), answers.cost)
        except (RequestValidationError, s.FieldErrors) as e:
            return await send_json(send, 422, errors.invalid(e))
        except Busy as e:
            return await send_json(send, 503, *errors.busy(e))
        await send_json(send, 200, answer)


def parse(model, body: bytes):
    """The request model from the JSON bytes; RequestValidationError (loc from "body") if invalid."""
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        problems = [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        raise RequestValidationError(problems) from None


def openapi() -> tuple[dict, dict]:
    """The endpoints' OpenAPI path items, as FastAPI writes its routes', and the schemas they use."""
    models = [(model, "validation") for _, model, _ in ENDPOINTS.values()] + [
        (model, "serialization")
        for model in [
            *(response for *_, response in ENDPOINTS.values()),
            s.ValidationErrors,
            s.Message,
        ]
    ]
    _, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    paths = {}
    for path, (fn, model, response) in ENDPOINTS.items():
        responses = {"200": {"description": "Successful Response", "content": _json(response)}}
        for status, (error, why) in ERRORS.items():
            responses[str(status)] = {"description": why, "content": _json(error)}
        paths[path] = {
            "post": {
                "summary": fn.__name__.replace("_", " ").title(),
                "description": fn.__doc__,
                "operationId": f"{fn.__name__}{path.replace('/', '_')}_post",
                "requestBody": {"content": _json(model), "required": True},
                "responses": responses,
            }
        }
    return paths, top["$defs"]


def _json(model) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}
