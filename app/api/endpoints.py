"""The POST endpoints of /api/v1, answered by one pure-ASGI app ahead of FastAPI's router.

Each is a pure function of its JSON body: pydantic parses and checks the bytes
(model_validate_json), answers.py computes, jobs.py decides where (by the request's cost()),
and the answer comes back serialized already. A body whose parsing alone would hold the
event loop past inline_cost is parsed, checked and answered in a worker process. Only
`application/json` is taken (415 otherwise): a web page cannot send that to another origin
without a CORS preflight, so other sites cannot make their visitors' browsers submit work. None of FastAPI's per-request work (matching the route among
all the others, solving dependencies, an exit stack, a Request object) has anything to do
here, yet through the router it cost more than a Mazur step itself: see the README,
"Where a step's time goes". The OpenAPI schema documents these endpoints from the same
models, like FastAPI's own routes (openapi()).
"""

from __future__ import annotations

import time

from pydantic.json_schema import models_json_schema

from ..asgi import read_body, send_json, wait_until_gone
from ..jobs import Busy, Job, Jobs
from . import answers, errors
from . import check_schemas as c
from . import schemas as s
from .cost import parse_ns

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
    422: (s.ValidationErrors, "the request is invalid (see loc and msg), or past a limit"),
    413: (s.Message, "the body is larger than max_body_bytes"),
    415: (s.Message, "the body is not application/json"),
    503: (s.Message, "heavy work is queued full, or a job was stopped; see Retry-After"),
}
UNSUPPORTED = b'{"detail":"send the body as JSON, with Content-Type: application/json"}'


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
        if not is_json(scope["headers"]):  # refused unread: the connection closes
            return await send_json(send, 415, UNSUPPORTED, [(b"connection", b"close")])
        body = await read_body(receive)
        if body is None:
            return  # the client went away
        path = scope["path"]
        started, planned = time.perf_counter(), []

        def plan() -> Job:
            planned.append(self.plan(path, body))
            return planned[-1]

        try:
            answer = await self.jobs.answer((path, body), plan, lambda: wait_until_gone(receive))
        except (s.InvalidBody, s.FieldErrors) as e:
            return await send_json(send, 422, errors.invalid(e))
        except Busy as e:
            return await send_json(send, 503, *errors.busy(e))
        if answer is not None:  # None: the client left while its answer was computed
            await send_json(send, 200, answer, [server_timing(started, planned)])

    def plan(self, path: str, body: bytes) -> Job:
        """The job a body asks for: parsed and costed here, or all of it in a worker when
        parsing alone would hold the event loop too long."""
        fn, model, _ = ENDPOINTS[path]
        if parse_ns(len(body)) > self.jobs.inline_cost:
            return Job(answers.parsed, (fn, model, body), float("inf"))
        request = s.parse(model, body)
        return Job(fn, request, parse_ns(len(body)) + request.estimate().ns)


def server_timing(started: float, planned: list[Job]) -> tuple[bytes, bytes]:
    """Server-Timing: `app`, the server's time for the answer (from its body read to the answer
    ready: parsing, work, any wait for a worker) and `estimate`, its cost estimate, by which it
    chose where to compute it (none for an answer from the cache). Run sizes its requests by
    them (pacer.js)."""
    value = b"app;dur=%.2f" % ((time.perf_counter() - started) * 1000)
    if planned and planned[-1].ns != float("inf"):
        value += b", estimate;dur=%.2f" % (planned[-1].ns / 1e6)
    return b"server-timing", value


def is_json(headers) -> bool:
    """Content-Type application/json, with no parameter but charset=utf-8."""
    for name, value in headers:
        if name == b"content-type":
            media, _, rest = value.decode("latin-1").lower().partition(";")
            charset = rest.replace(" ", "")
            return media.strip() == "application/json" and charset in ("", "charset=utf-8")
    return False


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
