"""Response headers: a strict CSP on every page, who may frame /embed, CORS on /api/v1.

One pure-ASGI middleware that decides by path once per request: /api/v1 gets CORS only,
/healthz nothing, and everything else its page headers, precomputed at startup.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings, parse_origins

EMBED_PATH = "/embed"

# scripts, styles, fetches and frames only from this server; no inline script or style
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


def frame_ancestors(origins: list[str]) -> str:
    """The frame-ancestors source list for /embed: anywhere, or 'self' and the listed origins."""
    if origins == ["*"]:
        # "*" alone would refuse a page opened from disk (file:) or a notebook's blob: page
        return "* file: blob: data:"
    return " ".join(["'self'", *origins])


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeaders:
    """Adds the page headers (CSP, framing, nosniff) and CORS for /api/v1."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        cors = parse_origins(settings.cors_origins)
        self.api = CORSMiddleware(
            app,
            allow_origins=cors,
            allow_methods=["GET", "POST", "DELETE"],  # DELETE: a lesson, with its edit token
            allow_headers=["Content-Type", "Authorization"],
            allow_credentials=False,
            max_age=86400,
        )
        same_origin = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
        self.page = _raw(
            same_origin
            | {"Content-Security-Policy": POLICY.format(ancestors="'self'")}
            | {"X-Frame-Options": "SAMEORIGIN"}
        )
        ancestors = frame_ancestors(parse_origins(settings.frame_ancestors))
        self.embed = _raw(
            {
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "strict-origin-when-cross-origin",
            }
            | {"Content-Security-Policy": POLICY.format(ancestors=ancestors)}
        )
        # FastAPI's /api/docs loads Swagger UI with an inline script: framing rules only
        self.api_docs = _raw(same_origin | {"X-Frame-Options": "SAMEORIGIN"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/api/v1/"):
            # CORS concerns only requests that carry an Origin; the rest skip its header parsing
            cross = any(name == b"origin" for name, _ in scope["headers"])
            await (self.api if cross else self.app)(scope, receive, send)
            return
        if path == "/healthz":
            await self.app(scope, receive, send)
            return
        if path == EMBED_PATH:
            extra = self.embed
        elif path.startswith("/api/"):
            extra = self.api_docs
        else:
            extra = self.page

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
