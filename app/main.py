"""Builds the app: error handlers, middleware, static files, routers."""

from __future__ import annotations

import gc
import os
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from . import __version__, pages
from .api import endpoints, errors, lessons, routes
from .api.endpoints import PostEndpoints
from .api.schemas import FieldErrors
from .config import get_settings
from .jobs import Jobs, settings_env
from .lessons.store import LessonStore
from .limits import BodyLimit
from .security import SecurityHeaders


def create_app() -> FastAPI:
    settings = get_settings()
    jobs = Jobs(
        workers=settings.heavy_workers,
        queue=settings.heavy_queue,
        inline_cost=settings.inline_cost,
        cache_entries=settings.response_cache_entries,
        time_budget=settings.job_time_budget,
        env=settings_env(settings),
    )

    store = LessonStore.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app):
        await run_in_threadpool(store.open)  # connects, and migrates the schema to its head
        # What is loaded now stays for the process's life: leave it out of the collector's
        # full passes, each of which held the event loop for 20 to 70 ms over it.
        gc.freeze()
        yield
        jobs.close()
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="backprop-viz",
        version=__version__,
        description="Backpropagation step by step: every z, a, delta, gradient and update as JSON.",
        docs_url=None,  # served by _offline_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.jobs = jobs
    app.state.lessons = store
    app.add_exception_handler(FieldErrors, _invalid)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(PostEndpoints, jobs=jobs)  # inside the body limit and the headers
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: answers CORS preflights

    @app.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def healthz():
        # which worker process answered: lets a deployment (and the tests) see the spread
        return JSONResponse({"status": "ok"}, headers={"x-backprop-worker": str(os.getpid())})

    app.include_router(routes.router)
    app.include_router(lessons.router)
    pages.mount(app)
    _document_post_endpoints(app)
    _offline_docs(app)
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs from files shipped in a Python package: classrooms are often
    offline, and FastAPI's own docs page loads its scripts from a CDN."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/api/docs/assets", StaticFiles(directory=assets), name="docs-assets")

    @app.api_route("/api/docs", methods=["GET", "HEAD"], include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="backprop-viz API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon.png",
        )


BAD_LENGTH = {
    "description": "the Content-Length header is not a number (any request)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
}


def _document_post_endpoints(app: FastAPI) -> None:
    """Add the POST endpoints, which are served ahead of the router, to the OpenAPI schema."""
    build = app.openapi

    def openapi():
        if app.openapi_schema is None:
            schema = build()
            paths, schemas = endpoints.openapi()
            schema["paths"] = paths | schema.get("paths", {})
            schema.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
            for operation in (op for path in schema["paths"].values() for op in path.values()):
                operation["responses"].setdefault("400", BAD_LENGTH)  # limits.BodyLimit's
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


async def _invalid(request: Request, exc: FieldErrors | RequestValidationError):
    return Response(errors.invalid(exc), status_code=422, media_type="application/json")


async def _server_error(request: Request, exc: Exception):
    return JSONResponse({"detail": "internal server error"}, status_code=500)


app = create_app()
