"""HTML pages (/, /embed, /docs/embed), oEmbed, and the static assets."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import sys
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.datastructures import Headers
from starlette.responses import FileResponse
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Scope

from . import __version__, embed
from .api import lessons as lessons_api
from .config import get_settings, parse_origins
from .engine.data import PRESETS
from .state import MAX_STATE_CHARS

GZIP_MIN_BYTES = 1024
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


def _asset_dir(name: str) -> Path:
    """static/ and templates/ beside app/ in a checkout, or under share/ once installed."""
    here = Path(__file__).resolve().parent.parent / name
    return here if here.is_dir() else Path(sys.prefix) / "share" / "backprop-viz" / name


def tree_hash(root: Path) -> str:
    """A short hash of every file under root (names and contents): the assets' version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_DIR = _asset_dir("static")
ASSET_VERSION = tree_hash(STATIC_DIR)
templates = Jinja2Templates(directory=_asset_dir("templates"))


@pass_context
def asset(context, path: str) -> str:
    """The versioned address of a static file; relative imports inside it inherit the version."""
    return context["request"].url_for("static", path=f"v/{ASSET_VERSION}/{path}").path


templates.env.globals["asset"] = asset


class Assets(StaticFiles):
    """static/ under /static/v/<version>/ (cached for a year) and /static/ (revalidated),
    with ETags, and text files gzipped once and kept in memory."""

    def __init__(self, *, directory: Path, version: str) -> None:
        super().__init__(directory=directory)
        self.version = version
        self.gzipped: dict[str, tuple[str, bytes]] = {}  # full path -> (etag, gzip body)

    async def get_response(self, path: str, scope: Scope) -> Response:
        parts = path.split(os.sep)
        versioned = len(parts) > 2 and parts[0] == "v"
        # an older version's address still works; only the current one is cached for a year
        scope["backprop_viz.immutable"] = versioned and parts[1] == self.version
        return await super().get_response(os.path.join(*parts[2:]) if versioned else path, scope)

    def file_response(self, full_path, stat_result, scope, status_code=200) -> Response:
        cache = IMMUTABLE if scope.get("backprop_viz.immutable") else REVALIDATE
        response = FileResponse(
            full_path, status_code, headers={"cache-control": cache}, stat_result=stat_result
        )
        text = response.media_type.startswith(TEXT_TYPES)
        if text:
            response.headers["vary"] = "Accept-Encoding"
        request = Headers(scope=scope)
        if self.is_not_modified(response.headers, request):
            return NotModifiedResponse(response.headers)
        if (
            text
            and status_code == 200
            and stat_result.st_size >= GZIP_MIN_BYTES
            and "gzip" in request.get("accept-encoding", "")
            and "range" not in request
        ):
            etag = response.headers["etag"]
            body = self.gzip(str(full_path), etag)
            headers = {k: response.headers[k] for k in ("cache-control", "etag", "last-modified")}
            return Response(
                body,
                status_code,
                headers | {"content-encoding": "gzip", "vary": "Accept-Encoding"},
                media_type=response.media_type,
            )
        return response

    def gzip(self, full_path: str, etag: str) -> bytes:
        kept = self.gzipped.get(full_path)
        if kept is None or kept[0] != etag:
            kept = (etag, gzip.compress(Path(full_path).read_bytes(), 9, mtime=0))
            self.gzipped[full_path] = kept
        return kept[1]


