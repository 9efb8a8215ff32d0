"""gunicorn's worker class for this app: `gunicorn app.main:app -k app.gunicorn_worker.UvicornWorker`.

The maintained uvicorn worker (the uvicorn-worker package), serving with app.server's
HttpProtocol, which times out slow clients (see app/server.py).
"""

from __future__ import annotations

from typing import ClassVar

from uvicorn_worker import UvicornWorker as _UvicornWorker


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict] = {
        **_UvicornWorker.CONFIG_KWARGS,
        "http": "app.server:HttpProtocol",
    }
