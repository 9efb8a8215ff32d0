"""Request body size limit, enforced before the body is read (pure ASGI, so it stays cheap)."""

from __future__ import annotations

import json

from .asgi import send_json


class BodyLimit:
    """413 for bodies over max_bytes: at once from Content-Length, or while a chunked body streams."""

    def __init__(self, app, *, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = None
        for key, value in scope["headers"]:
            if key == b"content-length":
                length = value
                break
        if length is not None:
            if not length.isdigit():
                return await _error(send, 400, "invalid Content-Length header")
            if int(length) > self.max_bytes:
                return await _error(send, 413, self._message(int(length)))
            return await self.app(scope, receive, send)  # the server enforces the framing
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        # chunked: read up to the limit, then replay what was read
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                return await _error(send, 413, self._message(None))
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    def _message(self, length):
        got = f" (got {length} bytes)" if length is not None else ""
        return f"request body too large: the limit is {self.max_bytes} bytes{got}"


async def _error(send, status: int, detail: str):
    # the body was not read: close the connection rather than read it to keep it alive
    body = json.dumps({"detail": detail}).encode()
    await send_json(send, status, body, [(b"connection", b"close")])
