"""Error answers in FastAPI's usual format: {"detail": [{"loc", "msg", "type"}, ...]}.

Shared by the POST endpoints (endpoints.py) and the app's exception handlers (main.py).
"""

from __future__ import annotations

import json

from ..jobs import Busy
from .schemas import FieldErrors


def invalid(exc) -> bytes:
    """The 422 body: where each problem is and what it is, without echoing the input back.

    exc: FieldErrors, or anything whose errors() are pydantic's dicts (InvalidBody,
    FastAPI's RequestValidationError)."""
    if isinstance(exc, FieldErrors):
        detail = [{"loc": list(loc), "msg": msg, "type": "value_error"} for loc, msg in exc.errors]
    else:
        detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return _json({"detail": detail})


def busy(exc: Busy) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The 503 body and its Retry-After header."""
    return (
        _json({"detail": str(exc)}),
        [(b"retry-after", str(exc.retry_after).encode())],
    )


def _json(content) -> bytes:
    # as Starlette's JSONResponse writes it
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
