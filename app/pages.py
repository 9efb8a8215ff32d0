"""HTML pages and static assets."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from . import __version__


def _asset_dir(name: str) -> Path:
    """static/ and templates/ beside app/ in a checkout, or under share/ once installed."""
    here = Path(__file__).resolve().parent.parent / name
    return here if here.is_dir() else Path(sys.prefix) / "share" / "backprop-viz" / name


STATIC_DIR = _asset_dir("static")
templates = Jinja2Templates(directory=_asset_dir("templates"))


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request):
        return templates.TemplateResponse(request, "index.html", {"version": __version__})