def page(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    """A rendered template, revalidated on every visit (it names the current asset version),
    gzipped when the client takes it."""
    base = str(request.base_url).rstrip("/")
    context = {"version": __version__, "base": base, "oembed_for": f"{base}/"} | context
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["cache-control"] = REVALIDATE
    if len(response.body) >= GZIP_MIN_BYTES:
        response.headers["vary"] = "Accept-Encoding"
        if "gzip" in request.headers.get("accept-encoding", ""):
            response.body = gzip.compress(response.body, 6, mtime=0)
            response.headers["content-encoding"] = "gzip"
            response.headers["content-length"] = str(len(response.body))
    return response


def mount(app: FastAPI) -> None:
    app.mount("/static", Assets(directory=STATIC_DIR, version=ASSET_VERSION), name="static")

    page_route = partial(
        app.api_route, methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
    )  # HEAD too: link checkers and monitors ask for the headers alone

    @page_route("/")
    def index(request: Request):
        context = {"oembed_for": str(request.url), "max_state": MAX_STATE_CHARS}
        return page(request, "index.html", context)

    @page_route("/embed")
    def embed_page(request: Request):
        """The visualizer without page chrome, for an iframe; every parameter is checked."""
        origins = " ".join(parse_origins(get_settings().embed_origins))
        try:
            options = embed.parse_options(request.query_params.multi_items())
        except embed.EmbedError as error:
            context = {"error": error, "embed_id": embed.valid_id(request.query_params.get("id"))}
            return page(request, "embed_error.html", context | {"origins": origins}, 422)
        lesson = None
        if options.lesson:
            lesson = _lesson(request, options.lesson)
            if lesson is None:
                error = embed.EmbedError(
                    "lesson", "no lesson has this id (it may have been deleted)"
                )
                context = {"error": error, "embed_id": options.id, "origins": origins}
                return page(request, "embed_error.html", context, 404)
            options = _lesson_options(options, lesson)
        return page(
            request,
            "embed.html",
            {"options": options, "origins": origins, "oembed_for": str(request.url)}
            | {"lesson": lesson},
        )

    @page_route("/lesson/{lesson_id}")
    def lesson_page(request: Request, lesson_id: str):
        """A published lesson's short link: the page, with the lesson in #lesson-data."""
        lesson = _lesson(request, lesson_id)
        if lesson is None:
            return page(request, "lesson_missing.html", {}, 404)
        context = {
            "oembed_for": str(request.url_for("lesson_page", lesson_id=lesson_id)),
            "max_state": MAX_STATE_CHARS,
            "lesson": lesson,
        }
        return page(request, "index.html", context)

    @page_route("/docs/embed")
    def embed_docs(request: Request):
        return page(
            request,
            "docs_embed.html",
            {
                "presets": PRESETS,
                "max_state": MAX_STATE_CHARS,
            },
        )

    @app.api_route("/oembed", methods=["GET", "HEAD"], include_in_schema=False)
    def oembed(
        request: Request,
        url: str = Query(max_length=MAX_STATE_CHARS + 2048),
        maxwidth: int | None = Query(None, ge=1, le=10_000),
        maxheight: int | None = Query(None, ge=1, le=10_000),
        format: str = "json",
    ):
        """oEmbed for this server's /, /embed, share-link and lesson addresses."""
        if format != "json":
            return JSONResponse({"detail": "only format=json is served"}, status_code=501)
        options = embed.options_for_url(url, request.url.netloc)
        if options is not None and options.lesson:
            lesson = _lesson(request, options.lesson)
            options = lesson and _lesson_options(options, lesson)
        if options is None:
            return JSONResponse(
                {"detail": "not an address of this server's visualizer or embed"}, status_code=404
            )
        base = str(request.base_url).rstrip("/")
        return JSONResponse(embed.oembed(options, base, maxwidth, maxheight))


def _lesson(request: Request, lesson_id: str) -> dict | None:
    """A published lesson as GET /api/v1/lessons/{id} answers it, or None (a blocking call)."""
    found = request.app.state.lessons.get(lesson_id)
    return found and json.loads(lessons_api.answer(found))


def _lesson_options(options: embed.EmbedOptions, lesson: dict) -> embed.EmbedOptions:
    """The embed of a lesson starts from the lesson's network, under its title."""
    document = lesson["lesson"]
    return dataclasses.replace(
        options, preset=document.get("preset"), state=document.get("state"), title=document["title"]
    )
